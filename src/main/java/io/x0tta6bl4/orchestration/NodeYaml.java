package io.x0tta6bl4.orchestration;

/**
 * The {@code node.yaml} (version 2, docs/node-config.md) a host writes for each node it spawns.
 * Paths are relative to the node's folder, so a cluster directory can be moved or inspected from
 * anywhere: the trust bundle and the bootstrap policy one folder up, the node's own credentials
 * and data inside its folder. No ports are written: the node binds port 0 the first time,
 * publishes what the kernel gave it in {@code data/endpoints.json} and keeps it across restarts.
 * No peers either: they come from the ledger's membership, which the node joins through
 * {@code join}.
 */
final class NodeYaml {
    private NodeYaml() {}

    static String write(NodeSpec spec, String trustDomain, String host) {
        StringBuilder y = new StringBuilder();
        y.append("# Written by the x0tta6bl4 host agent; the format is in docs/node-config.md.\n");
        y.append("name: ").append(spec.name()).append('\n');
        y.append("trust_domain: ").append(trustDomain).append('\n');
        y.append("host: ").append(host).append('\n');
        y.append("data_dir: data\n");
        y.append("bundle_dir: ../bundle\n");
        y.append("credentials_dir: credentials\n");
        y.append("host_agent: ..                  # the cluster directory: a RESOURCE_SCALING proposal asks its host agent for nodes\n");
        y.append("join:\n");
        switch (spec.join()) {
            case NodeSpec.Join.Bootstrap b -> y.append("  bootstrap: true\n");
            case NodeSpec.Join.Seeds s -> {
                y.append("  seeds: [");
                for (int i = 0; i < s.seeds().size(); i++) {
                    y.append(i == 0 ? "" : ", ").append('"').append(s.seeds().get(i)).append('"');
                }
                y.append("]\n");
            }
        }
        y.append("probe:\n");
        y.append("  detector: ").append(spec.detector().configName()).append('\n');
        y.append("api:\n");
        y.append("  audience: ").append(ClusterToken.AUDIENCE).append('\n');
        y.append("  bootstrap_policy: ../policy.yaml\n");
        return y.toString();
    }
}
