package io.x0tta6bl4.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.identity.NodeName;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.LedgerEntry;
import io.x0tta6bl4.ledger.LedgerFold;
import io.x0tta6bl4.ledger.Submission;
import java.io.IOException;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * Membership as a fold over MEMBERSHIP entries (docs/membership.md): every replica, after any
 * restart, knows the same members with the same roles, because it read the same entries in the
 * same order. A node joins by writing its own JOIN (its endpoints, signed by its own ledger key);
 * operators fence, readmit and remove members; the Raft leader promotes and demotes. The fold
 * checks each entry against the state it meets ({@link #check}) and refuses what does not fit,
 * keeping the reason, so two racing requests end the same way everywhere.
 *
 * <p>Rules, in brief:
 * <ul>
 *   <li>JOIN: written by the joining node itself. A new name becomes ACTIVE, as a VOTER while the
 *       group has fewer than {@link Membership#MAX_VOTERS} voters, else as a LISTENER; the first
 *       member is the one that formed the ledger group. A JOIN by an active member updates its
 *       endpoints. A fenced member must be readmitted first; a name that left is retired.
 *   <li>LEAVE: an active or fenced member leaves for good.
 *   <li>FENCE: an active member is isolated, unless it is the only voter.
 *   <li>READMIT: a fenced member is active again, as a listener.
 *   <li>PROMOTE / DEMOTE: a listener becomes a voter while there are fewer than five; a voter
 *       becomes a listener while another voter remains.
 * </ul>
 * Who may ask for LEAVE, FENCE, READMIT, PROMOTE and DEMOTE is the policy's business, checked
 * where the entry is written; the fold checks only that the change fits the membership.
 */
public final class MembershipFold implements LedgerFold<Membership> {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The entry's status: a request, whose outcome the fold decides. */
    static final String REQUESTED = "REQUESTED";

    private final String trustDomain;

    public MembershipFold(String trustDomain) {
        this.trustDomain = trustDomain;
    }

    @Override
    public Membership initial() {
        return Membership.EMPTY;
    }

    @Override
    public Set<EntryType> types() {
        return Set.of(EntryType.MEMBERSHIP);
    }

    /** The JOIN entry of {@code node}, announcing {@code at}; the node itself submits it. */
    public static Submission join(SpiffeId node, String name, Endpoints at) {
        ObjectNode p = JSON.createObjectNode().put("op", MembershipOp.JOIN.name()).put("node", name).put("host", at.host())
                .put("api_port", at.api()).put("peer_port", at.peer()).put("raft_port", at.raft());
        return new Submission(EntryType.MEMBERSHIP, node, MembershipOp.JOIN.name(), node.toString(), REQUESTED, p.toString());
    }

    /** A LEAVE, FENCE, READMIT, PROMOTE or DEMOTE of {@code name}, asked for by {@code actor}. */
    public static Submission change(SpiffeId actor, MembershipOp op, String name, String reason) {
        if (op == MembershipOp.JOIN) {
            throw new IllegalArgumentException("a JOIN carries endpoints; use join()");
        }
        NodeName.check(name);
        ObjectNode p = JSON.createObjectNode().put("op", op.name()).put("node", name).put("reason", reason);
        return new Submission(EntryType.MEMBERSHIP, actor, op.name(), SpiffeId.node(actor.trustDomain(), name).toString(), REQUESTED,
                p.toString());
    }

    /**
     * Why {@code op} on {@code name} would not fit {@code m}, or empty if it would. The same
     * check the fold applies, so a writer can refuse a request before it writes it.
     */
    public static Optional<String> check(Membership m, MembershipOp op, String name) {
        Optional<Member> current = m.member(name);
        return switch (op) {
            case JOIN -> current.flatMap(c -> switch (c.status()) {
                case ACTIVE -> Optional.empty();
                case FENCED -> Optional.of(name + " is fenced (" + c.reason() + "); readmit it before it can join again");
                case LEFT -> Optional.of(name + " has left the mesh and its name is retired; add a new node instead");
            });
            case LEAVE -> current.isEmpty() ? unknown(name) : current.get().status() == Member.Status.LEFT
                    ? Optional.of(name + " has already left") : lastVoter(m, current.get(), "leave");
            case FENCE -> current.isEmpty() ? unknown(name) : !current.get().active()
                    ? Optional.of(name + " is " + current.get().status().name().toLowerCase(java.util.Locale.ROOT) + ", not active")
                    : lastVoter(m, current.get(), "be fenced");
            case READMIT -> current.isEmpty() ? unknown(name) : current.get().status() != Member.Status.FENCED
                    ? Optional.of(name + " is not fenced") : Optional.empty();
            case PROMOTE -> current.isEmpty() ? unknown(name) : !current.get().active() || current.get().role() != Member.Role.LISTENER
                    ? Optional.of(name + " is not an active listener")
                    : m.voters().size() >= Membership.MAX_VOTERS ? Optional.of("the group already has " + Membership.MAX_VOTERS + " voters")
                    : Optional.empty();
            case DEMOTE -> current.isEmpty() ? unknown(name) : !current.get().voter() ? Optional.of(name + " is not a voter")
                    : lastVoter(m, current.get(), "be demoted");
        };
    }

    private static Optional<String> unknown(String name) {
        return Optional.of("no member named " + name);
    }

    private static Optional<String> lastVoter(Membership m, Member target, String what) {
        return target.voter() && m.voters().size() == 1
                ? Optional.of(target.name() + " is the only voter of the ledger group and cannot " + what + " until another member votes")
                : Optional.empty();
    }

    @Override
    public Membership apply(Membership m, LedgerEntry e) {
        Submission s = e.submission();
        Optional<MembershipOp> op = MembershipOp.parse(s.action());
        if (op.isEmpty()) {
            return m.refused(new Membership.Refusal(e.seq(), null, s.resource(), "unknown membership action '" + s.action() + "'"));
        }
        JsonNode p;
        String name;
        try {
            p = JSON.readTree(s.payload());
            name = NodeName.check(text(p, "node"));
            if (!MembershipOp.parse(text(p, "op")).equals(op)) {
                throw new IllegalArgumentException("payload op '" + text(p, "op") + "' differs from the action " + s.action());
            }
            if (!s.resource().equals(SpiffeId.node(trustDomain, name).toString())) {
                throw new IllegalArgumentException("resource " + s.resource() + " is not node " + name + " of " + trustDomain);
            }
        } catch (IOException | RuntimeException ex) {
            return m.refused(new Membership.Refusal(e.seq(), op.get(), s.resource(), "malformed entry: " + ex.getMessage()));
        }
        Optional<String> problem = check(m, op.get(), name);
        if (problem.isPresent()) {
            return m.refused(new Membership.Refusal(e.seq(), op.get(), name, problem.get()));
        }
        String reason = p.path("reason").asText("");
        return switch (op.get()) {
            case JOIN -> join(m, e, p, name);
            case LEAVE -> m.with(m.member(name).orElseThrow().with(MembershipOp.LEAVE, Member.Role.LISTENER, Member.Status.LEFT, e.seq(), reason));
            case FENCE -> m.with(m.member(name).orElseThrow().with(MembershipOp.FENCE, Member.Role.LISTENER, Member.Status.FENCED, e.seq(), reason));
            case READMIT -> m.with(m.member(name).orElseThrow().with(MembershipOp.READMIT, Member.Role.LISTENER, Member.Status.ACTIVE, e.seq(), reason));
            case PROMOTE -> m.with(m.member(name).orElseThrow().with(MembershipOp.PROMOTE, Member.Role.VOTER, Member.Status.ACTIVE, e.seq(), reason));
            case DEMOTE -> m.with(m.member(name).orElseThrow().with(MembershipOp.DEMOTE, Member.Role.LISTENER, Member.Status.ACTIVE, e.seq(), reason));
        };
    }

    private Membership join(Membership m, LedgerEntry e, JsonNode p, String name) {
        SpiffeId id = SpiffeId.node(trustDomain, name);
        if (!e.submitter().equals(id.toString()) || !e.submission().actor().equals(id)) {
            return m.refused(new Membership.Refusal(e.seq(), MembershipOp.JOIN, name, "a JOIN must be written by the joining node itself, not by "
                    + e.submitter()));
        }
        Endpoints at;
        try {
            only(p, "op", "node", "host", "api_port", "peer_port", "raft_port");
            at = new Endpoints(text(p, "host"), port(p, "api_port"), port(p, "peer_port"), port(p, "raft_port"));
        } catch (RuntimeException ex) {
            return m.refused(new Membership.Refusal(e.seq(), MembershipOp.JOIN, name, "malformed entry: " + ex.getMessage()));
        }
        Optional<Member> current = m.member(name);
        if (current.isPresent()) {
            return current.get().endpoints().equals(at) ? m : m.with(current.get().at(at));
        }
        Member.Role role = m.voters().size() < Membership.MAX_VOTERS ? Member.Role.VOTER : Member.Role.LISTENER;
        return m.with(new Member(name, id, at, role, Member.Status.ACTIVE, MembershipOp.JOIN, e.seq(), e.seq(), ""));
    }

    private static String text(JsonNode p, String field) {
        JsonNode v = p.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException("field '" + field + "' must be a non-empty string");
        }
        return v.asText();
    }

    private static int port(JsonNode p, String field) {
        JsonNode v = p.get(field);
        if (v == null || !v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > 65535) {
            throw new IllegalArgumentException("field '" + field + "' must be a port 1..65535");
        }
        return v.asInt();
    }

    private static void only(JsonNode p, String... fields) {
        Set<String> allowed = Set.of(fields);
        for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw new IllegalArgumentException("unknown field '" + f + "'");
            }
        }
    }
}
