package io.x0tta6bl4.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The tally, pure: the source document's worked example to the digit, and its properties. */
class TallyTest {
    static final List<Tally.Counted> SOURCE_EXAMPLE = List.of(new Tally.Counted(Choice.YES, 2), new Tally.Counted(Choice.YES, 1),
            new Tally.Counted(Choice.YES, 3), new Tally.Counted(Choice.YES, 1), new Tally.Counted(Choice.NO, 1));

    static Rules defaults(TallyMode mode) {
        return new Rules(Duration.ofHours(24), Duration.ofHours(1), 66, 75, 10, mode, Duration.ofMinutes(5));
    }

    @Test
    void theSourcesExampleInSeedModeIs15To1AndPasses() {
        Tally t = Tally.of(TallyMode.SEED, 5, SOURCE_EXAMPLE);
        assertThat(t.yes()).isEqualTo(15);
        assertThat(t.no()).isEqualTo(1);
        assertThat(t.approval()).isEqualTo(93.75);
        assertThat(t.participation()).isEqualTo(100.0);
        assertThat(t.outcome(defaults(TallyMode.SEED))).isEqualTo(ProposalState.SUCCEEDED);
        assertThat(t.spent()).isEqualTo(4 + 1 + 9 + 1 + 1);
    }

    @Test
    void theSameVotesInQuadraticModeAre7To1() {
        Tally t = Tally.of(TallyMode.QUADRATIC, 5, SOURCE_EXAMPLE);
        assertThat(t.yes()).isEqualTo(7);
        assertThat(t.no()).isEqualTo(1);
        assertThat(t.approval()).isEqualTo(87.5);
        assertThat(t.outcome(defaults(TallyMode.QUADRATIC))).isEqualTo(ProposalState.SUCCEEDED);
    }

    @Test
    void participationAtOrBelowTheMinimumExpiresAndApprovalAtTheMinimumIsDefeated() {
        Rules r = defaults(TallyMode.SEED);
        // 3 of 5 = 60 % is not more than 66 %.
        assertThat(Tally.of(TallyMode.SEED, 5, SOURCE_EXAMPLE.subList(0, 3)).outcome(r)).isEqualTo(ProposalState.EXPIRED);
        // YES 3 (9) vs NO 1,1,1 (3): 75 % exactly is not more than 75 %.
        List<Tally.Counted> even = List.of(new Tally.Counted(Choice.YES, 3), new Tally.Counted(Choice.NO, 1), new Tally.Counted(Choice.NO, 1),
                new Tally.Counted(Choice.NO, 1));
        Tally t = Tally.of(TallyMode.SEED, 4, even);
        assertThat(t.approval()).isEqualTo(75.0);
        assertThat(t.outcome(r)).isEqualTo(ProposalState.DEFEATED);
    }

    @Test
    void abstentionsCountForParticipationOnly() {
        Tally t = Tally.of(TallyMode.SEED, 3, List.of(new Tally.Counted(Choice.YES, 1), new Tally.Counted(Choice.ABSTAIN, 3),
                new Tally.Counted(Choice.ABSTAIN, 2)));
        assertThat(t.participation()).isEqualTo(100.0);
        assertThat(t.approval()).isEqualTo(100.0);
        assertThat(t.spent()).isEqualTo(1 + 9 + 4);
    }

    @Test
    void votingClosesEarlyOnlyWhenTheRemainingVotersCannotChangeTheOutcome() {
        Rules r = defaults(TallyMode.SEED);
        // 4 of 5 voted, YES 2,1,3,1 = 15: the last voter's strongest NO (9) leaves 15/24 = 62.5 % — not settled.
        assertThat(Tally.of(TallyMode.SEED, 5, SOURCE_EXAMPLE.subList(0, 4)).settled(r)).isEmpty();
        // All five voted: settled.
        assertThat(Tally.of(TallyMode.SEED, 5, SOURCE_EXAMPLE).settled(r)).contains(ProposalState.SUCCEEDED);
        // 4 of 5 voted YES 3 each = 36 vs a possible 9: 80 % > 75 % whatever the fifth does.
        List<Tally.Counted> strong = Collections.nCopies(4, new Tally.Counted(Choice.YES, 3));
        assertThat(Tally.of(TallyMode.SEED, 5, strong).settled(r)).contains(ProposalState.SUCCEEDED);
        // 4 of 5 voted NO: even the fifth's strongest YES cannot pass it.
        List<Tally.Counted> against = Collections.nCopies(4, new Tally.Counted(Choice.NO, 1));
        assertThat(Tally.of(TallyMode.SEED, 5, against).settled(r)).contains(ProposalState.DEFEATED);
        // 1 of 5 voted: participation not reached yet, so nothing is settled.
        assertThat(Tally.of(TallyMode.SEED, 5, strong.subList(0, 1)).settled(r)).isEmpty();
    }

    @Test
    void anyOrderOfTheSameVotesGivesTheSameTallyAndSpentIsTheSumOfSquares() {
        Random random = new Random(42);
        for (int round = 0; round < 500; round++) {
            int n = 1 + random.nextInt(40);
            List<Tally.Counted> votes = new ArrayList<>();
            long squares = 0;
            for (int i = 0; i < n; i++) {
                int w = 1 + random.nextInt(3);
                votes.add(new Tally.Counted(Choice.values()[random.nextInt(3)], w));
                squares += (long) w * w;
            }
            TallyMode mode = TallyMode.values()[random.nextInt(2)];
            Tally first = Tally.of(mode, n + random.nextInt(5), votes);
            List<Tally.Counted> shuffled = new ArrayList<>(votes);
            Collections.shuffle(shuffled, random);
            assertThat(Tally.of(mode, first.eligible(), shuffled)).isEqualTo(first);
            assertThat(first.spent()).isEqualTo(squares);
        }
    }

    @Test
    void rulesRefuseImpossibleTerms() {
        assertThatThrownBy(() -> new Rules(Duration.ZERO, Duration.ZERO, 66, 75, 10, TallyMode.SEED, Duration.ofMinutes(5))).hasMessageContaining("voting period");
        assertThatThrownBy(() -> new Rules(Duration.ofSeconds(1), Duration.ofSeconds(-1), 66, 75, 10, TallyMode.SEED, Duration.ofMinutes(5)))
                .hasMessageContaining("execution delay");
        assertThatThrownBy(() -> new Rules(Duration.ofSeconds(1), Duration.ZERO, Double.NaN, 75, 10, TallyMode.SEED, Duration.ofMinutes(5)))
                .hasMessageContaining("min participation");
        assertThat(defaults(TallyMode.SEED).maxWeight()).isEqualTo(3);
    }
}
