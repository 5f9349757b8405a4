package io.x0tta6bl4.governance;

import java.util.Collection;
import java.util.Optional;

/**
 * The count of a proposal's votes, a pure value: the same votes in any order give the same tally.
 * Power per vote is the mode's ({@link TallyMode#power}); ABSTAIN counts towards participation
 * only.
 *
 * @param spent credits spent by the counted votes: Σ weight²
 */
public record Tally(TallyMode mode, long yes, long no, int voted, int eligible, long spent) {

    /** One counted vote: its choice and weight. */
    public record Counted(Choice choice, int weight) {}

    public static Tally of(TallyMode mode, int eligible, Collection<Counted> votes) {
        long yes = 0;
        long no = 0;
        long spent = 0;
        for (Counted v : votes) {
            long p = mode.power(v.weight());
            switch (v.choice()) {
                case YES -> yes += p;
                case NO -> no += p;
                case ABSTAIN -> { }
            }
            spent += (long) v.weight() * v.weight();
        }
        return new Tally(mode, yes, no, votes.size(), eligible, spent);
    }

    /** YES power as a percentage of YES + NO power; 0 when nobody voted either way. */
    public double approval() {
        return yes + no == 0 ? 0 : 100.0 * yes / (yes + no);
    }

    /** Voters who voted as a percentage of the eligible voters. */
    public double participation() {
        return eligible == 0 ? 0 : 100.0 * voted / eligible;
    }

    /** The outcome if voting closed now: SUCCEEDED, DEFEATED or EXPIRED. */
    public ProposalState outcome(Rules rules) {
        if (!(participation() > rules.minParticipation())) {
            return ProposalState.EXPIRED;
        }
        return approval() > rules.minApproval() ? ProposalState.SUCCEEDED : ProposalState.DEFEATED;
    }

    /**
     * The outcome if it can no longer change whatever the voters who have not voted do (each can
     * vote YES, NO or ABSTAIN with any weight it can afford, or not vote): so voting may close
     * early. Empty while it can still change.
     */
    public Optional<ProposalState> settled(Rules rules) {
        int remaining = eligible - voted;
        if (remaining <= 0 || eligible == 0) {
            return Optional.of(outcome(rules));
        }
        long most = (long) remaining * mode.power(rules.maxWeight());
        boolean participationReached = participation() > rules.minParticipation();
        Tally allNo = new Tally(mode, yes, no + most, voted, eligible, spent);
        Tally allYes = new Tally(mode, yes + most, no, voted, eligible, spent);
        if (participationReached && allNo.approval() > rules.minApproval()) {
            return Optional.of(ProposalState.SUCCEEDED);
        }
        if (participationReached && !(allYes.approval() > rules.minApproval())) {
            return Optional.of(ProposalState.DEFEATED);
        }
        return Optional.empty();
    }
}
