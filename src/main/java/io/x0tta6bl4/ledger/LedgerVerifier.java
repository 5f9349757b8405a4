package io.x0tta6bl4.ledger;

import io.x0tta6bl4.crypto.MlDsaPublicKey;
import io.x0tta6bl4.identity.IdentityVerificationException;
import io.x0tta6bl4.identity.PqIdentityDocument;
import io.x0tta6bl4.identity.TrustBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Re-checks a node's ledger file from its bytes alone, trusting nothing the file says about
 * itself except the trust roots, which it prints so an operator can compare them with the CA:
 *
 * <ol>
 *   <li>every identity document is signed by the file's ML-DSA-65 root;
 *   <li>every entry decodes, has the next sequence number, and re-encodes to its stored leaf
 *       hash (a changed field is named here, by sequence number);
 *   <li>every batch's ML-DSA-65 signature verifies with a key its submitter had registered before
 *       the batch (catches an entry rewritten together with its leaf hash);
 *   <li>the Merkle tree is rebuilt from the recomputed leaves, and every cosignature's signature
 *       and root are checked against it (catches a rewritten history that is self-consistent but
 *       not what the replicas signed).
 * </ol>
 *
 * It stops at the first problem and names it.
 */
public final class LedgerVerifier {

    /** The outcome: on success the head and latest checkpoint; on failure the first problem. */
    public record Report(long entries, TreeHead head, Optional<Checkpoint> checkpoint, String trustDomain, String pqRootSha256,
                         Optional<Long> badSeq, Optional<String> problem) {
        public boolean ok() {
            return problem.isEmpty();
        }
    }

    private LedgerVerifier() {}

    public static Report verify(Path dataDir) {
        try (LedgerStore store = LedgerStore.openReadOnly(dataDir)) {
            return new Run(store).run();
        }
    }

    private static final class Run {
        private final LedgerStore store;
        private final MerkleTree tree = new MerkleTree();
        private TrustBundle bundle;
        private String pqRootHash = "";
        private final Map<String, List<Registered>> keys = new HashMap<>();

        private record Registered(long fromSize, MlDsaPublicKey key) {}

        Run(LedgerStore store) {
            this.store = store;
        }

        Report run() {
            String domain = store.meta("trust_domain").map(b -> new String(b, StandardCharsets.UTF_8)).orElse("");
            try {
                byte[] pq = store.meta("pq_root").orElseThrow(() -> new IllegalArgumentException("the file holds no trust roots"));
                byte[] x509 = store.meta("x509_root").orElseThrow(() -> new IllegalArgumentException("the file holds no trust roots"));
                pqRootHash = HexFormat.of().formatHex(io.x0tta6bl4.crypto.Digests.sha256(pq));
                bundle = TrustBundle.of(domain, TrustBundle.certificate(x509), TrustBundle.certificate(pq), Map.of());
            } catch (IllegalArgumentException e) {
                return fail(domain, Optional.empty(), "trust roots: " + e.getMessage());
            }
            for (LedgerStore.IdentityRow row : store.identities()) {
                try {
                    PqIdentityDocument doc = PqIdentityDocument.fromJson("identity of " + row.spiffeId(), row.document());
                    bundle.verifyIdentity(doc, doc.notBefore());
                    if (!doc.spiffeId().toString().equals(row.spiffeId())) {
                        throw new IdentityVerificationException("stored under " + row.spiffeId() + " but is for " + doc.spiffeId());
                    }
                    keys.computeIfAbsent(row.spiffeId(), k -> new ArrayList<>()).add(new Registered(row.registeredSize(), doc.signingKey()));
                } catch (IllegalArgumentException | IdentityVerificationException e) {
                    return fail(domain, Optional.empty(), "identity document of " + row.spiffeId() + ": " + e.getMessage());
                }
            }
            String entryProblem = entries();
            if (entryProblem != null) {
                return fail(domain, Optional.of(badSeq), entryProblem);
            }
            Optional<Checkpoint> checkpoint;
            try {
                checkpoint = cosignatures();
            } catch (IllegalStateException e) {
                return fail(domain, Optional.empty(), e.getMessage());
            }
            return new Report(tree.size(), new TreeHead(tree.size(), tree.root()), checkpoint, domain, pqRootHash, Optional.empty(), Optional.empty());
        }

        private long badSeq = -1;

        private String entries() {
            Iterator<LedgerStore.BatchRow> batches = store.batches().iterator();
            String[] problem = {null};
            LedgerStore.BatchRow[] current = {batches.hasNext() ? batches.next() : null};
            List<Submission> inBatch = new ArrayList<>();
            store.forEachRow(0, row -> {
                if (problem[0] != null) {
                    return;
                }
                long expected = tree.size();
                if (row.seq() != expected) {
                    fail(expected, problem, "entry " + expected + " is missing (next stored entry is " + row.seq() + ")");
                    return;
                }
                LedgerEntry entry;
                try {
                    entry = LedgerStore.toEntry(row);
                } catch (LedgerException e) {
                    fail(row.seq(), problem, e.getMessage());
                    return;
                }
                byte[] leaf = entry.leafHash();
                if (!MessageDigest.isEqual(leaf, row.leaf())) {
                    fail(row.seq(), problem, "entry " + row.seq() + " was changed: its fields no longer hash to its stored leaf hash");
                    return;
                }
                LedgerStore.BatchRow b = current[0];
                if (b == null || row.seq() < b.firstSeq() || row.seq() >= b.firstSeq() + b.count() || row.batch() != b.firstSeq()) {
                    fail(row.seq(), problem, "entry " + row.seq() + " does not belong to the signed batch that should hold it");
                    return;
                }
                tree.append(leaf);
                inBatch.add(entry.submission());
                if (inBatch.size() == b.count()) {
                    if (!batchVerifies(b, inBatch)) {
                        fail(b.firstSeq(), problem, "the batch of entries " + b.firstSeq() + ".." + (b.firstSeq() + b.count() - 1)
                                + " does not verify with the ML-DSA-65 key of " + b.submitter() + ": an entry in it was rewritten");
                        return;
                    }
                    inBatch.clear();
                    current[0] = batches.hasNext() ? batches.next() : null;
                }
            });
            if (problem[0] == null && (!inBatch.isEmpty() || current[0] != null)) {
                fail(tree.size(), problem, "entries are missing at the end: a signed batch is incomplete");
            }
            return problem[0];
        }

        private void fail(long seq, String[] problem, String message) {
            badSeq = seq;
            problem[0] = message;
        }

        private boolean batchVerifies(LedgerStore.BatchRow b, List<Submission> submissions) {
            Batch batch = new Batch(b.id(), b.submitter(), submissions, b.signature());
            for (Registered r : keys.getOrDefault(b.submitter(), List.of())) {
                if (r.fromSize() <= b.firstSeq() && batch.verify(r.key())) {
                    return true;
                }
            }
            return false;
        }

        private Optional<Checkpoint> cosignatures() {
            // The voters in force at each tree size, as the group recorded them; a file from before
            // voter sets were kept has only its last set.
            java.util.TreeMap<Long, Set<String>> votersBySize = new java.util.TreeMap<>();
            for (LedgerStore.VoterSet v : store.voterSets()) {
                votersBySize.put(v.sinceSize(), v.voters());
            }
            if (votersBySize.isEmpty()) {
                votersBySize.put(0L, Set.of(store.meta("voters").map(v -> new String(v, StandardCharsets.UTF_8)).orElse("").split(",")));
            }
            Map<TreeHead, List<Cosignature>> byHead = new HashMap<>();
            for (Cosignature c : store.cosignatures()) {
                boolean signed = keys.getOrDefault(c.signer(), List.of()).stream()
                        .anyMatch(r -> c.verify(bundle.trustDomain(), r.key()));
                if (!signed) {
                    throw new IllegalStateException("cosignature of " + c.signer() + " at size " + c.head().size() + " does not verify");
                }
                if (c.head().size() > tree.size()) {
                    throw new IllegalStateException("cosignature of " + c.signer() + " covers size " + c.head().size()
                            + " but the file holds " + tree.size() + " entries: entries were removed");
                }
                byHead.computeIfAbsent(c.head(), h -> new ArrayList<>()).add(c);
            }
            Checkpoint latest = null;
            for (Map.Entry<TreeHead, List<Cosignature>> e : byHead.entrySet()) {
                Map.Entry<Long, Set<String>> inForce = votersBySize.floorEntry(e.getKey().size());
                Set<String> voters = inForce == null ? Set.of() : inForce.getValue();
                long votes = e.getValue().stream().filter(c -> voters.contains(c.signer())).count();
                if (voters.isEmpty() || votes < voters.size() / 2 + 1) {
                    continue;
                }
                TreeHead head = e.getKey();
                if (!MessageDigest.isEqual(tree.root(head.size()), head.root())) {
                    throw new IllegalStateException("the replicas cosigned root " + head.rootHex() + " at size " + head.size()
                            + " but the entries hash to " + HexFormat.of().formatHex(tree.root(head.size()))
                            + ": history before entry " + head.size() + " was rewritten");
                }
                if (latest == null || head.size() > latest.head().size()) {
                    latest = new Checkpoint(head, e.getValue());
                }
            }
            return Optional.ofNullable(latest);
        }

        private Report fail(String domain, Optional<Long> seq, String problem) {
            return new Report(tree.size(), new TreeHead(tree.size(), tree.root()), Optional.empty(), domain, pqRootHash, seq, Optional.of(problem));
        }
    }
}
