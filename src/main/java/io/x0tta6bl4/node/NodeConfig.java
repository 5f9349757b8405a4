package io.x0tta6bl4.node;

import io.x0tta6bl4.monitor.DetectorSettings;
import io.x0tta6bl4.policy.Policy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything a node process needs to start, validated when loaded ({@link NodeConfigLoader});
 * an instance is always usable. The YAML form is documented in docs/node-config.md.
 *
 * @param source    the file it was read from (relative paths in it are resolved against its folder)
 * @param host      the address this node's three listeners bind to and its peers reach it at
 * @param caDir     the CA directory with this node's credentials ({@code nodes/<name>/}) and bundle
 * @param peers     the other nodes; the ledger's Raft group is this node and its voting peers
 * @param api       what API clients must present, and the policy to install in an empty ledger
 */
public record NodeConfig(Path source, String name, String trustDomain, String host, Path dataDir, Path caDir, Ports ports, List<Peer> peers,
                         DetectorSettings detector, LoadThresholds load, Api api) {

    /** Loopback: a node is reachable from other machines only when its file says so. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    public NodeConfig {
        peers = List.copyOf(peers);
    }

    /** Loopback-or-real TCP ports of this node: HTTPS API, mTLS peer channel, Raft. */
    public record Ports(int api, int peer, int raft) {}

    /** Another node: where its peer channel and its Raft replica listen. */
    public record Peer(String name, String host, int peerPort, int raftPort, boolean voter) {}

    /**
     * @param audience        the {@code aud} every API token must carry
     * @param bootstrapPolicy installed in the ledger by the leader when the ledger holds no policy
     *                        yet (what {@code cluster up} writes); parsed and validated at load
     */
    public record Api(String audience, Optional<Policy> bootstrapPolicy) {
        public static final String DEFAULT_AUDIENCE = "x0tta6bl4";
        public static final Api DEFAULTS = new Api(DEFAULT_AUDIENCE, Optional.empty());
    }

    /** When load counts as too high (scaling evidence for the autonomic loop). */
    public record LoadThresholds(double cpuPercent, double memoryPercent, Duration latencyP99, double errorRatePercent, int queueLength) {
        public static final LoadThresholds DEFAULTS = new LoadThresholds(80, 85, Duration.ofMillis(500), 5, 1000);
    }
}
