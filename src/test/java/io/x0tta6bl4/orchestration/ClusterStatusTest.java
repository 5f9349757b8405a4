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
    private static final List<String> CLUSTER = names(5);

    static List<String> names(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            names.add("node-" + i);
        }
        return names;
    }

    /** What the host agent would list for a node in that process state. */
    static NodeHandle handle(String name, ProcessState state) {
        int i = Integer.parseInt(name.substring(5));
        return new NodeHandle(name, 1000 + i, Instant.parse("2026-11-24T12:00:00Z"), state,
                Optional.of(new NodeEndpoints("127.0.0.1", 40000 + 3 * i, 40001 + 3 * i, 40002 + 3 * i)),
                new NodeSpec(name, i == 1 ? new NodeSpec.Join.Bootstrap() : new NodeSpec.Join.Seeds(List.of(new NodeSpec.Seed("node-1", "127.0.0.1", 40005))),
                        io.x0tta6bl4.monitor.DetectorSettings.Kind.CONSECUTIVE_MISSES, java.time.Duration.ofHours(24)));
    }

    /** A view from {@code observer} in which each listed peer has the given state ("node-2=down"). */
    static NodeView view(String observer, String leader, String... peerStates) {
        return view(observer, leader, Optional.empty(), peerStates);
    }

    static NodeView view(String observer, String leader, Optional<NodeView.Membership> self, String... peerStates) {
        List<NodeView.Peer> peers = new ArrayList<>();
        for (String ps : peerStates) {
            String[] kv = ps.split("=");
            PeerState state = kv[1].equals("joining") ? PeerState.UNKNOWN : PeerState.valueOf(kv[1].toUpperCase(java.util.Locale.ROOT));
            peers.add(new NodeView.Peer(kv[0], state, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of()));
        }
        return new NodeView(observer, "spiffe://x0tta6bl4.local/node/" + observer, 1, Optional.empty(), Optional.ofNullable(leader), 0,
                "FOLLOWER", self, peers, List.of(), Optional.empty());
    }

    private static ClusterStatus aggregate(Map<String, ProcessState> processes, NodeView... views) {
        return aggregate(CLUSTER, processes, views);
    }

    private static ClusterStatus aggregate(List<String> names, Map<String, ProcessState> processes, NodeView... views) {
        Map<String, NodeClient.Answer> answers = new LinkedHashMap<>();
        for (NodeView v : views) {
            answers.put(v.name(), new NodeClient.Answer.Seen(v));
        }
        for (String n : names) {
            answers.putIfAbsent(n, new NodeClient.Answer.NoAnswer("connection refused"));
        }
        Map<String, NodeHandle> handles = new LinkedHashMap<>();
        for (String n : names) {
            ProcessState p = processes.getOrDefault(n, ProcessState.RUNNING);
            if (p != ProcessState.NOT_STARTED) {
                handles.put(n, handle(n, p));
            }
        }
        return ClusterStatus.aggregate(names, handles, answers);
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
        List<String> three = names(3);
        assertThat(aggregate(three, Map.of(), view("node-1", "node-1", "node-2=alive", "node-3=alive"),
                view("node-2", "node-1", "node-1=alive", "node-3=alive"), view("node-3", null, "node-1=alive", "node-2=alive")).healthy())
                .as("node-3 knows no leader yet").isFalse();
        assertThat(aggregate(three, Map.of(), view("node-1", "node-1", "node-2=alive", "node-3=alive"),
                view("node-2", "node-1", "node-1=alive", "node-3=alive"), view("node-3", "node-1", "node-1=alive", "node-2=alive")).healthy()).isTrue();
        assertThat(aggregate(three, Map.of(), view("node-1", "node-1", "node-2=alive", "node-3=alive"),
                view("node-2", "node-1", "node-1=alive", "node-3=alive")).healthy()).as("node-3 does not answer").isFalse();
    }

    @Test
    void aJoiningNodeIsNotYetHealthyButIsNoOpinionAgainstIt() {
        List<String> three = names(3);
        ClusterStatus s = aggregate(three, Map.of(), view("node-1", "node-1", "node-2=alive", "node-3=joining"),
                view("node-2", "node-1", "node-1=alive", "node-3=joining"), view("node-3", "node-1", "node-1=alive", "node-2=alive"));
        assertThat(s.node("node-3").state()).as("it answers itself; joining is no opinion").isEqualTo(ClusterStatus.State.ALIVE);
        assertThat(s.healthy()).as("not every member sees it alive yet").isFalse();
    }

    @Test
    void aFencedNodeIsOutOfTheMeshAndTheRolesAreWhatEachNodeSaysOfItself() {
        List<String> four = names(4);
        Optional<NodeView.Membership> voter = Optional.of(new NodeView.Membership("active", "voter"));
        ClusterStatus s = aggregate(four, Map.of(),
                view("node-1", "node-1", voter, "node-2=alive", "node-4=alive"),
                view("node-2", "node-1", Optional.of(new NodeView.Membership("fenced", "listener")), "node-1=alive", "node-4=alive"),
                view("node-3", "node-1", voter, "node-1=alive", "node-4=alive"),
                view("node-4", "node-1", voter, "node-1=alive", "node-3=alive"));
        assertThat(s.healthy()).as("no member probes the fenced node-2, and node-1 does not list node-3").isFalse();
        ClusterStatus t = aggregate(four, Map.of(),
                view("node-1", "node-1", voter, "node-3=alive", "node-4=alive"),
                view("node-2", "node-1", Optional.of(new NodeView.Membership("fenced", "listener"))),
                view("node-3", "node-1", voter, "node-1=alive", "node-4=alive"),
                view("node-4", "node-1", Optional.of(new NodeView.Membership("active", "listener")), "node-1=alive", "node-3=alive"));
        assertThat(t.healthy()).isTrue();
        assertThat(t.node("node-2").outOfMesh()).isTrue();
        assertThat(t.activeVoters()).isEqualTo(2);
        assertThat(four.stream().map(n -> t.role(t.node(n)))).containsExactly("leader", "listener", "voter", "listener");
    }
}
