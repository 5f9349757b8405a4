package io.x0tta6bl4.orchestration;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Nearest-rank percentiles: the value at rank ⌈p·n⌉ of the sorted sample (so with 20 values, p99 is the largest). */
final class Percentiles {
    private Percentiles() {}

    static Optional<Duration> nearestRank(List<Duration> sorted, double p) {
        if (sorted.isEmpty()) {
            return Optional.empty();
        }
        int rank = (int) Math.ceil(p * sorted.size());
        return Optional.of(sorted.get(Math.min(sorted.size(), Math.max(1, rank)) - 1));
    }
}
