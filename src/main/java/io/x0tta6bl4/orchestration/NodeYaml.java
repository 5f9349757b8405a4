package io.x0tta6bl4.orchestration;

import io.x0tta6bl4.monitor.DetectorSettings;

/**
 * The {@code node.yaml} that {@code cluster up} writes for each node (format in
 * docs/node-config.md). Paths are relative to the node's folder, so the cluster directory can be
 * inspected (and its configs read) from anywhere. The first node forms the ledger's Raft group;
 * every other one joins it through the first's Raft listener, and the ledger's membership makes
 * the first {@link #MAX_VOTERS} to join voters and the rest listeners. The API
 * expects the audience of {@link ClusterToken}, and the leader installs the cluster's
 * {@code policy.yaml} (one folder up) when the ledger holds no policy.
 */
final class NodeYaml {
    static final int MAX_VOTERS = 5;

    private NodeYaml() {}

    static String write(ClusterState cluster, String name, DetectorSettings.Kind detector) {
        ClusterState.NodeRecord self = cluster.node(name);
        StringBuilder y = new StringBuilder();
        y.append("# Written by x0tta6bl4 cluster up; the format is in docs/node-config.md.\n");
        y.append("name: ").append(name).append('\n');
        y.append("trust_domain: ").append(cluster.trustDomain()).append('\n');
        y.append("data_dir: data\n");
        y.append("ca_dir: ../ca\n");
        y.append("ports:\n");
        y.append("  api: ").append(self.apiPort()).append('\n');
        y.append("  peer: ").append(self.peerPort()).append('\n');
        y.append("  raft: ").append(self.raftPort()).append('\n');
        // The first node forms the ledger group; the others join it through its Raft listener.
        ClusterState.NodeRecord first = cluster.nodes().getFirst();
        if (first.name().equals(name)) {
            y.append("join:\n  bootstrap: true\n");
        } else {
            y.append("join:\n  seeds: [\"").append(first.name()).append("@127.0.0.1:").append(first.raftPort()).append("\"]\n");
        }
        y.append("probe:\n");
        y.append("  detector: ").append(detector.configName()).append('\n');
        y.append("api:\n");
        y.append("  audience: ").append(ClusterToken.AUDIENCE).append('\n');
        y.append("  bootstrap_policy: ../").append(NewCluster.POLICY).append('\n');
        return y.toString();
    }
}
