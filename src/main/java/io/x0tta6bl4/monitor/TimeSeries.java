package io.x0tta6bl4.monitor;

import java.util.ArrayList;
import java.util.List;

/**
 * The last {@code capacity} samples of something, in a fixed-size ring: adding to a full series
 * drops the oldest. For example 36,000 load samples at 100 ms keep the last hour. Thread-safe.
 */
public final class TimeSeries<T> {
    /** A value and when it was taken (nanoseconds of the sampler's clock). */
    public record Point<T>(long atNanos, T value) {}

    private final Object[] values;
    private final long[] times;
    private int next;
    private int size;

    public TimeSeries(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        values = new Object[capacity];
        times = new long[capacity];
    }

    public synchronized void add(long atNanos, T value) {
        values[next] = value;
        times[next] = atNanos;
        next = (next + 1) % values.length;
        size = Math.min(size + 1, values.length);
    }

    public synchronized int size() {
        return size;
    }

    /** The newest point, or null when empty. */
    public synchronized Point<T> latest() {
        return size == 0 ? null : point((next - 1 + values.length) % values.length);
    }

    /** Points taken at or after {@code sinceNanos}, oldest first. */
    public synchronized List<Point<T>> since(long sinceNanos) {
        List<Point<T>> out = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int at = (next - size + i + values.length) % values.length;
            if (times[at] >= sinceNanos) {
                out.add(point(at));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private Point<T> point(int at) {
        return new Point<>(times[at], (T) values[at]);
    }
}
