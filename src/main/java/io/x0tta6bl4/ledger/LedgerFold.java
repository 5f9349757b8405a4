package io.x0tta6bl4.ledger;

import java.util.Set;

/**
 * State the cluster agrees on, as a pure function of ledger entries: what every replica computes
 * the same way, in the same order, after any restart (DESIGN.md §3 rule 3; OpenZeppelin
 * Governor's {@code state(proposalId)} is computed from stored facts the same way). A fold never
 * reads a clock, a file or the network; the entry's own timestamp is the only time it sees. An
 * entry it cannot use (malformed, or not allowed in the current state) leaves the state as it
 * was, or records the refusal in the state, so that a bad entry never stops the fold and every
 * replica refuses the same entries.
 *
 * <p>{@link Folded} drives a fold from {@link Ledger#subscribe}: nothing polls.
 *
 * @param <S> the state; immutable, so that readers on other threads see a consistent value
 */
public interface LedgerFold<S> {
    /** The state of an empty ledger. */
    S initial();

    /** The types of entry this fold reads; the others are never handed to it. Empty for every type. */
    Set<EntryType> types();

    /** The state after {@code entry}, which follows every entry already folded into {@code state}. */
    S apply(S state, LedgerEntry entry);
}
