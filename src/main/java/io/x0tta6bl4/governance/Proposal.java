package io.x0tta6bl4.governance;

import com.fasterxml.jackson.databind.JsonNode;
import io.x0tta6bl4.identity.SpiffeId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;

/**
 * One proposal as the ledger has it so far: what it asks, its terms, its votes, its state and
 * the entries of its timeline. Immutable; {@link GovernanceFold} makes each new version.
 *
 * @param id       derived from its PROPOSAL entry (the first 16 hex digits of the entry's leaf hash)
 * @param seq      the sequence number of that entry
 * @param payload  what it would change, validated and in canonical form
 * @param eligible the SPIFFE IDs of the Raft voters when it was made: who may vote
 * @param eta      when a queued proposal may execute
 * @param replaced for an executed CONFIG_UPDATE or ROLLBACK, the settings it replaced (empty:
 *                 unset), so that a ROLLBACK can restore them
 * @param detail   what execution recorded (node counts, the error of a failed execution)
 */
public record Proposal(String id, long seq, ProposalType type, String title, String description, JsonNode payload, SpiffeId proposer,
                       Instant createdAt, Instant deadline, Rules rules, SortedSet<String> eligible, Map<String, CastVote> votes,
                       ProposalState state, Optional<Instant> eta, Map<ConfigKey, Optional<RuntimeConfig.Setting>> replaced,
                       Optional<JsonNode> detail, List<Event> timeline) {

    /** A counted vote. */
    public record CastVote(SpiffeId voter, Choice choice, int weight, String rationale, long seq, Instant at) {}

    /** One entry of the proposal's timeline: PROPOSED, VOTE, CLOSE, QUEUE, EXECUTE, FAIL or CANCEL. */
    public record Event(long seq, Instant at, String what, SpiffeId actor, String summary) {}

    public Proposal {
        eligible = Collections.unmodifiableSortedSet(new java.util.TreeSet<>(eligible));
        votes = Collections.unmodifiableMap(new LinkedHashMap<>(votes));
        replaced = Collections.unmodifiableMap(new LinkedHashMap<>(replaced));
        timeline = List.copyOf(timeline);
    }

    public Tally tally() {
        return Tally.of(rules.mode(), eligible.size(), votes.values().stream().map(v -> new Tally.Counted(v.choice(), v.weight())).toList());
    }

    Proposal withVote(CastVote v, Event e) {
        Map<String, CastVote> next = new LinkedHashMap<>(votes);
        next.put(v.voter().toString(), v);
        return new Proposal(id, seq, type, title, description, payload, proposer, createdAt, deadline, rules, eligible, next, state, eta,
                replaced, detail, append(e));
    }

    Proposal moved(ProposalState to, Optional<Instant> newEta, Map<ConfigKey, Optional<RuntimeConfig.Setting>> newReplaced,
                   Optional<JsonNode> newDetail, Event e) {
        return new Proposal(id, seq, type, title, description, payload, proposer, createdAt, deadline, rules, eligible, votes, to, newEta,
                newReplaced, newDetail, append(e));
    }

    private List<Event> append(Event e) {
        List<Event> next = new ArrayList<>(timeline.size() + 1);
        next.addAll(timeline);
        next.add(e);
        return next;
    }
}
