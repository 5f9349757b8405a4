package io.x0tta6bl4.governance;

import io.x0tta6bl4.mesh.Membership;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the cluster has decided and is deciding, as {@link GovernanceFold} computes it from the
 * ledger: every proposal, the runtime config that executed proposals set, and the membership
 * (whose voters are the eligible voters of a new proposal). Immutable.
 *
 * <p>Open proposals (not final) sit in a small map copied on each change; final ones move into
 * {@link #closed}, a map split into {@value #BUCKETS} buckets of which an insert copies one, so
 * a fold over thousands of proposals does not copy all of them at every entry.
 */
public record Governance(Map<String, Proposal> open, List<Map<String, Proposal>> closed, RuntimeConfig config, Membership membership,
                         List<Refusal> refusals) {
    static final int BUCKETS = 64;
    /** Refusals kept, newest last: enough for a writer to learn the fate of what it just wrote. */
    static final int KEPT_REFUSALS = 256;

    public static final Governance EMPTY = new Governance(Map.of(), Collections.nCopies(BUCKETS, Map.of()), RuntimeConfig.EMPTY,
            Membership.EMPTY, List.of());

    /** An entry the fold refused, and why; nothing else changed. */
    public record Refusal(long seq, String kind, String proposal, String reason) {}

    public Governance {
        open = Collections.unmodifiableMap(open);
        closed = List.copyOf(closed);
        refusals = List.copyOf(refusals);
    }

    public Optional<Proposal> proposal(String id) {
        Proposal p = open.get(id);
        return p != null ? Optional.of(p) : Optional.ofNullable(closed.get(bucket(id)).get(id));
    }

    /** Every proposal, newest first; {@code state} filters when present. */
    public List<Proposal> list(Optional<ProposalState> state) {
        List<Proposal> all = new ArrayList<>(open.values());
        closed.forEach(b -> all.addAll(b.values()));
        return all.stream().filter(p -> state.isEmpty() || p.state() == state.get()).sorted(Comparator.comparingLong(Proposal::seq).reversed())
                .toList();
    }

    /** The proposal its PROPOSAL entry {@code seq} made, if the fold accepted that entry. */
    public Optional<Proposal> madeAt(long seq) {
        for (Proposal p : open.values()) {
            if (p.seq() == seq) {
                return Optional.of(p);
            }
        }
        return closed.stream().flatMap(b -> b.values().stream()).filter(p -> p.seq() == seq).findFirst();
    }

    public int size() {
        return open.size() + closed.stream().mapToInt(Map::size).sum();
    }

    public Optional<Refusal> refusal(long seq) {
        for (int i = refusals.size() - 1; i >= 0; i--) {
            if (refusals.get(i).seq() == seq) {
                return Optional.of(refusals.get(i));
            }
        }
        return Optional.empty();
    }

    Governance with(Proposal p) {
        Map<String, Proposal> nextOpen = new LinkedHashMap<>(open);
        if (!p.state().isFinal()) {
            nextOpen.put(p.id(), p);
            return new Governance(nextOpen, closed, config, membership, refusals);
        }
        nextOpen.remove(p.id());
        int b = bucket(p.id());
        Map<String, Proposal> bucket = new HashMap<>(closed.get(b));
        bucket.put(p.id(), p);
        List<Map<String, Proposal>> nextClosed = new ArrayList<>(closed);
        nextClosed.set(b, Collections.unmodifiableMap(bucket));
        return new Governance(nextOpen, nextClosed, config, membership, refusals);
    }

    Governance withConfig(RuntimeConfig c) {
        return new Governance(open, closed, c, membership, refusals);
    }

    Governance withMembership(Membership m) {
        return m == membership ? this : new Governance(open, closed, config, m, refusals);
    }

    Governance refused(Refusal r) {
        List<Refusal> next = new ArrayList<>(Math.min(refusals.size() + 1, KEPT_REFUSALS));
        next.addAll(refusals.size() >= KEPT_REFUSALS ? refusals.subList(1, refusals.size()) : refusals);
        next.add(r);
        return new Governance(open, closed, config, membership, next);
    }

    private static int bucket(String id) {
        return Math.floorMod(id.hashCode(), BUCKETS);
    }

    /**
     * The executed proposals whose impact is due at {@code now}: no IMPACT yet, the impact window
     * after the EXECUTE over, and the window before the EXECUTE less than {@code horizon} ago
     * (the load samples kept; a proposal whose samples are gone is never measured).
     */
    public List<Proposal> impactDue(Instant now, java.time.Duration horizon) {
        List<Proposal> out = new ArrayList<>();
        for (Map<String, Proposal> b : closed) {
            for (Proposal p : b.values()) {
                if (p.state() != ProposalState.EXECUTED) {
                    continue;
                }
                Instant executed = null;
                boolean measured = false;
                for (Proposal.Event e : p.timeline()) {
                    if (e.what().equals(GovernanceFold.EXECUTE)) {
                        executed = e.at();
                    } else if (e.what().equals(GovernanceFold.MEASURE)) {
                        measured = true;
                    }
                }
                if (!measured && executed != null && !now.isBefore(executed.plus(p.rules().impactWindow()))
                        && now.isBefore(executed.minus(p.rules().impactWindow()).plus(horizon))) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** A step the Raft leader should write now, by the ledger's time {@code now}. */
    public record Due(String proposal, String action, ProposalState to) {}

    /**
     * What is due at {@code now}: CLOSE for an active proposal whose deadline passed or whose
     * outcome is settled, QUEUE for a succeeded one, EXECUTE for a queued one whose delay is over.
     */
    public List<Due> due(Instant now) {
        List<Due> out = new ArrayList<>();
        for (Proposal p : open.values()) {
            switch (p.state()) {
                case ACTIVE -> {
                    Tally t = p.tally();
                    Optional<ProposalState> settled = t.settled(p.rules());
                    if (settled.isPresent()) {
                        out.add(new Due(p.id(), GovernanceFold.CLOSE, settled.get()));
                    } else if (!now.isBefore(p.deadline())) {
                        out.add(new Due(p.id(), GovernanceFold.CLOSE, t.outcome(p.rules())));
                    }
                }
                case SUCCEEDED -> out.add(new Due(p.id(), GovernanceFold.QUEUE, ProposalState.QUEUED));
                case QUEUED -> {
                    if (!now.isBefore(p.eta().orElseThrow())) {
                        out.add(new Due(p.id(), GovernanceFold.EXECUTE, ProposalState.EXECUTED));
                    }
                }
                default -> { }
            }
        }
        return out;
    }
}
