package io.x0tta6bl4.node;

import io.x0tta6bl4.monitor.DetectorSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything a node process needs to start, validated when loaded ({@link NodeConfigLoader});
 * an instance is always usable. The YAML form is documented in docs/node-config.md.
 *
 * @param source    the file it was read from (relative paths in it are resolved against its folder)
 * @param host      the address this node's three listeners bind to and its peers reach it at
 * @param caDir     the CA directory with this node's credentials ({@code nodes/<name>/}) and bundle
 * @param peers     the other nodes; the ledger's Raft group is this node and its voting peers
 */
public record NodeConfig(Path source, String name, String trustDomain, String host, Path dataDir, Path caDir, Ports ports, List<Peer> peers,
                         DetectorSettings detector, LoadThresholds load) {

    /** Loopback: a node is reachable from other machines only when its file says so. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    public NodeConfig {
        peers = List.copyOf(peers);
    }

    /** Loopback-or-real TCP ports of this node: HTTPS API, mTLS peer channel, Raft. */
    public record Ports(int api, int peer, int raft) {}

    /** Another node: where its peer channel and its Raft replica listen. */
    public record Peer(String name, String host, int peerPort, int raftPort, boolean voter) {}

    /** When load counts as too high (scaling evidence for the autonomic loop). */
    public record LoadThresholds(double cpuPercent, double memoryPercent, Duration latencyP99, double errorRatePercent, int queueLength) {
        public static final LoadThresholds DEFAULTS = new LoadThresholds(80, 85, Duration.ofMillis(500), 5, 1000);
    }
}
