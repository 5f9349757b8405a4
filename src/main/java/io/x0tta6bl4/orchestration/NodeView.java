package io.x0tta6bl4.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import io.x0tta6bl4.monitor.PeerState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One node's view of the mesh, as it serves it at {@code GET /api/node} (docs/api.md):
 *
 * <pre>
 * {"name":"node-1", "id":"spiffe://td/node/node-1", "pid":1234, "started":"...", "leader":"node-2",
 *  "ledger_size":17, "raft_role":"FOLLOWER", "membership":{"status":"active","role":"voter"},
 *  "peers":[{"name":"node-2", "state":"alive", "since":"...", "last_failure":null, "rtt_ms":0.41,
 *            "role":"voter", "status":"active", "reports_down":[]}],
 *  "changes":[{"peer":"node-3", "from":"alive", "to":"down", "at":"...", "evidence":"..."}]}
 * </pre>
 *
 * A peer is {@code joining} (parsed as {@link PeerState#UNKNOWN}) from the moment the membership
 * adds it until it has answered enough probes in a row to be judged; then {@code alive},
 * {@code suspect} or {@code down}. Fields this class does not know are ignored, so a newer node
 * can add some; a known field with the wrong type is a bad answer.
 */
public record NodeView(String name, String id, long pid, Optional<Instant> started, Optional<String> leader, long ledgerSize, String raftRole,
                       Optional<Membership> membership, List<Peer> peers, List<Change> changes) {

    public NodeView {
        peers = List.copyOf(peers);
        changes = List.copyOf(changes);
    }

    /** A member's standing in the ledger's membership, in lower case: status active/fenced/left, role voter/listener. */
    public record Membership(String status, String role) {}

    /** What the observer believes about one peer, since when, why the last probe failed, and the peer's membership standing. */
    public record Peer(String name, PeerState state, Optional<Instant> since, Optional<String> lastFailure, Optional<Membership> membership) {}

    /** One decision of the observer's failure detector. */
    public record Change(String peer, PeerState from, PeerState to, Instant at, String evidence) {}

    /** This observer's belief about {@code peer}, if it lists it. */
    public Optional<PeerState> stateOf(String peer) {
        return peers.stream().filter(p -> p.name().equals(peer)).map(Peer::state).findFirst();
    }

    /** The first change of {@code peer} to {@code to} decided after {@code after}. */
    public Optional<Change> firstChange(String peer, PeerState to, Instant after) {
        return changes.stream().filter(c -> c.peer().equals(peer) && c.to() == to && c.at().isAfter(after)).findFirst();
    }

    /** Parses the JSON a node serves; a malformed answer is an {@link IllegalArgumentException} naming the field. */
    public static NodeView parse(String source, String json) {
        JsonReader r = new JsonReader(source);
        JsonNode root = r.parseObject(json);
        List<Peer> peers = new ArrayList<>();
        JsonNode ps = r.array(root, "", "peers");
        for (int i = 0; i < ps.size(); i++) {
            String path = "peers[" + i + "]";
            JsonNode p = element(source, ps, i, path);
            Optional<String> role = r.optionalText(p, path, "role");
            Optional<String> status = r.optionalText(p, path, "status");
            peers.add(new Peer(r.text(p, path, "name"), state(source, path + ".state", r.text(p, path, "state")),
                    r.optionalInstant(p, path, "since"), r.optionalText(p, path, "last_failure"),
                    role.isPresent() && status.isPresent() ? Optional.of(new Membership(status.get(), role.get())) : Optional.empty()));
        }
        List<Change> changes = new ArrayList<>();
        JsonNode cs = root.get("changes") == null || root.get("changes").isNull() ? null : r.array(root, "", "changes");
        for (int i = 0; cs != null && i < cs.size(); i++) {
            String path = "changes[" + i + "]";
            JsonNode c = element(source, cs, i, path);
            changes.add(new Change(r.text(c, path, "peer"), state(source, path + ".from", r.text(c, path, "from")),
                    state(source, path + ".to", r.text(c, path, "to")), r.instant(c, path, "at"), r.optionalText(c, path, "evidence").orElse("")));
        }
        Optional<Membership> membership = Optional.empty();
        JsonNode m = root.get("membership");
        if (m != null && !m.isNull()) {
            JsonNode o = r.object(root, "", "membership");
            membership = Optional.of(new Membership(r.text(o, "membership", "status"), r.text(o, "membership", "role")));
        }
        return new NodeView(r.text(root, "", "name"), r.optionalText(root, "", "id").orElse(""),
                r.optionalInteger(root, "", "pid", 0, Long.MAX_VALUE).orElse(0L), r.optionalInstant(root, "", "started"),
                r.optionalText(root, "", "leader"), r.optionalInteger(root, "", "ledger_size", 0, Long.MAX_VALUE).orElse(0L),
                r.optionalText(root, "", "raft_role").orElse("NONE"), membership, peers, changes);
    }

    private static JsonNode element(String source, JsonNode array, int i, String path) {
        JsonNode n = array.get(i);
        if (!n.isObject()) {
            throw new IllegalArgumentException(source + ": " + path + ": must be an object");
        }
        return n;
    }

    static PeerState state(String source, String path, String value) {
        return switch (value) {
            case "joining", "unknown" -> PeerState.UNKNOWN;
            case "alive" -> PeerState.ALIVE;
            case "suspect" -> PeerState.SUSPECT;
            case "down" -> PeerState.DOWN;
            default -> throw new IllegalArgumentException(source + ": " + path + ": '" + value + "' is not joining, alive, suspect or down");
        };
    }

    /** The lower-case name used on the wire and in the commands' output; UNKNOWN is "joining". */
    public static String wire(PeerState s) {
        return s == PeerState.UNKNOWN ? "joining" : s.name().toLowerCase(Locale.ROOT);
    }
}
