package io.x0tta6bl4.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.identity.NodeIssuer;
import io.x0tta6bl4.identity.TrustBundle;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaCommandTest {
    @TempDir Path tmp;

    private Path init() {
        Path dir = tmp.resolve("ca");
        Cli r = Cli.run("ca", "init", "--dir", dir.toString(), "--trust-domain", "mesh.example.org");
        assertThat(r.exit()).as(r.toString()).isZero();
        return dir;
    }

    @Test
    void initCreatesACaAndSaysWhere() {
        Path dir = tmp.resolve("ca");

        Cli r = Cli.run("ca", "init", "--dir", dir.toString(), "--trust-domain", "mesh.example.org");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("CA for spiffe://mesh.example.org in " + dir).contains("root.key, root-mldsa.key, jwt.key (mode 0600)");
        assertThat(r.err()).isEmpty();
        assertThat(dir.resolve("ca.json")).exists();
    }

    @Test
    void initTwiceExitsTwoNamingCaJsonAndChangesNothing() throws Exception {
        Path dir = init();
        byte[] before = Files.readAllBytes(dir.resolve("root.key"));

        Cli r = Cli.run("ca", "init", "--dir", dir.toString(), "--trust-domain", "mesh.example.org");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains(dir.resolve("ca.json").toString()).contains("a CA already exists here");
        assertThat(r.err().strip()).doesNotContain("\n").doesNotContain("Exception");
        assertThat(Files.readAllBytes(dir.resolve("root.key"))).isEqualTo(before);
    }

    @Test
    void initWithAnInvalidTrustDomainExitsTwo() {
        Cli r = Cli.run("ca", "init", "--dir", tmp.resolve("ca").toString(), "--trust-domain", "Mesh.Example.org");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: --trust-domain: invalid trust domain 'Mesh.Example.org': trust domain must be lower case");
        assertThat(tmp.resolve("ca")).doesNotExist();
    }

    @Test
    void issueNodeEnrolsANode() {
        Path dir = init();

        Cli r = Cli.run("ca", "issue-node", "--dir", dir.toString(), "--name", "node-1");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("spiffe://mesh.example.org/node/node-1 enrolled in " + dir.resolve("nodes/node-1"));
        assertThat(dir.resolve("nodes/node-1/identity.json")).exists();
    }

    @Test
    void issueNodeTwiceOrWithABadNameExitsTwo() {
        Path dir = init();
        Cli.run("ca", "issue-node", "--dir", dir.toString(), "--name", "node-1");

        Cli again = Cli.run("ca", "issue-node", "--dir", dir.toString(), "--name", "node-1");
        Cli bad = Cli.run("ca", "issue-node", "--dir", dir.toString(), "--name", "../node-1");

        assertThat(again.exit()).as(again.toString()).isEqualTo(2);
        assertThat(again.err()).contains("node 'node-1' is already enrolled");
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(2);
        assertThat(bad.err()).startsWith("error: --name: node name '../node-1' must be 1-63 characters");
    }

    @Test
    void issueNodeWithoutACaSaysHowToMakeOne() {
        Cli r = Cli.run("ca", "issue-node", "--dir", tmp.toString(), "--name", "node-1");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("ca.json").contains("does not exist").contains("x0tta6bl4 ca init");
    }

    @Test
    void issueNodeTakesATtl() {
        Path dir = init();

        Cli r = Cli.run("ca", "issue-node", "--dir", dir.toString(), "--name", "node-1", "--ttl", "2h");
        Cli bad = Cli.run("ca", "issue-node", "--dir", dir.toString(), "--name", "node-2", "--ttl", "0s");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(2);
        assertThat(bad.err()).contains("SVID ttl must be positive");
    }

    /**
     * Bug: an SVID lifetime that reaches past year 9999 makes X509.svid throw IllegalStateException,
     * which Main's handler rethrows: picocli prints a stack trace and exits 1, the code that means
     * "refused". Enable once issueNode bounds the ttl (or Main maps unexpected exceptions).
     */
    @Test
    void anAbsurdTtlIsAUsageErrorNotACrash() {
        Path dir = init();

        Cli r = Cli.run("ca", "issue-node", "--dir", dir.toString(), "--name", "node-1", "--ttl", "3000000d");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").doesNotContain("Exception");
    }

    @Test
    void issueHostWritesTheHostsIssuerAndSaysWhatItWrote() throws Exception {
        Path dir = init();
        Path out = tmp.resolve("host-1");

        Cli r = Cli.run("ca", "issue-host", "--dir", dir.toString(), "--name", "host-1", "--out", out.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("spiffe://mesh.example.org/host/host-1 issuer in " + out + " (valid until ")
                .contains("issuer.crt          EC P-256 intermediate CA, signed by the root")
                .contains("issuer-mldsa.json   PQ issuer document, signed by the ML-DSA-65 root")
                .contains("private keys        issuer.key, issuer-mldsa.key, svid.key (mode 0600)");
        assertThat(r.err()).isEmpty();
        NodeIssuer issuer = NodeIssuer.load(out, TrustBundle.load(dir), Instant.now());
        assertThat(issuer.id()).hasToString("spiffe://mesh.example.org/host/host-1");
        assertThat(Duration.between(Instant.now(), issuer.notAfter())).as("default ttl 720h")
                .isBetween(Duration.ofHours(719), Duration.ofHours(720));
        assertThat(dir.resolve("nodes")).as("the CA enrols no node for it").doesNotExist();
    }

    @Test
    void issueHostTakesATtlAndRefusesOneThatOutlivesTheRoot() {
        Path dir = init();

        Cli r = Cli.run("ca", "issue-host", "--dir", dir.toString(), "--name", "host-1", "--out", tmp.resolve("h1").toString(), "--ttl", "2h");
        Cli bad = Cli.run("ca", "issue-host", "--dir", dir.toString(), "--name", "host-2", "--out", tmp.resolve("h2").toString(), "--ttl", "4000d");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(NodeIssuer.load(tmp.resolve("h1"), TrustBundle.load(dir), Instant.now()).notAfter()).isBefore(Instant.now().plusSeconds(7201));
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(2);
        assertThat(bad.err()).startsWith("error: issuer ttl 4000 days would outlive the root certificate");
        assertThat(tmp.resolve("h2")).doesNotExist();
    }

    @Test
    void issueHostWithABadNameOrIntoAFullDirectoryExitsTwoAndWritesNothing() throws Exception {
        Path dir = init();
        Path busy = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(busy.resolve("notes"), "mine");

        Cli badName = Cli.run("ca", "issue-host", "--dir", dir.toString(), "--name", "Host_1", "--out", tmp.resolve("h").toString());
        Cli full = Cli.run("ca", "issue-host", "--dir", dir.toString(), "--name", "host-1", "--out", busy.toString());
        Cli noOut = Cli.run("ca", "issue-host", "--dir", dir.toString(), "--name", "host-1");

        assertThat(badName.exit()).as(badName.toString()).isEqualTo(2);
        assertThat(badName.err()).startsWith("error: --name: node name 'Host_1' must be 1-63 characters");
        assertThat(tmp.resolve("h")).doesNotExist();
        assertThat(full.exit()).as(full.toString()).isEqualTo(2);
        assertThat(full.err()).startsWith("error: " + busy + ": is not empty").doesNotContain("Exception");
        try (var files = Files.list(busy)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("notes");
        }
        assertThat(noOut.exit()).isEqualTo(2);
        assertThat(noOut.err()).contains("Missing required option").contains("--out");
    }

    @Test
    void bundlePrintsTheRootCertificateAsPem() throws Exception {
        Path dir = init();

        Cli r = Cli.run("ca", "bundle", "--dir", dir.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(r.out().getBytes(StandardCharsets.US_ASCII)));
        assertThat(cert.getBasicConstraints()).as("pathLen").isEqualTo(1);
        assertThat(r.out()).isEqualTo(Files.readString(dir.resolve("root.crt")));
    }

    @Test
    void missingRequiredOptionExitsTwoNamingIt() {
        Cli r = Cli.run("ca", "init", "--trust-domain", "mesh.example.org");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required option").contains("--dir");
    }

    @Test
    void anUnknownCommandExitsTwo() {
        Cli r = Cli.run("ca", "destroy");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("destroy");
    }

    @Test
    void versionAndHelpExitZero() {
        Cli version = Cli.run("--version");
        Cli help = Cli.run("--help");

        assertThat(version.exit()).isZero();
        assertThat(version.out()).startsWith("x0tta6bl4 ").contains("on Java 25");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("ca").contains("token").contains("envelope").contains("demo");
    }
}
