package io.x0tta6bl4.governance;

/**
 * Where a proposal is in its life, with OpenZeppelin Governor's names where they mean the same
 * (DESIGN.md §7). Voting opens when the PROPOSAL entry commits (no voting delay, as in the
 * source), so there is no PENDING; every change after ACTIVE is a PROPOSAL_RESULT entry.
 */
public enum ProposalState {
    /** Open for votes until its deadline, or until the outcome can no longer change. */
    ACTIVE,
    /** Withdrawn by its proposer before any vote. */
    CANCELED,
    /** Voting closed with participation reached and approval not. */
    DEFEATED,
    /** Voting closed with participation and approval reached; waiting to be queued. */
    SUCCEEDED,
    /** Waiting out its execution delay. */
    QUEUED,
    /** Voting closed with participation not reached. */
    EXPIRED,
    /** Carried out. */
    EXECUTED,
    /** Carrying it out failed; the error is recorded. */
    EXECUTION_FAILED;

    /** No further change can happen. */
    public boolean isFinal() {
        return switch (this) {
            case CANCELED, DEFEATED, EXPIRED, EXECUTED, EXECUTION_FAILED -> true;
            default -> false;
        };
    }
}
