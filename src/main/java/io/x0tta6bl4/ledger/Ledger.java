package io.x0tta6bl4.ledger;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The one record of every action in the mesh, as the rest of the code sees it. Two
 * implementations pass the same contract tests: {@link InMemoryLedger} (one process, for tests
 * of other packages) and the Raft-replicated ledger ({@link RaftLedger}).
 *
 * <p>Appends complete once the entry is committed (for the Raft ledger: on a majority of voters
 * and applied locally) and yield its sequence number; a refused append completes exceptionally
 * with a {@link LedgerException} and nothing of it is stored. Reads serve this replica's applied
 * state.
 */
public interface Ledger extends AutoCloseable {

    /** Appends one entry; completes with its sequence number once committed. */
    default CompletableFuture<Long> append(Submission submission) {
        return appendAll(List.of(submission)).thenApply(List::getFirst);
    }

    /** Appends entries atomically and contiguously; completes with their sequence numbers. */
    CompletableFuture<List<Long>> appendAll(List<Submission> submissions);

    List<LedgerEntry> query(LedgerQuery query);

    /** Entries {@code fromSeq, fromSeq + 1, …}, at most {@code limit}. */
    default List<LedgerEntry> read(long fromSeq, int limit) {
        return query(LedgerQuery.all(fromSeq, limit));
    }

    Optional<LedgerEntry> entry(long seq);

    /** This replica's current tree head. */
    TreeHead head();

    /** Proof that entry {@code seq} is in the tree of size {@code treeSize}. */
    InclusionProof inclusionProof(long seq, long treeSize);

    /** Proof that the tree of size {@code oldSize} is a prefix of the tree of size {@code newSize}. */
    ConsistencyProof consistencyProof(long oldSize, long newSize);

    /** The largest tree head a quorum of replicas has signed. */
    Optional<Checkpoint> latestCheckpoint();

    /**
     * Calls {@code listener} with every committed entry from {@code fromSeq} on, in order, on a
     * thread of the ledger's; first the ones already there, then new ones as they commit.
     */
    Subscription subscribe(long fromSeq, Consumer<LedgerEntry> listener);

    /**
     * Like {@link #subscribe(long, Consumer)}, but only with the entries {@code filter} selects,
     * from its {@code fromSeq} on (its limit is ignored): a fold that reads three types of entry
     * need not be handed every audit record.
     */
    Subscription subscribe(LedgerQuery filter, Consumer<LedgerEntry> listener);

    /** Whether this replica leads the Raft group now (always true in memory). */
    boolean isLeader();

    /** The current leader's node name, if one is known. */
    Optional<String> leader();

    @Override
    void close();

    /** A running subscription; closing it stops deliveries. */
    interface Subscription extends AutoCloseable {
        /**
         * Every entry with a smaller sequence number has been handed to the listener, or did not
         * match the subscription's filter: how far the subscriber has caught up with the ledger.
         */
        long position();

        @Override
        void close();
    }
}
