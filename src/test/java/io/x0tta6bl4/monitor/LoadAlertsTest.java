package io.x0tta6bl4.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Load alerts on virtual time: sustained crossings raise, sustained returns clear, noise and unknowns do neither. */
class LoadAlertsTest {
    private static final long MS = 1_000_000L;
    private static final LoadAlerts.Thresholds LINES = new LoadAlerts.Thresholds(80, 85, 500_000, 5, 1000, 1_000 * MS);

    private static LoadSample sample(long atMs, double cpu, int queue) {
        return new LoadSample(atMs * MS, 10, cpu, 30, 40, 100, 200, 0, queue, 500, 0, 20);
    }

    private static List<LoadAlerts.Change> feed(LoadAlerts a, long fromMs, long toMs, double cpu, int queue) {
        List<LoadAlerts.Change> out = new ArrayList<>();
        for (long t = fromMs; t < toMs; t += 100) {
            out.addAll(a.onSample(sample(t, cpu, queue)));
        }
        return out;
    }

    @Test
    void aThresholdCrossedForTheSustainRaisesOnceAndBackUnderNinetyPercentForAsLongClears() {
        LoadAlerts a = new LoadAlerts(LINES);
        assertThat(feed(a, 0, 900, 95, 0)).as("not yet sustained").isEmpty();
        List<LoadAlerts.Change> raised = feed(a, 900, 3_000, 95, 0);
        assertThat(raised).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(LoadAlerts.Kind.HIGH_CPU_USAGE);
            assertThat(c.raised()).isTrue();
            assertThat(c.value()).isEqualTo(95);
            assertThat(c.threshold()).isEqualTo(80);
            assertThat(c.atNanos() - c.sinceNanos()).isEqualTo(1_000 * MS);
        });
        assertThat(a.raised()).containsExactly(LoadAlerts.Kind.HIGH_CPU_USAGE);
        assertThat(feed(a, 3_000, 6_000, 75, 0)).as("under the line but above 90 % of it: still high").isEmpty();
        List<LoadAlerts.Change> cleared = feed(a, 6_000, 8_000, 50, 0);
        assertThat(cleared).singleElement().satisfies(c -> assertThat(c.raised()).isFalse());
        assertThat(a.raised()).isEmpty();
    }

    @Test
    void newLinesApplyFromTheNextSample() {
        LoadAlerts a = new LoadAlerts(LINES);
        assertThat(feed(a, 0, 3_000, 60, 0)).as("60 % is under the 80 % line").isEmpty();
        a.retune(new LoadAlerts.Thresholds(50, 85, 500_000, 5, 1000, 0));
        assertThat(a.thresholds().cpuPercent()).isEqualTo(50);
        assertThat(feed(a, 3_000, 3_100, 60, 0)).as("a 50 % line and no sustain: the next sample raises")
                .singleElement().satisfies(c -> assertThat(c.threshold()).isEqualTo(50));
        a.retune(LINES);
        assertThat(feed(a, 3_100, 6_000, 60, 0)).as("back on the 80 % line, 60 % is under 90 % of it: cleared after the sustain")
                .singleElement().satisfies(c -> assertThat(c.raised()).isFalse());
    }

    @Test
    void aSpikeShorterThanTheSustainOrAnUnknownValueRaisesNothing() {
        LoadAlerts a = new LoadAlerts(LINES);
        List<LoadAlerts.Change> all = new ArrayList<>();
        for (long t = 0; t < 20_000; t += 100) {
            boolean spike = (t / 100) % 9 < 8; // eight samples high, one low: never a second without a break
            all.addAll(a.onSample(sample(t, spike ? 99 : 10, 0)));
        }
        for (long t = 20_000; t < 30_000; t += 100) {
            all.addAll(a.onSample(sample(t, (t / 100) % 2 == 0 ? 99 : -1, 0)));
        }
        assertThat(all).isEmpty();
    }

    @Test
    void aLedgerQueueThatBuildsUpIsAQueueBuildup() {
        LoadAlerts a = new LoadAlerts(LINES);
        assertThat(feed(a, 0, 2_000, 10, 5_000)).extracting(LoadAlerts.Change::kind).containsExactly(LoadAlerts.Kind.QUEUE_BUILDUP);
    }
}
