package io.x0tta6bl4.bench;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Nearest-rank percentiles: the value at rank ⌈p·n⌉ of the sorted sample (so with 20 values, p99 is the largest). */
final class Percentiles {
    private Percentiles() {}

    static Optional<Duration> nearestRank(List<Duration> sorted, double p) {
        return sorted.isEmpty() ? Optional.empty() : Optional.of(sorted.get(rank(sorted.size(), p)));
    }

    /** The same over a sorted, non-empty array. */
    static long nearestRank(long[] sorted, double p) {
        return sorted[rank(sorted.length, p)];
    }

    /** The 0-based position of rank ⌈p·n⌉, clamped to the sample. */
    private static int rank(int n, double p) {
        return Math.min(n, Math.max(1, (int) Math.ceil(p * n))) - 1;
    }
}
