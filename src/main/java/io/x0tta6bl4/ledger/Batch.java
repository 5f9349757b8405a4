package io.x0tta6bl4.ledger;

import io.x0tta6bl4.crypto.MlDsaPrivateKey;
import io.x0tta6bl4.crypto.MlDsaPublicKey;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A group of submissions from one node, signed once with its ML-DSA-65 key: the unit that group
 * commit sends through Raft. Signing per batch instead of per entry is what makes the ledger's
 * throughput possible: an ML-DSA-65 signature costs ~300 µs, so per-entry signing would cap a
 * node at a few thousand entries per second, while one signature over a batch of hundreds costs
 * the same as over one. Every entry still carries its submitter's signature, through its batch.
 *
 * <p>The random 128-bit {@code id} makes each batch unique, so a replayed or retried batch is
 * recognised and applied once.
 */
public record Batch(byte[] id, String submitter, List<Submission> submissions, byte[] signature) {
    public static final int MAX_ENTRIES = 4096;

    public Batch {
        if (id.length != 16) {
            throw new IllegalArgumentException("batch id must be 16 bytes");
        }
        if (submissions.isEmpty() || submissions.size() > MAX_ENTRIES) {
            throw new LedgerException(LedgerException.Reason.INVALID_FIELD, "a batch holds 1.." + MAX_ENTRIES + " submissions, got " + submissions.size());
        }
        id = id.clone();
        submissions = List.copyOf(submissions);
        signature = signature.clone();
    }

    /** Signs {@code submissions} as {@code submitter}. */
    public static Batch sign(String submitter, List<Submission> submissions, MlDsaPrivateKey key, SecureRandom random) {
        byte[] id = new byte[16];
        random.nextBytes(id);
        byte[] body = EntryCodec.batchBody(id, submitter, submissions);
        return new Batch(id, submitter, submissions, key.sign(body, random));
    }

    public boolean verify(MlDsaPublicKey key) {
        return key.verify(EntryCodec.batchBody(id, submitter, submissions), signature);
    }

    @Override
    public byte[] id() {
        return id.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    public String idHex() {
        return HexFormat.of().formatHex(id);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Batch b && Arrays.equals(id, b.id) && submitter.equals(b.submitter)
                && submissions.equals(b.submissions) && Arrays.equals(signature, b.signature);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(id);
    }

    @Override
    public String toString() {
        return "Batch[" + idHex() + " from " + submitter + ", " + submissions.size() + " entries]";
    }
}
