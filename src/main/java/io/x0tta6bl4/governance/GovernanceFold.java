package io.x0tta6bl4.governance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.crypto.Hex;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.LedgerEntry;
import io.x0tta6bl4.ledger.LedgerFold;
import io.x0tta6bl4.ledger.Submission;
import io.x0tta6bl4.mesh.Member;
import io.x0tta6bl4.mesh.MembershipFold;
import io.x0tta6bl4.policy.Policy;
import io.x0tta6bl4.policy.PolicyException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Governance as a fold over PROPOSAL, VOTE and PROPOSAL_RESULT entries (and MEMBERSHIP, for the
 * eligible voters), with each entry's leader-stamped time as the only clock (DESIGN.md §7). Every
 * replica, after any restart, computes the same proposals, tallies and runtime config.
 *
 * <p>Each entry is checked against the state it meets; one that does not fit is refused with its
 * reason ({@link Governance#refusal}) and changes nothing else:
 * <ul>
 *   <li>PROPOSAL: the type, title and payload are valid ({@link #checkPayload}); the terms come
 *       from the runtime config's governance defaults, with the proposer's voting period, delay
 *       and impact window if given; the eligible voters are the ledger group's voters at that
 *       entry (for a RECOVERY, all but the member it is about).
 *   <li>VOTE: a signed vote ({@link Vote.Signed}) on an ACTIVE proposal before its deadline, by an
 *       eligible voter who has not voted, costing weight² within the credits, whose signature
 *       verifies ({@link VoteCheck}).
 *   <li>PROPOSAL_RESULT: CLOSE (at or after the deadline, or once the outcome is settled; the fold
 *       computes the outcome itself), QUEUE (a succeeded proposal waits out its delay), EXECUTE
 *       (once the delay is over; a CONFIG_UPDATE or ROLLBACK takes effect in the runtime config
 *       right here), FAIL (execution failed; the error is kept), CANCEL (by the proposer, before
 *       any vote). CLOSE, QUEUE, EXECUTE and FAIL are written by a node (the leader when they fall
 *       due); a second EXECUTE of the same proposal is refused, so nothing executes twice.
 *   <li>IMPACT: the load before and after an EXECUTED proposal, by a node, once, no sooner than
 *       the proposal's impact window after its EXECUTE; kept in its detail under {@code impact}.
 * </ul>
 */
public final class GovernanceFold implements LedgerFold<Governance> {
    public static final String PROPOSE = "PROPOSE";
    public static final String VOTE = "VOTE";
    public static final String CLOSE = "CLOSE";
    public static final String QUEUE = "QUEUE";
    public static final String EXECUTE = "EXECUTE";
    public static final String FAIL = "FAIL";
    public static final String CANCEL = "CANCEL";
    /** The action of an IMPACT entry, and its event in the proposal's timeline. */
    public static final String MEASURE = "IMPACT";
    /** The bounds of a RESOURCE_SCALING target: below three voters the ledger cannot outlive a failure. */
    public static final int MIN_NODES = 3;
    public static final int MAX_NODES = 16;
    /** The one RECOVERY action this build carries out: the host agent restarts the node. */
    public static final String RECOVER_RESTART = "restart";
    public static final int MAX_TITLE = 200;
    public static final int MAX_DESCRIPTION = 4000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String trustDomain;
    private final MembershipFold membership;
    private final VoteCheck votes;

    public GovernanceFold(VoteCheck votes) {
        this.trustDomain = votes.trustDomain();
        this.membership = new MembershipFold(trustDomain);
        this.votes = votes;
    }

    @Override
    public Governance initial() {
        return Governance.EMPTY;
    }

    @Override
    public Set<EntryType> types() {
        return Set.of(EntryType.PROPOSAL, EntryType.VOTE, EntryType.PROPOSAL_RESULT, EntryType.IMPACT, EntryType.MEMBERSHIP);
    }

    // ---- entries, as writers make them ----

    /** A PROPOSAL entry; {@code votingPeriod} and {@code executionDelay} override the defaults when present. */
    public static Submission propose(SpiffeId proposer, ProposalType type, String title, String description, JsonNode payload,
                                     Optional<Duration> votingPeriod, Optional<Duration> executionDelay) {
        return propose(proposer, type, title, description, payload, votingPeriod, executionDelay, Optional.empty());
    }

    /** A PROPOSAL entry whose own voting period, execution delay and impact window override the defaults when present. */
    public static Submission propose(SpiffeId proposer, ProposalType type, String title, String description, JsonNode payload,
                                     Optional<Duration> votingPeriod, Optional<Duration> executionDelay, Optional<Duration> impactWindow) {
        ObjectNode p = JSON.createObjectNode().put("type", type.name()).put("title", title).put("description", description == null ? "" : description);
        p.set("payload", payload);
        votingPeriod.ifPresent(d -> p.put("voting_period", d.toMillis() + "ms"));
        executionDelay.ifPresent(d -> p.put("execution_delay", d.toMillis() + "ms"));
        impactWindow.ifPresent(d -> p.put("impact_window", d.toMillis() + "ms"));
        return new Submission(EntryType.PROPOSAL, proposer, PROPOSE, "proposal", "SUBMITTED", p.toString());
    }

    /** A VOTE entry carrying {@code v}; {@code relay} is who submits it (any node). */
    public static Submission vote(Vote.Signed v) {
        return new Submission(EntryType.VOTE, v.vote().voter(), VOTE, v.vote().proposal(), "CAST", v.toJson().toString());
    }

    /** A PROPOSAL_RESULT entry: {@code action} on {@code proposal}, {@code detail} what it recorded. */
    public static Submission result(SpiffeId actor, String proposal, String action, ProposalState to, JsonNode detail) {
        ObjectNode p = JSON.createObjectNode().put("proposal", proposal);
        if (detail != null) {
            p.set("detail", detail);
        }
        return new Submission(EntryType.PROPOSAL_RESULT, actor, action, proposal, to.name(), p.toString());
    }

    // ---- the fold ----

    @Override
    public Governance apply(Governance g, LedgerEntry e) {
        return switch (e.type()) {
            case MEMBERSHIP -> g.withMembership(membership.apply(g.membership(), e));
            case PROPOSAL -> proposal(g, e);
            case VOTE -> vote(g, e);
            case PROPOSAL_RESULT -> result(g, e);
            case IMPACT -> impact(g, e);
            default -> g;
        };
    }

    private Governance proposal(Governance g, LedgerEntry e) {
        Submission s = e.submission();
        String id = Hex.encode(e.leafHash()).substring(0, 16);
        try {
            JsonNode p = JSON.readTree(s.payload());
            ProposalType type = ProposalType.parse(p.path("type").asText(null))
                    .orElseThrow(() -> new IllegalArgumentException("type: '" + p.path("type").asText() + "' is not one of "
                            + java.util.Arrays.toString(ProposalType.values())));
            String title = p.path("title").asText("");
            checkTitle(title);
            String description = p.path("description").asText("");
            if (description.length() > MAX_DESCRIPTION) {
                throw new IllegalArgumentException("description: " + description.length() + " characters; at most " + MAX_DESCRIPTION);
            }
            JsonNode payload = checkPayload(g, type, p.get("payload"));
            Rules rules = g.config().rules(type);
            rules = rules.withTiming(timing(p, "voting_period", rules.votingPeriod()), timing(p, "execution_delay", rules.executionDelay()))
                    .withImpactWindow(timing(p, "impact_window", rules.impactWindow()));
            TreeSet<String> eligible = new TreeSet<>();
            for (Member m : g.membership().voters()) {
                // The member a recovery is about does not vote on it: it is the one that looks down.
                if (type != ProposalType.RECOVERY || !m.name().equals(payload.get("node").asText())) {
                    eligible.add(SpiffeId.node(trustDomain, m.name()).toString());
                }
            }
            if (eligible.isEmpty()) {
                throw new IllegalArgumentException("the ledger group has no voters yet, so nobody could vote");
            }
            if (g.proposal(id).isPresent()) {
                throw new IllegalArgumentException("a proposal with id " + id + " exists already");
            }
            Proposal made = new Proposal(id, e.seq(), type, title, description, payload, s.actor(), e.timestamp(),
                    e.timestamp().plus(rules.votingPeriod()), rules, eligible, Map.of(), ProposalState.ACTIVE, Optional.empty(), Map.of(),
                    Optional.empty(), java.util.List.of(new Proposal.Event(e.seq(), e.timestamp(), "PROPOSED", s.actor(), title)));
            return g.with(made);
        } catch (IOException | RuntimeException ex) {
            return g.refused(new Governance.Refusal(e.seq(), "PROPOSAL", id, ex.getMessage()));
        }
    }

    private static Duration timing(JsonNode p, String field, Duration otherwise) {
        JsonNode v = p.get(field);
        return v == null || v.isNull() ? otherwise : timing(field, v.asText());
    }

    /**
     * A proposal's own {@code voting_period} or {@code execution_delay}, checked against the bounds
     * of its governance default; an {@link IllegalArgumentException} names the field.
     */
    public static Duration timing(String field, String value) {
        ConfigKey key = switch (field) {
            case "voting_period" -> ConfigKey.GOVERNANCE_VOTING_PERIOD;
            case "impact_window" -> ConfigKey.GOVERNANCE_IMPACT_WINDOW;
            default -> ConfigKey.GOVERNANCE_EXECUTION_DELAY;
        };
        try {
            return ConfigKey.duration(key.canonical(value));
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(field + ": " + ex.getMessage().substring(key.key().length() + 2));
        }
    }

    static void checkTitle(String title) {
        if (title.isBlank()) {
            throw new IllegalArgumentException("title: missing");
        }
        if (title.length() > MAX_TITLE || title.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("title: must be at most " + MAX_TITLE + " characters without control characters");
        }
    }

    /**
     * {@code payload} of a {@code type} proposal, validated against {@code g} and in canonical
     * form, or an {@link IllegalArgumentException} whose message starts with the field at fault
     * ({@code payload.set.governance.credits: ...}). Writers call this before writing, so that a
     * bad proposal is refused and nothing is stored.
     */
    public static JsonNode checkPayload(Governance g, ProposalType type, JsonNode payload) {
        if (payload == null || !payload.isObject()) {
            throw new IllegalArgumentException("payload: must be a JSON object");
        }
        return switch (type) {
            case CONFIG_UPDATE -> {
                JsonNode set = payload.get("set");
                if (set == null || !set.isObject() || set.isEmpty()) {
                    throw new IllegalArgumentException("payload.set: must name at least one key, e.g. {\"governance.voting_period\": \"1h\"}; keys: "
                            + ConfigKey.names());
                }
                Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
                for (Map.Entry<String, JsonNode> f : set.properties()) {
                    ConfigKey key = ConfigKey.parse(f.getKey()).orElseThrow(() -> new IllegalArgumentException("payload.set." + f.getKey()
                            + ": not a runtime config key; known keys: " + ConfigKey.names()));
                    if (!f.getValue().isValueNode() || f.getValue().isNull()) {
                        throw new IllegalArgumentException("payload.set." + f.getKey() + ": must be a value such as \"50000\" or \"5s\"");
                    }
                    try {
                        values.put(key, key.canonical(f.getValue().asText()));
                    } catch (IllegalArgumentException ex) {
                        throw new IllegalArgumentException("payload.set." + ex.getMessage());
                    }
                }
                notAbove(g, values, ConfigKey.PROBE_TIMEOUT, ConfigKey.PROBE_INTERVAL);
                notAbove(g, values, ConfigKey.PROBE_SUSPECT_AFTER, ConfigKey.PROBE_MISSES);
                ObjectNode out = JSON.createObjectNode();
                ObjectNode canonical = out.putObject("set");
                values.forEach((k, v) -> canonical.put(k.key(), v));
                yield out;
            }
            case POLICY_UPDATE -> {
                JsonNode doc = payload.get("document");
                if (doc == null || !doc.isTextual()) {
                    throw new IllegalArgumentException("payload.document: must be the policy YAML as text");
                }
                try {
                    Policy.parse(doc.asText(), "payload.document");
                } catch (PolicyException ex) {
                    throw new IllegalArgumentException("payload.document: " + ex.getMessage());
                }
                yield JSON.createObjectNode().put("document", doc.asText());
            }
            case RESOURCE_SCALING -> {
                JsonNode nodes = payload.get("nodes");
                if (nodes == null || !nodes.canConvertToInt() || !nodes.isIntegralNumber()) {
                    throw new IllegalArgumentException("payload.nodes: must be the whole number of nodes the mesh should run, from " + MIN_NODES + " to "
                            + MAX_NODES);
                }
                int n = nodes.asInt();
                if (n < MIN_NODES || n > MAX_NODES) {
                    throw new IllegalArgumentException("payload.nodes: " + n + " is out of bounds; the mesh may be scaled to " + MIN_NODES + " to "
                            + MAX_NODES + " nodes (fewer than " + MIN_NODES + " voters could not outlive one failure)");
                }
                yield JSON.createObjectNode().put("nodes", n);
            }
            case RECOVERY -> {
                String node = payload.path("node").asText("");
                if (g.membership().member(node).filter(Member::active).isEmpty()) {
                    throw new IllegalArgumentException("payload.node: '" + node + "' is not an active member; name the member to recover, e.g. \"node-3\"");
                }
                String action = payload.path("action").asText(RECOVER_RESTART);
                if (!action.equals(RECOVER_RESTART)) {
                    throw new IllegalArgumentException("payload.action: '" + action + "' is not carried out by this build; " + RECOVER_RESTART
                            + " is (the host agent restarts the node; failover and replace need the service placement of the MAPE-K loop)");
                }
                yield JSON.createObjectNode().put("node", node).put("action", action);
            }
            case ROLLBACK -> {
                String target = payload.path("proposal").asText("");
                Proposal t = g.proposal(target).orElseThrow(() -> new IllegalArgumentException("payload.proposal: no proposal '" + target + "'"));
                if (t.state() != ProposalState.EXECUTED || (t.type() != ProposalType.CONFIG_UPDATE && t.type() != ProposalType.ROLLBACK)) {
                    throw new IllegalArgumentException("payload.proposal: " + target + " is a " + t.type() + " in state " + t.state()
                            + "; only an EXECUTED CONFIG_UPDATE or ROLLBACK can be rolled back");
                }
                yield JSON.createObjectNode().put("proposal", target);
            }
        };
    }

    /**
     * Refuses a change after which {@code low} would exceed {@code high}, as far as the mesh knows
     * them (this proposal's values, else the values proposals set). A node whose own node.yaml
     * gives the other half keeps the pair valid when it applies it (docs/governance.md).
     */
    private static void notAbove(Governance g, Map<ConfigKey, String> values, ConfigKey low, ConfigKey high) {
        if (!values.containsKey(low) && !values.containsKey(high)) {
            return;
        }
        Optional<String> l = Optional.ofNullable(values.get(low)).or(() -> g.config().setting(low).map(RuntimeConfig.Setting::value));
        Optional<String> h = Optional.ofNullable(values.get(high)).or(() -> g.config().setting(high).map(RuntimeConfig.Setting::value));
        if (l.isPresent() && h.isPresent() && number(l.get()) > number(h.get())) {
            ConfigKey at = values.containsKey(low) ? low : high;
            throw new IllegalArgumentException("payload.set." + at.key() + ": " + low.key() + " " + l.get() + " must not exceed " + high.key() + " "
                    + h.get());
        }
    }

    /** A canonical COUNT or DURATION value as a number (milliseconds for a duration). */
    private static double number(String canonical) {
        return Double.parseDouble(canonical.endsWith("ms") ? canonical.substring(0, canonical.length() - 2) : canonical);
    }

    /**
     * Why {@code v} would be refused at {@code at} in {@code g}, or empty: the same check the fold
     * makes, so a writer can refuse a vote before it writes it.
     */
    public Optional<String> checkVote(Governance g, Vote.Signed v, Instant at) {
        Vote b = v.vote();
        Optional<Proposal> found = g.proposal(b.proposal());
        if (found.isEmpty()) {
            return Optional.of("no proposal '" + b.proposal() + "'");
        }
        Proposal p = found.get();
        if (p.state() != ProposalState.ACTIVE) {
            return Optional.of("proposal " + p.id() + " is " + p.state() + ", not open for votes");
        }
        if (!at.isBefore(p.deadline())) {
            return Optional.of("voting on proposal " + p.id() + " closed at " + p.deadline());
        }
        if (!p.eligible().contains(b.voter().toString())) {
            return Optional.of(b.voter() + " is not an eligible voter of proposal " + p.id() + " (eligible: the ledger group's voters when it was made: "
                    + p.eligible() + ")");
        }
        if (p.votes().containsKey(b.voter().toString())) {
            Proposal.CastVote first = p.votes().get(b.voter().toString());
            return Optional.of(b.voter() + " has already voted on proposal " + p.id() + " (" + first.choice() + ", weight " + first.weight()
                    + ", ledger entry " + first.seq() + "); one vote per voter");
        }
        long cost = (long) b.weight() * b.weight();
        if (cost > p.rules().credits()) {
            return Optional.of("weight " + b.weight() + " costs " + cost + " credits (weight²); a voter has " + p.rules().credits()
                    + " per proposal, so at most weight " + p.rules().maxWeight());
        }
        return votes.problem(v, at);
    }

    private Governance vote(Governance g, LedgerEntry e) {
        Submission s = e.submission();
        Vote.Signed v;
        try {
            v = Vote.Signed.fromJson(JSON.readTree(s.payload()));
        } catch (IOException | RuntimeException ex) {
            return g.refused(new Governance.Refusal(e.seq(), "VOTE", s.resource(), "malformed vote: " + ex.getMessage()));
        }
        if (!s.resource().equals(v.vote().proposal()) || !s.actor().equals(v.vote().voter())) {
            return g.refused(new Governance.Refusal(e.seq(), "VOTE", s.resource(), "the entry's resource and actor differ from the signed vote's"));
        }
        Optional<String> problem = checkVote(g, v, e.timestamp());
        if (problem.isPresent()) {
            return g.refused(new Governance.Refusal(e.seq(), "VOTE", v.vote().proposal(), problem.get()));
        }
        Proposal p = g.proposal(v.vote().proposal()).orElseThrow();
        Vote b = v.vote();
        Proposal.CastVote cast = new Proposal.CastVote(b.voter(), b.choice(), b.weight(), b.rationale(), e.seq(), e.timestamp());
        return g.with(p.withVote(cast, new Proposal.Event(e.seq(), e.timestamp(), VOTE, b.voter(),
                b.choice() + " weight " + b.weight() + (b.rationale().isEmpty() ? "" : ": " + b.rationale()))));
    }

    private Governance result(Governance g, LedgerEntry e) {
        Submission s = e.submission();
        String id = s.resource();
        Optional<Proposal> found = g.proposal(id);
        if (found.isEmpty()) {
            return g.refused(new Governance.Refusal(e.seq(), s.action(), id, "no proposal '" + id + "'"));
        }
        Proposal p = found.get();
        JsonNode detail;
        try {
            detail = JSON.readTree(s.payload()).get("detail");
        } catch (IOException ex) {
            return g.refused(new Governance.Refusal(e.seq(), s.action(), id, "malformed entry: " + ex.getMessage()));
        }
        boolean byNode = s.actor().path().startsWith("/node/");
        Instant at = e.timestamp();
        Proposal.Event event = new Proposal.Event(e.seq(), at, s.action(), s.actor(), s.status());
        String problem = null;
        Governance next = null;
        switch (s.action()) {
            case CLOSE -> {
                Tally t = p.tally();
                Optional<ProposalState> settled = t.settled(p.rules());
                if (!byNode) {
                    problem = "only a node closes voting";
                } else if (p.state() != ProposalState.ACTIVE) {
                    problem = "proposal " + id + " is " + p.state() + ", not ACTIVE";
                } else if (settled.isEmpty() && at.isBefore(p.deadline())) {
                    problem = "voting on " + id + " is open until " + p.deadline() + " and the outcome can still change";
                } else {
                    ProposalState to = settled.orElseGet(() -> t.outcome(p.rules()));
                    next = g.with(p.moved(to, Optional.empty(), p.replaced(), p.detail(), event));
                }
            }
            case QUEUE -> {
                if (!byNode) {
                    problem = "only a node queues a proposal";
                } else if (p.state() != ProposalState.SUCCEEDED) {
                    problem = "proposal " + id + " is " + p.state() + ", not SUCCEEDED";
                } else {
                    next = g.with(p.moved(ProposalState.QUEUED, Optional.of(at.plus(p.rules().executionDelay())), p.replaced(), p.detail(), event));
                }
            }
            case EXECUTE -> {
                if (!byNode) {
                    problem = "only a node executes a proposal";
                } else if (p.state() != ProposalState.QUEUED) {
                    problem = "proposal " + id + " is " + p.state() + ", not QUEUED" + (p.state() == ProposalState.EXECUTED ? "; it executed once already" : "");
                } else if (at.isBefore(p.eta().orElseThrow())) {
                    problem = "proposal " + id + " may execute from " + p.eta().get() + ", not at " + at;
                } else {
                    next = execute(g, p, e, event, Optional.ofNullable(detail));
                }
            }
            case FAIL -> {
                if (!byNode) {
                    problem = "only a node records a failed execution";
                } else if (p.state() != ProposalState.QUEUED) {
                    problem = "proposal " + id + " is " + p.state() + ", not QUEUED";
                } else {
                    next = g.with(p.moved(ProposalState.EXECUTION_FAILED, p.eta(), p.replaced(), Optional.ofNullable(detail), event));
                }
            }
            case CANCEL -> {
                if (!s.actor().equals(p.proposer())) {
                    problem = "only the proposer " + p.proposer() + " may cancel proposal " + id;
                } else if (p.state() != ProposalState.ACTIVE || !p.votes().isEmpty()) {
                    problem = "proposal " + id + " can be canceled only while ACTIVE and before any vote";
                } else {
                    next = g.with(p.moved(ProposalState.CANCELED, Optional.empty(), p.replaced(), p.detail(), event));
                }
            }
            default -> problem = "unknown proposal action '" + s.action() + "'";
        }
        return problem != null ? g.refused(new Governance.Refusal(e.seq(), s.action(), id, problem)) : next;
    }

    /**
     * The IMPACT entry of executed proposal {@code proposal}: {@code measured} is what the
     * leader's {@code Impact} comparison found, {@code rollback} what it did about it.
     */
    public static Submission impact(SpiffeId actor, String proposal, JsonNode measured, boolean rollbackRaised) {
        return new Submission(EntryType.IMPACT, actor, MEASURE, proposal, rollbackRaised ? "ROLLBACK_RAISED" : "MEASURED", measured.toString());
    }

    /**
     * IMPACT: once per executed proposal, by a node, no sooner than its impact window after the
     * EXECUTE. The measurement is kept in the proposal's detail under {@code impact}.
     */
    private Governance impact(Governance g, LedgerEntry e) {
        Submission s = e.submission();
        String id = s.resource();
        Optional<Proposal> found = g.proposal(id);
        String problem;
        if (found.isEmpty()) {
            problem = "no proposal '" + id + "'";
        } else if (!s.actor().path().startsWith("/node/")) {
            problem = "only a node measures an impact";
        } else if (found.get().state() != ProposalState.EXECUTED) {
            problem = "proposal " + id + " is " + found.get().state() + ", not EXECUTED";
        } else if (found.get().timeline().stream().anyMatch(x -> x.what().equals(MEASURE))) {
            problem = "the impact of proposal " + id + " was measured once already";
        } else {
            Proposal p = found.get();
            Instant executed = p.timeline().stream().filter(x -> x.what().equals(EXECUTE)).map(Proposal.Event::at).reduce((a, b) -> b).orElseThrow();
            Instant from = executed.plus(p.rules().impactWindow());
            if (e.timestamp().isBefore(from)) {
                problem = "the impact of proposal " + id + " is measured from " + from + " (its window after the execution), not at " + e.timestamp();
            } else {
                JsonNode measured;
                try {
                    measured = JSON.readTree(s.payload());
                } catch (IOException ex) {
                    return g.refused(new Governance.Refusal(e.seq(), MEASURE, id, "malformed entry: " + ex.getMessage()));
                }
                ObjectNode detail = p.detail().filter(JsonNode::isObject).map(d -> ((ObjectNode) d).deepCopy()).orElseGet(JSON::createObjectNode);
                detail.set("impact", measured);
                return g.with(p.moved(ProposalState.EXECUTED, p.eta(), p.replaced(), Optional.of(detail),
                        new Proposal.Event(e.seq(), e.timestamp(), MEASURE, s.actor(), s.status() + ": " + measured.path("summary").asText(""))));
            }
        }
        return g.refused(new Governance.Refusal(e.seq(), MEASURE, id, problem));
    }

    /** Whether {@code current} is still what executed proposal {@code p} put in place for {@code k}. */
    private static boolean stillInstalled(Governance g, Proposal p, ConfigKey k, Optional<RuntimeConfig.Setting> current) {
        if (p.type() == ProposalType.CONFIG_UPDATE) {
            return current.map(s -> s.proposal().equals(p.id())).orElse(false);
        }
        // A ROLLBACK put back what its own target had replaced.
        Optional<Proposal> undone = g.proposal(p.payload().path("proposal").asText(""));
        return undone.isPresent() && java.util.Objects.equals(undone.get().replaced().get(k), current);
    }

    /** EXECUTE: runtime config changes take effect here; the others were carried out by the writer, whose detail is kept. */
    private static Governance execute(Governance g, Proposal p, LedgerEntry e, Proposal.Event event, Optional<JsonNode> detail) {
        RuntimeConfig before = g.config();
        RuntimeConfig config = before;
        Map<ConfigKey, Optional<RuntimeConfig.Setting>> replaced = new LinkedHashMap<>();
        switch (p.type()) {
            case CONFIG_UPDATE -> {
                Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
                p.payload().get("set").properties().forEach(f -> values.put(ConfigKey.parse(f.getKey()).orElseThrow(), f.getValue().asText()));
                values.keySet().forEach(k -> replaced.put(k, before.setting(k)));
                config = config.with(values, p.id(), e.seq());
            }
            case ROLLBACK -> {
                Proposal target = g.proposal(p.payload().get("proposal").asText()).orElseThrow();
                Map<ConfigKey, Optional<RuntimeConfig.Setting>> restore = new LinkedHashMap<>();
                target.replaced().forEach((k, v) -> {
                    // A key a later proposal has set since keeps that setting: only what the target put in place is undone.
                    if (stillInstalled(g, target, k, before.setting(k))) {
                        replaced.put(k, before.setting(k));
                        restore.put(k, v);
                    }
                });
                config = config.restored(restore);
            }
            default -> { }
        }
        return g.with(p.moved(ProposalState.EXECUTED, p.eta(), replaced, detail, event)).withConfig(config);
    }
}
