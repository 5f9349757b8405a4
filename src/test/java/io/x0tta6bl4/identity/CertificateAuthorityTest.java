package io.x0tta6bl4.identity;

import static io.x0tta6bl4.identity.Fixtures.DAY;
import static io.x0tta6bl4.identity.Fixtures.DOMAIN;
import static io.x0tta6bl4.identity.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.x0tta6bl4.crypto.Hex;
import io.x0tta6bl4.crypto.MlDsaPublicKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CertificateAuthorityTest {
    private static final List<String> CA_FILES =
            List.of("ca.json", "jwt.key", "jwt.pub", "root-mldsa.crt", "root-mldsa.key", "root.crt", "root.key");
    private static final List<String> CA_SECRETS = List.of("root.key", "root-mldsa.key", "jwt.key");
    private static final List<String> NODE_SECRETS = List.of("svid.key", "mldsa.key", "mlkem.key", "x25519.key");
    private static final List<String> NODE_PUBLIC = List.of("svid.crt", "identity.json");

    @TempDir Path tmp;

    @Test
    void initWritesExactlyTheFilesItsJavadocLists() throws IOException {
        Path dir = tmp.resolve("ca");
        CertificateAuthority ca = Fixtures.ca(dir, DOMAIN, 1);

        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).isEqualTo(CA_FILES);
        }
        assertThat(ca.dir()).isEqualTo(dir);
        assertThat(ca.trustDomain()).isEqualTo(DOMAIN);
        assertThat(ca.nodes()).isEmpty();
    }

    @Test
    void caJsonNamesTheTrustDomainAndTheKidOfJwtPub() throws Exception {
        Path dir = tmp.resolve("ca");
        Fixtures.ca(dir, DOMAIN, 1);

        JsonNode meta = Json.MAPPER.readTree(Files.readString(dir.resolve("ca.json")));
        byte[] jwtSpki = Fixtures.pemDer(dir.resolve("jwt.pub"));
        String expectedKid = Hex.encode(Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(jwtSpki), 8));

        assertThat(meta.get("format").intValue()).isEqualTo(1);
        assertThat(meta.get("trust_domain").textValue()).isEqualTo(DOMAIN);
        assertThat(meta.get("jwt_kid").textValue()).isEqualTo(expectedKid).hasSize(16);
        assertThat(meta.get("created").textValue()).isEqualTo(T0.toString());
        assertThat(MlDsaPublicKey.decode(jwtSpki)).isNotNull();
    }

    @Test
    void rootsAreCaCertificatesForTheTrustDomain() throws Exception {
        Path dir = tmp.resolve("ca");
        Fixtures.ca(dir, DOMAIN, 1);

        X509Certificate root = certificate(dir.resolve("root.crt"));
        X509Certificate pqRoot = certificate(dir.resolve("root-mldsa.crt"));

        assertThat(root.getBasicConstraints()).as("pathLen: one level of host intermediates").isEqualTo(1);
        assertThat(root.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(root.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(root.getSubjectAlternativeNames()).containsExactly(List.of(6, "spiffe://example.org"));
        root.verify(root.getPublicKey());
        assertThat(pqRoot.getBasicConstraints()).isEqualTo(0);
        assertThat(pqRoot.getSigAlgName()).isEqualTo("ML-DSA-65");
        pqRoot.verify(pqRoot.getPublicKey());
        assertThat(root.getNotBefore().toInstant()).isEqualTo(T0.minus(X509.BACKDATE));
    }

    @Test
    void privateKeysAreOwnerOnlyAndPublicFilesAreNotWritableByOthers() throws IOException {
        Path dir = tmp.resolve("ca");
        CertificateAuthority ca = Fixtures.ca(dir, DOMAIN, 1);
        Fixtures.node(ca, "node-a", 2);

        Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
        for (String f : CA_SECRETS) {
            assertThat(Files.getPosixFilePermissions(dir.resolve(f))).as(f).isEqualTo(ownerOnly);
        }
        for (String f : NODE_SECRETS) {
            Path p = dir.resolve("nodes/node-a").resolve(f);
            assertThat(Files.getPosixFilePermissions(p)).as(p.toString()).isEqualTo(ownerOnly);
        }
        List<Path> publicFiles = Stream.concat(
                        CA_FILES.stream().filter(f -> !CA_SECRETS.contains(f)).map(dir::resolve),
                        NODE_PUBLIC.stream().map(dir.resolve("nodes/node-a")::resolve))
                .toList();
        assertThat(publicFiles).hasSize(6);
        for (Path p : publicFiles) {
            assertThat(Files.getPosixFilePermissions(p)).as(p.toString())
                    .doesNotContain(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE)
                    .contains(PosixFilePermission.OWNER_READ);
        }
    }

    @Test
    void secondInitInTheSameDirectoryIsRefusedAndChangesNothing() {
        Path dir = tmp.resolve("ca");
        Fixtures.ca(dir, DOMAIN, 1);
        Map<String, byte[]> before = Fixtures.snapshot(dir);

        assertThatThrownBy(() -> Fixtures.ca(dir, "other.org", 9))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining("ca.json")
                .hasMessageContaining("a CA already exists here")
                .satisfies(e -> assertThat(((CredentialFileException) e).file()).isEqualTo(dir.resolve("ca.json")));

        Map<String, byte[]> after = Fixtures.snapshot(dir);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((name, bytes) -> assertThat(after.get(name)).as(name).isEqualTo(bytes));
    }

    @Test
    void initNeverOverwritesALeftOverKeyFile() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("ca"));
        Files.writeString(dir.resolve("root.key"), "precious");

        assertThatThrownBy(() -> Fixtures.ca(dir, DOMAIN, 1))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining("root.key")
                .hasMessageContaining("never overwritten");
        assertThat(Files.readString(dir.resolve("root.key"))).isEqualTo("precious");
        assertThat(dir.resolve("ca.json")).doesNotExist();
    }

    @Test
    void loadGivesBackTheSameCa() throws IOException {
        Path dir = tmp.resolve("ca");
        CertificateAuthority made = Fixtures.ca(dir, DOMAIN, 1);

        CertificateAuthority loaded = CertificateAuthority.load(dir);

        assertThat(loaded.trustDomain()).isEqualTo(DOMAIN);
        assertThat(loaded.bundle().x509Root()).isEqualTo(made.bundle().x509Root());
        assertThat(loaded.bundle().pqRoot()).isEqualTo(made.bundle().pqRoot());
        assertThat(loaded.bundle().x509RootPem()).isEqualTo(Files.readString(dir.resolve("root.crt")));
    }

    @Test
    void issueNodeWritesTheNodeFilesAndListsTheNode() throws IOException {
        Path dir = tmp.resolve("ca");
        CertificateAuthority ca = Fixtures.ca(dir, DOMAIN, 1);

        NodeCredentials b = Fixtures.node(ca, "node-b", 3);
        Fixtures.node(ca, "node-a", 2);

        try (Stream<Path> s = Files.list(dir.resolve("nodes/node-b"))) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("identity.json", "mldsa.key", "mlkem.key", "svid.crt", "svid.key", "x25519.key");
        }
        assertThat(b.id()).isEqualTo(SpiffeId.node(DOMAIN, "node-b"));
        assertThat(b.keys().id()).isEqualTo("spiffe://example.org/node/node-b");
        assertThat(b.dir()).isEqualTo(dir.resolve("nodes/node-b"));
        assertThat(ca.nodes()).containsExactly("node-a", "node-b");
        assertThat(NodeCredentials.load(dir.resolve("nodes/node-b")).identity().toJson()).isEqualTo(b.identity().toJson());
    }

    @Test
    void issueNodeTwiceWithTheSameNameIsRefusedAndChangesNothing() {
        Path dir = tmp.resolve("ca");
        CertificateAuthority ca = Fixtures.ca(dir, DOMAIN, 1);
        Fixtures.node(ca, "node-a", 2);
        Map<String, byte[]> before = Fixtures.snapshot(dir);

        assertThatThrownBy(() -> Fixtures.node(ca, "node-a", 3))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining("nodes/node-a")
                .hasMessageContaining("node 'node-a' is already enrolled");

        Map<String, byte[]> after = Fixtures.snapshot(dir);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((name, bytes) -> assertThat(after.get(name)).as(name).isEqualTo(bytes));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Node-1", "-node", "node-", "node_1", "node.1", "../escape", "a/b", "n\u00f6de",
            "a234567890123456789012345678901234567890123456789012345678901234"})
    void invalidNodeNamesAreRefusedBeforeAnythingIsWritten(String name) {
        Path dir = tmp.resolve("ca");
        CertificateAuthority ca = Fixtures.ca(dir, DOMAIN, 1);
        Map<String, byte[]> before = Fixtures.snapshot(dir);

        assertThatThrownBy(() -> ca.issueNode(name, DAY, T0, new TestRandom(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node name '" + name + "' must be 1-63 characters of a-z, 0-9 and '-'");

        assertThat(Fixtures.snapshot(dir).keySet()).isEqualTo(before.keySet());
        assertThat(dir.resolve("nodes")).doesNotExist();
        assertThat(tmp.resolve("escape")).doesNotExist();
    }

    @Test
    void nodeNamesOfOneAnd63CharactersAreAccepted() {
        CertificateAuthority ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);
        String longest = "a" + "-".repeat(61) + "z";

        assertThat(Fixtures.node(ca, "a", 2).id()).hasToString("spiffe://example.org/node/a");
        assertThat(Fixtures.node(ca, longest, 3).id().path()).isEqualTo("/node/" + longest);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void nonPositiveSvidLifetimeIsRefused(long seconds) {
        CertificateAuthority ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);
        Duration d = Duration.ofSeconds(seconds);

        assertThatThrownBy(() -> ca.issueNode("node-a", d, T0, new TestRandom(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SVID ttl must be positive");
        assertThat(ca.nodes()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Example.org", "example.org:443", "spiffe://example.org", "", "exa mple.org"})
    void invalidTrustDomainIsRefusedAndNoDirectoryIsCreated(String domain) {
        Path dir = tmp.resolve("ca");

        assertThatThrownBy(() -> Fixtures.ca(dir, domain, 1))
                .isInstanceOf(InvalidSpiffeIdException.class)
                .hasMessageContaining("trust domain");
        assertThat(dir).doesNotExist();
    }

    @Test
    void loadingAnEmptyDirectoryNamesTheMissingFileAndHowToCreateACa() {
        assertThatThrownBy(() -> CertificateAuthority.load(tmp))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining(tmp.resolve("ca.json").toString())
                .hasMessageContaining("does not exist")
                .hasMessageContaining("x0tta6bl4 ca init --dir " + tmp + " --trust-domain DOMAIN")
                .satisfies(e -> assertThat(((CredentialFileException) e).file()).isEqualTo(tmp.resolve("ca.json")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"root.key", "root-mldsa.key", "jwt.key", "jwt.pub", "root.crt", "root-mldsa.crt"})
    void loadingACaWithAMissingFileNamesThatFile(String missing) throws IOException {
        Path dir = tmp.resolve("ca");
        Fixtures.ca(dir, DOMAIN, 1);
        Files.delete(dir.resolve(missing));

        assertThatThrownBy(() -> CertificateAuthority.load(dir))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining(dir.resolve(missing).toString())
                .hasMessageContaining("does not exist")
                .hasMessageContaining("ca init");
    }

    @Test
    void aCorruptCaJsonIsACredentialFileErrorNamingIt() throws IOException {
        Path dir = tmp.resolve("ca");
        Fixtures.ca(dir, DOMAIN, 1);
        Files.writeString(dir.resolve("ca.json"), "{\"trust_domain\": \"example.org\"}");

        assertThatThrownBy(() -> CertificateAuthority.load(dir))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining("ca.json")
                .hasMessageContaining("field 'jwt_kid' is missing");
    }

    @Test
    void aKeyFileOfTheWrongTypeIsACredentialFileErrorNamingIt() throws IOException {
        Path dir = tmp.resolve("ca");
        Fixtures.ca(dir, DOMAIN, 1);
        Files.delete(dir.resolve("jwt.key"));
        Files.copy(dir.resolve("root.key"), dir.resolve("jwt.key"));

        assertThatThrownBy(() -> CertificateAuthority.load(dir))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining("jwt.key")
                .hasMessageContaining("ML-DSA-65");
    }

    @Test
    void aCorruptIdentityDocumentIsACredentialFileErrorNamingIt() throws IOException {
        Path dir = tmp.resolve("ca");
        CertificateAuthority ca = Fixtures.ca(dir, DOMAIN, 1);
        Fixtures.node(ca, "node-a", 2);
        Path doc = dir.resolve("nodes/node-a/identity.json");
        Files.writeString(doc, Files.readString(doc).replace("\"version\" : 1", "\"version\" : 7"));

        assertThatThrownBy(() -> NodeCredentials.load(dir.resolve("nodes/node-a")))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining(doc.toString())
                .hasMessageContaining("field 'version' is 7");
    }

    @Test
    void aCorruptNodeKeyIsACredentialFileError() throws IOException {
        Path dir = tmp.resolve("ca");
        CertificateAuthority ca = Fixtures.ca(dir, DOMAIN, 1);
        Fixtures.node(ca, "node-a", 2);
        Path kem = dir.resolve("nodes/node-a/mlkem.key");
        Files.delete(kem);
        Files.copy(dir.resolve("nodes/node-a/mldsa.key"), kem);

        assertThatThrownBy(() -> NodeCredentials.load(dir.resolve("nodes/node-a")))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining("nodes/node-a")
                .hasMessageContaining("ML-KEM-768 private key is not a valid PKCS#8 key");
    }

    /**
     * Bug: NodeCredentials.load catches the KeyFormatException of mlkem.key and x25519.key around
     * both reads and reports it against the node directory, not the file. Enable once fixed.
     */
    @Test
    void aCorruptKemKeyIsReportedAgainstItsFile() throws IOException {
        Path dir = tmp.resolve("ca");
        CertificateAuthority ca = Fixtures.ca(dir, DOMAIN, 1);
        Fixtures.node(ca, "node-a", 2);
        Path kem = dir.resolve("nodes/node-a/mlkem.key");
        Files.delete(kem);
        Files.copy(dir.resolve("nodes/node-a/mldsa.key"), kem);

        assertThatThrownBy(() -> NodeCredentials.load(dir.resolve("nodes/node-a")))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining(kem.toString())
                .satisfies(e -> assertThat(((CredentialFileException) e).file()).isEqualTo(kem));
    }

    @Test
    void loadingAMissingNodeSaysHowToEnrolIt() {
        CertificateAuthority ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);

        assertThatThrownBy(() -> NodeCredentials.load(ca.nodeDir("node-z")))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining("svid.crt")
                .hasMessageContaining("x0tta6bl4 ca issue-node --dir CA_DIR --name node-z");
    }

    @Test
    void sameSeedGivesTheSameCaSoFailuresReplay() {
        Fixtures.ca(tmp.resolve("a"), DOMAIN, 42);
        Fixtures.ca(tmp.resolve("b"), DOMAIN, 42);

        Map<String, byte[]> a = Fixtures.snapshot(tmp.resolve("a"));
        Map<String, byte[]> b = Fixtures.snapshot(tmp.resolve("b"));
        assertThat(b.get("root.key")).isEqualTo(a.get("root.key"));
        assertThat(b.get("jwt.pub")).isEqualTo(a.get("jwt.pub"));
    }

    private static X509Certificate certificate(Path file) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(file)));
    }
}
