package io.x0tta6bl4.ledger;

import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.TrustBundle;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How one replica of the replicated ledger runs. Validated on construction: every problem names
 * the field.
 *
 * @param self               this replica's name; must be one of {@code peers}
 * @param dataDir            holds {@code ledger.db} and the Raft log under {@code raft/}
 * @param peers              every replica of the group, this one included; at most 5 voters
 * @param checkpointInterval how often the leader asks replicas to cosign the head, if it grew
 * @param snapshotEvery      Raft log entries between snapshots; the log is purged up to each
 * @param maxBatchEntries    group commit bound on entries per Raft entry
 * @param logSegmentBytes    size of one Raft log segment; whole segments below a snapshot are purged
 * @param maxBatchesInFlight group commit pipeline depth per node. Every replica verifies every
 *                           batch's ML-DSA-65 signature, so on a group fewer, larger batches commit
 *                           more entries per second than many small ones (measured: depth 2 gave
 *                           1.6x the throughput of depth 16 on a 3-replica group, docs/ledger.md)
 */
public record RaftLedgerConfig(String self, Path dataDir, List<Peer> peers, NodeCredentials credentials, TrustBundle bundle,
                               InstantSource clock, SecureRandom random, Duration checkpointInterval, long snapshotEvery,
                               int maxBatchEntries, long logSegmentBytes, int maxBatchesInFlight, Duration clientRetryBudget) {
    public static final int MAX_VOTERS = 5;
    /** The pause between two tries of a Raft request that found no leader ready. */
    public static final Duration CLIENT_RETRY_SLEEP = Duration.ofMillis(200);

    /** One replica: its node name and Raft address (loopback or a real host). */
    public record Peer(String name, String host, int port, boolean voter) {
        public Peer {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("peer " + name + ": port " + port + " is not 1..65535");
            }
        }

        public String address() {
            return host + ":" + port;
        }
    }

    public RaftLedgerConfig {
        peers = List.copyOf(peers);
        if (peers.stream().noneMatch(p -> p.name().equals(self))) {
            throw new IllegalArgumentException("self: '" + self + "' is not among the peers " + peers.stream().map(Peer::name).toList());
        }
        Set<String> names = new HashSet<>();
        for (Peer p : peers) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("peers: '" + p.name() + "' appears twice");
            }
        }
        long voters = peers.stream().filter(Peer::voter).count();
        if (voters < 1 || voters > MAX_VOTERS) {
            throw new IllegalArgumentException("peers: " + voters + " voters; a ledger group has 1.." + MAX_VOTERS + " (make the rest listeners)");
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

    /** Defaults: cosign every second, snapshot every 10,000 log entries, batches of up to 2,048 entries, 2 in flight, 8 MiB log segments. */
    public static RaftLedgerConfig of(String self, Path dataDir, List<Peer> peers, NodeCredentials credentials, TrustBundle bundle,
                                      InstantSource clock) {
        return new RaftLedgerConfig(self, dataDir, peers, credentials, bundle, clock, new SecureRandom(), Duration.ofSeconds(1),
                10_000, 2048, 8L << 20, 2, Duration.ofSeconds(30));
    }

    public RaftLedgerConfig withSnapshotEvery(long entries) {
        return new RaftLedgerConfig(self, dataDir, peers, credentials, bundle, clock, random, checkpointInterval, entries, maxBatchEntries,
                logSegmentBytes, maxBatchesInFlight, clientRetryBudget);
    }

    public RaftLedgerConfig withCheckpointInterval(Duration interval) {
        return new RaftLedgerConfig(self, dataDir, peers, credentials, bundle, clock, random, interval, snapshotEvery, maxBatchEntries,
                logSegmentBytes, maxBatchesInFlight, clientRetryBudget);
    }

    public RaftLedgerConfig withLogSegmentBytes(long bytes) {
        return new RaftLedgerConfig(self, dataDir, peers, credentials, bundle, clock, random, checkpointInterval, snapshotEvery,
                maxBatchEntries, bytes, maxBatchesInFlight, clientRetryBudget);
    }

    public RaftLedgerConfig withMaxBatchesInFlight(int batches) {
        return new RaftLedgerConfig(self, dataDir, peers, credentials, bundle, clock, random, checkpointInterval, snapshotEvery,
                maxBatchEntries, logSegmentBytes, batches, clientRetryBudget);
    }

    /** How long one request keeps retrying while no leader is ready, before it fails as unavailable. */
    public RaftLedgerConfig withClientRetryBudget(Duration budget) {
        return new RaftLedgerConfig(self, dataDir, peers, credentials, bundle, clock, random, checkpointInterval, snapshotEvery,
                maxBatchEntries, logSegmentBytes, maxBatchesInFlight, budget);
    }
}
