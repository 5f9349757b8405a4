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
 * <p>A node's role is what it says of itself: the leader, else {@code voter} or {@code listener}
 * as its membership has it. A node that says it is fenced (or has left) is out of the mesh: no
 * member probes it, so it counts neither for nor against {@link #healthy()}.
 *
 * <p>Pure: the caller gathers the host agent's handles and the answers, so this rule is tested on
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
     * @param handle    what the host agent knows of it (empty if it knows no such node)
     * @param process   what the operating system says about its process
     * @param answer    what it answered when asked for its own view
     * @param state     the aggregated state (rule above)
     * @param seenBy    each answering observer's opinion of this node, in node order
     */
    public record NodeStatus(String name, Optional<NodeHandle> handle, ProcessState process, NodeClient.Answer answer, State state,
                             Map<String, PeerState> seenBy) {
        public NodeStatus {
            seenBy = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(seenBy));
        }

        public Optional<NodeView> view() {
            return answer instanceof NodeClient.Answer.Seen s ? Optional.of(s.view()) : Optional.empty();
        }

        /** The node's refusal of the cluster's request (401 or 403), if that is what it answered. */
        public Optional<NodeClient.Answer.Refused> refused() {
            return answer instanceof NodeClient.Answer.Refused r ? Optional.of(r) : Optional.empty();
        }

        public Optional<NodeEndpoints> endpoints() {
            return handle.flatMap(NodeHandle::endpoints);
        }

        /** Its membership standing as it says itself, if it answered and its ledger lists it. */
        public Optional<NodeView.Membership> membership() {
            return view().flatMap(NodeView::membership);
        }

        /** Whether it is out of the mesh by its own account: fenced, or left. */
        public boolean outOfMesh() {
            return membership().filter(m -> m.status().equals("fenced") || m.status().equals("left")).isPresent();
        }
    }

    public NodeStatus node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + name));
    }

    /** "leader", "voter", "listener", or "-" when the node does not say. */
    public String role(NodeStatus n) {
        if (leader.filter(n.name()::equals).isPresent()) {
            return "leader";
        }
        return n.membership().map(NodeView.Membership::role).orElse("-");
    }

    /** How many nodes say they are active voters: the ledger group's size as its members see it. */
    public long activeVoters() {
        return nodes.stream().filter(n -> n.membership().filter(m -> m.status().equals("active") && m.role().equals("voter")).isPresent()).count();
    }

    /**
     * True when every node in the mesh (all but those that say they are fenced or have left)
     * answers, sees every other such node alive, and all agree on one leader.
     */
    public boolean healthy() {
        if (leader.isEmpty()) {
            return false;
        }
        List<NodeStatus> mesh = nodes.stream().filter(n -> !n.outOfMesh()).toList();
        for (NodeStatus n : mesh) {
            Optional<NodeView> v = n.view();
            if (v.isEmpty() || !v.get().leader().equals(leader)) {
                return false;
            }
            for (NodeStatus other : mesh) {
                if (!other.name().equals(n.name()) && v.get().stateOf(other.name()).orElse(PeerState.DOWN) != PeerState.ALIVE) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Applies the rule above to what the caller gathered.
     *
     * @param names   the cluster's nodes, in order
     * @param handles what the host agent lists, by name
     * @param answers each asked node's answer, by name
     */
    public static ClusterStatus aggregate(List<String> names, Map<String, NodeHandle> handles, Map<String, NodeClient.Answer> answers) {
        Map<String, NodeView> views = new LinkedHashMap<>();
        for (String n : names) {
            if (answers.get(n) instanceof NodeClient.Answer.Seen s) {
                views.put(n, s.view());
            }
        }
        List<NodeStatus> nodes = new ArrayList<>();
        for (String n : names) {
            Map<String, PeerState> seenBy = new LinkedHashMap<>();
            views.forEach((observer, view) -> {
                if (!observer.equals(n)) {
                    view.stateOf(n).ifPresent(s -> seenBy.put(observer, s));
                }
            });
            Optional<NodeHandle> handle = Optional.ofNullable(handles.get(n));
            ProcessState process = handle.map(NodeHandle::state).orElse(ProcessState.NOT_STARTED);
            NodeClient.Answer answer = answers.getOrDefault(n, new NodeClient.Answer.NoAnswer("not asked"));
            // A node that refused the cluster's token still answered: its process is alive and serving.
            boolean answered = answer instanceof NodeClient.Answer.Seen || answer instanceof NodeClient.Answer.Refused;
            nodes.add(new NodeStatus(n, handle, process, answer, state(seenBy, answered, process), seenBy));
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
