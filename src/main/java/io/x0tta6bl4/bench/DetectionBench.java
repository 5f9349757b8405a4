package io.x0tta6bl4.bench;

import io.x0tta6bl4.monitor.NodeView;
import io.x0tta6bl4.monitor.PeerState;
import io.x0tta6bl4.orchestration.ClusterException;
import io.x0tta6bl4.orchestration.ClusterStatus;
import io.x0tta6bl4.orchestration.LocalCluster;
import io.x0tta6bl4.orchestration.NodeClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The failure-detection harness of issue 4: how long after a node fails does the Raft leader
 * decide it is down?
 *
 * <p>Each run waits until the cluster is healthy, picks a victim that is not the leader (in turn,
 * so every follower is tried), and asks the host agent to send it SIGKILL (a crash: its peers'
 * connections are refused) or SIGSTOP (a silent node: only probe timeouts tell). The agent reads
 * the wall clock just before it signals and returns that instant ({@link
 * io.x0tta6bl4.orchestration.Orchestrator.Signalled}), so the round trip to the agent does not enter
 * the figure. The harness then asks the leader for its view every {@link #POLL} until the
 * leader's change list holds a change of the victim to down stamped after that instant.
 * Detection time = the change's {@code at} (the leader's wall clock when its detector decided) −
 * the signal instant: both are read from the same machine's clock, and the polling interval does
 * not enter the figure. SIGSTOP is sent by {@code kill(1)}, whose start-up (a few milliseconds) is
 * counted against the detector. Then the victim is restored (started again through the agent, or
 * SIGCONT), the run waits until the leader sees it alive, and then for a cool-down, so the
 * restarted JVM's start-up work is not what the next run times.
 *
 * <p>Percentiles are nearest-rank: with 20 runs the p99 is the slowest run.
 */
public final class DetectionBench {
    /**
     * How often the leader is asked while a run waits for its verdict. Every request is an AUDIT
     * entry in the ledger, so not faster: the figure comes from the leader's change timestamp and
     * does not depend on this interval.
     */
    static final Duration POLL = Duration.ofMillis(20);
    /** How often the cluster is asked while waiting for it to settle or for the victim to be seen alive. */
    static final Duration WAIT_POLL = Duration.ofMillis(100);

    private final LocalCluster cluster;
    private final Consumer<String> progress;

    /** How the victim fails, and the target for detecting it at p99. */
    public enum Mode {
        KILL(Duration.ofMillis(150), "SIGKILL"),
        PAUSE(Duration.ofMillis(350), "SIGSTOP");

        private final Duration target;
        private final String signal;

        Mode(Duration target, String signal) {
            this.target = target;
            this.signal = signal;
        }

        public Duration target() {
            return target;
        }

        public String signal() {
            return signal;
        }
    }

    /** One run; {@code detected} is empty if the leader did not mark the victim down in time. */
    public record Run(int number, String victim, String leader, Instant signalled, Optional<NodeView.Change> detected) {
        public Optional<Duration> detectionTime() {
            return detected.map(c -> Duration.between(signalled, c.at()));
        }
    }

    /** All runs, with nearest-rank percentiles over the detected ones. */
    public record Report(Mode mode, List<Run> runs) {
        public Report {
            runs = List.copyOf(runs);
        }

        public List<Duration> times() {
            return runs.stream().flatMap(r -> r.detectionTime().stream()).sorted().toList();
        }

        public long missed() {
            return runs.stream().filter(r -> r.detected().isEmpty()).count();
        }

        /** Nearest rank: the smallest time at least {@code p} of the detected runs do not exceed. */
        public Optional<Duration> percentile(double p) {
            return Percentiles.nearestRank(times(), p);
        }

        public Optional<Duration> max() {
            return times().stream().max(Comparator.naturalOrder());
        }

        /** Every run detected, and the p99 within the mode's target. */
        public boolean metTarget() {
            return missed() == 0 && percentile(0.99).filter(p -> p.compareTo(mode.target()) <= 0).isPresent();
        }
    }

    public DetectionBench(LocalCluster cluster, Consumer<String> progress) {
        this.cluster = cluster;
        this.progress = progress;
    }

    /**
     * Runs the harness. {@code onRun} sees each run as it completes.
     *
     * @param detectionTimeout how long to wait for the leader's verdict before counting a run as missed
     * @param settleTimeout    how long to wait for a healthy cluster before a run and after a restore
     * @param coolDown         how long to wait after the leader sees the restored victim alive: a
     *                         restarted JVM spends its first seconds compiling, and on a small machine
     *                         the next run would time that CPU contention rather than the detector
     */
    public Report run(Mode mode, int runs, Duration detectionTimeout, Duration settleTimeout, Duration coolDown, Consumer<Run> onRun) {
        if (runs < 1) {
            throw ClusterException.usage("--runs must be at least 1, got " + runs);
        }
        if (cluster.nodes().size() < 2) {
            throw ClusterException.usage("the cluster in " + cluster.dir() + " has one node; detection needs at least 2 (a leader and a victim)");
        }
        List<Run> done = new ArrayList<>();
        for (int i = 1; i <= runs; i++) {
            ClusterStatus before = settle(settleTimeout);
            String leader = before.leader().orElseThrow();
            List<String> candidates = cluster.nodes().stream().filter(n -> !n.equals(leader)).toList();
            String victim = candidates.get((i - 1) % candidates.size());
            int leaderApi = cluster.endpoints(leader).api();
            Instant signalled = switch (mode) {
                case KILL -> cluster.kill(victim).signalled();
                case PAUSE -> cluster.pause(victim).signalled();
            };
            Optional<NodeView.Change> change = awaitDown(leader, leaderApi, victim, signalled, detectionTimeout);
            Run run = new Run(i, victim, leader, signalled, change);
            done.add(run);
            onRun.accept(run);

            switch (mode) {
                case KILL -> cluster.start(victim, settleTimeout);
                case PAUSE -> cluster.resume(victim);
            }
            Instant restored = Instant.now();
            if (!awaitAlive(leader, leaderApi, victim, settleTimeout)) {
                throw ClusterException.failed("run " + i + ": " + leader + " did not see " + victim + " alive again within "
                        + settleTimeout.toSeconds() + " s of restoring it (at " + restored + "); see " + cluster.layout().log(victim));
            }
            if (i < runs && coolDown.isPositive()) {
                LocalCluster.sleep(coolDown);
            }
        }
        return new Report(mode, done);
    }

    private ClusterStatus settle(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        ClusterStatus status = cluster.status();
        while (!status.healthy()) {
            cluster.failOnRefusal(status);
            if (!Instant.now().isBefore(deadline)) {
                throw ClusterException.failed("the cluster in " + cluster.dir() + " was not healthy within " + timeout.toSeconds()
                        + " s, so no run was started:\n" + LocalCluster.describe(status));
            }
            LocalCluster.sleep(WAIT_POLL);
            status = cluster.status();
        }
        return status;
    }

    /** Polls the leader until it reports a change of {@code victim} to down after {@code after}. */
    private Optional<NodeView.Change> awaitDown(String leader, int api, String victim, Instant after, Duration timeout) {
        NodeClient client = cluster.client();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            NodeClient.Answer answer = client.view(leader, api);
            if (answer instanceof NodeClient.Answer.Seen seen) {
                Optional<NodeView.Change> c = seen.view().firstChange(victim, PeerState.DOWN, after);
                if (c.isPresent()) {
                    return c;
                }
            }
            refusal(leader, answer);
            LocalCluster.sleep(POLL);
        }
        progress.accept("  " + leader + " did not mark " + victim + " down within " + timeout.toMillis() + " ms");
        return Optional.empty();
    }

    /** Polls the leader until it sees {@code victim} alive. */
    private boolean awaitAlive(String leader, int api, String victim, Duration timeout) {
        NodeClient client = cluster.client();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            NodeClient.Answer answer = client.view(leader, api);
            if (answer instanceof NodeClient.Answer.Seen seen && seen.view().stateOf(victim).orElse(PeerState.DOWN) == PeerState.ALIVE) {
                return true;
            }
            refusal(leader, answer);
            LocalCluster.sleep(WAIT_POLL);
        }
        return false;
    }

    /** A leader that refuses the cluster's token will not show a verdict however long the run waits. */
    private static void refusal(String leader, NodeClient.Answer answer) {
        if (answer instanceof NodeClient.Answer.Refused r) {
            throw ClusterException.failed(leader + " " + r.explain());
        }
    }
}
