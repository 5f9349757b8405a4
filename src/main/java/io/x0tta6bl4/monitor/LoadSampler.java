package io.x0tta6bl4.monitor;

import java.util.List;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Turns this node's raw load numbers into {@link LoadSample}s and keeps two views of them: the
 * last minute at full rate for the anomaly detectors, and the last hour at one point per second
 * for the scaling forecast, in constant memory ({@value #RECENT_POINTS} plus {@value
 * #HISTORY_POINTS} samples of about 100 bytes each, under half a megabyte).
 *
 * <p><b>Time.</b> The sampler reads no clock: the caller's scheduler passes {@code nowNanos} of a
 * monotonic clock (DESIGN.md §3 rule 2), normally every 100 ms, so tests drive it with virtual
 * time. The same {@code nowNanos} closes the {@link RequestStats} window, so latency and load of
 * one sample describe the same instant.
 *
 * <p><b>Downsampling.</b> The hour ring keeps the first sample of each second of the sampler's
 * clock, i.e. the first whose {@code floorDiv(atNanos, 1 s)} is greater than that of the last
 * point kept; it is not an average. A sample is a snapshot (CPU load is already an average over
 * the JVM's own interval), and keeping real samples means every history point also appears, for a
 * minute, in the recent ring. Seconds in which no sample was taken (the node was paused) leave a
 * gap rather than an invented point. {@code floorDiv}, not {@code /}, because {@code nanoTime}
 * may be negative. {@link LoadSample#gcPauseMillis()} of a history point covers only the 100 ms
 * before it; a consumer wanting pause time per second sums the recent ring.
 *
 * <p><b>Threads.</b> {@link #sample} is meant for one scheduler thread; it is {@code synchronized}
 * anyway, so a second caller cannot corrupt the GC baseline or the downsampling state. Readers
 * never take that lock: {@link #latest()} reads a {@code volatile} field, and {@link #recent()}
 * and {@link #history()} copy a {@link TimeSeries}, which locks itself for each add and read.
 * {@code sample} writes both rings before it publishes the sample to {@code latest}, so a reader
 * that has seen a sample in {@code latest()} finds it in {@code recent()} too. The two lists are
 * each consistent on their own, but taken at different moments.
 */
public final class LoadSampler {
    /** One minute at the 100 ms sampling rate. */
    static final int RECENT_POINTS = 600;
    /** One hour at one point per second. */
    static final int HISTORY_POINTS = 3600;
    private static final long SECOND_NANOS = 1_000_000_000L;

    private final LoadSources sources;
    private final RequestStats requests;
    private final IntSupplier queueLength;
    private final LongSupplier latestDiskWriteMicros;
    private final TimeSeries<LoadSample> recent = new TimeSeries<>(RECENT_POINTS);
    private final TimeSeries<LoadSample> history = new TimeSeries<>(HISTORY_POINTS);

    // Guarded by this (written only in sample).
    private long previousGcTotal;
    private boolean havePreviousGcTotal;
    private long lastHistorySecond;
    private boolean haveHistory;

    private volatile LoadSample latest;

    /**
     * @param sources the raw numbers, usually {@link LoadSources#jvm()}
     * @param requests the request window the node's API records into
     * @param queueLength how many of this node's ledger entries wait to be committed right now
     * @param latestDiskWriteMicros the newest disk write latency, negative until one was measured,
     *     usually {@link DiskLatencyProbe#latestMicros()}
     */
    public LoadSampler(LoadSources sources, RequestStats requests, IntSupplier queueLength, LongSupplier latestDiskWriteMicros) {
        this.sources = Objects.requireNonNull(sources, "sources");
        this.requests = Objects.requireNonNull(requests, "requests");
        this.queueLength = Objects.requireNonNull(queueLength, "queueLength");
        this.latestDiskWriteMicros = Objects.requireNonNull(latestDiskWriteMicros, "latestDiskWriteMicros");
    }

    /**
     * Takes one sample at {@code nowNanos}, adds it to the recent ring and, if it is the first of
     * a new second, to the history ring, and returns it.
     */
    public synchronized LoadSample sample(long nowNanos) {
        RequestStats.Summary window = requests.summary(nowNanos);
        long disk = latestDiskWriteMicros.getAsLong();
        LoadSample s = new LoadSample(
                nowNanos,
                cpuPercent(sources.processCpuLoad()),
                cpuPercent(sources.systemCpuLoad()),
                percent(sources.heapUsedBytes(), sources.heapMaxBytes()),
                percent(sources.memoryUsedBytes(), sources.memoryTotalBytes()),
                window.p50Micros(),
                window.p99Micros(),
                window.errorRatePercent(),
                queueLength.getAsInt(),
                disk < 0 ? -1 : disk,
                gcPauseSincePrevious(sources.gcPauseMillisTotal()),
                window.requests() / (requests.window().toNanos() / 1e9));
        recent.add(nowNanos, s);
        long second = Math.floorDiv(nowNanos, SECOND_NANOS);
        if (!haveHistory || second > lastHistorySecond) {
            history.add(nowNanos, s);
            lastHistorySecond = second;
            haveHistory = true;
        }
        latest = s;
        return s;
    }

    /** The newest sample, or null before the first. */
    public LoadSample latest() {
        return latest;
    }

    /** The samples of about the last minute (the last {@value #RECENT_POINTS}), oldest first; a copy. */
    public List<LoadSample> recent() {
        return values(recent);
    }

    /** One sample per second for about the last hour (the last {@value #HISTORY_POINTS}), oldest first; a copy. */
    public List<LoadSample> history() {
        return values(history);
    }

    /** The first call only sets the baseline: pauses before sampling began belong to no sample. */
    private long gcPauseSincePrevious(long total) {
        long delta = havePreviousGcTotal ? Math.max(0, total - previousGcTotal) : 0;
        previousGcTotal = total;
        havePreviousGcTotal = true;
        return delta;
    }

    /** A load fraction as a percentage; negative or NaN (the JVM cannot tell) becomes -1. */
    static double cpuPercent(double load) {
        if (!(load >= 0)) {
            return -1;
        }
        return Math.min(100.0, load * 100.0);
    }

    /** {@code used} as a percentage of {@code total}, or -1 when either is unknown. */
    static double percent(long used, long total) {
        if (total <= 0 || used < 0) {
            return -1;
        }
        return Math.min(100.0, 100.0 * used / total);
    }

    private static List<LoadSample> values(TimeSeries<LoadSample> series) {
        return series.since(Long.MIN_VALUE).stream().map(TimeSeries.Point::value).toList();
    }
}
