package io.x0tta6bl4.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PercentilesTest {
    @Test
    void percentilesAreNearestRank() {
        List<java.time.Duration> twenty = new java.util.ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            twenty.add(java.time.Duration.ofMillis(i));
        }
        assertThat(Percentiles.nearestRank(twenty, 0.5)).contains(java.time.Duration.ofMillis(10));
        assertThat(Percentiles.nearestRank(twenty, 0.99)).as("with 20 runs p99 is the max").contains(java.time.Duration.ofMillis(20));
        assertThat(Percentiles.nearestRank(List.of(), 0.5)).isEmpty();
    }
}
