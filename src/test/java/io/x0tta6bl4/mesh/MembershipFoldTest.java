package io.x0tta6bl4.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.LedgerEntry;
import io.x0tta6bl4.ledger.Submission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Membership as a fold: the same entries give the same members, whatever they ask for. */
class MembershipFoldTest {
    static final String DOMAIN = "mesh.test";
    static final SpiffeId OPERATOR = SpiffeId.parse("spiffe://" + DOMAIN + "/operator/cli");
    private final MembershipFold fold = new MembershipFold(DOMAIN);
    private final List<LedgerEntry> log = new ArrayList<>();

    static SpiffeId node(String name) {
        return SpiffeId.node(DOMAIN, name);
    }

    static Endpoints at(int base) {
        return new Endpoints("127.0.0.1", base, base + 1, base + 2);
    }

    /** An entry as the ledger would hold it, submitted by {@code submitter}. */
    private LedgerEntry entry(Submission s, String submitter) {
        LedgerEntry e = new LedgerEntry(log.size(), Instant.EPOCH.plusSeconds(log.size()), s, submitter, log.size());
        log.add(e);
        return e;
    }

    private LedgerEntry join(String name, int base) {
        return entry(MembershipFold.join(node(name), name, at(base)), node(name).toString());
    }

    private LedgerEntry change(MembershipOp op, String name) {
        return entry(MembershipFold.change(OPERATOR, op, name, "test"), node("node-1").toString());
    }

    private Membership foldAll(List<LedgerEntry> entries) {
        Membership m = fold.initial();
        for (LedgerEntry e : entries) {
            m = fold.apply(m, e);
        }
        return m;
    }

    @Test
    void theFirstFiveJoinersVoteTheRestListenAndNamesAreNeverGivenOutTwice() {
        for (int i = 1; i <= 7; i++) {
            join("node-" + i, 40000 + 10 * i);
        }
        Membership m = foldAll(log);
        assertThat(m.voters()).extracting(Member::name).containsExactly("node-1", "node-2", "node-3", "node-4", "node-5");
        assertThat(m.listeners()).extracting(Member::name).containsExactly("node-6", "node-7");
        assertThat(m.member("node-6").orElseThrow().endpoints()).isEqualTo(at(40060));
        assertThat(m.nextName()).isEqualTo("node-8");

        change(MembershipOp.LEAVE, "node-7");
        m = foldAll(log);
        assertThat(m.member("node-7").orElseThrow().status()).isEqualTo(Member.Status.LEFT);
        assertThat(m.nextName()).as("node-7 left; its name stays retired").isEqualTo("node-8");
        join("node-7", 50000);
        m = foldAll(log);
        assertThat(m.member("node-7").orElseThrow().status()).isEqualTo(Member.Status.LEFT);
        assertThat(m.refusals().getLast().reason()).contains("retired");
    }

    @Test
    void aJoinWrittenByAnotherNodeIsRefusedAndChangesNothing() {
        join("node-1", 40000);
        entry(MembershipFold.join(node("node-2"), "node-2", at(40010)), node("node-1").toString());
        Membership m = foldAll(log);
        assertThat(m.member("node-2")).isEmpty();
        assertThat(m.refusal(1).orElseThrow().reason()).contains("written by the joining node itself");
    }

    @Test
    void fencingAVoterTakesItsVoteReadmittingBringsItBackAsAListenerAndPromotionFillsTheSlot() {
        for (int i = 1; i <= 6; i++) {
            join("node-" + i, 40000 + 10 * i);
        }
        change(MembershipOp.FENCE, "node-3");
        Membership m = foldAll(log);
        assertThat(m.voters()).extracting(Member::name).containsExactly("node-1", "node-2", "node-4", "node-5");
        assertThat(m.excluded("node-3")).isTrue();
        assertThat(MembershipFold.check(m, MembershipOp.PROMOTE, "node-6")).isEmpty();
        change(MembershipOp.PROMOTE, "node-6");
        change(MembershipOp.READMIT, "node-3");
        m = foldAll(log);
        assertThat(m.voters()).extracting(Member::name).containsExactly("node-1", "node-2", "node-4", "node-5", "node-6");
        assertThat(m.member("node-3").orElseThrow().role()).isEqualTo(Member.Role.LISTENER);
        assertThat(m.member("node-3").orElseThrow().active()).isTrue();
        assertThat(MembershipFold.check(m, MembershipOp.PROMOTE, "node-3")).hasValueSatisfying(r -> assertThat(r).contains("already has 5 voters"));
    }

    @Test
    void changesThatDoNotFitAreRefusedWithTheirReasonAndLeaveTheMembersAsTheyWere() {
        join("node-1", 40000);
        join("node-2", 40010);
        Membership before = foldAll(log);
        change(MembershipOp.FENCE, "node-9");
        change(MembershipOp.READMIT, "node-2");
        change(MembershipOp.PROMOTE, "node-2");
        entry(new Submission(EntryType.MEMBERSHIP, OPERATOR, "FENCE", node("node-2").toString(), "REQUESTED", "{\"op\":\"LEAVE\",\"node\":\"node-2\"}"),
                node("node-1").toString());
        entry(new Submission(EntryType.MEMBERSHIP, OPERATOR, "EXPLODE", node("node-2").toString(), "REQUESTED", "{}"), node("node-1").toString());
        Membership after = foldAll(log);
        assertThat(after.members()).isEqualTo(before.members());
        assertThat(after.refusals()).extracting(Membership.Refusal::reason).containsExactly(
                "no member named node-9", "node-2 is not fenced", "node-2 is not an active listener",
                "malformed entry: payload op 'LEAVE' differs from the action FENCE", "unknown membership action 'EXPLODE'");
    }

    @Test
    void theOnlyVoterCannotBeDemotedFencedOrRemoved() {
        join("node-1", 40000);
        change(MembershipOp.DEMOTE, "node-1");
        change(MembershipOp.FENCE, "node-1");
        change(MembershipOp.LEAVE, "node-1");
        Membership m = foldAll(log);
        assertThat(m.voters()).extracting(Member::name).containsExactly("node-1");
        assertThat(m.refusals()).extracting(Membership.Refusal::reason).allSatisfy(r -> assertThat(r).startsWith("node-1 is the only voter"));
    }

    /**
     * Two nodes in a mesh of three disagree about nothing: folding one shuffled sequence of
     * requests on every replica gives one answer. Different orders may give different members,
     * but the same order always gives the same members, and every member the fold keeps is one
     * a JOIN named.
     */
    @Test
    void foldingIsAPureFunctionOfTheEntries() {
        Random random = new Random(42);
        MembershipOp[] ops = MembershipOp.values();
        for (int i = 0; i < 400; i++) {
            String name = "node-" + (1 + random.nextInt(8));
            MembershipOp op = ops[random.nextInt(ops.length)];
            if (op == MembershipOp.JOIN) {
                join(name, 20000 + 10 * random.nextInt(100));
            } else {
                change(op, name);
            }
            Membership once = foldAll(log);
            Membership again = foldAll(log);
            assertThat(again).isEqualTo(once);
            assertThat(once.voters().size()).isBetween(0, Membership.MAX_VOTERS);
            if (!once.members().isEmpty() && once.members().values().stream().anyMatch(x -> x.voter())) {
                assertThat(once.voters()).as("a group with members keeps a voter").isNotEmpty();
            }
        }
    }
}
