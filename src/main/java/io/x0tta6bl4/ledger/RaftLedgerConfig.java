package io.x0tta6bl4.ledger;

import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.TrustBundle;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * How one replica of the replicated ledger runs. Validated on construction: every problem names
 * the field.
 *
 * <p>A replica is started one of two ways the first time ({@link Start}); after that its data
 * directory holds the group's configuration and it simply recovers, whichever way it began:
 * <ul>
 *   <li>{@link Start.Bootstrap}: the first replica of a new group, its only voter;
 *   <li>{@link Start.Join}: a new replica of a running group. It starts outside the group's
 *       configuration and reaches the leader through {@code seeds} (any replica will do: a
 *       follower names the leader). It becomes a member when the leader adds it
 *       ({@link RaftLedger#reconfigure}), which the mesh's membership does once the replica has
 *       announced itself in the ledger.
 * </ul>
 *
 * @param self               this replica's name (its node's name)
 * @param host               the address the replica listens on and announces
 * @param port               its Raft port; 0 picks a free one the first time and keeps it across restarts
 * @param dataDir            holds {@code ledger.db} and the Raft log under {@code raft/}
 * @param admitted           which verified SPIFFE IDs may open a Raft connection to this replica,
 *                           beyond its current group (a joining node's client reaches the leader
 *                           before it is a member); typically every node of the trust domain that is
 *                           not fenced
 * @param checkpointInterval how often the leader asks replicas to cosign the head, if it grew
 * @param snapshotEvery      Raft log entries between snapshots; the log is purged up to each
 * @param maxBatchEntries    group commit bound on entries per Raft entry
 * @param logSegmentBytes    size of one Raft log segment; whole segments below a snapshot are purged
 * @param maxBatchesInFlight group commit pipeline depth per node. Every replica verifies every
 *                           batch's ML-DSA-65 signature, so on a group fewer, larger batches commit
 *                           more entries per second than many small ones (measured: depth 2 gave
 *                           1.6x the throughput of depth 16 on a 3-replica group, docs/ledger.md)
 * @param threads            where the replica's own work runs (beside the Raft engine's threads)
 */
public record RaftLedgerConfig(String self, String host, int port, Path dataDir, Start start, NodeCredentials credentials, TrustBundle bundle,
                               InstantSource clock, SecureRandom random, Predicate<SpiffeId> admitted, Duration checkpointInterval,
                               long snapshotEvery, int maxBatchEntries, long logSegmentBytes, int maxBatchesInFlight, Duration clientRetryBudget,
                               Threads threads) {
    /** Raft voters a group may have; further replicas are listeners. */
    public static final int MAX_VOTERS = 5;
    /** The pause between two tries of a Raft request that found no leader ready. */
    public static final Duration CLIENT_RETRY_SLEEP = Duration.ofMillis(200);
    public static final String LOOPBACK = "127.0.0.1";

    /** How a replica starts when its data directory holds no group yet. */
    public sealed interface Start {
        /** The first replica of a new group: it forms the group with itself as the only voter. */
        record Bootstrap() implements Start {}

        /** A replica of a running group, reached through {@code seeds} (at least one). */
        record Join(List<Replica> seeds) implements Start {
            public Join {
                seeds = List.copyOf(seeds);
                if (seeds.isEmpty()) {
                    throw new IllegalArgumentException("join: at least one seed replica is needed to reach the group");
                }
            }
        }
    }

    /**
     * Where a replica runs its own work, beside the threads of the Raft engine (Ratis and gRPC make
     * their own). {@link Own}: it makes them and stops them when it closes (a replica on its own:
     * {@code ledger serve}, tests). {@link Given}: a node's runtime lends them, and stops them.
     */
    public sealed interface Threads {
        /** The replica makes its own: one scheduler thread and virtual threads for its loops. */
        record Own() implements Threads {}

        /**
         * @param tasks short tasks, one at a time: checkpoint requests, configuration changes, client
         *              renewals, restarts of its Raft server in place
         * @param loops long-running loops that wait on queues: the group commit worker and one per
         *              subscription
         */
        record Given(io.x0tta6bl4.time.Scheduler tasks, java.util.concurrent.Executor loops) implements Threads {}
    }

    public RaftLedgerConfig {
        if (threads == null) {
            throw new IllegalArgumentException("threads: give Threads.Own or the node's Threads.Given");
        }
        if (self == null || self.isBlank()) {
            throw new IllegalArgumentException("self: a replica needs a name");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " is not 0..65535 (0 picks a free port)");
        }
        if (start instanceof Start.Join j) {
            Set<String> names = new HashSet<>();
            for (Replica r : j.seeds()) {
                if (!names.add(r.name())) {
                    throw new IllegalArgumentException("seeds: '" + r.name() + "' appears twice");
                }
            }
        }
        if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            throw new IllegalArgumentException("checkpointInterval must be positive");
        }
        if (snapshotEvery < 100) {
            throw new IllegalArgumentException("snapshotEvery must be at least 100 log entries, got " + snapshotEvery);
        }
        if (maxBatchEntries < 1 || maxBatchEntries > Batch.MAX_ENTRIES) {
            throw new IllegalArgumentException("maxBatchEntries must be 1.." + Batch.MAX_ENTRIES);
        }
        if (maxBatchesInFlight < 1 || maxBatchesInFlight > 64) {
            throw new IllegalArgumentException("maxBatchesInFlight must be 1..64, got " + maxBatchesInFlight);
        }
        if (clientRetryBudget.compareTo(CLIENT_RETRY_SLEEP) < 0) {
            throw new IllegalArgumentException("clientRetryBudget must be at least " + CLIENT_RETRY_SLEEP.toMillis() + " ms, got " + clientRetryBudget);
        }
        if (logSegmentBytes < 64 * 1024) {
            throw new IllegalArgumentException("logSegmentBytes must be at least 64 KiB, got " + logSegmentBytes);
        }
    }

    /**
     * Defaults: loopback, a free port, every node of the trust domain admitted, cosign every
     * second, snapshot every 10,000 log entries, batches of up to 2,048 entries, 2 in flight,
     * 8 MiB log segments.
     */
    public static RaftLedgerConfig of(String self, Path dataDir, Start start, NodeCredentials credentials, TrustBundle bundle, InstantSource clock) {
        String domain = bundle == null ? null : bundle.trustDomain();
        return new RaftLedgerConfig(self, LOOPBACK, 0, dataDir, start, credentials, bundle, clock, new SecureRandom(),
                id -> domain != null && id.memberOf(domain) && id.path().startsWith("/node/"), Duration.ofSeconds(1), 10_000, 2048, 8L << 20, 2,
                Duration.ofSeconds(30), new Threads.Own());
    }

    public RaftLedgerConfig withAddress(String host, int port) {
        return new RaftLedgerConfig(self, host, port, dataDir, start, credentials, bundle, clock, random, admitted, checkpointInterval, snapshotEvery,
                maxBatchEntries, logSegmentBytes, maxBatchesInFlight, clientRetryBudget, threads);
    }

    public RaftLedgerConfig withAdmitted(Predicate<SpiffeId> who) {
        return new RaftLedgerConfig(self, host, port, dataDir, start, credentials, bundle, clock, random, who, checkpointInterval, snapshotEvery,
                maxBatchEntries, logSegmentBytes, maxBatchesInFlight, clientRetryBudget, threads);
    }

    public RaftLedgerConfig withSnapshotEvery(long entries) {
        return new RaftLedgerConfig(self, host, port, dataDir, start, credentials, bundle, clock, random, admitted, checkpointInterval, entries,
                maxBatchEntries, logSegmentBytes, maxBatchesInFlight, clientRetryBudget, threads);
    }

    public RaftLedgerConfig withCheckpointInterval(Duration interval) {
        return new RaftLedgerConfig(self, host, port, dataDir, start, credentials, bundle, clock, random, admitted, interval, snapshotEvery,
                maxBatchEntries, logSegmentBytes, maxBatchesInFlight, clientRetryBudget, threads);
    }

    public RaftLedgerConfig withLogSegmentBytes(long bytes) {
        return new RaftLedgerConfig(self, host, port, dataDir, start, credentials, bundle, clock, random, admitted, checkpointInterval, snapshotEvery,
                maxBatchEntries, bytes, maxBatchesInFlight, clientRetryBudget, threads);
    }

    public RaftLedgerConfig withMaxBatchesInFlight(int batches) {
        return new RaftLedgerConfig(self, host, port, dataDir, start, credentials, bundle, clock, random, admitted, checkpointInterval, snapshotEvery,
                maxBatchEntries, logSegmentBytes, batches, clientRetryBudget, threads);
    }

    /** How long one request keeps retrying while no leader is ready, before it fails as unavailable. */
    public RaftLedgerConfig withClientRetryBudget(Duration budget) {
        return new RaftLedgerConfig(self, host, port, dataDir, start, credentials, bundle, clock, random, admitted, checkpointInterval, snapshotEvery,
                maxBatchEntries, logSegmentBytes, maxBatchesInFlight, budget, threads);
    }

    /** Runs this replica's own work on these (a node's runtime) instead of threads it makes. */
    public RaftLedgerConfig withThreads(Threads given) {
        return new RaftLedgerConfig(self, host, port, dataDir, start, credentials, bundle, clock, random, admitted, checkpointInterval, snapshotEvery,
                maxBatchEntries, logSegmentBytes, maxBatchesInFlight, clientRetryBudget, given);
    }
}
