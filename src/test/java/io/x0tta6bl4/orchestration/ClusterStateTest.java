package io.x0tta6bl4.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.x0tta6bl4.monitor.DetectorSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files the cluster commands and the host agent keep: cluster.json, launch.json, state.json, and the node.yaml they write. */
class ClusterStateTest {
    @TempDir Path dir;

    private static NodeSpec joiner(String name) {
        return new NodeSpec(name, new NodeSpec.Join.Seeds(List.of(NodeSpec.Seed.parse("node-1@127.0.0.1:41234"), NodeSpec.Seed.parse("node-2@127.0.0.1:41240"))),
                DetectorSettings.Kind.PHI_ACCRUAL, Duration.ofHours(24));
    }

    @Test
    void clusterJsonRoundTripsAndKeepsOnlyTheNamesItMade() throws Exception {
        ClusterState s = new ClusterState(dir, "x0tta6bl4.local", Instant.parse("2026-12-06T21:00:00Z"), List.of("node-1", "node-2"));
        s.save();
        ClusterState back = ClusterState.load(dir);
        assertThat(back).isEqualTo(s);
        assertThat(back.with("node-3").without("node-1").nodes()).containsExactly("node-2", "node-3");
        assertThat(JsonReader.MAPPER.readTree(Files.readString(dir.resolve("cluster.json"))).fieldNames())
                .toIterable().containsExactly("format", "trust_domain", "created", "nodes");
        assertThat(Files.exists(dir.resolve("cluster.json.tmp"))).isFalse();
    }

    @Test
    void aMissingOldOrBrokenFileSaysWhatToDo() throws Exception {
        assertThatThrownBy(() -> ClusterState.load(dir))
                .isInstanceOfSatisfying(ClusterException.class, e -> assertThat(e.kind()).isEqualTo(ClusterException.Kind.USAGE))
                .hasMessage("no cluster in " + dir + " (" + dir.resolve("cluster.json") + " does not exist); run cluster up --nodes N --dir " + dir);
        Files.writeString(dir.resolve("cluster.json"), "{\"format\":1,\"nodes\":[]}");
        assertThatThrownBy(() -> ClusterState.load(dir)).hasMessageContaining("format 1 is not supported")
                .hasMessageContaining("made by an older version").hasMessageEndingWith("; run cluster up --nodes N --dir " + dir);
        Files.writeString(dir.resolve("cluster.json"), "{\"format\":2,\"trust_domain\":\"t\",\"created\":\"2026-12-06T21:00:00Z\",\"nodes\":[\"Node 1\"]}");
        assertThatThrownBy(() -> ClusterState.load(dir)).hasMessageContaining("nodes[0]: node name 'Node 1' must be");
        Files.writeString(dir.resolve("cluster.json"), "not json");
        assertThatThrownBy(() -> ClusterState.load(dir)).hasMessageContaining("not valid JSON");
    }

    @Test
    void anUnknownNodeNameListsTheValidOnes() {
        ClusterState s = new ClusterState(dir, "x0tta6bl4.local", Instant.now(), List.of("node-1", "node-2", "node-3"));
        assertThatThrownBy(() -> s.node("node-9"))
                .isInstanceOfSatisfying(ClusterException.class, e -> assertThat(e.kind()).isEqualTo(ClusterException.Kind.USAGE))
                .hasMessage("no node 'node-9' in " + dir + "; the nodes are node-1, node-2, node-3");
    }

    @Test
    void theLaunchUsesThisJvmAndTheProductionLoggingConfigurationAndRoundTrips() {
        NodeLaunch l = NodeLaunch.current();
        assertThat(l.java()).isEqualTo(Path.of(System.getProperty("java.home"), "bin", "java"));
        assertThat(l.classPath()).isEqualTo(System.getProperty("java.class.path"));
        assertThat(l.jvmOptions()).anySatisfy(o -> assertThat(o).startsWith("-Dlogback.configurationFile=").endsWith("/logback.xml"));
        assertThat(l.command(List.of("-Dorg.sqlite.tmpdir=/x"), dir.resolve("node-1/node.yaml")))
                .startsWith(l.java().toString()).contains("-XX:+UseZGC", "-Dorg.sqlite.tmpdir=/x", "-cp", "io.x0tta6bl4.cli.Main", "node", "run", "--config")
                .endsWith(dir.resolve("node-1/node.yaml").toString());
        assertThat(l.agentCommand(dir, List.of("--exit-with", "42"))).contains("-cp", l.classPath(), "io.x0tta6bl4.cli.Main", "host", "run", "--dir")
                .endsWith(dir.toString(), "--exit-with", "42");
        l.save(dir.resolve("launch.json"));
        assertThat(NodeLaunch.load(dir.resolve("launch.json"))).isEqualTo(l);
    }

    @Test
    void theHostStateRoundTripsAndANodeNeverStartedHasNoProcess() {
        NodeSpec first = new NodeSpec("node-1", new NodeSpec.Join.Bootstrap(), DetectorSettings.Kind.CONSECUTIVE_MISSES, Duration.ofHours(24));
        HostState s = new HostState(List.of(new HostState.Entry(first, Optional.of(new NodeProcess(1234, Instant.parse("2026-12-06T21:00:00.120Z")))),
                new HostState.Entry(joiner("node-2"), Optional.empty())));
        s.save(dir.resolve("state.json"));
        assertThat(HostState.load(dir.resolve("state.json"))).isEqualTo(s);
        assertThat(HostState.load(dir.resolve("missing.json")).nodes()).as("a new host").isEmpty();
    }

    @Test
    void theWrittenNodeYamlIsVersion2WithJoinAndNoPortsOrPeers() throws Exception {
        JsonNode first = new YAMLMapper().readTree(NodeYaml.write(new NodeSpec("node-1", new NodeSpec.Join.Bootstrap(),
                DetectorSettings.Kind.CONSECUTIVE_MISSES, Duration.ofHours(1)), "x0tta6bl4.local", "127.0.0.1"));
        assertThat(first.path("join").path("bootstrap").asBoolean()).isTrue();
        JsonNode y = new YAMLMapper().readTree(NodeYaml.write(joiner("node-7"), "x0tta6bl4.local", "127.0.0.1"));
        assertThat(y.fieldNames()).toIterable().containsExactly("name", "trust_domain", "host", "data_dir", "bundle_dir", "credentials_dir", "host_agent",
                "join", "probe", "api");
        assertThat(y.path("host_agent").asText()).as("the cluster directory, whose host agent a scaling proposal asks").isEqualTo("..");
        assertThat(y.path("name").asText()).isEqualTo("node-7");
        assertThat(y.path("bundle_dir").asText()).isEqualTo("../bundle");
        assertThat(y.path("credentials_dir").asText()).isEqualTo("credentials");
        assertThat(y.path("join").path("seeds")).extracting(JsonNode::asText).containsExactly("node-1@127.0.0.1:41234", "node-2@127.0.0.1:41240");
        assertThat(y.path("probe").path("detector").asText()).isEqualTo("phi-accrual");
        assertThat(y.path("api").path("audience").asText()).isEqualTo(ClusterToken.AUDIENCE);
        assertThat(y.path("api").path("bootstrap_policy").asText()).isEqualTo("../policy.yaml");
    }

    @Test
    void theWrittenNodeYamlLoadsWithTheNodesOwnLoader() throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), io.x0tta6bl4.policy.Policy.defaultDocument("x0tta6bl4.local"));
        Path config = dir.resolve("node-7").resolve("node.yaml");
        Files.createDirectories(config.getParent());
        Files.writeString(config, NodeYaml.write(joiner("node-7"), "x0tta6bl4.local", "127.0.0.1"));
        io.x0tta6bl4.node.NodeConfig c = io.x0tta6bl4.node.NodeConfigLoader.load(config);
        assertThat(c.name()).isEqualTo("node-7");
        assertThat(c.trustDomain()).isEqualTo("x0tta6bl4.local");
        assertThat(c.dataDir()).isEqualTo(dir.resolve("node-7/data"));
        assertThat(c.hostAgent()).contains(dir);
        assertThat(c.bundleDir()).isEqualTo(dir.resolve("bundle"));
        assertThat(c.credentialsDir()).isEqualTo(dir.resolve("node-7/credentials"));
        assertThat(c.ports()).as("the kernel picks, the node keeps").isEqualTo(io.x0tta6bl4.node.NodeConfig.Ports.ANY);
        assertThat(c.join()).isInstanceOfSatisfying(io.x0tta6bl4.node.NodeConfig.Join.Seeds.class, j -> assertThat(j.seeds())
                .extracting(Object::toString).containsExactly("node-1@127.0.0.1:41234", "node-2@127.0.0.1:41240"));
        assertThat(c.detector().kind()).isEqualTo(DetectorSettings.Kind.PHI_ACCRUAL);
        assertThat(c.api().audience()).isEqualTo(ClusterToken.AUDIENCE);
        assertThat(c.api().bootstrapPolicy()).hasValueSatisfying(p -> assertThat(p.source())
                .isEqualTo(io.x0tta6bl4.policy.Policy.defaultDocument("x0tta6bl4.local")));
        Path first = dir.resolve("node-1").resolve("node.yaml");
        Files.createDirectories(first.getParent());
        Files.writeString(first, NodeYaml.write(new NodeSpec("node-1", new NodeSpec.Join.Bootstrap(), DetectorSettings.Kind.CONSECUTIVE_MISSES,
                Duration.ofHours(1)), "x0tta6bl4.local", "127.0.0.1"));
        assertThat(io.x0tta6bl4.node.NodeConfigLoader.load(first).join()).isInstanceOf(io.x0tta6bl4.node.NodeConfig.Join.Bootstrap.class);
    }

    @Test
    void aSeedIsNameAtHostColonPort() {
        assertThat(NodeSpec.Seed.parse("node-1@127.0.0.1:41234")).isEqualTo(new NodeSpec.Seed("node-1", "127.0.0.1", 41234));
        assertThatThrownBy(() -> NodeSpec.Seed.parse("127.0.0.1:41234")).hasMessageContaining("write name@host:raftport");
        assertThatThrownBy(() -> NodeSpec.Seed.parse("node-1@127.0.0.1:70000")).hasMessageContaining("1..65535, got 70000");
        assertThatThrownBy(() -> NodeSpec.Seed.parse("Node@h:1")).hasMessageContaining("node name 'Node'");
    }
}
