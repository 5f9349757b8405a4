package io.x0tta6bl4.mesh;

import io.x0tta6bl4.ledger.GroupView;
import io.x0tta6bl4.ledger.Replica;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
 *   <li>remove a replica whose member is fenced or has left, or whose Raft address differs from
 *       the one its member last announced (a node that lost its data and came back on another
 *       port; step 3 or 4 adds it again at the new address), or a listener the leader has sent
 *       no log to since its last look ({@link GroupView#unreplicatedListeners}: step 3 adds it
 *       again, and Raft gives it a new log appender). Never the last voter, and a voter
 *       only if the voters left would still have a live majority: otherwise, in one change, a
 *       caught-up, alive listener the membership has promoted takes its place, or the step waits
 *       (step 5 promotes one). Raft's joint consensus needs a majority of the old and of the new
 *       voters, so a removal that left no live majority would stop every commit, the one that
 *       would undo it included;
 *   <li>make a voter the membership demoted a listener, under the same rule;
 *   <li>add the listeners the group lacks and the detector holds alive (all at once: they do
 *       not vote);
 *   <li>add or move in one voter the membership has, the group lacks and the detector holds
 *       alive: a new replica is staged by Raft until it has caught up; a listener is moved only
 *       once it has caught up;
 *   <li>with a voter slot free (a voter fenced, left or demoted), promote the longest-standing
 *       listener that is caught up and alive and that no operator demoted: a PROMOTE entry,
 *       which the steps above then carry out.
 * </ol>
 * Replicas the membership does not know are left alone: they may be joining, and their JOIN
 * entry is still on its way. A member that is not alive is skipped, not waited for, so one dead
 * joiner holds no one else up.
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

    /** What the leader should do next, taking the listeners it does not replicate to now as seen at its last look too. */
    public static Optional<Step> next(Membership m, GroupView g, Predicate<String> alive) {
        return next(m, g, alive, Set.copyOf(g.unreplicatedListeners()));
    }

    /**
     * What the leader should do next. A listener the leader does not replicate to is removed
     * (to be added again) only if it was so at the leader's last look as well
     * ({@code unreplicatedBefore}): not on one view taken while Raft replaced an appender.
     */
    public static Optional<Step> next(Membership m, GroupView g, Predicate<String> alive, Set<String> unreplicatedBefore) {
        if (!g.leading() || g.changing() || m.members().isEmpty()) {
            return Optional.empty();
        }
        List<Replica> voters = new ArrayList<>(g.voters());
        List<Replica> listeners = new ArrayList<>(g.listeners());

        // 1. Remove what the membership excluded, what has moved, or a listener Raft no longer replicates to.
        List<String> unreplicated = g.unreplicatedListeners();
        for (Replica r : concat(voters, listeners)) {
            Optional<String> why = removal(m, r, unreplicated.contains(r.name()) && unreplicatedBefore.contains(r.name()));
            if (why.isEmpty()) {
                continue;
            }
            if (!g.isVoter(r.name())) {
                listeners.remove(r);
                return Optional.of(new Step.Reconfigure(voters, listeners, "remove listener " + r.name() + " (" + why.get() + ")"));
            }
            if (voters.size() == 1) {
                continue;
            }
            List<Replica> rest = new ArrayList<>(voters);
            rest.remove(r);
            if (liveMajority(rest, alive)) {
                return Optional.of(new Step.Reconfigure(rest, listeners, "remove " + r.name() + " (" + why.get() + ")"));
            }
            Optional<Replica> in = listeners.stream().filter(l -> m.member(l.name()).map(Member::voter).orElse(false) && !moved(m, l)
                    && caughtUp(g, l.name()) && alive.test(l.name())).findFirst();
            if (in.isPresent()) {
                rest.add(in.get());
                listeners.remove(in.get());
                return Optional.of(new Step.Reconfigure(rest, listeners, "replace voter " + r.name() + " (" + why.get() + ") by "
                        + in.get().name() + ": the voters left without it would have no live majority"));
            }
        }
        // 2. Demote.
        for (Replica r : List.copyOf(voters)) {
            Optional<Member> member = m.member(r.name());
            if (member.isPresent() && member.get().active() && member.get().role() == Member.Role.LISTENER && voters.size() > 1) {
                List<Replica> rest = new ArrayList<>(voters);
                rest.remove(r);
                if (!liveMajority(rest, alive)) {
                    continue;
                }
                listeners.add(r);
                return Optional.of(new Step.Reconfigure(rest, listeners, "demote " + r.name() + " to listener"));
            }
        }
        // 3. Add missing listeners.
        List<Replica> newListeners = m.listeners().stream().filter(x -> !g.contains(x.name()) && alive.test(x.name()))
                .map(GroupPlan::replica).toList();
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
            if (!alive.test(v.name())) {
                continue;
            }
            voters.add(replica(v));
            return Optional.of(new Step.Reconfigure(voters, listeners, "add voter " + v.name()));
        }
        // 5. Fill a free voter slot.
        if (m.voters().size() < Membership.MAX_VOTERS) {
            Optional<Member> candidate = m.listeners().stream()
                    .filter(l -> l.change() != MembershipOp.DEMOTE && g.isListener(l.name()) && !moved(m, g.listeners(), l.name())
                            && caughtUp(g, l.name()) && alive.test(l.name()))
                    .min(Comparator.comparingLong(Member::joinedAt));
            if (candidate.isPresent()) {
                return Optional.of(new Step.Promote(candidate.get().name(), "the group has " + m.voters().size() + " voters of "
                        + Membership.MAX_VOTERS + "; " + candidate.get().name() + " is the longest-standing caught-up listener"));
            }
        }
        return Optional.empty();
    }

    /** Why step 1 removes {@code r}, if it does. */
    private static Optional<String> removal(Membership m, Replica r, boolean unreplicated) {
        if (m.excluded(r.name())) {
            return Optional.of(status(m, r.name()));
        }
        if (moved(m, r)) {
            Endpoints now = m.member(r.name()).orElseThrow().endpoints();
            return Optional.of("it moved from " + r.host() + ":" + r.port() + " to " + now.host() + ":" + now.raft());
        }
        if (unreplicated) {
            return Optional.of("the leader sends it no log since a change of configuration failed; it is added again");
        }
        return Optional.empty();
    }

    /** Whether more than half of these voters are alive in the leader's eyes. */
    private static boolean liveMajority(List<Replica> voters, Predicate<String> alive) {
        return voters.stream().filter(v -> alive.test(v.name())).count() * 2 > voters.size();
    }

    /** Whether the group knows this replica at another Raft address than its member last announced. */
    private static boolean moved(Membership m, Replica r) {
        return m.member(r.name()).map(x -> !x.endpoints().host().equals(r.host()) || x.endpoints().raft() != r.port()).orElse(false);
    }

    private static boolean moved(Membership m, List<Replica> replicas, String name) {
        return replicas.stream().filter(r -> r.name().equals(name)).anyMatch(r -> moved(m, r));
    }

    /** Whether the leader's Raft holds {@code name} within {@link #CAUGHT_UP_GAP} entries of its own commit index. */
    public static boolean caughtUp(GroupView g, String name) {
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
