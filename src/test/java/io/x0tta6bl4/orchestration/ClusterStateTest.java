package io.x0tta6bl4.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.x0tta6bl4.monitor.DetectorSettings;
import io.x0tta6bl4.node.NodeConfig;
import io.x0tta6bl4.node.NodeConfigLoader;
import io.x0tta6bl4.policy.Policy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterStateTest {
    @TempDir Path dir;

    private ClusterState sample(int n) {
        ClusterState c = ClusterStatusTest.cluster(n);
        return new ClusterState(dir, c.trustDomain(), c.created(), c.launch(), c.nodes());
    }

    @Test
    void clusterJsonRoundTrips() {
        ClusterState s = sample(3);
        ClusterState.NodeRecord never = new ClusterState.NodeRecord("node-3", 1, 2, 3, true, Optional.empty());
        s = s.with(never);
        s.save();
        ClusterState back = ClusterState.load(dir);
        assertThat(back).isEqualTo(s);
        assertThat(back.node("node-3").process()).isEmpty();
        assertThat(back.launch().command(dir.resolve("node-1/node.yaml")))
                .startsWith(s.launch().java().toString())
                .contains("-XX:+UseZGC", "-cp", "io.x0tta6bl4.cli.Main", "node", "run", "--config")
                .endsWith(dir.resolve("node-1/node.yaml").toString());
        assertThat(Files.exists(dir.resolve("cluster.json.tmp"))).isFalse();
    }

    @Test
    void theLaunchUsesThisJvmAndTheProductionLoggingConfiguration() {
        ClusterState.Launch l = ClusterState.Launch.current();
        assertThat(l.java()).isEqualTo(Path.of(System.getProperty("java.home"), "bin", "java"));
        assertThat(l.classPath()).isEqualTo(System.getProperty("java.class.path"));
        assertThat(l.jvmOptions()).anySatisfy(o -> assertThat(o).startsWith("-Dlogback.configurationFile=").endsWith("/logback.xml"));
    }

    @Test
    void aMissingOrBrokenFileSaysHowToMakeACluster() throws Exception {
        assertThatThrownBy(() -> ClusterState.load(dir))
                .isInstanceOfSatisfying(ClusterException.class, e -> assertThat(e.kind()).isEqualTo(ClusterException.Kind.USAGE))
                .hasMessage("no cluster in " + dir + " (" + dir.resolve("cluster.json") + " does not exist); run cluster up --nodes N --dir " + dir);
        Files.writeString(dir.resolve("cluster.json"), "{\"format\":1,\"nodes\":[]}");
        assertThatThrownBy(() -> ClusterState.load(dir)).hasMessageContaining("launch: is missing")
                .hasMessageEndingWith("; run cluster up --nodes N --dir " + dir);
        Files.writeString(dir.resolve("cluster.json"), "not json");
        assertThatThrownBy(() -> ClusterState.load(dir)).hasMessageContaining("not valid JSON");
    }

    @Test
    void anUnknownNodeNameListsTheValidOnes() {
        assertThatThrownBy(() -> sample(3).node("node-9"))
                .isInstanceOfSatisfying(ClusterException.class, e -> assertThat(e.kind()).isEqualTo(ClusterException.Kind.USAGE))
                .hasMessage("no node 'node-9' in " + dir + "; the nodes are node-1, node-2, node-3");
    }

    @Test
    void theWrittenNodeYamlLoadsWithTheNodesOwnLoader() throws Exception {
        ClusterState s = sample(7);
        Files.writeString(dir.resolve(NewCluster.POLICY), Policy.defaultDocument("x0tta6bl4.local"));
        for (String name : List.of("node-1", "node-7")) {
            Files.createDirectories(s.nodeDir(name));
            Files.writeString(s.config(name), NodeYaml.write(s, name, DetectorSettings.Kind.PHI_ACCRUAL));
        }
        NodeConfig c = NodeConfigLoader.load(s.config("node-7"));
        ClusterState.NodeRecord r = s.node("node-7");
        assertThat(c.name()).isEqualTo("node-7");
        assertThat(c.trustDomain()).isEqualTo("x0tta6bl4.local");
        assertThat(c.dataDir()).isEqualTo(dir.resolve("node-7/data"));
        assertThat(c.bundleDir()).isEqualTo(dir.resolve("ca"));
        assertThat(c.credentialsDir()).isEqualTo(dir.resolve("ca/nodes/node-7"));
        assertThat(c.ports()).isEqualTo(new NodeConfig.Ports(r.apiPort(), r.peerPort(), r.raftPort()));
        assertThat(c.detector().kind()).isEqualTo(DetectorSettings.Kind.PHI_ACCRUAL);
        // node-1 forms the ledger group; the others join it through its Raft listener.
        assertThat(c.join()).isEqualTo(new NodeConfig.Join.Seeds(List.of(new io.x0tta6bl4.ledger.Replica("node-1", "127.0.0.1",
                s.node("node-1").raftPort()))));
        assertThat(NodeConfigLoader.load(s.config("node-1")).join()).isEqualTo(new NodeConfig.Join.Bootstrap());
        // The API section: the cluster token's audience, and the cluster's policy file one folder up, parsed at load.
        assertThat(c.api().audience()).isEqualTo(ClusterToken.AUDIENCE);
        assertThat(c.api().bootstrapPolicy()).hasValueSatisfying(p -> assertThat(p.source()).isEqualTo(Policy.defaultDocument("x0tta6bl4.local")));
    }

    @Test
    void aOneNodeClusterFormsItsGroupAlone() throws Exception {
        ClusterState s = sample(1);
        Files.writeString(dir.resolve(NewCluster.POLICY), Policy.defaultDocument("x0tta6bl4.local"));
        Files.createDirectories(s.nodeDir("node-1"));
        Files.writeString(s.config("node-1"), NodeYaml.write(s, "node-1", DetectorSettings.Kind.CONSECUTIVE_MISSES));
        assertThat(NodeConfigLoader.load(s.config("node-1")).join()).isEqualTo(new NodeConfig.Join.Bootstrap());
    }

    @Test
    void freePortsAreDistinctAndBindable() throws Exception {
        List<Integer> ports = FreePorts.pick(15);
        assertThat(ports).hasSize(15).doesNotHaveDuplicates().allSatisfy(p -> assertThat(p).isBetween(1, 65535));
        try (var s = new java.net.ServerSocket(ports.getFirst(), 50, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(s.getLocalPort()).isEqualTo(ports.getFirst());
        }
    }
}
