package io.x0tta6bl4.ledger;

import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.TrustBundle;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A ledger in one process with an in-memory SQLite database: the same validation, signatures,
 * Merkle tree and group commit as the replicated ledger, without Raft. It is its own single
 * voter, so every head it signs is a checkpoint. For tests of the packages that write to the
 * ledger; it keeps nothing across restarts.
 */
public final class InMemoryLedger implements Ledger {
    private static final Logger LOG = LoggerFactory.getLogger(InMemoryLedger.class);

    private final NodeCredentials node;
    private final InstantSource clock;
    private final SecureRandom random;
    private final LedgerCore core;
    private final GroupCommitter committer;
    private final java.util.List<SubscriptionPump> subscriptions = new java.util.concurrent.CopyOnWriteArrayList<>();
    private long index;
    /** The group commit worker and the subscriptions' loops: an in-memory ledger stands alone, so it makes its own. */
    private final java.util.concurrent.ExecutorService loops = java.util.concurrent.Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("ledger-loop-", 0).factory());

    private InMemoryLedger(TrustBundle bundle, NodeCredentials node, InstantSource clock, SecureRandom random) {
        this.node = node;
        this.clock = clock;
        this.random = random;
        this.core = new LedgerCore(LedgerStore.inMemory(), bundle, Set.of(node.id().toString()),
                m -> LOG.error("tree head mismatch reported by {} at size {}", m.signer(), m.size()));
        core.register(nextIndex(), 0, node.identity(), clock.instant()).ifPresent(problem -> {
            throw new IllegalArgumentException("node identity is not accepted by the trust bundle: " + problem);
        });
        this.committer = new GroupCommitter(node.id().toString(), node.keys().signing(), random,
                batch -> CompletableFuture.completedFuture(apply(batch)), GroupCommitter.Limits.DEFAULT, loops);
    }

    /** A fresh, empty ledger whose only submitter and replica is {@code node}. */
    public static InMemoryLedger open(TrustBundle bundle, NodeCredentials node, InstantSource clock, SecureRandom random) {
        return new InMemoryLedger(bundle, node, clock, random);
    }

    private synchronized long nextIndex() {
        return index++;
    }

    private LedgerCore.Outcome apply(Batch batch) {
        synchronized (this) {
            return core.applyBatch(nextIndex(), 0, batch, clock.instant());
        }
    }

    @Override
    public CompletableFuture<List<Long>> appendAll(List<Submission> submissions) {
        return Appends.checked(core.trustDomain(), submissions, committer);
    }

    @Override
    public List<LedgerEntry> query(LedgerQuery query) {
        return core.query(query);
    }

    @Override
    public Optional<LedgerEntry> entry(long seq) {
        return core.entry(seq);
    }

    @Override
    public TreeHead head() {
        return core.head();
    }

    @Override
    public InclusionProof inclusionProof(long seq, long treeSize) {
        return core.inclusionProof(seq, treeSize);
    }

    @Override
    public ConsistencyProof consistencyProof(long oldSize, long newSize) {
        return core.consistencyProof(oldSize, newSize);
    }

    /** Signs the current head if it has grown since the last checkpoint (a quorum of one). */
    @Override
    public synchronized Optional<Checkpoint> latestCheckpoint() {
        TreeHead head = core.head();
        Optional<Checkpoint> latest = core.latestCheckpoint();
        if (head.size() > 0 && latest.map(c -> c.head().size() < head.size()).orElse(true)) {
            byte[] signature = node.keys().signing().sign(EntryCodec.treeHead(core.trustDomain(), head.size(), head.root()), random);
            core.cosign(nextIndex(), 0, new Cosignature(node.id().toString(), head, signature));
        }
        return core.latestCheckpoint();
    }

    @Override
    public Subscription subscribe(long fromSeq, Consumer<LedgerEntry> listener) {
        return subscribe(LedgerQuery.all(fromSeq, 1), listener);
    }

    @Override
    public Subscription subscribe(LedgerQuery filter, Consumer<LedgerEntry> listener) {
        SubscriptionPump pump = new SubscriptionPump(() -> core, filter, listener, subscriptions::remove, loops);
        subscriptions.add(pump);
        return pump;
    }

    @Override
    public boolean isLeader() {
        return true;
    }

    @Override
    public Optional<String> leader() {
        return Optional.of(node.dir().getFileName().toString());
    }

    @Override
    public void close() {
        subscriptions.forEach(SubscriptionPump::close);
        committer.close();
        loops.shutdownNow();
        core.close();
    }
}
