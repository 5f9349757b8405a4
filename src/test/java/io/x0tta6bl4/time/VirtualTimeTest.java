package io.x0tta6bl4.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualTimeTest {
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void tasksRunInDueOrderThenSubmissionOrderWithTheClocksAtTheirDueTime() {
        VirtualTime time = new VirtualTime(T0);
        List<String> ran = new ArrayList<>();
        time.schedule(30_000_000, () -> ran.add("30ms@" + time.nanoTime()));
        time.schedule(10_000_000, () -> ran.add("10ms-a@" + time.instant()));
        time.schedule(10_000_000, () -> ran.add("10ms-b"));
        time.execute(() -> ran.add("now"));

        time.advance(Duration.ofMillis(20));
        assertThat(ran).containsExactly("now", "10ms-a@2026-12-01T00:00:00.010Z", "10ms-b");
        assertThat(time.nanoTime()).isEqualTo(20_000_000);
        time.advance(Duration.ofMillis(10));
        assertThat(ran).last().isEqualTo("30ms@30000000");
        assertThat(time.pending()).isZero();
    }

    @Test
    void aTaskThatSchedulesAnotherWithinTheWindowSeesItRunAndCancelledTasksNeverRun() {
        VirtualTime time = new VirtualTime(T0);
        List<Long> ticks = new ArrayList<>();
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            ticks.add(time.nanoTime() / 1_000_000);
            time.schedule(100_000_000, tick[0]);
        };
        time.execute(tick[0]);
        Scheduler.Cancellable never = time.schedule(50_000_000, () -> ticks.add(-1L));
        assertThat(never.cancel()).isTrue();
        assertThat(never.cancel()).isFalse();

        time.advance(Duration.ofMillis(350));
        assertThat(ticks).containsExactly(0L, 100L, 200L, 300L);
        assertThat(time.pending()).isEqualTo(1);
    }
}
