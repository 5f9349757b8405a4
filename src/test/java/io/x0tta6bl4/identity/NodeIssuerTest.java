package io.x0tta6bl4.identity;

import static io.x0tta6bl4.identity.Fixtures.DAY;
import static io.x0tta6bl4.identity.Fixtures.DOMAIN;
import static io.x0tta6bl4.identity.Fixtures.ISSUER_TTL;
import static io.x0tta6bl4.identity.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A host agent's issuing credentials: what {@code issueIssuer} writes, what {@code load} refuses, what {@code issueNode} makes. */
class NodeIssuerTest {
    private static final List<String> ISSUER_FILES =
            List.of("issuer-mldsa.json", "issuer-mldsa.key", "issuer.crt", "issuer.key", "svid.crt", "svid.key");
    private static final List<String> ISSUER_SECRETS = List.of("issuer-mldsa.key", "issuer.key", "svid.key");

    @TempDir Path tmp;

    private CertificateAuthority ca;
    private Path hostDir;
    private NodeIssuer host;

    @BeforeEach
    void setUp() {
        ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);
        hostDir = tmp.resolve("host-1");
        host = Fixtures.issuer(ca, hostDir, "host-1", 10);
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private X509Certificate intermediate() {
        return host.credentials().svidChain().get(1);
    }

    // --- issueIssuer ------------------------------------------------------------------------------

    @Test
    void issueIssuerWritesExactlyTheDocumentedFilesWithSecretsOwnerOnly() throws IOException {
        assertThat(files(hostDir)).isEqualTo(ISSUER_FILES);
        for (String f : ISSUER_FILES) {
            String mode = ISSUER_SECRETS.contains(f) ? "rw-------" : "rw-r--r--";
            assertThat(Files.getPosixFilePermissions(hostDir.resolve(f))).as(f).isEqualTo(PosixFilePermissions.fromString(mode));
        }
        assertThat(host.id()).hasToString("spiffe://example.org/host/host-1");
        assertThat(host.bundle()).isEqualTo(ca.bundle());
        assertThat(host.notAfter()).isEqualTo(T0.plus(ISSUER_TTL));
        assertThat(host.toString()).isEqualTo("NodeIssuer[spiffe://example.org/host/host-1, valid until " + T0.plus(ISSUER_TTL) + "]");
    }

    @Test
    void theIntermediateIsARootSignedCaForLeavesOnly() throws Exception {
        X509Certificate issuer = TrustBundle.certificate(Fixtures.pemDer(hostDir.resolve("issuer.crt")));

        assertThat(issuer).isEqualTo(intermediate());
        assertThat(issuer.getBasicConstraints()).as("CA, pathLen 0").isZero();
        assertThat(issuer.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
        assertThat(issuer.getKeyUsage()).startsWith(false, false, false, false, false, true, true);
        assertThat(issuer.getExtensionValue("2.5.29.14")).as("SKI").isNotNull();
        assertThat(issuer.getExtensionValue("2.5.29.35")).as("AKI").isNotNull();
        assertThat(issuer.getSubjectAlternativeNames()).containsExactly(List.of(6, "spiffe://example.org"));
        assertThat(issuer.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(issuer.getNotBefore().toInstant()).isEqualTo(T0.minus(X509.BACKDATE));
        assertThat(issuer.getNotAfter().toInstant()).isEqualTo(T0.plus(ISSUER_TTL));
        issuer.verify(ca.bundle().x509Root().getPublicKey());
    }

    @Test
    void theIssuerDocumentBindsTheHostIdToAFreshMlDsaKeyUnderTheRoot() throws Exception {
        PqIssuerDocument doc = PqIssuerDocument.fromJson("issuer-mldsa.json", Files.readString(hostDir.resolve("issuer-mldsa.json")));

        assertThat(doc).isEqualTo(host.document());
        assertThat(doc.spiffeId()).isEqualTo(host.id());
        assertThat(doc.notBefore()).isEqualTo(T0.minus(X509.BACKDATE));
        assertThat(doc.notAfter()).isEqualTo(T0.plus(ISSUER_TTL));
        assertThat(ca.bundle().pqRootKey().verify(doc.toBeSigned(), doc.signature())).isTrue();
        assertThat(doc.signingKey()).isNotEqualTo(ca.bundle().pqRootKey());
        ca.bundle().verifyIssuer(doc, T0);
    }

    @Test
    void theHostsOwnSvidIsALeafOfTheIntermediateThatPlainHttpsClientsCanCheck() throws Exception {
        SvidCredentials self = host.credentials();
        X509Certificate leaf = self.svidChain().getFirst();

        assertThat(self.svidChain()).hasSize(2);
        assertThat(self).isEqualTo(SvidCredentials.load(hostDir));
        assertThat(ca.bundle().verifySvid(self.svidChain(), T0)).isEqualTo(host.id());
        assertThat(leaf.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                List.of(6, "spiffe://example.org/host/host-1"), List.of(2, "localhost"), List.of(7, "127.0.0.1"));
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(intermediate().getSubjectX500Principal());
        assertThat(leaf.getNotAfter().toInstant()).as("lasts as long as the issuer").isEqualTo(host.notAfter());
    }

    @Test
    void anIssuerSurvivesLoadingAgainAndFromAnExportedBundle() {
        Path bundleDir = tmp.resolve("bundle");
        ca.bundle().export(bundleDir);

        NodeIssuer again = NodeIssuer.load(hostDir, TrustBundle.load(bundleDir), T0.plus(DAY));

        assertThat(again.id()).isEqualTo(host.id());
        assertThat(again.document()).isEqualTo(host.document());
        assertThat(again.credentials()).isEqualTo(host.credentials());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Host-1", "host_1", "../host", "-host", ""})
    void anInvalidHostNameIsRefusedBeforeAnythingIsWritten(String name) {
        Path out = tmp.resolve("bad");

        assertThatThrownBy(() -> ca.issueIssuer(name, ISSUER_TTL, T0, new TestRandom(2), out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node name '" + name + "' must be 1-63 characters");
        assertThat(out).doesNotExist();
    }

    @Test
    void anIssuerTtlThatIsNotPositiveOrOutlivesTheRootIsRefused() {
        Path out = tmp.resolve("bad");

        assertThatThrownBy(() -> ca.issueIssuer("host-2", Duration.ZERO, T0, new TestRandom(2), out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("issuer ttl must be positive, got PT0S");
        assertThatThrownBy(() -> ca.issueIssuer("host-2", Duration.ofDays(3651), T0, new TestRandom(2), out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("issuer ttl 3651 days would outlive the root certificate, which expires " + T0.plus(X509.ROOT_VALIDITY)
                        + "; choose a shorter --ttl (default 720h)");
        assertThat(out).doesNotExist();
        assertThat(ca.issueIssuer("host-2", X509.ROOT_VALIDITY, T0, new TestRandom(2), out).notAfter()).isEqualTo(T0.plus(X509.ROOT_VALIDITY));
    }

    @Test
    void anIssuerIsNeverWrittenIntoADirectoryThatHoldsAnything() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(out.resolve("issuer.key"), "precious");

        assertThatThrownBy(() -> ca.issueIssuer("host-2", ISSUER_TTL, T0, new TestRandom(2), out))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining(out + ": is not empty")
                .hasMessageContaining("choose a new --out directory for the issuer of host 'host-2'");
        assertThat(files(out)).containsExactly("issuer.key");
        assertThat(Files.readString(out.resolve("issuer.key"))).isEqualTo("precious");
        assertThatThrownBy(() -> ca.issueIssuer("host-1", ISSUER_TTL, T0, new TestRandom(2), hostDir))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining("is not empty");
        assertThat(ca.issueIssuer("host-2", ISSUER_TTL, T0, new TestRandom(2), Files.createDirectories(tmp.resolve("empty"))).id())
                .hasToString("spiffe://example.org/host/host-2");
    }

    @Test
    void aCaWhoseRootAllowsNoIntermediateRefusesToMakeAnIssuer() throws Exception {
        // A CA made before host issuers existed: its root.crt says pathLen 0.
        Path dir = ca.dir();
        X509Certificate old = X509.selfSignedRoot(DOMAIN, "x0tta6bl4 root (EC P-256)", ca.bundle().x509Root().getPublicKey(),
                Fixtures.ecPrivateKey(dir.resolve("root.key")), "SHA256withECDSA", 0, T0, new TestRandom(3));
        Files.delete(dir.resolve("root.crt"));
        Files.writeString(dir.resolve("root.crt"), X509.pem(old));
        CertificateAuthority oldCa = CertificateAuthority.load(dir);
        Path out = tmp.resolve("host-2");

        assertThatThrownBy(() -> oldCa.issueIssuer("host-2", ISSUER_TTL, T0, new TestRandom(2), out))
                .isInstanceOf(CredentialFileException.class)
                .hasMessage(dir.resolve("root.crt") + ": allows no intermediate CA (pathLen 0): this CA was made before host issuers existed; "
                        + "create a new CA with x0tta6bl4 ca init, or keep enrolling nodes with x0tta6bl4 ca issue-node");
        assertThat(out).doesNotExist();
        assertThat(Fixtures.node(oldCa, "node-a", 4).id()).as("the old CA still enrols nodes itself").hasToString("spiffe://example.org/node/node-a");
    }

    // --- load: each file checked against the bundle -------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"issuer.crt", "issuer.key", "issuer-mldsa.json", "issuer-mldsa.key", "svid.crt", "svid.key"})
    void aMissingFileIsNamedWithHowToMakeIt(String missing) throws IOException {
        Files.delete(hostDir.resolve(missing));

        assertThatThrownBy(() -> NodeIssuer.load(hostDir, ca.bundle(), T0))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining(hostDir.resolve(missing) + ": does not exist")
                .satisfies(e -> assertThat(((CredentialFileException) e).file()).isEqualTo(hostDir.resolve(missing)));
    }

    @Test
    void aMissingIssuerFileSaysHowToCreateTheIssuer() throws IOException {
        Files.delete(hostDir.resolve("issuer.crt"));

        assertThatThrownBy(() -> NodeIssuer.load(hostDir, ca.bundle(), T0))
                .hasMessageContaining("x0tta6bl4 ca issue-host --dir CA_DIR --name HOST --out " + hostDir);
    }

    @Test
    void anIssuerKeyFromAnotherIssuanceIsNamed() throws IOException {
        Path other = tmp.resolve("host-2");
        Fixtures.issuer(ca, other, "host-2", 11);
        replace("issuer.key", other);

        assertThatThrownBy(() -> NodeIssuer.load(hostDir, ca.bundle(), T0))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageStartingWith(hostDir.resolve("issuer.key") + ": does not match the public key in issuer.crt");
    }

    @Test
    void anMlDsaKeyFromAnotherIssuanceIsNamed() throws IOException {
        Path other = tmp.resolve("host-2");
        Fixtures.issuer(ca, other, "host-2", 11);
        replace("issuer-mldsa.key", other);

        assertThatThrownBy(() -> NodeIssuer.load(hostDir, ca.bundle(), T0))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageStartingWith(hostDir.resolve("issuer-mldsa.key") + ": does not match the ML-DSA-65 key in issuer-mldsa.json");
    }

    @Test
    void anIssuerDocumentOfAnotherHostIsCaughtThroughTheHostsSvid() throws IOException {
        Path other = tmp.resolve("host-2");
        Fixtures.issuer(ca, other, "host-2", 11);
        replace("issuer-mldsa.json", other);
        replace("issuer-mldsa.key", other);

        assertThatThrownBy(() -> NodeIssuer.load(hostDir, ca.bundle(), T0))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageStartingWith(hostDir.resolve("svid.crt") + ": is for spiffe://example.org/host/host-1 but issuer-mldsa.json is "
                        + "for spiffe://example.org/host/host-2; the files come from different issuances");
    }

    @Test
    void anIssuerCrtThatIsNotACaIsNamed() throws IOException {
        // The host's own leaf and key, put where the intermediate belongs: the key matches, the kind does not.
        Files.delete(hostDir.resolve("issuer.crt"));
        Files.delete(hostDir.resolve("issuer.key"));
        Files.writeString(hostDir.resolve("issuer.crt"), X509.pem(host.credentials().svidChain().getFirst()));
        Files.copy(hostDir.resolve("svid.key"), hostDir.resolve("issuer.key"));

        assertThatThrownBy(() -> NodeIssuer.load(hostDir, ca.bundle(), T0))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageStartingWith(hostDir.resolve("issuer.crt") + ": is not an intermediate CA certificate (it needs basicConstraints "
                        + "CA:true and keyCertSign)");
    }

    @Test
    void anIssuerOfAnotherCaIsRefusedAgainstThisBundleNamingIssuerCrt() {
        CertificateAuthority impostor = Fixtures.ca(tmp.resolve("impostor"), DOMAIN, 99);
        Path fake = tmp.resolve("fake");
        Fixtures.issuer(impostor, fake, "host-1", 12);

        assertThatThrownBy(() -> NodeIssuer.load(fake, ca.bundle(), T0))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageStartingWith(fake.resolve("issuer.crt") + ": does not verify against the trust bundle: certificate chain does not "
                        + "validate to the example.org root: intermediate CA 'CN=x0tta6bl4 host issuer host-1,OU=example.org,O=x0tta6bl4' "
                        + "names the root as its issuer but is not signed by its key");
    }

    @Test
    void anIssuerDocumentSignedByAnotherRootIsNamed() throws IOException {
        CertificateAuthority impostor = Fixtures.ca(tmp.resolve("impostor"), DOMAIN, 99);
        Path fake = tmp.resolve("fake");
        Fixtures.issuer(impostor, fake, "host-1", 12);
        replace("issuer-mldsa.json", fake);
        replace("issuer-mldsa.key", fake);

        assertThatThrownBy(() -> NodeIssuer.load(hostDir, ca.bundle(), T0))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageStartingWith(hostDir.resolve("issuer-mldsa.json") + ": does not verify against the trust bundle: issuer document "
                        + "of spiffe://example.org/host/host-1 is not signed by the example.org ML-DSA-65 root");
    }

    @Test
    void anEditedIssuerDocumentIsRefusedByItsStrictParserOrItsSignature() throws IOException {
        Path doc = hostDir.resolve("issuer-mldsa.json");
        String json = Files.readString(doc);

        Files.writeString(doc, json.replace("\"version\" : 1", "\"version\" : 1, \"admin\" : true"));
        assertThatThrownBy(() -> NodeIssuer.load(hostDir, ca.bundle(), T0))
                .isInstanceOf(CredentialFileException.class)
                .hasMessage(doc + ": unknown field 'admin'");
        Files.writeString(doc, json.replace(T0.plus(ISSUER_TTL).toString(), T0.plus(ISSUER_TTL).plus(DAY).toString()));
        assertThatThrownBy(() -> NodeIssuer.load(hostDir, ca.bundle(), T0))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining("is not signed by the example.org ML-DSA-65 root");
    }

    @Test
    void anSvidCrtWithoutTheIntermediateIsNamed() throws IOException {
        Path svid = hostDir.resolve("svid.crt");
        String leafOnly = X509.pem(host.credentials().svidChain().getFirst());
        Files.delete(svid);
        Files.writeString(svid, leafOnly);

        assertThatThrownBy(() -> NodeIssuer.load(hostDir, ca.bundle(), T0))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageStartingWith(svid + ": must hold the host's X.509-SVID followed by issuer.crt");
    }

    @Test
    void anExpiredIssuerIsRefusedAtLoadNamingIssuerCrt() {
        Instant later = T0.plus(ISSUER_TTL).plusSeconds(1);

        assertThatThrownBy(() -> NodeIssuer.load(hostDir, ca.bundle(), later))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageStartingWith(hostDir.resolve("issuer.crt") + ": does not verify against the trust bundle: certificate chain does not "
                        + "validate to the example.org root: intermediate CA 'CN=x0tta6bl4 host issuer host-1,OU=example.org,O=x0tta6bl4' is "
                        + "valid from " + T0.minus(X509.BACKDATE) + " to " + T0.plus(ISSUER_TTL) + ", not at " + later);
    }

    private void replace(String file, Path from) throws IOException {
        Files.delete(hostDir.resolve(file));
        Files.copy(from.resolve(file), hostDir.resolve(file));
    }

    // --- issueNode ---------------------------------------------------------------------------------

    @Test
    void issueNodeWritesTheSameFilesAsTheCaWithTheChainAndAVersion2Document() throws Exception {
        Path nodeDir = tmp.resolve("nodes/node-h");

        NodeCredentials node = Fixtures.node(host, nodeDir, "node-h", 20);

        assertThat(files(nodeDir)).containsExactly("identity.json", "mldsa.key", "mlkem.key", "svid.crt", "svid.key", "x25519.key");
        for (String f : List.of("svid.key", "mldsa.key", "mlkem.key", "x25519.key")) {
            assertThat(Files.getPosixFilePermissions(nodeDir.resolve(f))).as(f).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
        assertThat(node.id()).hasToString("spiffe://example.org/node/node-h");
        assertThat(node.dir()).isEqualTo(nodeDir);
        assertThat(node.svidChain()).hasSize(2);
        assertThat(node.svidChain().get(1)).isEqualTo(intermediate());
        assertThat(node.identity().version()).isEqualTo(2);
        assertThat(node.identity().issuer()).map(PqIdentityDocument.Issuer::document).contains(host.document());
        assertThat(NodeCredentials.load(nodeDir)).isEqualTo(node);
        assertThat(ca.nodes()).as("the CA directory is not touched").isEmpty();
    }

    @Test
    void anIssuerIssuedNodeVerifiesToTheRootsAlone() throws Exception {
        NodeCredentials node = Fixtures.node(host, tmp.resolve("node-h"), "node-h", 20);
        Path bundleDir = tmp.resolve("bundle");
        ca.bundle().export(bundleDir);
        TrustBundle bundle = TrustBundle.load(bundleDir);

        assertThat(bundle.verifySvid(node.svidChain(), T0)).isEqualTo(node.id());
        assertThat(bundle.verifyIdentity(node.identity(), T0)).isEqualTo(node.identity().peerKeys());
        assertThat(bundle.verifyIdentity(node.identity(), node.svidChain().getFirst(), T0).id()).isEqualTo(node.id().toString());
        assertThat(bundle.verifyIdentity(node.identity(), node.identity().notBefore()))
                .as("at its own start, as the ledger's verifier checks it").isNotNull();
    }

    @Test
    void aNodeSvidThatWouldOutliveTheIssuerIsRefusedNotCapped() {
        Path nodeDir = tmp.resolve("node-h");
        Instant lateInLife = T0.plus(ISSUER_TTL).minus(Duration.ofHours(12));

        assertThatThrownBy(() -> host.issueNode("node-h", DAY, lateInLife, new TestRandom(20), nodeDir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SVID ttl PT24H would outlive the issuer of spiffe://example.org/host/host-1, which expires " + T0.plus(ISSUER_TTL)
                        + "; choose a ttl of at most PT12H, or issue the host again with x0tta6bl4 ca issue-host");
        assertThat(nodeDir).doesNotExist();
        NodeCredentials last = host.issueNode("node-h", Duration.ofHours(12), lateInLife, new TestRandom(20), nodeDir);
        assertThat(last.svidChain().getFirst().getNotAfter().toInstant()).isEqualTo(host.notAfter());
    }

    @Test
    void anIssuerOutsideItsValidityIssuesNothing() {
        Path nodeDir = tmp.resolve("node-h");
        Instant after = T0.plus(ISSUER_TTL).plusSeconds(1);
        Instant before = T0.minus(Duration.ofMinutes(2));

        assertThatThrownBy(() -> host.issueNode("node-h", Duration.ofMinutes(1), after, new TestRandom(20), nodeDir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the issuer of spiffe://example.org/host/host-1 is valid from " + T0.minus(X509.BACKDATE) + " to "
                        + T0.plus(ISSUER_TTL) + ", not at " + after + "; issue the host again with x0tta6bl4 ca issue-host");
        assertThatThrownBy(() -> host.issueNode("node-h", Duration.ofMinutes(1), before, new TestRandom(20), nodeDir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is valid from");
        assertThat(nodeDir).doesNotExist();
    }

    @Test
    void aNodeOfABrandNewIssuerStartsNoEarlierThanTheIssuer() throws Exception {
        Instant justAfter = T0.minusSeconds(30);

        NodeCredentials node = host.issueNode("node-h", DAY, justAfter, new TestRandom(20), tmp.resolve("node-h"));

        assertThat(node.identity().notBefore()).isEqualTo(T0.minus(X509.BACKDATE)).isEqualTo(host.document().notBefore());
        assertThat(node.svidChain().getFirst().getNotBefore().toInstant()).isEqualTo(node.identity().notBefore());
        assertThat(ca.bundle().verifyIdentity(node.identity(), node.identity().notBefore())).isNotNull();
    }

    @Test
    void issueNodeRefusesABadNameABadTtlAndADirectoryThatHoldsAnything() throws IOException {
        Path busy = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(busy.resolve("svid.key"), "precious");

        assertThatThrownBy(() -> host.issueNode("../node", DAY, T0, new TestRandom(20), tmp.resolve("x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node name '../node' must be 1-63 characters");
        assertThatThrownBy(() -> host.issueNode("node-h", Duration.ZERO, T0, new TestRandom(20), tmp.resolve("x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SVID ttl must be positive, got PT0S");
        assertThatThrownBy(() -> host.issueNode("node-h", DAY, T0, new TestRandom(20), busy))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining(busy + ": is not empty")
                .hasMessageContaining("choose a new directory for node 'node-h'");
        assertThat(tmp.resolve("x")).doesNotExist();
        assertThat(files(busy)).containsExactly("svid.key");
        assertThat(Fixtures.node(host, Files.createDirectories(tmp.resolve("empty")), "node-h", 20).id()).isNotNull();
    }

    @Test
    void aNodeIssuedIntoTheCaDirectoryJoinsThePeerDirectoryBesideRootIssuedNodes() {
        NodeCredentials direct = Fixtures.node(ca, "node-a", 2);
        NodeCredentials hosted = Fixtures.node(host, ca.nodeDir("node-h"), "node-h", 20);

        PeerDirectory peers = PeerDirectory.ofCaDirectory(ca, T0);

        assertThat(peers.refused()).isEqualTo(Map.of());
        assertThat(peers.lookup(direct.id().toString())).contains(direct.identity().peerKeys());
        assertThat(peers.lookup(hosted.id().toString())).contains(hosted.identity().peerKeys());
        assertThat(ca.nodes()).containsExactly("node-a", "node-h");
    }
}
