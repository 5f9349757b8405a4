package io.x0tta6bl4.mesh;

import io.x0tta6bl4.ledger.GroupView;
import io.x0tta6bl4.ledger.Replica;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The next step that brings the ledger's Raft group in line with the membership: a pure function
 * of the membership (what should be), the group as the leader sees it (what is) and which
 * members the leader's detector holds alive. The leader takes one step, waits for it to commit,
 * and asks again, as a Kubernetes controller reconciles: a new leader simply continues, and a
 * step that failed is asked for again.
 *
 * <p>Steps come in this order, each only when the group is not already changing:
 * <ol>
 *   <li>remove a replica whose member is fenced or has left (never the last voter);
 *   <li>make a voter the membership demoted a listener;
 *   <li>add the listeners the group lacks (all at once: they do not vote);
 *   <li>add or move in one voter the membership has and the group lacks: a new replica is staged
 *       by Raft until it has caught up; a listener is moved only once it has caught up and the
 *       detector holds it alive;
 *   <li>with a voter slot free (a voter fenced, left or demoted), promote the longest-standing
 *       listener that is caught up and alive: a PROMOTE entry, which the steps above then carry
 *       out.
 * </ol>
 * Replicas the membership does not know are left alone: they may be joining, and their JOIN
 * entry is still on its way.
 */
public final class GroupPlan {
    /** How far behind the leader's commit index a replica may be and still count as caught up. */
    static final long CAUGHT_UP_GAP = 100;

    private GroupPlan() {}

    /** What the leader should do next. */
    public sealed interface Step {
        /** Make the group's configuration these voters and listeners. */
        record Reconfigure(List<Replica> voters, List<Replica> listeners, String why) implements Step {}

        /** Write a PROMOTE entry for this listener. */
        record Promote(String member, String why) implements Step {}
    }

    public static Optional<Step> next(Membership m, GroupView g, Predicate<String> alive) {
        if (!g.leading() || g.changing() || m.members().isEmpty()) {
            return Optional.empty();
        }
        List<Replica> voters = new ArrayList<>(g.voters());
        List<Replica> listeners = new ArrayList<>(g.listeners());

        // 1. Remove what the membership excluded.
        for (Replica r : concat(voters, listeners)) {
            if (m.excluded(r.name()) && !(g.isVoter(r.name()) && voters.size() == 1)) {
                voters.remove(r);
                listeners.remove(r);
                return Optional.of(new Step.Reconfigure(voters, listeners, "remove " + r.name() + " (" + status(m, r.name()) + ")"));
            }
        }
        // 2. Demote.
        for (Replica r : List.copyOf(voters)) {
            Optional<Member> member = m.member(r.name());
            if (member.isPresent() && member.get().active() && member.get().role() == Member.Role.LISTENER && voters.size() > 1) {
                voters.remove(r);
                listeners.add(r);
                return Optional.of(new Step.Reconfigure(voters, listeners, "demote " + r.name() + " to listener"));
            }
        }
        // 3. Add missing listeners.
        List<Replica> newListeners = m.listeners().stream().filter(x -> !g.contains(x.name())).map(GroupPlan::replica).toList();
        if (!newListeners.isEmpty()) {
            listeners.addAll(newListeners);
            return Optional.of(new Step.Reconfigure(voters, listeners, "add listener(s) "
                    + newListeners.stream().map(Replica::name).collect(Collectors.joining(", "))));
        }
        // 4. Add or move in one voter.
        for (Member v : m.voters().stream().sorted(Comparator.comparingLong(Member::joinedAt)).toList()) {
            if (g.isVoter(v.name()) || voters.size() >= Membership.MAX_VOTERS) {
                continue;
            }
            if (g.isListener(v.name())) {
                if (!caughtUp(g, v.name()) || !alive.test(v.name())) {
                    continue;
                }
                Replica r = listeners.stream().filter(x -> x.name().equals(v.name())).findFirst().orElseThrow();
                listeners.remove(r);
                voters.add(r);
                return Optional.of(new Step.Reconfigure(voters, listeners, "move listener " + v.name() + " to the voters"));
            }
            voters.add(replica(v));
            return Optional.of(new Step.Reconfigure(voters, listeners, "add voter " + v.name()));
        }
        // 5. Fill a free voter slot.
        if (m.voters().size() < Membership.MAX_VOTERS) {
            Optional<Member> candidate = m.listeners().stream()
                    .filter(l -> g.isListener(l.name()) && caughtUp(g, l.name()) && alive.test(l.name()))
                    .min(Comparator.comparingLong(Member::joinedAt));
            if (candidate.isPresent()) {
                return Optional.of(new Step.Promote(candidate.get().name(), "the group has " + m.voters().size() + " voters of "
                        + Membership.MAX_VOTERS + "; " + candidate.get().name() + " is the longest-standing caught-up listener"));
            }
        }
        return Optional.empty();
    }

    private static boolean caughtUp(GroupView g, String name) {
        Long c = g.commitIndexes().get(name);
        return c != null && c >= g.commitIndex() - CAUGHT_UP_GAP;
    }

    private static String status(Membership m, String name) {
        return m.member(name).map(x -> x.status().name().toLowerCase(java.util.Locale.ROOT)).orElse("unknown");
    }

    static Replica replica(Member m) {
        return new Replica(m.name(), m.endpoints().host(), m.endpoints().raft());
    }

    private static List<Replica> concat(List<Replica> a, List<Replica> b) {
        List<Replica> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
