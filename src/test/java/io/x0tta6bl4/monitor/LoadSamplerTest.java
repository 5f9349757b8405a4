package io.x0tta6bl4.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoadSamplerTest {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;
    private static final long MIB = 1L << 20;

    /** A hand-set {@link LoadSources}: each test says what the platform reports. */
    static final class FakeSources implements LoadSources {
        double processCpu = 0.10;
        double systemCpu = 0.20;
        long heapUsed = 100 * MIB;
        long heapMax = 400 * MIB;
        long memoryUsed = 1024 * MIB;
        long memoryTotal = 4096 * MIB;
        long gcTotal;

        @Override public double processCpuLoad() { return processCpu; }
        @Override public double systemCpuLoad() { return systemCpu; }
        @Override public long heapUsedBytes() { return heapUsed; }
        @Override public long heapMaxBytes() { return heapMax; }
        @Override public long memoryUsedBytes() { return memoryUsed; }
        @Override public long memoryTotalBytes() { return memoryTotal; }
        @Override public long gcPauseMillisTotal() { return gcTotal; }
    }

    private final FakeSources sources = new FakeSources();
    private final RequestStats requests = new RequestStats(Duration.ofSeconds(10), 100);
    private final AtomicInteger queue = new AtomicInteger();
    private final AtomicLong disk = new AtomicLong(-1);
    private final LoadSampler sampler = new LoadSampler(sources, requests, queue::get, disk::get);

    @Test
    void percentagesAndCountsComeFromTheSources() {
        sources.processCpu = 0.375;
        sources.systemCpu = 0.5;
        sources.heapUsed = 256 * MIB;
        sources.heapMax = 1024 * MIB;
        sources.memoryUsed = 3 * 1024 * MIB;
        sources.memoryTotal = 4 * 1024 * MIB;
        queue.set(7);
        disk.set(1_234);

        LoadSample s = sampler.sample(42 * SECOND);

        assertThat(s.atNanos()).isEqualTo(42 * SECOND);
        assertThat(s.processCpuPercent()).isEqualTo(37.5);
        assertThat(s.systemCpuPercent()).isEqualTo(50.0);
        assertThat(s.heapPercent()).isEqualTo(25.0);
        assertThat(s.memoryPercent()).isEqualTo(75.0);
        assertThat(s.queueLength()).isEqualTo(7);
        assertThat(s.diskWriteMicros()).isEqualTo(1_234);
    }

    @Test
    void whatThePlatformCannotTellIsMinusOne() {
        sources.processCpu = -1.0;
        sources.systemCpu = Double.NaN;
        sources.heapMax = -1;
        sources.memoryTotal = 0;
        disk.set(-1);

        LoadSample s = sampler.sample(0);

        assertThat(s.processCpuPercent()).isEqualTo(-1.0);
        assertThat(s.systemCpuPercent()).isEqualTo(-1.0);
        assertThat(s.heapPercent()).isEqualTo(-1.0);
        assertThat(s.memoryPercent()).isEqualTo(-1.0);
        assertThat(s.diskWriteMicros()).isEqualTo(-1);

        sources.processCpu = -0.25;
        sources.systemCpu = 0.0;
        disk.set(-7);
        LoadSample next = sampler.sample(100 * MS);
        assertThat(next.processCpuPercent()).isEqualTo(-1.0);
        assertThat(next.systemCpuPercent()).isZero();
        assertThat(next.diskWriteMicros()).isEqualTo(-1);
    }

    @Test
    void latencyAndErrorsAreThoseOfTheRequestWindowEndingAtTheSample() {
        for (int i = 0; i < 100; i++) {
            boolean slow = i % 10 == 0;
            requests.record(i * 10 * MS, (slow ? 10_000 : 100) * 1_000L, i % 5 == 0);
        }

        LoadSample busy = sampler.sample(SECOND);
        assertThat(busy.latencyP50Micros()).isBetween(100L, 107L);
        assertThat(busy.latencyP99Micros()).isBetween(10_000L, 10_625L);
        assertThat(busy.errorRatePercent()).isEqualTo(20.0);

        LoadSample quiet = sampler.sample(30 * SECOND);
        assertThat(quiet.latencyP50Micros()).isZero();
        assertThat(quiet.latencyP99Micros()).isZero();
        assertThat(quiet.errorRatePercent()).isZero();
    }

    @Test
    void gcPauseIsWhatAccumulatedSinceThePreviousSample() {
        long[] totals = {5_000, 5_000, 5_012, 5_030, 5_030, 5_031};
        long[] expected = {0, 0, 12, 18, 0, 1};
        for (int i = 0; i < totals.length; i++) {
            sources.gcTotal = totals[i];
            assertThat(sampler.sample(i * 100 * MS).gcPauseMillis()).as("sample %d", i).isEqualTo(expected[i]);
        }
    }

    @Test
    void latestIsNullBeforeTheFirstSampleThenTheNewest() {
        assertThat(sampler.latest()).isNull();
        assertThat(sampler.recent()).isEmpty();
        assertThat(sampler.history()).isEmpty();

        LoadSample first = sampler.sample(0);
        assertThat(sampler.latest()).isSameAs(first);
        LoadSample second = sampler.sample(100 * MS);
        assertThat(sampler.latest()).isSameAs(second);
        assertThat(sampler.recent()).containsExactly(first, second);
    }

    @Test
    void recentKeepsEverySampleOfTheLastMinute() {
        for (int i = 0; i < 700; i++) {
            sampler.sample(i * 100 * MS);
        }

        List<LoadSample> recent = sampler.recent();
        assertThat(recent).hasSize(600);
        assertThat(recent.getFirst().atNanos()).isEqualTo(100 * 100 * MS);
        assertThat(recent.getLast()).isSameAs(sampler.latest());
        for (int i = 1; i < recent.size(); i++) {
            assertThat(recent.get(i).atNanos() - recent.get(i - 1).atNanos()).isEqualTo(100 * MS);
        }
    }

    @Test
    void historyKeepsTheFirstSampleOfEachSecond() {
        long start = 5_350 * MS;
        for (int i = 0; i < 100; i++) {
            sampler.sample(start + i * 100 * MS);
        }

        // Samples from 5.35 s to 15.25 s: seconds 5 to 15, each entered by its first sample.
        assertThat(sampler.recent()).hasSize(100);
        assertThat(times(sampler.history())).containsExactly(
                5_350 * MS, 6_050 * MS, 7_050 * MS, 8_050 * MS, 9_050 * MS, 10_050 * MS,
                11_050 * MS, 12_050 * MS, 13_050 * MS, 14_050 * MS, 15_050 * MS);
    }

    @Test
    void historyLeavesAGapForASecondWithoutSamples() {
        long[] at = {950 * MS, 1_020 * MS, 1_990 * MS, 3_400 * MS, 3_999 * MS, 4_000 * MS};
        for (long t : at) {
            sampler.sample(t);
        }
        assertThat(times(sampler.history())).containsExactly(950 * MS, 1_020 * MS, 3_400 * MS, 4_000 * MS);
    }

    /** nanoTime may be negative: truncating division would put -0.5 s and 0.3 s in the same second. */
    @Test
    void historySecondsAreFlooredForNegativeNanos() {
        long[] at = {-1_500 * MS, -1_200 * MS, -500 * MS, -100 * MS, 0, 300 * MS, 1_000 * MS};
        for (long t : at) {
            sampler.sample(t);
        }
        assertThat(times(sampler.history())).containsExactly(-1_500 * MS, -500 * MS, 0L, 1_000 * MS);
    }

    @Test
    void historyHoldsTheLastHour() {
        LoadSampler cheap = new LoadSampler(sources, new RequestStats(Duration.ofSeconds(1), 1), queue::get, disk::get);
        for (int i = 0; i < 3_700; i++) {
            cheap.sample(i * SECOND);
        }

        List<LoadSample> history = cheap.history();
        assertThat(history).hasSize(3_600);
        assertThat(history.getFirst().atNanos()).isEqualTo(100 * SECOND);
        assertThat(history.getLast()).isSameAs(cheap.latest());
        assertThat(cheap.recent()).hasSize(600);
        assertThat(cheap.recent().getFirst().atNanos()).isEqualTo(3_100 * SECOND);
    }

    @Test
    void onlyPauseBeansCountWhenTheCollectorHasThem() {
        // Names as JDK 25 reports them (see JvmLoadSources).
        assertThat(JvmLoadSources.pauseBeanNames(List.of(
                        "ZGC Minor Cycles", "ZGC Minor Pauses", "ZGC Major Cycles", "ZGC Major Pauses")))
                .containsExactly("ZGC Minor Pauses", "ZGC Major Pauses");
        assertThat(JvmLoadSources.pauseBeanNames(List.of("Shenandoah Pauses", "Shenandoah Cycles")))
                .containsExactly("Shenandoah Pauses");
        assertThat(JvmLoadSources.pauseBeanNames(List.of("G1 Young Generation", "G1 Concurrent GC", "G1 Old Generation")))
                .containsExactly("G1 Young Generation", "G1 Concurrent GC", "G1 Old Generation");
        assertThat(JvmLoadSources.pauseBeanNames(List.of())).isEmpty();
    }

    /** The real beans of the JVM running this test: plausible values, and a sampler over them. */
    @Test
    void jvmSourcesReportThisJvm() {
        LoadSources jvm = LoadSources.jvm();
        long gcBefore = jvm.gcPauseMillisTotal();
        System.gc();
        assertThat(jvm.gcPauseMillisTotal()).isGreaterThanOrEqualTo(gcBefore).isGreaterThanOrEqualTo(0);
        assertThat(jvm.heapUsedBytes()).isPositive();
        assertThat(jvm.heapMaxBytes()).isGreaterThanOrEqualTo(jvm.heapUsedBytes());
        assertThat(jvm.memoryTotalBytes()).isPositive();
        assertThat(jvm.memoryUsedBytes()).isBetween(0L, jvm.memoryTotalBytes());
        assertThat(jvm.processCpuLoad()).satisfiesAnyOf(
                load -> assertThat(load).isBetween(0.0, 1.0), load -> assertThat(load).isNegative());

        LoadSample s = new LoadSampler(jvm, requests, queue::get, disk::get).sample(0);
        assertThat(s.heapPercent()).isGreaterThan(0.0).isLessThanOrEqualTo(100.0);
        assertThat(s.memoryPercent()).isGreaterThan(0.0).isLessThanOrEqualTo(100.0);
        assertThat(s.processCpuPercent()).satisfiesAnyOf(
                p -> assertThat(p).isBetween(0.0, 100.0), p -> assertThat(p).isEqualTo(-1.0));
        assertThat(s.gcPauseMillis()).isZero();
    }

    private static List<Long> times(List<LoadSample> samples) {
        return samples.stream().map(LoadSample::atNanos).toList();
    }
}
