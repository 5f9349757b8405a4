package io.x0tta6bl4.mesh;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who belongs to the mesh, as of some point in the ledger: the state of {@link MembershipFold}.
 * Immutable; every change is a new value.
 *
 * @param members  every member ever joined, by name (LEFT ones too: a name is never reused)
 * @param refusals the newest refused MEMBERSHIP entries, newest last, at most {@link #KEPT_REFUSALS}
 */
public record Membership(SortedMap<String, Member> members, List<Refusal> refusals) {
    public static final Membership EMPTY = new Membership(new TreeMap<>(), List.of());
    /** Voters the ledger's Raft group may have; further members listen. */
    public static final int MAX_VOTERS = io.x0tta6bl4.ledger.RaftLedgerConfig.MAX_VOTERS;
    static final int KEPT_REFUSALS = 32;
    private static final Pattern NUMBERED = Pattern.compile("node-(\\d{1,9})");

    /** A MEMBERSHIP entry that changed nothing, and why. */
    public record Refusal(long seq, MembershipOp op, String node, String reason) {}

    public Membership {
        members = Collections.unmodifiableSortedMap(new TreeMap<>(members));
        refusals = List.copyOf(refusals);
    }

    public Optional<Member> member(String name) {
        return Optional.ofNullable(members.get(name));
    }

    /** Members that are neither fenced nor gone, in name order. */
    public List<Member> active() {
        return members.values().stream().filter(Member::active).toList();
    }

    public List<Member> voters() {
        return members.values().stream().filter(Member::voter).toList();
    }

    public List<Member> listeners() {
        return members.values().stream().filter(m -> m.active() && m.role() == Member.Role.LISTENER).toList();
    }

    /** Whether {@code name} is fenced or has left: its traffic is refused. */
    public boolean excluded(String name) {
        Member m = members.get(name);
        return m != null && !m.active();
    }

    /**
     * The name a new node gets: {@code node-N} with N one above the highest number any member
     * has ever had, so that {@code node-6} follows {@code node-5} and a retired name is never
     * given out again.
     */
    public String nextName() {
        long highest = 0;
        for (String name : members.keySet()) {
            Matcher m = NUMBERED.matcher(name);
            if (m.matches()) {
                highest = Math.max(highest, Long.parseLong(m.group(1)));
            }
        }
        return "node-" + (highest + 1);
    }

    /** The refusal of entry {@code seq}, if it was refused (and is among the newest). */
    public Optional<Refusal> refusal(long seq) {
        return refusals.stream().filter(r -> r.seq() == seq).findFirst();
    }

    Membership with(Member m) {
        TreeMap<String, Member> next = new TreeMap<>(members);
        next.put(m.name(), m);
        return new Membership(next, refusals);
    }

    Membership refused(Refusal r) {
        List<Refusal> next = new ArrayList<>(refusals);
        next.add(r);
        while (next.size() > KEPT_REFUSALS) {
            next.removeFirst();
        }
        return new Membership(members, next);
    }

    /** The members as a plain map, for tests and JSON. */
    public Map<String, Member> asMap() {
        return members;
    }
}
