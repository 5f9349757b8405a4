package io.x0tta6bl4.identity;

import static io.x0tta6bl4.identity.Fixtures.DAY;
import static io.x0tta6bl4.identity.Fixtures.DOMAIN;
import static io.x0tta6bl4.identity.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** X.509-SVID-only credentials: what {@code issueClient} writes and {@code SvidCredentials.load} reads, used in TLS. */
class SvidCredentialsTest {
    private static final SpiffeId OPERATOR = SpiffeId.app(DOMAIN, "operator");

    @TempDir Path tmp;

    private CertificateAuthority ca;
    private Path dir;
    private SvidCredentials operator;

    @BeforeEach
    void setUp() {
        ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);
        dir = tmp.resolve("operator");
        operator = ca.issueClient(OPERATOR, DAY, T0, new TestRandom(5), dir);
    }

    @Test
    void issueClientWritesARootSignedSvidAndItsOwnerOnlyKey() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("svid.crt", "svid.key");
        }
        assertThat(Files.getPosixFilePermissions(dir.resolve("svid.key"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        X509Certificate leaf = operator.svidChain().getFirst();

        assertThat(operator.id()).isEqualTo(OPERATOR);
        assertThat(operator.svidChain()).hasSize(1);
        assertThat(ca.bundle().verifySvid(operator.svidChain(), T0)).isEqualTo(OPERATOR);
        assertThat(leaf.getSubjectAlternativeNames()).as("one URI SAN and nothing else: a client").containsExactly(List.of(6, OPERATOR.toString()));
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.bundle().x509Root().getSubjectX500Principal());
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(T0.plus(DAY));
        assertThat(SvidCredentials.load(dir)).isEqualTo(operator);
    }

    @Test
    void itPrintsNoKey() {
        assertThat(operator.toString()).isEqualTo("SvidCredentials[spiffe://example.org/app/operator, chain of 1, valid until " + T0.plus(DAY)
                + ", key redacted]");
    }

    @Test
    void issueClientRefusesAForeignIdABadTtlAndADirectoryThatHoldsAnything() throws IOException {
        Path out = tmp.resolve("other");

        assertThatThrownBy(() -> ca.issueClient(SpiffeId.app("other.org", "x"), DAY, T0, new TestRandom(6), out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("spiffe://other.org/app/x is not in trust domain example.org; this CA issues only spiffe://example.org/...");
        assertThatThrownBy(() -> ca.issueClient(OPERATOR, Duration.ofSeconds(-1), T0, new TestRandom(6), out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SVID ttl must be positive");
        assertThatThrownBy(() -> ca.issueClient(OPERATOR, Duration.ofDays(4000), T0, new TestRandom(6), out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("would outlive the root certificate");
        assertThat(out).doesNotExist();
        assertThatThrownBy(() -> ca.issueClient(OPERATOR, DAY, T0, new TestRandom(6), dir))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageContaining(dir + ": is not empty");
        assertThat(SvidCredentials.load(dir)).isEqualTo(operator);
    }

    @Test
    void loadNamesAMissingFile() throws IOException {
        Files.delete(dir.resolve("svid.key"));

        assertThatThrownBy(() -> SvidCredentials.load(dir))
                .isInstanceOf(CredentialFileException.class)
                .hasMessageStartingWith(dir.resolve("svid.key") + ": does not exist; issue an X.509-SVID into " + dir)
                .satisfies(e -> assertThat(((CredentialFileException) e).file()).isEqualTo(dir.resolve("svid.key")));
    }

    @Test
    void loadNamesAKeyThatIsNotTheCertificates() throws IOException {
        Path other = tmp.resolve("other");
        ca.issueClient(OPERATOR, DAY, T0, new TestRandom(6), other);
        Files.delete(dir.resolve("svid.key"));
        Files.copy(other.resolve("svid.key"), dir.resolve("svid.key"));

        assertThatThrownBy(() -> SvidCredentials.load(dir))
                .isInstanceOf(CredentialFileException.class)
                .hasMessage(dir.resolve("svid.key") + ": does not match the public key in svid.crt; the two files come from different "
                        + "issuances (issue both again)");
    }

    @Test
    void loadRefusesACertificateThatIsNotAnSvid() throws IOException {
        Files.delete(dir.resolve("svid.crt"));
        Files.copy(ca.dir().resolve("root-mldsa.crt"), dir.resolve("svid.crt"));

        assertThatThrownBy(() -> SvidCredentials.load(dir))
                .isInstanceOf(CredentialFileException.class)
                .hasMessage(dir.resolve("svid.crt") + ": its first certificate is a CA certificate, not an X.509-SVID; the file starts "
                        + "with the leaf, then any intermediate");
    }

    @Test
    void anEmptyChainIsNotCredentials() {
        assertThatThrownBy(() -> new SvidCredentials(OPERATOR, List.of(), operator.svidKey()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an X.509-SVID chain needs at least the leaf");
    }

    @Test
    void anOperatorsSvidCompletesAMutualTlsHandshakeWithANode() {
        NodeCredentials node = Fixtures.node(ca, "node-a", 2);

        Handshake.Result r = Handshake.run(operator, node, ca.bundle(), InstantSource.fixed(T0), id -> true);

        assertThat(r.completed()).as("%s", r).isTrue();
        assertThat(r.server().peerChain()).containsExactlyElementsOf(operator.svidChain());
        assertThat(r.client().peerChain()).containsExactlyElementsOf(node.svidChain());
        assertThat(r.server().refusals()).isEmpty();
        assertThat(r.client().refusals()).isEmpty();
    }

    @Test
    void aNodeThatDoesNotAuthorizeTheOperatorRefusesItAndSaysWhy() {
        NodeCredentials node = Fixtures.node(ca, "node-a", 2);

        Handshake.Result r = Handshake.run(operator, node, ca.bundle(), InstantSource.fixed(T0), id -> id.path().startsWith("/node/"));

        assertThat(r.completed()).isFalse();
        assertThat(r.server().refusals()).extracting(SvidTls.Refusal::reason)
                .containsExactly("spiffe://example.org/app/operator is not a member allowed to connect");
    }
}
