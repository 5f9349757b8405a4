package io.x0tta6bl4.orchestration;

import io.x0tta6bl4.monitor.NodeView;
import io.x0tta6bl4.monitor.PeerState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster as its live nodes see it, put together from every node's own view.
 *
 * <h2>The rule when views disagree</h2>
 *
 * Detectors on different nodes decide at slightly different moments, so views disagree for a
 * few hundred milliseconds after every failure and recovery. The state shown for node X is:
 *
 * <ol>
 *   <li>If any other node that answered has an opinion of X (it lists X as alive, suspect or
 *       down; {@code unknown} means it has not heard from X yet, and is no opinion): the
 *       <em>worst state reported by a majority</em> of those observers. States are ordered alive &lt; suspect &lt; down; X is down if more than
 *       half of its observers say down, else suspect if more than half say suspect or down, else
 *       alive. One confused observer cannot take a node down, and one slow observer cannot keep a
 *       dead node alive. Every observer's own opinion is kept in {@link NodeStatus#seenBy()}.</li>
 *   <li>If no other node answered with an opinion (a one-node cluster, every other node down,
 *       or all of them just started): alive if X
 *       answers its own API (with its view, or with a refusal of the cluster's token: either way it
 *       serves), down if its process has exited, unknown if its process runs (or is paused) but
 *       does not answer.</li>
 * </ol>
 *
 * The leader is the one named by more than half of the nodes that answered; none otherwise
 * (during an election, or when too few nodes answer).
 *
 * <p>Pure: the caller gathers the process states and the answers, so this rule is tested on
 * canned views without processes or sockets.
 */
public record ClusterStatus(List<NodeStatus> nodes, Optional<String> leader) {

    public ClusterStatus {
        nodes = List.copyOf(nodes);
    }

    /** A node's state as the cluster sees it; {@code unknown} only when nobody can tell. */
    public enum State {
        ALIVE, SUSPECT, DOWN, UNKNOWN;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

    }

    /**
     * One node.
     *
     * @param process   what the operating system says about its recorded process
     * @param answer    what it answered when asked for its own view
     * @param state     the aggregated state (rule above)
     * @param seenBy    each answering observer's opinion of this node, in node order
     */
    public record NodeStatus(ClusterState.NodeRecord node, ProcessState process, NodeClient.Answer answer, State state,
                             Map<String, PeerState> seenBy) {
        public NodeStatus {
            seenBy = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(seenBy));
        }

        public String name() {
            return node.name();
        }

        public Optional<NodeView> view() {
            return answer instanceof NodeClient.Answer.Seen s ? Optional.of(s.view()) : Optional.empty();
        }

        /** The node's refusal of the cluster's request (401 or 403), if that is what it answered. */
        public Optional<NodeClient.Answer.Refused> refused() {
            return answer instanceof NodeClient.Answer.Refused r ? Optional.of(r) : Optional.empty();
        }
    }

    public NodeStatus node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + name));
    }

    /** True when every node answers, sees every other node alive, and all agree on one leader. */
    public boolean healthy() {
        if (leader.isEmpty()) {
            return false;
        }
        for (NodeStatus n : nodes) {
            Optional<NodeView> v = n.view();
            if (v.isEmpty() || !v.get().leader().equals(leader)) {
                return false;
            }
            for (NodeStatus other : nodes) {
                if (!other.name().equals(n.name()) && v.get().stateOf(other.name()).orElse(PeerState.DOWN) != PeerState.ALIVE) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Applies the rule above to what the caller gathered. */
    public static ClusterStatus aggregate(ClusterState cluster, Map<String, ProcessState> processes, Map<String, NodeClient.Answer> answers) {
        Map<String, NodeView> views = new LinkedHashMap<>();
        for (ClusterState.NodeRecord n : cluster.nodes()) {
            if (answers.get(n.name()) instanceof NodeClient.Answer.Seen s) {
                views.put(n.name(), s.view());
            }
        }
        List<NodeStatus> nodes = new ArrayList<>();
        for (ClusterState.NodeRecord n : cluster.nodes()) {
            Map<String, PeerState> seenBy = new LinkedHashMap<>();
            views.forEach((observer, view) -> {
                if (!observer.equals(n.name())) {
                    view.stateOf(n.name()).ifPresent(s -> seenBy.put(observer, s));
                }
            });
            ProcessState process = processes.getOrDefault(n.name(), ProcessState.NOT_STARTED);
            NodeClient.Answer answer = answers.getOrDefault(n.name(), new NodeClient.Answer.NoAnswer("not asked"));
            // A node that refused the cluster's token still answered: its process is alive and serving.
            boolean answered = answer instanceof NodeClient.Answer.Seen || answer instanceof NodeClient.Answer.Refused;
            nodes.add(new NodeStatus(n, process, answer, state(seenBy, answered, process), seenBy));
        }
        return new ClusterStatus(nodes, leader(views.values()));
    }

    static State state(Map<String, PeerState> seenBy, boolean answers, ProcessState process) {
        List<PeerState> opinions = seenBy.values().stream().filter(s -> s != PeerState.UNKNOWN).toList();
        if (!opinions.isEmpty()) {
            int total = opinions.size();
            long down = opinions.stream().filter(s -> s == PeerState.DOWN).count();
            long suspectOrWorse = opinions.stream().filter(s -> s == PeerState.SUSPECT || s == PeerState.DOWN).count();
            if (2 * down > total) {
                return State.DOWN;
            }
            return 2 * suspectOrWorse > total ? State.SUSPECT : State.ALIVE;
        }
        if (answers) {
            return State.ALIVE;
        }
        return process.live() ? State.UNKNOWN : State.DOWN;
    }

    static Optional<String> leader(java.util.Collection<NodeView> views) {
        Map<String, Integer> votes = new HashMap<>();
        views.forEach(v -> v.leader().ifPresent(l -> votes.merge(l, 1, Integer::sum)));
        return votes.entrySet().stream().filter(e -> 2 * e.getValue() > views.size()).map(Map.Entry::getKey).findFirst();
    }
}
