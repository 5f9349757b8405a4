package io.x0tta6bl4.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code node run} refuses to start on a bad file, saying which field to fix, and creates nothing. */
class NodeCommandTest {
    @TempDir Path dir;

    @Test
    void aConfigErrorNamesTheFileLineAndFieldAndStartsNothing() throws Exception {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, """
                name: node-1
                trust_domain: mesh.test
                data_dir: data
                ca_dir: ca
                ports: {api: 8443, peer: 9443, raft: 70000}
                probe:
                  timeout: soon
                """);
        Cli r = Cli.run("node", "run", "--config", file.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("node.yaml:5: ports.raft").contains("70000").contains("node.yaml:7: probe.timeout").contains("'soon'");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void missingCredentialsNameTheCaDirectoryAndHowToIssueThem() throws Exception {
        Cli init = Cli.run("ca", "init", "--dir", dir.resolve("ca").toString(), "--trust-domain", "mesh.test");
        assertThat(init.exit()).as(init.toString()).isZero();
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, """
                name: node-1
                trust_domain: mesh.test
                data_dir: data
                ca_dir: ca
                ports: {api: 8443, peer: 9443, raft: 7443}
                join: {bootstrap: true}
                """);
        Cli r = Cli.run("node", "run", "--config", file.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("ca_dir").contains("issue-node").contains("node-1");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void aTrustDomainOtherThanTheCasIsRefused() throws Exception {
        Cli.run("ca", "init", "--dir", dir.resolve("ca").toString(), "--trust-domain", "mesh.test");
        Cli.run("ca", "issue-node", "--dir", dir.resolve("ca").toString(), "--name", "node-1");
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, """
                name: node-1
                trust_domain: other.test
                data_dir: data
                ca_dir: ca
                ports: {api: 8443, peer: 9443, raft: 7443}
                join: {bootstrap: true}
                """);
        Cli r = Cli.run("node", "run", "--config", file.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("trust_domain").contains("other.test").contains("mesh.test");
    }
}
