package io.x0tta6bl4.orchestration;

import io.x0tta6bl4.monitor.NodeView;
import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.monitor.PeerState;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The aggregation rule of {@link ClusterStatus} on canned views: no processes, no sockets. */
class ClusterStatusTest {
    private static final ClusterState CLUSTER = cluster(5);

    static ClusterState cluster(int n) {
        List<ClusterState.NodeRecord> nodes = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            nodes.add(new ClusterState.NodeRecord("node-" + i, 40000 + 3 * i, 40001 + 3 * i, 40002 + 3 * i, i <= 5,
                    Optional.of(new ClusterState.NodeProcess(1000 + i, Instant.parse("2026-11-24T12:00:00Z")))));
        }
        return new ClusterState(Path.of("/tmp/c"), "x0tta6bl4.local", Instant.parse("2026-11-24T12:00:00Z"),
                ClusterState.Launch.current(), nodes);
    }

    /** A view from {@code observer} in which each listed peer has the given state ("node-2=down"). */
    static NodeView view(String observer, String leader, String... peerStates) {
        List<NodeView.Peer> peers = new ArrayList<>();
        for (String ps : peerStates) {
            String[] kv = ps.split("=");
            peers.add(new NodeView.Peer(kv[0], PeerState.valueOf(kv[1].toUpperCase(java.util.Locale.ROOT)), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), List.of()));
        }
        return new NodeView(observer, "spiffe://x0tta6bl4.local/node/" + observer, 1, Optional.empty(), Optional.ofNullable(leader), 0, "FOLLOWER",
                Optional.empty(), peers, List.of(), Optional.empty());
    }

    private static ClusterStatus aggregate(Map<String, ProcessState> processes, NodeView... views) {
        Map<String, NodeClient.Answer> answers = new LinkedHashMap<>();
        for (NodeView v : views) {
            answers.put(v.name(), new NodeClient.Answer.Seen(v));
        }
        for (ClusterState.NodeRecord n : CLUSTER.nodes()) {
            answers.putIfAbsent(n.name(), new NodeClient.Answer.NoAnswer("connection refused"));
        }
        Map<String, ProcessState> p = new LinkedHashMap<>(processes);
        CLUSTER.names().forEach(n -> p.putIfAbsent(n, ProcessState.RUNNING));
        return ClusterStatus.aggregate(CLUSTER, p, answers);
    }

    @Test
    void everyoneSeesEveryoneAliveIsHealthy() {
        ClusterStatus s = aggregate(Map.of(),
                view("node-1", "node-2", "node-2=alive", "node-3=alive", "node-4=alive", "node-5=alive"),
                view("node-2", "node-2", "node-1=alive", "node-3=alive", "node-4=alive", "node-5=alive"),
                view("node-3", "node-2", "node-1=alive", "node-2=alive", "node-4=alive", "node-5=alive"),
                view("node-4", "node-2", "node-1=alive", "node-2=alive", "node-3=alive", "node-5=alive"),
                view("node-5", "node-2", "node-1=alive", "node-2=alive", "node-3=alive", "node-4=alive"));
        assertThat(s.healthy()).isTrue();
        assertThat(s.leader()).contains("node-2");
        assertThat(s.nodes()).extracting(ClusterStatus.NodeStatus::state).containsOnly(ClusterStatus.State.ALIVE);
        assertThat(s.node("node-3").seenBy()).containsOnlyKeys("node-1", "node-2", "node-4", "node-5");
    }

    @Test
    void aNodeIsInTheWorstStateAMajorityOfItsObserversReport() {
        // node-5 killed: observers 1-4 report down, suspect, suspect, alive -> 3 of 4 say suspect or worse.
        ClusterStatus s = aggregate(Map.of("node-5", ProcessState.EXITED),
                view("node-1", "node-2", "node-5=down"),
                view("node-2", "node-2", "node-5=suspect"),
                view("node-3", "node-2", "node-5=suspect"),
                view("node-4", "node-2", "node-5=alive"));
        assertThat(s.node("node-5").state()).isEqualTo(ClusterStatus.State.SUSPECT);
        assertThat(s.node("node-5").seenBy()).containsExactly(Map.entry("node-1", PeerState.DOWN), Map.entry("node-2", PeerState.SUSPECT),
                Map.entry("node-3", PeerState.SUSPECT), Map.entry("node-4", PeerState.ALIVE));
        assertThat(s.healthy()).isFalse();
    }

    @Test
    void oneConfusedObserverCannotTakeANodeDown() {
        ClusterStatus s = aggregate(Map.of(),
                view("node-1", "node-2", "node-3=down"),
                view("node-2", "node-2", "node-3=alive"),
                view("node-4", "node-2", "node-3=alive"),
                view("node-5", "node-2", "node-3=alive"));
        assertThat(s.node("node-3").state()).isEqualTo(ClusterStatus.State.ALIVE);
    }

    @Test
    void aStrictMajorityIsNeededSoATieStaysOnTheBetterSide() {
        ClusterStatus s = aggregate(Map.of(),
                view("node-1", "node-2", "node-3=down"),
                view("node-2", "node-2", "node-3=down"),
                view("node-4", "node-2", "node-3=alive"),
                view("node-5", "node-2", "node-3=alive"));
        assertThat(s.node("node-3").state()).as("2 of 4 is not a majority").isEqualTo(ClusterStatus.State.ALIVE);
        ClusterStatus three = aggregate(Map.of(),
                view("node-1", "node-2", "node-3=down"),
                view("node-2", "node-2", "node-3=down"),
                view("node-4", "node-2", "node-3=down"),
                view("node-5", "node-2", "node-3=alive"));
        assertThat(three.node("node-3").state()).isEqualTo(ClusterStatus.State.DOWN);
    }

    @Test
    void unknownIsNoOpinion() {
        // node-4 just started: node-1 has judged it, the others have not heard from it yet.
        ClusterStatus s = aggregate(Map.of(),
                view("node-1", "node-2", "node-4=down"),
                view("node-2", "node-2", "node-4=unknown"),
                view("node-3", "node-2", "node-4=unknown"),
                view("node-4", "node-2"));
        assertThat(s.node("node-4").state()).as("the only opinion is node-1's").isEqualTo(ClusterStatus.State.DOWN);
        assertThat(s.node("node-4").seenBy()).containsEntry("node-2", PeerState.UNKNOWN);
        ClusterStatus nobody = aggregate(Map.of("node-5", ProcessState.EXITED),
                view("node-1", "node-2", "node-4=unknown", "node-5=unknown"),
                view("node-4", "node-2"));
        assertThat(nobody.node("node-4").state()).as("it answers itself").isEqualTo(ClusterStatus.State.ALIVE);
        assertThat(nobody.node("node-5").state()).as("its process is gone").isEqualTo(ClusterStatus.State.DOWN);
    }

    @Test
    void withoutObserversTheProcessDecides() {
        // Only node-1 answers; it does not list node-2..5 (say, an old node that knows no peers).
        ClusterStatus s = aggregate(Map.of("node-2", ProcessState.EXITED, "node-3", ProcessState.RUNNING, "node-4", ProcessState.PAUSED,
                        "node-5", ProcessState.NOT_STARTED),
                view("node-1", null));
        assertThat(s.node("node-1").state()).isEqualTo(ClusterStatus.State.ALIVE);
        assertThat(s.node("node-2").state()).isEqualTo(ClusterStatus.State.DOWN);
        assertThat(s.node("node-3").state()).isEqualTo(ClusterStatus.State.UNKNOWN);
        assertThat(s.node("node-4").state()).isEqualTo(ClusterStatus.State.UNKNOWN);
        assertThat(s.node("node-5").state()).isEqualTo(ClusterStatus.State.DOWN);
        assertThat(s.leader()).isEmpty();
    }

    @Test
    void aNodeThatAnswersButIsSeenDownByItsPeersIsDown() {
        // A partition: node-1 runs and answers, but the others cannot reach it.
        ClusterStatus s = aggregate(Map.of(),
                view("node-1", null, "node-2=down", "node-3=down"),
                view("node-2", "node-2", "node-1=down"),
                view("node-3", "node-2", "node-1=down"));
        assertThat(s.node("node-1").state()).isEqualTo(ClusterStatus.State.DOWN);
        assertThat(s.node("node-1").view()).isPresent();
    }

    @Test
    void theLeaderIsTheOneAMajorityOfAnsweringNodesName() {
        assertThat(aggregate(Map.of(), view("node-1", "node-2"), view("node-2", "node-2"), view("node-3", "node-1")).leader())
                .contains("node-2");
        assertThat(aggregate(Map.of(), view("node-1", "node-2"), view("node-2", "node-1")).leader()).isEmpty();
        assertThat(aggregate(Map.of(), view("node-1", "node-2"), view("node-2", null), view("node-3", null)).leader()).isEmpty();
    }

    @Test
    void healthyNeedsEveryNodeToAnswerAndAgreeOnTheLeader() {
        ClusterState three = cluster(3);
        Map<String, ProcessState> running = Map.of("node-1", ProcessState.RUNNING, "node-2", ProcessState.RUNNING, "node-3", ProcessState.RUNNING);
        Map<String, NodeClient.Answer> answers = new LinkedHashMap<>();
        answers.put("node-1", new NodeClient.Answer.Seen(view("node-1", "node-1", "node-2=alive", "node-3=alive")));
        answers.put("node-2", new NodeClient.Answer.Seen(view("node-2", "node-1", "node-1=alive", "node-3=alive")));
        answers.put("node-3", new NodeClient.Answer.Seen(view("node-3", null, "node-1=alive", "node-2=alive")));
        assertThat(ClusterStatus.aggregate(three, running, answers).healthy()).as("node-3 knows no leader yet").isFalse();
        answers.put("node-3", new NodeClient.Answer.Seen(view("node-3", "node-1", "node-1=alive", "node-2=alive")));
        assertThat(ClusterStatus.aggregate(three, running, answers).healthy()).isTrue();
        answers.put("node-3", new NodeClient.Answer.NoAnswer("no answer within 1000 ms"));
        assertThat(ClusterStatus.aggregate(three, running, answers).healthy()).isFalse();
    }
}
