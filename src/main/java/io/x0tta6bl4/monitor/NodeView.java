package io.x0tta6bl4.monitor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One node's view of the mesh, as it serves it at {@code GET /api/node}: who it is, what its
 * failure detector believes about each peer and why, its last verdicts, its ledger's leader and
 * size. The node renders it ({@link #toJson}) and the cluster commands parse it ({@link #parse}),
 * so the two cannot drift. Layout (docs/api.md):
 *
 * <pre>
 * {"name":"node-1", "id":"spiffe://td/node/node-1", "pid":1234, "started":"...", "leader":"node-2",
 *  "ledger_size":17, "raft_role":"FOLLOWER", "membership":{"status":"active","role":"voter"},
 *  "peers":[{"name":"node-2", "state":"alive", "since":"...", "last_failure":null, "rtt_ms":0.41,
 *            "role":"voter", "status":"active", "reports_down":[]}],
 *  "changes":[{"peer":"node-3", "from":"alive", "to":"down", "at":"...", "evidence":"..."}],
 *  "load":{...}}
 * </pre>
 *
 * A peer is {@code joining} from the moment the membership adds it until it has answered enough
 * probes in a row to be judged; then {@code alive}, {@code suspect} or {@code down}. Fields this
 * class does not know are ignored when parsing, so a newer node can add some; a known field of
 * the wrong type is a bad answer.
 *
 * @param started    when the node's process started, if known
 * @param raftRole   the ledger replica's Raft role: LEADER, FOLLOWER, CANDIDATE, LISTENER, or NONE
 * @param membership this node's own membership status and role, if the ledger lists it yet
 * @param load       the node's latest load sample, if it has taken one
 */
public record NodeView(String name, String id, long pid, Optional<Instant> started, Optional<String> leader, long ledgerSize, String raftRole,
                       Optional<Membership> membership, List<Peer> peers, List<Change> changes, Optional<LoadSample> load) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public NodeView {
        peers = List.copyOf(peers);
        changes = List.copyOf(changes);
    }

    /** A member's standing in the ledger's membership, in lower case: status active/fenced/left, role voter/listener. */
    public record Membership(String status, String role) {}

    /**
     * What the observer believes about one peer, since when, why the last probe failed, its last
     * round trip, its membership standing, and whom it reported down in its last answer.
     */
    public record Peer(String name, PeerState state, Optional<Instant> since, Optional<String> lastFailure, Optional<Double> rttMs,
                       Optional<Membership> membership, List<String> reportsDown) {
        public Peer {
            reportsDown = List.copyOf(reportsDown);
        }
    }

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

    /** The lower-case name used on the wire and in the commands' output; UNKNOWN is "joining". */
    public static String wire(PeerState s) {
        return s == PeerState.UNKNOWN ? "joining" : s.name().toLowerCase(Locale.ROOT);
    }

    public byte[] toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", name);
        o.put("id", id);
        o.put("pid", pid);
        started.ifPresentOrElse(s -> o.put("started", s.toString()), () -> o.putNull("started"));
        leader.ifPresentOrElse(l -> o.put("leader", l), () -> o.putNull("leader"));
        o.put("ledger_size", ledgerSize);
        o.put("raft_role", raftRole);
        membership.ifPresentOrElse(m -> o.set("membership", membership(m)), () -> o.putNull("membership"));
        ArrayNode ps = o.putArray("peers");
        for (Peer p : peers) {
            ObjectNode n = ps.addObject();
            n.put("name", p.name());
            n.put("state", wire(p.state()));
            p.since().ifPresentOrElse(s -> n.put("since", s.toString()), () -> n.putNull("since"));
            p.lastFailure().ifPresentOrElse(f -> n.put("last_failure", f), () -> n.putNull("last_failure"));
            p.rttMs().ifPresentOrElse(r -> n.put("rtt_ms", Math.round(r * 1000) / 1000.0), () -> n.putNull("rtt_ms"));
            p.membership().ifPresent(m -> {
                n.put("role", m.role());
                n.put("status", m.status());
            });
            ArrayNode d = n.putArray("reports_down");
            p.reportsDown().forEach(d::add);
        }
        ArrayNode cs = o.putArray("changes");
        for (Change c : changes) {
            cs.addObject().put("peer", c.peer()).put("from", wire(c.from())).put("to", wire(c.to())).put("at", c.at().toString())
                    .put("evidence", c.evidence());
        }
        load.ifPresentOrElse(l -> o.set("load", ProbeAnswer.loadJson(l)), () -> o.putNull("load"));
        try {
            return JSON.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a node view", e);
        }
    }

    private static ObjectNode membership(Membership m) {
        return JSON.createObjectNode().put("status", m.status()).put("role", m.role());
    }

    /** Parses the JSON a node serves; a malformed answer is an {@link IllegalArgumentException} naming the field. */
    public static NodeView parse(String source, String json) {
        Reader r = new Reader(source);
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object");
        }
        List<Peer> peers = new ArrayList<>();
        JsonNode ps = r.array(root, "", "peers");
        for (int i = 0; i < ps.size(); i++) {
            String path = "peers[" + i + "]";
            JsonNode p = r.element(ps, i, path);
            Optional<String> role = r.optionalText(p, path, "role");
            Optional<String> status = r.optionalText(p, path, "status");
            List<String> down = new ArrayList<>();
            JsonNode d = p.get("reports_down");
            if (d != null && !d.isNull()) {
                JsonNode arr = r.array(p, path, "reports_down");
                for (int j = 0; j < arr.size(); j++) {
                    if (!arr.get(j).isTextual()) {
                        throw new IllegalArgumentException(source + ": " + path + ".reports_down[" + j + "]: must be a string");
                    }
                    down.add(arr.get(j).asText());
                }
            }
            JsonNode rtt = p.get("rtt_ms");
            Optional<Double> rttMs = rtt == null || rtt.isNull() ? Optional.empty() : Optional.of(r.number(p, path, "rtt_ms"));
            peers.add(new Peer(r.text(p, path, "name"), state(source, path + ".state", r.text(p, path, "state")), r.optionalInstant(p, path, "since"),
                    r.optionalText(p, path, "last_failure"), rttMs,
                    role.isPresent() && status.isPresent() ? Optional.of(new Membership(status.get(), role.get())) : Optional.empty(), down));
        }
        List<Change> changes = new ArrayList<>();
        JsonNode c = root.get("changes");
        if (c != null && !c.isNull()) {
            JsonNode cs = r.array(root, "", "changes");
            for (int i = 0; i < cs.size(); i++) {
                String path = "changes[" + i + "]";
                JsonNode e = r.element(cs, i, path);
                changes.add(new Change(r.text(e, path, "peer"), state(source, path + ".from", r.text(e, path, "from")),
                        state(source, path + ".to", r.text(e, path, "to")), r.instant(e, path, "at"), r.optionalText(e, path, "evidence").orElse("")));
            }
        }
        Optional<Membership> membership = Optional.empty();
        JsonNode m = root.get("membership");
        if (m != null && !m.isNull()) {
            if (!m.isObject()) {
                throw new IllegalArgumentException(source + ": membership: must be an object or null");
            }
            membership = Optional.of(new Membership(r.text(m, "membership", "status"), r.text(m, "membership", "role")));
        }
        return new NodeView(r.text(root, "", "name"), r.optionalText(root, "", "id").orElse(""), r.optionalLong(root, "", "pid").orElse(0L),
                r.optionalInstant(root, "", "started"), r.optionalText(root, "", "leader"), r.optionalLong(root, "", "ledger_size").orElse(0L),
                r.optionalText(root, "", "raft_role").orElse("NONE"), membership, peers, changes,
                Optional.ofNullable(ProbeAnswer.loadFrom(root.get("load"), 0)));
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

    /** Field access that names the field in every error. */
    private record Reader(String source) {
        private IllegalArgumentException bad(String path, String field, String what) {
            return new IllegalArgumentException(source + ": " + (path.isEmpty() ? field : path + "." + field) + ": " + what);
        }

        JsonNode element(JsonNode array, int i, String path) {
            JsonNode n = array.get(i);
            if (!n.isObject()) {
                throw new IllegalArgumentException(source + ": " + path + ": must be an object");
            }
            return n;
        }

        JsonNode array(JsonNode n, String path, String field) {
            JsonNode v = n.get(field);
            if (v == null || !v.isArray()) {
                throw bad(path, field, "must be a list");
            }
            return v;
        }

        String text(JsonNode n, String path, String field) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                throw bad(path, field, "is missing");
            }
            if (!v.isTextual()) {
                throw bad(path, field, "must be a string");
            }
            return v.textValue();
        }

        Optional<String> optionalText(JsonNode n, String path, String field) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                return Optional.empty();
            }
            if (!v.isTextual()) {
                throw bad(path, field, "must be a string or null");
            }
            return Optional.of(v.textValue());
        }

        Optional<Long> optionalLong(JsonNode n, String path, String field) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                return Optional.empty();
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw bad(path, field, "must be a whole number >= 0");
            }
            return Optional.of(v.longValue());
        }

        double number(JsonNode n, String path, String field) {
            JsonNode v = n.get(field);
            if (v == null || !v.isNumber()) {
                throw bad(path, field, "must be a number");
            }
            return v.doubleValue();
        }

        Instant instant(JsonNode n, String path, String field) {
            String t = text(n, path, field);
            try {
                return Instant.parse(t);
            } catch (DateTimeParseException e) {
                throw bad(path, field, "'" + t + "' is not an ISO-8601 instant");
            }
        }

        Optional<Instant> optionalInstant(JsonNode n, String path, String field) {
            return optionalText(n, path, field).map(t -> {
                try {
                    return Instant.parse(t);
                } catch (DateTimeParseException e) {
                    throw bad(path, field, "'" + t + "' is not an ISO-8601 instant");
                }
            });
        }
    }
}
