package io.x0tta6bl4.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mesh's membership as a node serves it at {@code GET /api/members}: the fold of the
 * ledger's MEMBERSHIP entries (docs/api.md), the name the next node should take, and the Raft
 * group as the ledger has it now.
 *
 * <pre>
 * {"members":[{"name":"node-1","spiffe_id":"spiffe://td/node/node-1","role":"voter","status":"active",
 *              "host":"127.0.0.1","api_port":41001,"peer_port":41002,"raft_port":41003,
 *              "joined_at":4,"since":4,"reason":null}, ...],
 *  "next_name":"node-6", "raft":{"voters":["node-1",...],"listeners":["node-6"],"leader":"node-1","changing":false}}
 * </pre>
 *
 * {@code joined_at} and {@code since} are ledger sequence numbers: of the member's first JOIN,
 * and of the entry that gave it its current role and status. Roles and statuses are kept as the node wrote them (voter/listener, active/fenced/left), so a
 * newer node's additions read as text rather than failing the command; unknown fields are ignored.
 */
public record Members(List<Member> members, String nextName, List<String> voters, List<String> listeners, boolean changing) {
    public Members {
        members = List.copyOf(members);
        voters = List.copyOf(voters);
        listeners = List.copyOf(listeners);
    }

    /**
     * One member as the membership fold has it.
     *
     * @param joinedAt the ledger sequence number of its first JOIN
     * @param since    the ledger sequence number of the entry that gave it its current role and status
     */
    public record Member(String name, String spiffeId, String role, String status, String host, int apiPort, int peerPort, int raftPort,
                         long joinedAt, long since, Optional<String> reason) {
        public boolean active() {
            return status.equals("active");
        }

        public boolean voter() {
            return role.equals("voter");
        }

        /** Its Raft address, as a joiner's seed. */
        public NodeSpec.Seed seed() {
            return new NodeSpec.Seed(name, host, raftPort);
        }
    }

    /** The member of that name, if the membership has one. */
    public Optional<Member> member(String name) {
        return members.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    public List<Member> active() {
        return members.stream().filter(Member::active).toList();
    }

    /** Parses what a node answered; a malformed answer is an {@link IllegalArgumentException} naming the field. */
    public static Members parse(String source, String json) {
        JsonReader r = new JsonReader(source);
        JsonNode root = r.parseObject(json);
        JsonNode list = r.array(root, "", "members");
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "members[" + i + "]";
            JsonNode m = list.get(i);
            if (!m.isObject()) {
                throw r.bad(path, "must be an object");
            }
            members.add(member(r, m, path));
        }
        JsonNode raft = r.object(root, "", "raft");
        return new Members(members, r.text(root, "", "next_name"), r.textList(raft, "raft", "voters"), r.textList(raft, "raft", "listeners"),
                raft.has("changing") && r.bool(raft, "raft", "changing"));
    }

    static Member member(JsonReader r, JsonNode m, String path) {
        return new Member(r.text(m, path, "name"), r.text(m, path, "spiffe_id"), r.text(m, path, "role"), r.text(m, path, "status"),
                r.text(m, path, "host"), r.port(m, path, "api_port"), r.port(m, path, "peer_port"), r.port(m, path, "raft_port"),
                r.integer(m, path, "joined_at", 0, Long.MAX_VALUE), r.integer(m, path, "since", 0, Long.MAX_VALUE), r.optionalText(m, path, "reason"));
    }
}
