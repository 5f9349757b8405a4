package io.x0tta6bl4.node;

import io.x0tta6bl4.ledger.Replica;
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
 * @param source         the file it was read from (relative paths in it are resolved against its folder)
 * @param host           the address this node's three listeners bind to and announce to its peers
 * @param bundleDir      the trust bundle (public): what this node trusts
 * @param credentialsDir this node's own credentials (SVID, keys, identity document)
 * @param ports          ports to bind; 0 lets the kernel pick one the first time, kept across restarts
 * @param join           how this node finds the mesh the first time it starts
 * @param api            what API clients must present, and the policy to install in an empty ledger
 * @param hostAgent      the cluster directory of the host agent that started this node (its
 *                       {@code host/agent.json}), through which the node carries out a
 *                       RESOURCE_SCALING proposal; empty for a node started by hand
 */
public record NodeConfig(Path source, String name, String trustDomain, String host, Path dataDir, Path bundleDir, Path credentialsDir,
                         Ports ports, Join join, DetectorSettings detector, LoadThresholds load, Api api, Optional<Path> hostAgent) {

    /** Loopback: a node is reachable from other machines only when its file says so. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /** TCP ports of this node: HTTPS API, mutual-TLS peer channel, Raft; 0 for a free one. */
    public record Ports(int api, int peer, int raft) {
        public static final Ports ANY = new Ports(0, 0, 0);
    }

    /**
     * How a node that holds no ledger yet finds the mesh. Once its data directory holds the
     * ledger group's configuration, it simply rejoins, whatever this says.
     */
    public sealed interface Join {
        /** The first node of a new mesh: it forms the ledger group as its only voter. */
        record Bootstrap() implements Join {}

        /** Join a running mesh through these members' Raft listeners (any live one will do). */
        record Seeds(List<Replica> seeds) implements Join {
            public Seeds {
                seeds = List.copyOf(seeds);
            }
        }
    }

    /**
     * @param audience        the {@code aud} every API token must carry
     * @param bootstrapPolicy installed in the ledger by the leader when the ledger holds no policy
     *                        yet (what {@code cluster up} writes); parsed and validated at load
     */
    public record Api(String audience, Optional<Policy> bootstrapPolicy) {
        public static final String DEFAULT_AUDIENCE = "x0tta6bl4";
        public static final Api DEFAULTS = new Api(DEFAULT_AUDIENCE, Optional.empty());
    }

    /**
     * When load counts as high: each threshold, crossed for {@code sustain} in a row, raises a
     * LOAD_ALERT entry (and another when it clears).
     *
     * @param queueLength ledger entries this node has submitted and that wait to be committed
     */
    public record LoadThresholds(double cpuPercent, double memoryPercent, Duration latencyP99, double errorRatePercent, int queueLength,
                                 Duration sustain) {
        public static final LoadThresholds DEFAULTS = new LoadThresholds(80, 85, Duration.ofMillis(500), 5, 1000, Duration.ofSeconds(5));
    }
}
