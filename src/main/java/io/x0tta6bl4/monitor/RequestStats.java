package io.x0tta6bl4.monitor;

import java.time.Duration;

/**
 * Latency percentiles and error rate of the requests of the last {@code window}, in constant
 * memory: the window is a ring of {@code buckets} time slices, each a log-linear histogram (16
 * sub-buckets per power of two, so a reported percentile is within ~6 % of the true value, the
 * precision HdrHistogram calls two significant digits). Old slices are reused as time moves on.
 *
 * <p>Time is an argument ({@code nowNanos} of a monotonic clock the caller owns). Thread-safe:
 * request threads record, the sampler reads; both are short critical sections.
 */
public final class RequestStats {
    private static final int SUB_BUCKETS = 16;
    private static final int BINS = 64 * SUB_BUCKETS;

    /** A summary of one window: how many requests, their latency percentiles and error share. */
    public record Summary(long requests, long errors, long p50Micros, long p99Micros) {
        public double errorRatePercent() {
            return requests == 0 ? 0 : 100.0 * errors / requests;
        }
    }

    private final long sliceNanos;
    private final long[][] histograms;
    private final long[] counts;
    private final long[] errors;
    /** Failed requests of each slice that have no latency (refused before any request was read). */
    private final long[] unmeasured;
    private final long[] sliceIndex;

    public RequestStats(Duration window, int buckets) {
        if (buckets < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("need a positive window and at least one bucket");
        }
        this.sliceNanos = Math.max(1, window.toNanos() / buckets);
        this.histograms = new long[buckets][BINS];
        this.counts = new long[buckets];
        this.errors = new long[buckets];
        this.unmeasured = new long[buckets];
        this.sliceIndex = new long[buckets];
        java.util.Arrays.fill(sliceIndex, Long.MIN_VALUE);
    }

    /** One request that ended at {@code nowNanos} after {@code latencyNanos}; {@code failed} if it was an error. */
    public synchronized void record(long nowNanos, long latencyNanos, boolean failed) {
        int b = slice(nowNanos);
        histograms[b][bin(Math.max(0, latencyNanos / 1000))]++;
        counts[b]++;
        if (failed) {
            errors[b]++;
        }
    }

    /**
     * A request that failed before it could be timed (a connection refused over the limit): an
     * error in the counts, but no latency, so it does not pull the percentiles down.
     */
    public synchronized void recordFailedUntimed(long nowNanos) {
        int b = slice(nowNanos);
        counts[b]++;
        errors[b]++;
        unmeasured[b]++;
    }

    /** How long the window of {@link #summary} is. */
    public java.time.Duration window() {
        return java.time.Duration.ofNanos(sliceNanos * counts.length);
    }

    /** The requests of the window ending at {@code nowNanos}. */
    public synchronized Summary summary(long nowNanos) {
        long current = Math.floorDiv(nowNanos, sliceNanos);
        long[] merged = new long[BINS];
        long total = 0;
        long failed = 0;
        long untimed = 0;
        for (int b = 0; b < counts.length; b++) {
            if (sliceIndex[b] > current - counts.length && sliceIndex[b] <= current) {
                total += counts[b];
                failed += errors[b];
                untimed += unmeasured[b];
                for (int i = 0; i < BINS; i++) {
                    merged[i] += histograms[b][i];
                }
            }
        }
        return new Summary(total, failed, percentile(merged, total - untimed, 0.50), percentile(merged, total - untimed, 0.99));
    }

    private int slice(long nowNanos) {
        long index = Math.floorDiv(nowNanos, sliceNanos);
        int b = (int) Math.floorMod(index, (long) counts.length);
        if (sliceIndex[b] != index) {
            sliceIndex[b] = index;
            java.util.Arrays.fill(histograms[b], 0);
            counts[b] = 0;
            errors[b] = 0;
            unmeasured[b] = 0;
        }
        return b;
    }

    /** Log-linear bin: the power of two, then 16 linear steps within it. */
    static int bin(long micros) {
        if (micros < SUB_BUCKETS) {
            return (int) micros;
        }
        int msb = 63 - Long.numberOfLeadingZeros(micros);
        int sub = (int) (micros >>> (msb - 4)) & (SUB_BUCKETS - 1);
        return (msb - 3) * SUB_BUCKETS + sub;
    }

    /** The upper bound of a bin, so that percentiles never under-report. */
    static long upper(int bin) {
        if (bin < SUB_BUCKETS) {
            return bin;
        }
        int msb = bin / SUB_BUCKETS + 3;
        int sub = bin % SUB_BUCKETS;
        return ((long) (SUB_BUCKETS + sub + 1) << (msb - 4)) - 1;
    }

    private static long percentile(long[] bins, long total, double q) {
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < bins.length; i++) {
            seen += bins[i];
            if (seen >= rank) {
                return upper(i);
            }
        }
        return upper(bins.length - 1);
    }
}
