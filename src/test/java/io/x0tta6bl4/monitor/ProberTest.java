package io.x0tta6bl4.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.time.VirtualTime;
import io.x0tta6bl4.transport.PeerCallException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The prober on virtual time. A call to the peer is a task the test holds: it "answers" when the
 * test runs it, at the virtual time the test has reached, so a late answer is exact and nothing sleeps.
 */
class ProberTest {
    private static final byte[] ANSWER = "{\"node\":\"b\",\"suspect\":[],\"down\":[]}".getBytes(StandardCharsets.UTF_8);
    private static final DetectorSettings SOURCE = DetectorSettings.sourceDefaults();

    private final VirtualTime time = new VirtualTime(Instant.EPOCH);
    /** Calls out to the peer, in the order they were made; each ends when the test runs it. */
    private final Deque<Runnable> out = new ArrayDeque<>();
    private final List<StateChange> changes = new ArrayList<>();
    private final List<ProbeResult> results = new ArrayList<>();
    /** What the peer's next calls do when they end: answer, or fail with this. */
    private PeerCallException failure;

    private Prober prober() {
        Prober p = new Prober(new FailureDetector(SOURCE, List.of("b"), 0), time, out::add, time::nanoTime);
        p.addListener(new Prober.Listener() {
            @Override
            public void onProbe(String peer, ProbeResult result, Optional<ProbeAnswer> answer) {
                results.add(result);
            }

            @Override
            public void onChanges(List<StateChange> list) {
                changes.addAll(list);
            }
        });
        p.add("b", () -> {
            if (failure != null) {
                throw failure;
            }
            return ANSWER;
        });
        p.start();
        time.runDue();
        return p;
    }

    /** Ends the oldest call out, at the current virtual time. */
    private void endOldestCall() {
        out.removeFirst().run();
        time.runDue();
    }

    private void advanceMillis(long ms) {
        time.advance(Duration.ofMillis(ms));
    }

    @Test
    void aProbeDueWhileTheCallBeforeIsStillOutWaitsForThatCallInsteadOfOpeningAnother() {
        prober();
        assertThat(out).as("the first probe's call").hasSize(1);
        advanceMillis(50); // its deadline: a miss; the next probe is due at once
        assertThat(results).singleElement().isInstanceOf(ProbeResult.Failed.class);
        assertThat(out).as("the second probe waits for the call still out; no second connection").hasSize(1);

        advanceMillis(20); // the answer comes, 70 ms after it was asked for
        endOldestCall();

        assertThat(results).hasSize(2);
        assertThat(results.get(1)).isEqualTo(new ProbeResult.Answered(Duration.ofMillis(20).toNanos()));
        assertThat(changes).as("one late answer is one miss, not a verdict").isEmpty();
        advanceMillis(100);
        assertThat(out).as("the next probe, an interval later, makes a call of its own").hasSize(1);
    }

    @Test
    void aNewIntervalAndDeadlineApplyFromTheNextProbe() {
        Prober p = prober();
        DetectorSettings slower = new DetectorSettings(SOURCE.kind(), Duration.ofMillis(300), Duration.ofMillis(200), 2, 3, SOURCE.phiSuspect(),
                SOURCE.phiDown(), SOURCE.minDeviation(), SOURCE.maxLateness(), SOURCE.admitAfter());
        p.reconfigure(slower);
        time.runDue();
        assertThat(p.settings()).isEqualTo(slower);
        endOldestCall(); // the first probe, asked for under the old settings, answers
        advanceMillis(100);
        assertThat(out).as("no probe 100 ms later: the interval is 300 ms now").isEmpty();
        advanceMillis(200);
        assertThat(out).as("the next probe, 300 ms after the first").hasSize(1);
        advanceMillis(150);
        assertThat(results).as("150 ms without an answer is within the new 200 ms deadline").hasSize(1);
        advanceMillis(50);
        assertThat(results).hasSize(2);
        assertThat(results.get(1)).isInstanceOf(ProbeResult.Failed.class);
    }

    @Test
    void aPeerWhoseCallNeverEndsIsStillDownAfterThreeDeadlines() {
        prober();
        advanceMillis(150);
        assertThat(changes).extracting(StateChange::to).containsExactly(PeerState.SUSPECT, PeerState.DOWN);
        assertThat(changes.get(1).atNanos()).isEqualTo(Duration.ofMillis(150).toNanos());
        assertThat(out).as("three probes, one call").hasSize(1);
    }

    @Test
    void aCallCutWhileAProbeWaitsForItIsThatProbesMissAndTheNextOnesCallAgain() {
        prober();
        advanceMillis(50); // miss 1 (timeout); probe 2 waits for the call out
        failure = new PeerCallException(PeerCallException.Kind.REFUSED, "b: connection reset");
        advanceMillis(10);
        endOldestCall(); // the peer's process died: its connection is cut
        assertThat(results).hasSize(2);
        assertThat(results.get(1)).isEqualTo(new ProbeResult.Failed(FailureKind.REFUSED, "b: connection reset"));
        advanceMillis(5); // after a refusal the next probe is due a tenth of the timeout later
        assertThat(out).as("a new call for the third probe").hasSize(1);
        endOldestCall();
        assertThat(changes).extracting(StateChange::to).containsExactly(PeerState.SUSPECT, PeerState.DOWN);
    }
}
