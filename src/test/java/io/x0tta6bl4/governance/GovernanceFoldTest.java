package io.x0tta6bl4.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.LedgerEntry;
import io.x0tta6bl4.ledger.Submission;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DAO's life as a fold over made-up ledger entries, on the entries' own clock: every
 * transition, every refusal, the source's example through signed votes.
 */
class GovernanceFoldTest {
    @TempDir
    static Path dir;
    static Voters shared;

    @BeforeAll
    static void keys() {
        shared = new Voters(dir, 6);
    }

    /** A fresh ledger over the shared keys: five voters and one listener joined. */
    private static Voters mesh() {
        Voters v = new Voters(shared);
        return v.joined();
    }

    private static final Duration PERIOD = Duration.ofSeconds(30);
    private static final Duration DELAY = Duration.ofSeconds(5);

    private static void sourceVotes(Voters v, String id) {
        v.vote(id, "node-1", Choice.YES, 2, "we need the headroom");
        v.vote(id, "node-2", Choice.YES, 1, "ok");
        v.vote(id, "node-3", Choice.YES, 3, "strongly agree");
        v.vote(id, "node-4", Choice.YES, 1, "");
        v.advance(Duration.ofSeconds(1));
        v.vote(id, "node-5", Choice.NO, 1, "memory use");
    }

    @Test
    void aConfigUpdatePassesWaitsOutItsDelayAndChangesTheRuntimeConfigOnce() {
        Voters v = mesh();
        String id = v.proposeConfig("governance.credits", "50000", PERIOD, DELAY);
        Proposal made = v.proposal(id);
        assertThat(made.state()).isEqualTo(ProposalState.ACTIVE);
        assertThat(made.eligible()).hasSize(5).doesNotContain(Voters.node("node-6").toString());
        assertThat(made.deadline()).isEqualTo(v.now.plus(PERIOD));
        assertThat(v.state.due(v.now)).isEmpty();

        sourceVotes(v, id);
        Tally t = v.proposal(id).tally();
        assertThat(t.yes()).isEqualTo(15);
        assertThat(t.no()).isEqualTo(1);
        assertThat(t.approval()).isEqualTo(93.75);
        assertThat(t.participation()).isEqualTo(100.0);
        // Everyone voted: the outcome is settled, so voting closes before the deadline.
        assertThat(v.state.due(v.now)).containsExactly(new Governance.Due(id, GovernanceFold.CLOSE, ProposalState.SUCCEEDED));
        v.result(id, GovernanceFold.CLOSE, ProposalState.SUCCEEDED);
        assertThat(v.proposal(id).state()).isEqualTo(ProposalState.SUCCEEDED);
        v.result(id, GovernanceFold.QUEUE, ProposalState.QUEUED);
        assertThat(v.proposal(id).eta()).contains(v.now.plus(DELAY));
        assertThat(v.state.due(v.now)).isEmpty();

        LedgerEntry early = v.result(id, GovernanceFold.EXECUTE, ProposalState.EXECUTED);
        assertThat(v.state.refusal(early.seq())).get().extracting(Governance.Refusal::reason).asString().contains("may execute from");
        assertThat(v.state.config().setting(ConfigKey.GOVERNANCE_CREDITS)).isEmpty();

        v.advance(DELAY);
        assertThat(v.state.due(v.now)).containsExactly(new Governance.Due(id, GovernanceFold.EXECUTE, ProposalState.EXECUTED));
        LedgerEntry done = v.result(id, GovernanceFold.EXECUTE, ProposalState.EXECUTED);
        assertThat(v.proposal(id).state()).isEqualTo(ProposalState.EXECUTED);
        assertThat(v.state.config().setting(ConfigKey.GOVERNANCE_CREDITS)).contains(new RuntimeConfig.Setting("50000", id, done.seq()));
        assertThat(v.state.due(v.now)).isEmpty();

        // A second leader that executes it again is refused; the config keeps the first execution.
        LedgerEntry again = v.result(id, GovernanceFold.EXECUTE, ProposalState.EXECUTED);
        assertThat(v.state.refusal(again.seq())).get().extracting(Governance.Refusal::reason).asString().contains("executed once already");
        assertThat(v.state.config().setting(ConfigKey.GOVERNANCE_CREDITS).orElseThrow().seq()).isEqualTo(done.seq());
        assertThat(v.proposal(id).timeline()).extracting(Proposal.Event::what)
                .containsExactly("PROPOSED", "VOTE", "VOTE", "VOTE", "VOTE", "VOTE", "CLOSE", "QUEUE", "EXECUTE");
    }

    @Test
    void theSameEntriesFoldToTheSameStateOnAReplicaThatStartsFromScratch() {
        Voters v = mesh();
        String id = v.proposeConfig("governance.credits", "16", PERIOD, Duration.ZERO);
        sourceVotes(v, id);
        v.result(id, GovernanceFold.CLOSE, ProposalState.SUCCEEDED);
        v.result(id, GovernanceFold.QUEUE, ProposalState.QUEUED);
        v.result(id, GovernanceFold.EXECUTE, ProposalState.EXECUTED);
        Governance again = Governance.EMPTY;
        GovernanceFold other = new GovernanceFold(new VoteCheck(v.ca.bundle()));
        for (LedgerEntry e : v.log) {
            again = other.apply(again, e);
        }
        assertThat(again.proposal(id)).isEqualTo(v.state.proposal(id));
        assertThat(again.config()).isEqualTo(v.state.config());
        // The new default applies to proposals made after it: 16 credits allow weight 4.
        String next = v.proposeConfig("governance.voting_period", "1h", PERIOD, DELAY);
        assertThat(v.proposal(next).rules().credits()).isEqualTo(16);
        assertThat(v.proposal(id).rules().credits()).isEqualTo(10);
    }

    @Test
    void badVotesAreRefusedWithTheirReasonAndChangeNothing() {
        Voters v = mesh();
        String id = v.proposeConfig("governance.credits", "50000", PERIOD, DELAY);
        String other = v.proposeConfig("governance.credits", "40000", PERIOD, DELAY);
        v.vote(id, "node-1", Choice.YES, 2, "first");
        Proposal before = v.proposal(id);

        List<String> reasons = new ArrayList<>();
        // Forged: node-2's ballot signed with node-3's key (and node-2's document).
        Vote ballot = new Vote(id, Voters.node("node-2"), Choice.YES, 3, "");
        Vote.Signed forged = new Vote.Signed(ballot, v.nodes.get("node-3").keys().signing().sign(ballot.toBeSigned(), v.random),
                v.nodes.get("node-2").identity());
        reasons.add(refusal(v, GovernanceFold.vote(forged)));
        // Mis-bound: a signature made for the other proposal, replayed on this one.
        Vote.Signed forOther = v.signed(other, "node-2", Choice.YES, 1, "");
        Vote.Signed replayed = new Vote.Signed(new Vote(id, Voters.node("node-2"), Choice.YES, 1, ""), forOther.signature(), forOther.identity());
        reasons.add(refusal(v, GovernanceFold.vote(replayed)));
        // Someone else's identity document carried with a vote.
        Vote.Signed wrongDoc = new Vote.Signed(ballot, v.nodes.get("node-2").keys().signing().sign(ballot.toBeSigned(), v.random),
                v.nodes.get("node-3").identity());
        reasons.add(refusal(v, GovernanceFold.vote(wrongDoc)));
        // A listener is not eligible.
        reasons.add(refusal(v, GovernanceFold.vote(v.signed(id, "node-6", Choice.YES, 1, ""))));
        // Over budget: weight 4 costs 16 > 10 credits.
        reasons.add(refusal(v, GovernanceFold.vote(v.signed(id, "node-3", Choice.YES, 4, ""))));
        // A second vote.
        reasons.add(refusal(v, GovernanceFold.vote(v.signed(id, "node-1", Choice.NO, 1, "changed my mind"))));
        // A proposal that does not exist.
        reasons.add(refusal(v, GovernanceFold.vote(v.signed("0000000000000000", "node-2", Choice.YES, 1, ""))));
        // Relayed under another actor than the voter.
        Vote.Signed good = v.signed(id, "node-2", Choice.YES, 1, "");
        Submission s = GovernanceFold.vote(good);
        reasons.add(refusal(v, new Submission(EntryType.VOTE, Voters.node("node-4"), s.action(), s.resource(), s.status(), s.payload())));
        // Weight not a number / not whole / zero, in the entry itself.
        for (Object w : new Object[] {"NaN", 2.5, 0, -1}) {
            ObjectNode json = good.toJson();
            if (w instanceof String t) {
                json.put("weight", t);
            } else if (w instanceof Double d) {
                json.put("weight", d);
            } else {
                json.put("weight", (Integer) w);
            }
            reasons.add(refusal(v, new Submission(EntryType.VOTE, good.vote().voter(), "VOTE", id, "CAST", json.toString())));
        }
        assertThat(reasons.get(0)).contains("signature does not verify");
        assertThat(reasons.get(1)).contains("signature does not verify");
        assertThat(reasons.get(2)).contains("identity document is for " + Voters.node("node-3"));
        assertThat(reasons.get(3)).contains("not an eligible voter");
        assertThat(reasons.get(4)).contains("costs 16 credits");
        assertThat(reasons.get(5)).contains("already voted");
        assertThat(reasons.get(6)).contains("no proposal '0000000000000000'");
        assertThat(reasons.get(7)).contains("actor differ");
        assertThat(reasons.get(8)).contains("weight: 'NaN' is not a whole number");
        assertThat(reasons.get(9)).contains("weight: 2.5 is not a whole number");
        assertThat(reasons.get(10)).contains("weight: 0 is not a whole number of at least 1");
        assertThat(reasons.get(11)).contains("weight: -1");
        assertThat(v.proposal(id).votes()).isEqualTo(before.votes());
        assertThat(v.proposal(id).tally()).isEqualTo(before.tally());

        // After the deadline, and after close.
        v.advance(PERIOD);
        assertThat(refusal(v, GovernanceFold.vote(v.signed(id, "node-2", Choice.YES, 1, "")))).contains("closed at");
        v.result(id, GovernanceFold.CLOSE, ProposalState.EXPIRED);
        assertThat(v.proposal(id).state()).isEqualTo(ProposalState.EXPIRED);
        assertThat(refusal(v, GovernanceFold.vote(v.signed(id, "node-2", Choice.YES, 1, "")))).contains("is EXPIRED, not open");
    }

    private static String refusal(Voters v, Submission s) {
        LedgerEntry e = v.append(s);
        return v.state.refusal(e.seq()).orElseThrow(() -> new AssertionError("entry " + e.seq() + " was not refused")).reason();
    }

    @Test
    void aProposalIsDefeatedOrExpiresWhenItsDeadlinePasses() {
        Voters v = mesh();
        String defeated = v.proposeConfig("governance.credits", "50000", PERIOD, DELAY);
        String expired = v.proposeConfig("governance.credits", "60000", PERIOD, DELAY);
        v.vote(defeated, "node-1", Choice.YES, 1, "");
        v.vote(defeated, "node-2", Choice.NO, 1, "");
        v.vote(defeated, "node-3", Choice.NO, 1, "");
        v.vote(defeated, "node-4", Choice.ABSTAIN, 1, "");
        v.vote(expired, "node-1", Choice.YES, 3, "");
        // Before the deadline neither is settled: closing now is refused.
        LedgerEntry tooSoon = v.result(defeated, GovernanceFold.CLOSE, ProposalState.DEFEATED);
        assertThat(v.state.refusal(tooSoon.seq()).orElseThrow().reason()).contains("can still change");
        v.advance(PERIOD);
        assertThat(v.state.due(v.now)).containsExactlyInAnyOrder(new Governance.Due(defeated, GovernanceFold.CLOSE, ProposalState.DEFEATED),
                new Governance.Due(expired, GovernanceFold.CLOSE, ProposalState.EXPIRED));
        v.result(defeated, GovernanceFold.CLOSE, ProposalState.DEFEATED);
        v.result(expired, GovernanceFold.CLOSE, ProposalState.EXPIRED);
        assertThat(v.proposal(defeated).state()).isEqualTo(ProposalState.DEFEATED);
        assertThat(v.proposal(expired).state()).isEqualTo(ProposalState.EXPIRED);
        assertThat(v.state.due(v.now)).isEmpty();
        LedgerEntry queue = v.result(defeated, GovernanceFold.QUEUE, ProposalState.QUEUED);
        assertThat(v.state.refusal(queue.seq()).orElseThrow().reason()).contains("not SUCCEEDED");
        assertThat(v.state.config().setting(ConfigKey.GOVERNANCE_CREDITS)).isEmpty();
    }

    @Test
    void theProposerMayCancelBeforeAnyVoteAndNobodyElseMay() {
        Voters v = mesh();
        String id = v.proposeConfig("governance.credits", "50000", PERIOD, DELAY);
        LedgerEntry byOther = v.append(GovernanceFold.result(Voters.node("node-2"), id, GovernanceFold.CANCEL, ProposalState.CANCELED, null));
        assertThat(v.state.refusal(byOther.seq()).orElseThrow().reason()).contains("only the proposer");
        v.result(id, GovernanceFold.CANCEL, ProposalState.CANCELED);
        assertThat(v.proposal(id).state()).isEqualTo(ProposalState.CANCELED);

        String voted = v.proposeConfig("governance.credits", "50000", PERIOD, DELAY);
        v.vote(voted, "node-2", Choice.YES, 1, "");
        LedgerEntry late = v.result(voted, GovernanceFold.CANCEL, ProposalState.CANCELED);
        assertThat(v.state.refusal(late.seq()).orElseThrow().reason()).contains("before any vote");
    }

    @Test
    void aRollbackRestoresWhatTheExecutedProposalReplaced() {
        Voters v = mesh();
        String first = pass(v, "governance.credits", "20000");
        String second = pass(v, "governance.credits", "50000");
        assertThat(v.state.config().value(ConfigKey.GOVERNANCE_CREDITS)).contains("50000");
        String rollback = passed(v, v.append(GovernanceFold.propose(Voters.node("node-2"), ProposalType.ROLLBACK, "undo", "",
                Voters.JSON.createObjectNode().put("proposal", second), Optional.of(PERIOD), Optional.of(Duration.ZERO))));
        assertThat(v.state.config().setting(ConfigKey.GOVERNANCE_CREDITS)).get().extracting(RuntimeConfig.Setting::value, RuntimeConfig.Setting::proposal)
                .containsExactly("20000", first);
        passed(v, v.append(GovernanceFold.propose(Voters.node("node-2"), ProposalType.ROLLBACK, "undo", "",
                Voters.JSON.createObjectNode().put("proposal", first), Optional.of(PERIOD), Optional.of(Duration.ZERO))));
        // Before the first proposal the key was unset: the node's own file decides again.
        assertThat(v.state.config().setting(ConfigKey.GOVERNANCE_CREDITS)).isEmpty();
        assertThat(v.proposal(rollback).state()).isEqualTo(ProposalState.EXECUTED);
    }

    private static String pass(Voters v, String key, String value) {
        String id = v.proposeConfig(key, value, PERIOD, Duration.ZERO);
        return passed(v, v.log.get((int) v.proposal(id).seq()));
    }

    /** Votes YES 3 by all five on the proposal made at {@code made}, then closes, queues and executes it. */
    private static String passed(Voters v, LedgerEntry made) {
        String id = v.state.madeAt(made.seq()).orElseThrow(() -> new AssertionError(v.state.refusal(made.seq()))).id();
        for (int i = 1; i <= 5; i++) {
            v.vote(id, "node-" + i, Choice.YES, 3, "");
        }
        v.result(id, GovernanceFold.CLOSE, ProposalState.SUCCEEDED);
        v.result(id, GovernanceFold.QUEUE, ProposalState.QUEUED);
        v.result(id, GovernanceFold.EXECUTE, ProposalState.EXECUTED);
        assertThat(v.proposal(id).state()).isEqualTo(ProposalState.EXECUTED);
        return id;
    }

    @Test
    void badPayloadsAreRefusedNamingTheField() {
        Voters v = mesh();
        Governance g = v.state;
        assertThatThrownBy(() -> GovernanceFold.checkPayload(g, ProposalType.CONFIG_UPDATE, Voters.set("api.max_conections", "5")))
                .hasMessageStartingWith("payload.set.api.max_conections: not a runtime config key");
        assertThatThrownBy(() -> GovernanceFold.checkPayload(g, ProposalType.CONFIG_UPDATE, Voters.set("governance.credits", "0")))
                .hasMessageStartingWith("payload.set.governance.credits: '0' is not a whole number from 1 to 1000000");
        assertThatThrownBy(() -> GovernanceFold.checkPayload(g, ProposalType.CONFIG_UPDATE, Voters.set("governance.voting_period", "fast")))
                .hasMessageContaining("governance.voting_period: 'fast' is not a duration");
        assertThatThrownBy(() -> GovernanceFold.checkPayload(g, ProposalType.POLICY_UPDATE, Voters.JSON.createObjectNode().put("document", "rules: [")))
                .hasMessageStartingWith("payload.document:");
        assertThatThrownBy(() -> GovernanceFold.checkPayload(g, ProposalType.RESOURCE_SCALING, Voters.JSON.createObjectNode().put("nodes", 17)))
                .hasMessageStartingWith("payload.nodes: 17 is out of bounds; the mesh may be scaled to 3 to 16 nodes");
        assertThatThrownBy(() -> GovernanceFold.checkPayload(g, ProposalType.RESOURCE_SCALING, Voters.JSON.createObjectNode().put("nodes", 2)))
                .hasMessageStartingWith("payload.nodes: 2 is out of bounds");
        assertThatThrownBy(() -> GovernanceFold.checkPayload(g, ProposalType.RESOURCE_SCALING, Voters.JSON.createObjectNode().put("nodes", "six")))
                .hasMessageStartingWith("payload.nodes: must be the whole number");
        assertThatThrownBy(() -> GovernanceFold.checkPayload(g, ProposalType.RESOURCE_SCALING, Voters.JSON.createObjectNode().put("nodes", 5.5)))
                .hasMessageStartingWith("payload.nodes: must be the whole number");
        assertThat(GovernanceFold.checkPayload(g, ProposalType.RESOURCE_SCALING, Voters.JSON.createObjectNode().put("nodes", 6)).toString())
                .isEqualTo("{\"nodes\":6}");
        assertThatThrownBy(() -> GovernanceFold.checkPayload(g, ProposalType.ROLLBACK, Voters.JSON.createObjectNode().put("proposal", "nope")))
                .hasMessageStartingWith("payload.proposal: no proposal");
        assertThatThrownBy(() -> GovernanceFold.checkPayload(g, ProposalType.RECOVERY, Voters.JSON.createObjectNode()))
                .hasMessageStartingWith("payload.node: '' is not an active member");
        assertThatThrownBy(() -> GovernanceFold.checkPayload(g, ProposalType.RECOVERY, Voters.JSON.createObjectNode().put("node", "node-9")))
                .hasMessageStartingWith("payload.node: 'node-9' is not an active member");
        assertThatThrownBy(() -> GovernanceFold.checkPayload(g, ProposalType.RECOVERY, Voters.JSON.createObjectNode().put("node", "node-3")
                .put("action", "failover"))).hasMessageStartingWith("payload.action: 'failover' is not carried out by this build").hasMessageContaining("MAPE-K");
        assertThat(GovernanceFold.checkPayload(g, ProposalType.RECOVERY, Voters.JSON.createObjectNode().put("node", "node-3")).toString())
                .isEqualTo("{\"node\":\"node-3\",\"action\":\"restart\"}");
        assertThat(GovernanceFold.checkPayload(g, ProposalType.CONFIG_UPDATE, Voters.set("governance.voting_period", "1m")).toString())
                .isEqualTo("{\"set\":{\"governance.voting_period\":\"60000ms\"}}");
        JsonNode pair = Voters.JSON.createObjectNode().set("set", Voters.JSON.createObjectNode().put("probe.interval", "100ms")
                .put("probe.timeout", "150ms"));
        assertThatThrownBy(() -> GovernanceFold.checkPayload(g, ProposalType.CONFIG_UPDATE, pair))
                .hasMessageStartingWith("payload.set.probe.timeout: probe.timeout 150ms must not exceed probe.interval 100ms");
        assertThatThrownBy(() -> GovernanceFold.checkPayload(g, ProposalType.CONFIG_UPDATE, Voters.set("probe.interval", "5ms")))
                .hasMessageStartingWith("payload.set.probe.interval: '5ms' is not a duration from 10 ms");

        // The same checks in the fold: a bad PROPOSAL entry is refused and no proposal exists.
        int before = v.state.size();
        LedgerEntry bad = v.append(GovernanceFold.propose(Voters.node("node-1"), ProposalType.CONFIG_UPDATE, "x", "",
                Voters.set("governance.credits", "-5"), Optional.empty(), Optional.empty()));
        assertThat(v.state.refusal(bad.seq()).orElseThrow().reason()).startsWith("payload.set.governance.credits");
        LedgerEntry untitled = v.append(GovernanceFold.propose(Voters.node("node-1"), ProposalType.CONFIG_UPDATE, " ", "",
                Voters.set("governance.credits", "5"), Optional.empty(), Optional.empty()));
        assertThat(v.state.refusal(untitled.seq()).orElseThrow().reason()).startsWith("title:");
        assertThat(v.state.size()).isEqualTo(before);
    }

    @Test
    void aProbePairIsCheckedAgainstWhatTheMeshAlreadySet() {
        Voters v = mesh();
        String id = v.proposeConfig("probe.interval", "200ms", Duration.ofSeconds(60), Duration.ZERO);
        for (String voter : List.of("node-1", "node-2", "node-3", "node-4", "node-5")) {
            v.vote(id, voter, Choice.YES, 1, "");
        }
        v.result(id, GovernanceFold.CLOSE, ProposalState.SUCCEEDED);
        v.result(id, GovernanceFold.QUEUE, ProposalState.QUEUED);
        v.result(id, GovernanceFold.EXECUTE, ProposalState.EXECUTED);
        assertThat(v.state.config().value(ConfigKey.PROBE_INTERVAL)).contains("200ms");
        assertThat(v.state.config().value(ConfigKey.PROBE_TIMEOUT)).as("no mesh default: each node's node.yaml decides").isEmpty();
        assertThatThrownBy(() -> GovernanceFold.checkPayload(v.state, ProposalType.CONFIG_UPDATE, Voters.set("probe.timeout", "250ms")))
                .hasMessageStartingWith("payload.set.probe.timeout: probe.timeout 250ms must not exceed probe.interval 200ms");
        assertThat(GovernanceFold.checkPayload(v.state, ProposalType.CONFIG_UPDATE, Voters.set("probe.timeout", "150ms"))).isNotNull();
    }

    @Test
    void aRecoveryIsVotedByEveryVoterButItsTargetAndClosesOnceTheyAllHave() {
        Voters v = mesh();
        LedgerEntry e = v.append(GovernanceFold.propose(Voters.node("node-1"), ProposalType.RECOVERY, "restart node-5", "",
                Voters.JSON.createObjectNode().put("node", "node-5"), Optional.empty(), Optional.empty()));
        Proposal p = v.state.madeAt(e.seq()).orElseThrow(() -> new AssertionError(v.state.refusal(e.seq())));
        assertThat(p.eligible()).hasSize(4).doesNotContain(Voters.node("node-5").toString());
        assertThat(p.rules().votingPeriod()).isEqualTo(Duration.ofSeconds(5));
        assertThat(p.rules().executionDelay()).isZero();
        for (String voter : List.of("node-1", "node-2", "node-3")) {
            v.vote(p.id(), voter, Choice.YES, 1, "down here too");
        }
        assertThat(v.state.due(v.now)).as("a fourth vote of weight 3 against could still defeat it").isEmpty();
        v.vote(p.id(), "node-4", Choice.YES, 1, "");
        assertThat(v.state.due(v.now)).containsExactly(new Governance.Due(p.id(), GovernanceFold.CLOSE, ProposalState.SUCCEEDED));
        LedgerEntry target = v.vote(p.id(), "node-5", Choice.NO, 3, "I am fine");
        assertThat(v.state.refusal(target.seq()).orElseThrow().reason()).contains("not an eligible voter");
    }

    @Test
    void aRollbackLeavesAKeyThatALaterProposalSetSince() {
        Voters v = mesh();
        String first = pass(v, "governance.credits", "20000");
        String second = pass(v, "governance.credits", "50000");
        passed(v, v.append(GovernanceFold.propose(Voters.node("node-2"), ProposalType.ROLLBACK, "undo the first", "",
                Voters.JSON.createObjectNode().put("proposal", first), Optional.of(PERIOD), Optional.of(Duration.ZERO))));
        assertThat(v.state.config().setting(ConfigKey.GOVERNANCE_CREDITS)).get().extracting(RuntimeConfig.Setting::value, RuntimeConfig.Setting::proposal)
                .containsExactly("50000", second);
    }

    @Test
    void anImpactIsRecordedOnceAfterItsWindowAndOnlyForAnExecutedProposal() {
        Voters v = mesh();
        LedgerEntry made = v.append(GovernanceFold.propose(Voters.node("node-1"), ProposalType.CONFIG_UPDATE, "credits", "",
                Voters.set("governance.credits", "16"), Optional.of(Duration.ofSeconds(60)), Optional.of(Duration.ZERO), Optional.of(Duration.ofSeconds(30))));
        String id = v.state.madeAt(made.seq()).orElseThrow().id();
        assertThat(v.proposal(id).rules().impactWindow()).isEqualTo(Duration.ofSeconds(30));
        ObjectNode measured = Voters.JSON.createObjectNode().put("summary", "error rate 0.00% -> 0.00%");
        LedgerEntry early = v.append(GovernanceFold.impact(Voters.node("node-1"), id, measured, false));
        assertThat(v.state.refusal(early.seq()).orElseThrow().reason()).contains("not EXECUTED");
        for (String voter : List.of("node-1", "node-2", "node-3", "node-4", "node-5")) {
            v.vote(id, voter, Choice.YES, 1, "");
        }
        v.result(id, GovernanceFold.CLOSE, ProposalState.SUCCEEDED);
        v.result(id, GovernanceFold.QUEUE, ProposalState.QUEUED);
        v.result(id, GovernanceFold.EXECUTE, ProposalState.EXECUTED);
        assertThat(v.state.impactDue(v.now, Duration.ofMinutes(55))).isEmpty();
        LedgerEntry soon = v.append(GovernanceFold.impact(Voters.node("node-1"), id, measured, false));
        assertThat(v.state.refusal(soon.seq()).orElseThrow().reason()).contains("its window after the execution");
        v.advance(Duration.ofSeconds(30));
        assertThat(v.state.impactDue(v.now, Duration.ofMinutes(55))).extracting(Proposal::id).containsExactly(id);
        LedgerEntry done = v.append(GovernanceFold.impact(Voters.node("node-2"), id, measured, false));
        assertThat(v.state.refusal(done.seq())).isEmpty();
        assertThat(v.proposal(id).detail().orElseThrow().get("impact").get("summary").asText()).startsWith("error rate");
        assertThat(v.proposal(id).timeline().getLast().what()).isEqualTo("IMPACT");
        assertThat(v.state.impactDue(v.now, Duration.ofMinutes(55))).isEmpty();
        LedgerEntry again = v.append(GovernanceFold.impact(Voters.node("node-3"), id, measured, false));
        assertThat(v.state.refusal(again.seq()).orElseThrow().reason()).contains("measured once already");
    }

    @Test
    void theDefaultsAreTheSourcesAndRecoveryIsFast() {
        Rules normal = RuntimeConfig.EMPTY.rules(ProposalType.CONFIG_UPDATE);
        assertThat(normal).isEqualTo(new Rules(Duration.ofHours(24), Duration.ofHours(1), 66, 75, 10, TallyMode.SEED, Duration.ofMinutes(5)));
        Rules recovery = RuntimeConfig.EMPTY.rules(ProposalType.RECOVERY);
        assertThat(recovery).isEqualTo(new Rules(Duration.ofSeconds(5), Duration.ZERO, 66, 66, 10, TallyMode.SEED, Duration.ofMinutes(5)));
    }

    @Test
    void votesInAnyOrderWithInvalidOnesAmongThemGiveTheSameTally() {
        Random random = new Random(11);
        List<Vote.Signed> valid = new ArrayList<>();
        List<Vote.Signed> invalid = new ArrayList<>();
        Voters template = mesh();
        String id = template.proposeConfig("governance.credits", "50000", PERIOD, DELAY);
        for (int i = 1; i <= 5; i++) {
            valid.add(template.signed(id, "node-" + i, Choice.values()[random.nextInt(3)], 1 + random.nextInt(3), "r" + i));
        }
        invalid.add(template.signed(id, "node-6", Choice.YES, 3, "listener"));
        invalid.add(template.signed(id, "node-2", Choice.YES, 4, "over budget"));
        Tally expected = null;
        for (int round = 0; round < 20; round++) {
            Voters v = new Voters(shared).joined();
            String again = v.proposeConfig("governance.credits", "50000", PERIOD, DELAY);
            assertThat(again).isEqualTo(id);
            List<Vote.Signed> all = new ArrayList<>(valid);
            all.addAll(invalid);
            Collections.shuffle(all, random);
            for (Vote.Signed s : all) {
                v.append(GovernanceFold.vote(s));
            }
            Tally t = v.proposal(id).tally();
            long squares = valid.stream().mapToLong(s -> (long) s.vote().weight() * s.vote().weight()).sum();
            assertThat(t.spent()).isEqualTo(squares);
            assertThat(t.voted()).isEqualTo(5);
            if (expected == null) {
                expected = t;
            }
            assertThat(t).isEqualTo(expected);
        }
    }
}
