package io.x0tta6bl4.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RequestStatsTest {
    private static final long MS = 1_000_000L;

    /** Seeded: percentiles are never below the true value and at most ~6.25 % above it. */
    @Test
    void percentilesAreWithinTheHistogramsPrecision() {
        long seed = Long.getLong("stats.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int round = 0; round < 20; round++) {
            RequestStats stats = new RequestStats(Duration.ofSeconds(10), 100);
            int n = 1 + random.nextInt(5_000);
            long[] micros = new long[n];
            for (int i = 0; i < n; i++) {
                micros[i] = (long) Math.exp(random.nextDouble() * Math.log(5_000_000));
                stats.record(i * 1_000L, micros[i] * 1000, false);
            }
            Arrays.sort(micros);
            RequestStats.Summary s = stats.summary(n * 1_000L);
            long p50 = micros[(int) Math.ceil(0.50 * n) - 1];
            long p99 = micros[(int) Math.ceil(0.99 * n) - 1];
            String why = "seed " + seed + ", round " + round;
            assertThat(s.requests()).as(why).isEqualTo(n);
            assertThat(s.p50Micros()).as(why).isBetween(p50, Math.max(p50 + 1, (long) (p50 * 1.0625) + 1));
            assertThat(s.p99Micros()).as(why).isBetween(p99, Math.max(p99 + 1, (long) (p99 * 1.0625) + 1));
        }
    }

    @Test
    void oldRequestsLeaveTheWindowAndErrorsAreCounted() {
        RequestStats stats = new RequestStats(Duration.ofSeconds(10), 100);
        for (int i = 0; i < 100; i++) {
            stats.record(i * 10 * MS, 5 * MS, i % 4 == 0);
        }
        RequestStats.Summary now = stats.summary(999 * MS);
        assertThat(now.requests()).isEqualTo(100);
        assertThat(now.errorRatePercent()).isEqualTo(25.0);
        assertThat(now.p99Micros()).isBetween(5_000L, 5_312L);
        RequestStats.Summary later = stats.summary(20_000 * MS);
        assertThat(later.requests()).isZero();
        assertThat(later.p99Micros()).isZero();
        stats.record(20_000 * MS, 1 * MS, false);
        assertThat(stats.summary(20_000 * MS).requests()).isEqualTo(1);
    }

    @Test
    void binsAreMonotonicAndBoundTheirValues() {
        int previous = -1;
        for (long v = 0; v < 10_000_000; v = v < 100 ? v + 1 : v + v / 37) {
            int bin = RequestStats.bin(v);
            assertThat(bin).isGreaterThanOrEqualTo(previous);
            assertThat(RequestStats.upper(bin)).isGreaterThanOrEqualTo(v);
            previous = bin;
        }
    }

    @Test
    void timeSeriesKeepsTheNewestSamples() {
        TimeSeries<Integer> series = new TimeSeries<>(3);
        assertThat(series.latest()).isNull();
        for (int i = 1; i <= 5; i++) {
            series.add(i * 100L, i);
        }
        assertThat(series.size()).isEqualTo(3);
        assertThat(series.latest().value()).isEqualTo(5);
        assertThat(series.since(0).stream().map(TimeSeries.Point::value)).containsExactly(3, 4, 5);
        assertThat(series.since(400).stream().map(TimeSeries.Point::value)).containsExactly(4, 5);
    }
}
