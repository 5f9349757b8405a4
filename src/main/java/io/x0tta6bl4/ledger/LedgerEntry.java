package io.x0tta6bl4.ledger;

import java.time.Instant;

/**
 * One committed entry. {@code seq} (from 0) and {@code timestamp} are assigned when Raft orders
 * the entry; {@code submitter} is the node whose ML-DSA-65 signature covers the batch that
 * carried it, and {@code batch} is the sequence number of that batch's first entry.
 * The leaf hash is computed over {@link EntryCodec#encode(LedgerEntry)}.
 */
public record LedgerEntry(long seq, Instant timestamp, Submission submission, String submitter, long batch) {

    public EntryType type() {
        return submission.type();
    }

    public byte[] leafHash() {
        return MerkleTree.leafHash(EntryCodec.encode(this));
    }
}
