package io.x0tta6bl4.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.x0tta6bl4.ledger.Replica;
import io.x0tta6bl4.monitor.DetectorSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigLoaderTest {
    private static final String VALID = """
            name: node-1
            trust_domain: mesh.example.org
            data_dir: data/node-1
            bundle_dir: ../bundle
            credentials_dir: credentials
            ports:
              api: 8443
              peer: 9443
              raft: 7101
            join:
              seeds: ["node-2@127.0.0.1:7102", "node-3@10.0.0.3:7103"]
            probe:
              interval: 100ms
              timeout: 50ms
              misses: 3
              detector: phi-accrual
            load:
              cpu_percent: 75
              latency_p99: 250ms
            """;

    @TempDir Path dir;

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void aValidFileGivesATypedConfigWithDefaultsAndResolvedPaths() throws Exception {
        NodeConfig c = NodeConfigLoader.load(write(VALID));
        assertThat(c.name()).isEqualTo("node-1");
        assertThat(c.trustDomain()).isEqualTo("mesh.example.org");
        assertThat(c.dataDir()).isEqualTo(dir.toAbsolutePath().resolve("data/node-1"));
        assertThat(c.bundleDir()).isEqualTo(dir.toAbsolutePath().getParent().resolve("bundle"));
        assertThat(c.credentialsDir()).isEqualTo(dir.toAbsolutePath().resolve("credentials"));
        assertThat(c.ports()).isEqualTo(new NodeConfig.Ports(8443, 9443, 7101));
        assertThat(c.join()).isEqualTo(new NodeConfig.Join.Seeds(List.of(new Replica("node-2", "127.0.0.1", 7102), new Replica("node-3", "10.0.0.3", 7103))));
        assertThat(c.detector().admitAfter()).isEqualTo(DetectorSettings.DEFAULT_ADMIT_AFTER);
        assertThat(c.detector().kind()).isEqualTo(DetectorSettings.Kind.PHI_ACCRUAL);
        assertThat(c.detector().interval()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.detector().downAfter()).isEqualTo(3);
        assertThat(c.detector().suspectAfter()).isEqualTo(2);
        assertThat(c.load().cpuPercent()).isEqualTo(75);
        assertThat(c.load().memoryPercent()).isEqualTo(NodeConfig.LoadThresholds.DEFAULTS.memoryPercent());
        assertThat(c.load().latencyP99()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void everyProblemIsReportedWithFileLineAndField() throws Exception {
        String broken = VALID
                .replace("name: node-1", "name: Node_1")
                .replace("node-2@127.0.0.1:7102", "node-2@127.0.0.1:70000")
                .replace("  timeout: 50ms", "  timeout: soon")
                .replace("  cpu_percent: 75", "  cpu_percent: 175\n  colour: blue");
        Path file = write(broken);
        assertThatThrownBy(() -> NodeConfigLoader.load(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        file + ":1: name: node name 'Node_1' must be 1-63 characters of a-z, 0-9 and '-', not starting or ending with '-' (for example node-1)",
                        file + ":11: join.seeds[0]: replica node-2: port 70000 is not 1..65535",
                        file + ":14: probe.timeout: 'soon' is not a positive duration; write e.g. 100ms, 2s, 5m",
                        file + ":18: load.cpu_percent: must be a percentage 0..100, got 175",
                        file + ":19: load.colour: unknown field; allowed here: cpu_percent, memory_percent, latency_p99, error_rate_percent, queue_length, sustain"));
    }

    @Test
    void missingRequiredFieldsAreNamed() throws Exception {
        Path file = write("name: node-1\nports:\n  api: 1\n  peer: 2\n");
        assertThatThrownBy(() -> NodeConfigLoader.load(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).contains(
                        file + ":1: field 'trust_domain' is missing",
                        file + ":1: field 'data_dir' is missing",
                        file + ":1: field 'bundle_dir' is missing (the trust bundle; or give ca_dir for a CA directory)",
                        file + ":1: field 'join' is missing: write join: {bootstrap: true} for the first node of a new mesh, or join: "
                                + "{seeds: [\"node-1@127.0.0.1:7101\"]} with the raft address of a member"));
    }

    @Test
    void portsMayBeLeftToTheKernelAndTheHandMadeFormWithACaDirectoryStillWorks() throws Exception {
        NodeConfig c = NodeConfigLoader.load(write("""
                name: node-1
                trust_domain: mesh.example.org
                data_dir: data
                ca_dir: ../ca
                join: {bootstrap: true}
                """));
        assertThat(c.ports()).isEqualTo(NodeConfig.Ports.ANY);
        assertThat(c.join()).isEqualTo(new NodeConfig.Join.Bootstrap());
        assertThat(c.bundleDir()).isEqualTo(dir.toAbsolutePath().getParent().resolve("ca"));
        assertThat(c.credentialsDir()).isEqualTo(dir.toAbsolutePath().getParent().resolve("ca/nodes/node-1"));
        Path both = write("name: node-1\ntrust_domain: m.org\ndata_dir: d\nca_dir: ca\nbundle_dir: b\njoin: {bootstrap: true, seeds: [\"a@h:1\"]}\n");
        assertThatThrownBy(() -> NodeConfigLoader.load(both)).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).contains(
                both + ":4: ca_dir: give either ca_dir (a CA directory with nodes/<name>/) or bundle_dir and credentials_dir, not both",
                both + ":6: join: give bootstrap: true or seeds, not both"));
    }

    @Test
    void inconsistentValuesAreRefused() throws Exception {
        String yaml = VALID.replace("  peer: 9443", "  peer: 8443")
                .replace("node-3@10.0.0.3:7103", "node-2@10.0.0.3:7103")
                .replace("  timeout: 50ms", "  timeout: 500ms");
        Path file = write(yaml);
        assertThatThrownBy(() -> NodeConfigLoader.load(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(String.join("\n", e.problems()))
                        .contains("ports: api, peer and raft must be three different ports, got 8443, 8443, 7101")
                        .contains("join.seeds[1]: 'node-2' appears twice")
                        .contains("probe: timeout 500 ms must not exceed interval 100 ms"));
    }

    @Test
    void notYamlAndMissingFilesAreClearErrors() throws Exception {
        Path bad = write("name: [unclosed\n");
        assertThatThrownBy(() -> NodeConfigLoader.load(bad)).isInstanceOf(ConfigException.class).hasMessageContaining("not valid YAML");
        Path list = write("- just\n- a list\n");
        assertThatThrownBy(() -> NodeConfigLoader.load(list)).isInstanceOf(ConfigException.class).hasMessageContaining("must be a YAML mapping");
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> NodeConfigLoader.load(missing)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("nope.yaml: does not exist");
    }

    @Test
    void theApiSectionDefaultsToTheX0tta6bl4AudienceAndNoBootstrapPolicy() throws Exception {
        NodeConfig c = NodeConfigLoader.load(write(VALID));
        assertThat(c.api().audience()).isEqualTo("x0tta6bl4");
        assertThat(c.api().bootstrapPolicy()).isEmpty();
    }

    @Test
    void aBootstrapPolicyIsParsedAtLoadAndItsOwnLineAndFieldAreNamed() throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), io.x0tta6bl4.policy.Policy.defaultDocument("mesh.example.org"));
        NodeConfig c = NodeConfigLoader.load(write(VALID + "api:\n  audience: mesh-api\n  bootstrap_policy: policy.yaml\n"));
        assertThat(c.api().audience()).isEqualTo("mesh-api");
        assertThat(c.api().bootstrapPolicy()).hasValueSatisfying(p -> assertThat(p.version()).isEqualTo(1));

        Files.writeString(dir.resolve("bad.yaml"), "version: 1\nrules:\n  - id: r\n    effect: alow\n    principals: [\"spiffe://mesh.example.org/app/*\"]\n    resources: [\"*\"]\n    actions: [\"*\"]\n");
        Path file = write(VALID + "api:\n  bootstrap_policy: bad.yaml\n");
        assertThatThrownBy(() -> NodeConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement().asString()
                        .contains("api.bootstrap_policy").contains("bad.yaml:4: rules[0].effect: \"alow\" is not one of allow, deny"));

        Files.writeString(dir.resolve("huge.yaml"), io.x0tta6bl4.policy.Policy.defaultDocument("mesh.example.org") + "#" + "x".repeat(60 * 1024) + "\n");
        Path huge = write(VALID + "api:\n  bootstrap_policy: huge.yaml\n");
        assertThatThrownBy(() -> NodeConfigLoader.load(huge))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement().asString()
                        .contains("api.bootstrap_policy").contains("stored whole in one ledger entry"));

        Path missing = write(VALID + "api:\n  bootstrap_policy: nowhere.yaml\n  audiance: x\n");
        assertThatThrownBy(() -> NodeConfigLoader.load(missing))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).as(((ConfigException) e).problems().toString()).hasSize(2)
                        .anySatisfy(p -> assertThat(p).contains("nowhere.yaml does not exist"))
                        .anySatisfy(p -> assertThat(p).contains("audiance")));
    }
}
