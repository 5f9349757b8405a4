package io.x0tta6bl4.ledger;

import io.x0tta6bl4.crypto.MlDsaPublicKey;
import io.x0tta6bl4.identity.IdentityVerificationException;
import io.x0tta6bl4.identity.PqIdentityDocument;
import io.x0tta6bl4.identity.TrustBundle;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The ledger as a deterministic state machine: the same commands in the same order give every
 * replica the same entries, tree and checkpoints. Both ledgers use it: {@link InMemoryLedger}
 * feeds it directly, the Raft ledger feeds it the committed log.
 *
 * <p>Commands and what they do:
 * <ul>
 *   <li><b>register</b> an identity document: accepted if the trust bundle's ML-DSA-65 root signed
 *       it and it is valid at the command's time; its key then verifies that node's batches and
 *       cosignatures.
 *   <li><b>batch</b>: refused unless the submitter is registered, its signature verifies, the
 *       batch id is new and every actor is in the trust domain; else its entries get the next
 *       sequence numbers and the command's time (never earlier than the previous entry's), are
 *       stored and appended to the Merkle tree.
 *   <li><b>cosign</b>: a replica's signature over a tree head. Stored when valid; a quorum of
 *       voters agreeing on a head makes it a checkpoint. A valid signature over a root that
 *       differs from ours at the same size is a security event.
 * </ul>
 *
 * Every command also records its Raft index in the same transaction as its effect, so a replay
 * after a crash skips what was applied. Validation depends only on the command and the state, so
 * replicas refuse the same commands.
 *
 * <p>Thread-safety: all methods synchronise on this object; Ratis applies one command at a time.
 */
final class LedgerCore implements AutoCloseable {
    /** What became of a batch. */
    sealed interface Outcome {
        record Appended(long firstSeq, int count) implements Outcome {}

        record Refused(LedgerException.Reason reason, String message) implements Outcome {}
    }

    /** A replica vouched for a root that differs from ours at the same size. */
    record HeadMismatch(String signer, long size, byte[] theirRoot, byte[] ourRoot) {}

    private final LedgerStore store;
    private final TrustBundle bundle;
    /**
     * The Raft group's voter sets by the tree size from which each counted, for checkpoint
     * quorums: a head of size s is a checkpoint when a majority of the voters in force at s signed
     * it. The set changes as members are added, promoted, demoted or removed
     * ({@link #setVoters}), at the same log position on every replica.
     */
    private final java.util.TreeMap<Long, Set<String>> votersBySize = new java.util.TreeMap<>();
    private long votersIndex = -1;
    private final MerkleTree tree = new MerkleTree();
    private final Map<String, MlDsaPublicKey> keys = new HashMap<>();
    /** Per SPIFFE ID, the notBefore of its current identity document: registration only moves forward. */
    private final Map<String, Instant> keySince = new HashMap<>();
    private final List<Runnable> listeners;
    private final Consumer<HeadMismatch> mismatches;
    private long lastTimestamp;
    private long appliedIndex;
    private long appliedTerm;
    private Checkpoint latest;

    /**
     * @param voters SPIFFE IDs of the replicas whose cosignatures count towards a checkpoint, until
     *               the file records a voter set of its own (a Raft group records every change)
     */
    LedgerCore(LedgerStore store, TrustBundle bundle, Set<String> voters, Consumer<HeadMismatch> mismatches) {
        this(store, bundle, voters, mismatches, new CopyOnWriteArrayList<>());
    }

    /**
     * @param listeners told after each applied batch; shared with the core that replaces this one
     *                  after a snapshot installation, so subscriptions survive it
     */
    LedgerCore(LedgerStore store, TrustBundle bundle, Set<String> voters, Consumer<HeadMismatch> mismatches,
               CopyOnWriteArrayList<Runnable> listeners) {
        this.listeners = listeners;
        this.store = store;
        this.bundle = bundle;
        this.mismatches = mismatches;
        bindTrust();
        List<LedgerStore.VoterSet> history = store.voterSets();
        if (history.isEmpty()) {
            votersBySize.put(0L, Set.copyOf(voters));
        } else {
            for (LedgerStore.VoterSet v : history) {
                votersBySize.put(v.sinceSize(), Set.copyOf(v.voters()));
                votersIndex = v.raftIndex();
            }
        }
        store.forEachLeaf(tree::append);
        lastTimestamp = store.lastTimestamp();
        appliedIndex = store.appliedIndex();
        appliedTerm = store.appliedTerm();
        for (LedgerStore.IdentityRow row : store.identities()) {
            PqIdentityDocument doc = PqIdentityDocument.fromJson("identity of " + row.spiffeId(), row.document());
            keys.put(row.spiffeId(), doc.signingKey());
            keySince.put(row.spiffeId(), doc.notBefore());
        }
        for (long size : store.cosignedSizes()) {
            for (Cosignature c : store.cosignatures(size)) {
                considerCheckpoint(c.head());
            }
            if (latest != null) {
                break;
            }
        }
    }

    /** The first open writes the trust roots into the file; later opens must bring the same ones. */
    private void bindTrust() {
        byte[] pqRoot = encoded(bundle.pqRoot());
        Optional<byte[]> stored = store.meta("pq_root");
        if (stored.isEmpty()) {
            store.putMeta("trust_domain", bundle.trustDomain().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            store.putMeta("pq_root", pqRoot);
            store.putMeta("x509_root", encoded(bundle.x509Root()));
        } else if (!Arrays.equals(stored.get(), pqRoot)) {
            throw new LedgerException(LedgerException.Reason.CORRUPT, store.location()
                    + " belongs to another trust domain or CA; use that CA, or a new data directory");
        }
    }

    private static byte[] encoded(java.security.cert.X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    String trustDomain() {
        return bundle.trustDomain();
    }

    synchronized long appliedIndex() {
        return appliedIndex;
    }

    synchronized long appliedTerm() {
        return appliedTerm;
    }

    private void applied(long index, long term) {
        appliedIndex = index;
        appliedTerm = term;
    }

    // ---- commands ----

    synchronized Outcome applyBatch(long index, long term, Batch batch, Instant orderedAt) {
        return applyBatch(index, term, batch, null, orderedAt);
    }

    /**
     * @param signedBody the exact bytes the batch's signature covers, as they arrived, or null to
     *                   re-encode them from the batch
     */
    synchronized Outcome applyBatch(long index, long term, Batch batch, byte[] signedBody, Instant orderedAt) {
        Outcome.Refused refusal = check(batch, signedBody);
        if (refusal != null) {
            store.markApplied(index, term);
            applied(index, term);
            return refusal;
        }
        long first = tree.size();
        long ts = Math.max(lastTimestamp, orderedAt.toEpochMilli());
        Instant timestamp = Instant.ofEpochMilli(ts);
        List<LedgerEntry> entries = new ArrayList<>(batch.submissions().size());
        List<byte[]> leaves = new ArrayList<>(batch.submissions().size());
        for (Submission s : batch.submissions()) {
            LedgerEntry e = new LedgerEntry(first + entries.size(), timestamp, s, batch.submitter(), first);
            entries.add(e);
            leaves.add(e.leafHash());
        }
        store.applyBatch(index, term, batch, entries, leaves);
        applied(index, term);
        leaves.forEach(tree::append);
        lastTimestamp = ts;
        listeners.forEach(Runnable::run);
        return new Outcome.Appended(first, entries.size());
    }

    /** The checks every replica makes before a batch may change anything; null when it passes. */
    private Outcome.Refused check(Batch batch, byte[] signedBody) {
        MlDsaPublicKey key = keys.get(batch.submitter());
        if (key == null) {
            return new Outcome.Refused(LedgerException.Reason.UNKNOWN_SUBMITTER, batch.submitter() + " has not registered an identity document");
        }
        if (store.batchSeen(batch.id())) {
            return new Outcome.Refused(LedgerException.Reason.DUPLICATE_BATCH, "batch " + batch.idHex() + " was already applied");
        }
        for (Submission s : batch.submissions()) {
            if (!s.actor().memberOf(bundle.trustDomain())) {
                return new Outcome.Refused(LedgerException.Reason.FOREIGN_ACTOR, "actor " + s.actor() + " is not in trust domain " + bundle.trustDomain());
            }
        }
        if (!(signedBody == null ? batch.verify(key) : key.verify(signedBody, batch.signature()))) {
            return new Outcome.Refused(LedgerException.Reason.INVALID_SIGNATURE, "batch " + batch.idHex() + " is not signed by " + batch.submitter());
        }
        return null;
    }

    /** Registers a node's identity document; returns a refusal message, or empty when accepted. */
    synchronized Optional<String> register(long index, long term, PqIdentityDocument doc, Instant at) {
        String id = doc.spiffeId().toString();
        String problem = null;
        try {
            bundle.verifyIdentity(doc, at);
        } catch (IdentityVerificationException e) {
            problem = e.getMessage();
        }
        // Only a newer document replaces the current one (the same one again changes nothing), so
        // a replayed old document cannot roll a node's key back, and a replica rebuilding its keys
        // from the table in registration order ends with the same key as one that never restarted.
        Instant current = keySince.get(id);
        if (problem == null && current != null) {
            if (doc.notBefore().isBefore(current)) {
                problem = "identity document of " + id + " (valid from " + doc.notBefore() + ") is older than the registered one (" + current + ")";
            } else if (doc.notBefore().equals(current) && !doc.signingKey().equals(keys.get(id))) {
                problem = "identity document of " + id + " has the same start as the registered one but another key";
            }
        }
        if (problem != null) {
            store.markApplied(index, term);
            applied(index, term);
            return Optional.of(problem);
        }
        byte[] fingerprint = io.x0tta6bl4.crypto.Digests.sha3_256(doc.signingKey().encoded());
        store.putIdentity(index, term, id, fingerprint, tree.size(), doc.toJson());
        applied(index, term);
        keys.put(id, doc.signingKey());
        keySince.put(id, doc.notBefore());
        return Optional.empty();
    }

    /** Where an applied batch's entries start, if it was applied (for replies to retried requests). */
    synchronized Optional<Long> appendedAt(byte[] batchId) {
        return store.batchFirstSeq(batchId);
    }

    synchronized boolean isRegistered(String spiffeId) {
        return keys.containsKey(spiffeId);
    }

    /** Applies a replica's cosignature; returns a refusal message, or empty when stored. */
    synchronized Optional<String> cosign(long index, long term, Cosignature c) {
        MlDsaPublicKey key = keys.get(c.signer());
        String refusal = null;
        if (key == null) {
            refusal = c.signer() + " has not registered an identity document";
        } else if (c.head().size() > tree.size()) {
            refusal = "cosignature for size " + c.head().size() + " beyond this replica's " + tree.size();
        } else if (!c.verify(bundle.trustDomain(), key)) {
            refusal = "cosignature by " + c.signer() + " does not verify";
        }
        if (refusal != null) {
            store.markApplied(index, term);
            applied(index, term);
            return Optional.of(refusal);
        }
        byte[] ours = tree.root(c.head().size());
        store.putCosignature(index, term, c);
        applied(index, term);
        if (!MessageDigest.isEqual(ours, c.head().root())) {
            mismatches.accept(new HeadMismatch(c.signer(), c.head().size(), c.head().root(), ours));
        } else {
            considerCheckpoint(c.head());
        }
        return Optional.empty();
    }

    /**
     * The Raft group's voters became {@code voters} at log index {@code raftIndex} (a configuration
     * entry; Ratis reports it when it applies that entry, in log order). A replay of an entry this
     * file already recorded changes nothing. Returns whether the set was recorded.
     */
    synchronized boolean setVoters(long raftIndex, Set<String> voters) {
        if (raftIndex <= votersIndex) {
            return false;
        }
        long size = tree.size();
        if (votersIndex < 0 && !votersBySize.isEmpty() && !votersBySize.firstEntry().getValue().isEmpty()) {
            // The voters given at open counted until now: keep them in the file, so that heads
            // before this change are judged by them after a restart too.
            store.putVoters(-1, 0, votersBySize.firstEntry().getValue());
        }
        store.putVoters(raftIndex, size, voters);
        votersIndex = raftIndex;
        votersBySize.put(size, Set.copyOf(voters));
        return true;
    }

    /** The voters whose cosignatures count for a head of {@code size}. */
    synchronized Set<String> votersAt(long size) {
        Map.Entry<Long, Set<String>> e = votersBySize.floorEntry(size);
        return e == null ? Set.of() : e.getValue();
    }

    synchronized void noop(long index, long term) {
        store.markApplied(index, term);
        applied(index, term);
    }

    private void considerCheckpoint(TreeHead head) {
        if (latest != null && latest.head().size() >= head.size()) {
            return;
        }
        // Only a head this replica itself has can become its checkpoint, also when the
        // cosignatures are read back after a restart.
        if (head.size() > tree.size() || !MessageDigest.isEqual(tree.root(head.size()), head.root())) {
            return;
        }
        Set<String> voters = votersAt(head.size());
        List<Cosignature> agreeing = new ArrayList<>();
        for (Cosignature c : store.cosignatures(head.size())) {
            if (c.head().equals(head) && voters.contains(c.signer())) {
                agreeing.add(c);
            }
        }
        if (!voters.isEmpty() && agreeing.size() >= voters.size() / 2 + 1) {
            latest = new Checkpoint(head, agreeing);
        }
    }

    // ---- reads ----

    synchronized TreeHead head() {
        return new TreeHead(tree.size(), tree.root());
    }

    synchronized TreeHead head(long size) {
        return new TreeHead(size, tree.root(size));
    }

    synchronized Optional<Checkpoint> latestCheckpoint() {
        return Optional.ofNullable(latest);
    }

    synchronized List<LedgerEntry> query(LedgerQuery q) {
        return store.query(q);
    }

    synchronized Optional<LedgerEntry> entry(long seq) {
        if (seq < 0 || seq >= tree.size()) {
            return Optional.empty();
        }
        return store.query(LedgerQuery.all(seq, 1)).stream().findFirst();
    }

    synchronized InclusionProof inclusionProof(long seq, long treeSize) {
        if (treeSize < 1 || treeSize > tree.size()) {
            throw new IllegalArgumentException("tree size " + treeSize + " is outside 1.." + tree.size());
        }
        if (seq < 0 || seq >= treeSize) {
            throw new IllegalArgumentException("entry " + seq + " is not in a tree of size " + treeSize);
        }
        return new InclusionProof(seq, tree.leaf(seq), head(treeSize), tree.inclusionProof(seq, treeSize));
    }

    synchronized ConsistencyProof consistencyProof(long oldSize, long newSize) {
        if (oldSize < 0 || oldSize > newSize || newSize > tree.size()) {
            throw new IllegalArgumentException("consistency proof needs 0 <= old <= new <= " + tree.size() + ", got " + oldSize + " and " + newSize);
        }
        return new ConsistencyProof(head(oldSize), head(newSize), tree.consistencyProof(oldSize, newSize));
    }

    /** {@code listener} runs (on the applying thread, so it must be quick) after each applied batch. */
    void onAppend(Runnable listener) {
        listeners.add(listener);
    }

    void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    /** Copies the database to {@code target}, unsynced (see {@code LedgerStore.copyTo}); holds this core's lock meanwhile. */
    synchronized void copyTo(java.nio.file.Path target) {
        store.copyTo(target);
    }

    @Override
    public synchronized void close() {
        store.close();
    }
}
