package io.x0tta6bl4.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import io.x0tta6bl4.monitor.PeerState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One node's view of the cluster, as it serves it at {@code GET /api/node}:
 *
 * <pre>
 * {"name":"node-1", "id":"spiffe://x0tta6bl4.local/node/node-1", "pid":1234, "leader":"node-2", "ledger_size":17,
 *  "peers":[{"name":"node-2", "state":"alive", "since":"2026-11-24T12:00:00.123456Z", "last_failure":null}],
 *  "changes":[{"peer":"node-3", "from":"alive", "to":"down", "at":"2026-11-24T12:00:00.123456Z", "evidence":"..."}]}
 * </pre>
 *
 * A peer's state is {@code unknown} until this node has heard from it once (within the join grace
 * after start-up), then {@code alive}, {@code suspect} or {@code down}.
 * {@code changes} are the node's last detector state changes, oldest first; {@code at} is the
 * observer's wall clock when it decided. Fields this class does not know are ignored, so a newer
 * node can add some; a known field with the wrong type is a bad answer.
 */
public record NodeView(String name, String id, long pid, Optional<String> leader, long ledgerSize, List<Peer> peers, List<Change> changes) {

    public NodeView {
        peers = List.copyOf(peers);
        changes = List.copyOf(changes);
    }

    /** What the observer believes about one peer, since when, and why the last probe failed. */
    public record Peer(String name, PeerState state, Optional<Instant> since, Optional<String> lastFailure) {}

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
            peers.add(new Peer(r.text(p, path, "name"), state(source, path + ".state", r.text(p, path, "state")),
                    r.optionalInstant(p, path, "since"), r.optionalText(p, path, "last_failure")));
        }
        List<Change> changes = new ArrayList<>();
        JsonNode cs = root.get("changes") == null || root.get("changes").isNull() ? null : r.array(root, "", "changes");
        for (int i = 0; cs != null && i < cs.size(); i++) {
            String path = "changes[" + i + "]";
            JsonNode c = element(source, cs, i, path);
            changes.add(new Change(r.text(c, path, "peer"), state(source, path + ".from", r.text(c, path, "from")),
                    state(source, path + ".to", r.text(c, path, "to")), r.instant(c, path, "at"),
                    r.optionalText(c, path, "evidence").orElse("")));
        }
        return new NodeView(r.text(root, "", "name"), r.optionalText(root, "", "id").orElse(""),
                r.optionalInteger(root, "", "pid", 0, Long.MAX_VALUE).orElse(0L), r.optionalText(root, "", "leader"),
                r.optionalInteger(root, "", "ledger_size", 0, Long.MAX_VALUE).orElse(0L), peers, changes);
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
            case "unknown" -> PeerState.UNKNOWN;
            case "alive" -> PeerState.ALIVE;
            case "suspect" -> PeerState.SUSPECT;
            case "down" -> PeerState.DOWN;
            default -> throw new IllegalArgumentException(source + ": " + path + ": '" + value + "' is not unknown, alive, suspect or down");
        };
    }

    /** The lower-case name used on the wire and in the command's output. */
    public static String wire(PeerState s) {
        return s.name().toLowerCase(Locale.ROOT);
    }
}
