package io.x0tta6bl4.identity;

import static io.x0tta6bl4.identity.Fixtures.DAY;
import static io.x0tta6bl4.identity.Fixtures.DOMAIN;
import static io.x0tta6bl4.identity.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * X.509-SVIDs issued through one intermediate CA (a host agent's), built here from the package's
 * own certificate builders so that each broken chain differs from a good one in one respect.
 */
class IntermediateChainTest {
    private static final SpiffeId NODE = SpiffeId.node(DOMAIN, "node-h");

    @TempDir Path tmp;

    private CertificateAuthority ca;
    private KeyPair issuerKey;
    private X509Certificate intermediate;

    @BeforeEach
    void setUp() {
        ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);
        issuerKey = X509.p256(new TestRandom(20));
        intermediate = X509.intermediate(ca.bundle().x509Root(), rootKey(ca), issuerKey.getPublic(), DOMAIN, "host-1",
                T0.minus(X509.BACKDATE), T0.plus(Duration.ofDays(30)), new TestRandom(21));
    }

    private static PrivateKey rootKey(CertificateAuthority ca) {
        return Fixtures.ecPrivateKey(ca.dir().resolve("root.key"));
    }

    private X509Certificate leaf(X509Certificate issuer, PrivateKey key, SpiffeId id) {
        return X509.svid(issuer, key, X509.p256(new TestRandom(22)).getPublic(), id, List.of("localhost"), List.of("127.0.0.1"), T0, DAY,
                new TestRandom(23));
    }

    @Test
    void aNewRootAllowsOneIntermediateAndALeafUnderItVerifies() throws Exception {
        X509Certificate leaf = leaf(intermediate, issuerKey.getPrivate(), NODE);

        assertThat(ca.bundle().x509Root().getBasicConstraints()).isEqualTo(1);
        assertThat(ca.bundle().verifySvid(List.of(leaf, intermediate), T0)).isEqualTo(NODE);
        assertThat(ca.bundle().verifySvid(List.of(leaf, intermediate, ca.bundle().x509Root()), T0)).isEqualTo(NODE);
        assertThat(ca.bundle().verifySvid(List.of(leaf(intermediate, issuerKey.getPrivate(), new SpiffeId(DOMAIN, "/host/host-1")),
                intermediate), T0)).hasToString("spiffe://example.org/host/host-1");
    }

    @Test
    void theIntermediateIsACaForLeavesOnlyWithTheTrustDomainsIdAsItsOnlyUriSan() throws Exception {
        assertThat(intermediate.getBasicConstraints()).as("pathLen").isZero();
        assertThat(intermediate.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
        boolean[] ku = intermediate.getKeyUsage();
        assertThat(ku[5]).as("keyCertSign").isTrue();
        assertThat(ku[6]).as("cRLSign").isTrue();
        assertThat(ku[0]).as("digitalSignature").isFalse();
        assertThat(SvidTls.uriSans(intermediate)).containsExactly("spiffe://example.org");
        assertThat(intermediate.getIssuerX500Principal()).isEqualTo(ca.bundle().x509Root().getSubjectX500Principal());
        assertThat(intermediate.getSubjectX500Principal().getName()).contains("CN=x0tta6bl4 host issuer host-1");
        intermediate.verify(ca.bundle().x509Root().getPublicKey());
    }

    @Test
    void aLeafSentWithoutItsIntermediateIsRefusedSayingSo() {
        X509Certificate leaf = leaf(intermediate, issuerKey.getPrivate(), NODE);

        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(leaf), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageStartingWith("certificate chain does not validate to the example.org root: the X.509-SVID was issued by "
                        + "'CN=x0tta6bl4 host issuer host-1,OU=example.org,O=x0tta6bl4', which is not the root")
                .hasMessageContaining("must be sent with it (svid.crt holds the leaf, then issuer.crt)");
    }

    @Test
    void anIntermediateOfAnotherCaOfTheSameTrustDomainIsRefused() throws Exception {
        CertificateAuthority impostor = Fixtures.ca(tmp.resolve("impostor"), DOMAIN, 99);
        X509Certificate foreign = X509.intermediate(impostor.bundle().x509Root(), rootKey(impostor), issuerKey.getPublic(), DOMAIN, "host-1",
                T0.minus(X509.BACKDATE), T0.plus(Duration.ofDays(30)), new TestRandom(24));
        X509Certificate leaf = leaf(foreign, issuerKey.getPrivate(), NODE);

        assertThat(impostor.bundle().verifySvid(List.of(leaf, foreign), T0)).isEqualTo(NODE);
        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(leaf, foreign), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("certificate chain does not validate to the example.org root: intermediate CA "
                        + "'CN=x0tta6bl4 host issuer host-1,OU=example.org,O=x0tta6bl4' names the root as its issuer but is not signed by "
                        + "its key (issued by another CA of the same name?)");
    }

    @Test
    void aLeafSentWithAnotherHostsIntermediateIsRefused() {
        KeyPair otherKey = X509.p256(new TestRandom(30));
        X509Certificate other = X509.intermediate(ca.bundle().x509Root(), rootKey(ca), otherKey.getPublic(), DOMAIN, "host-2",
                T0.minus(X509.BACKDATE), T0.plus(Duration.ofDays(30)), new TestRandom(31));
        X509Certificate leaf = leaf(intermediate, issuerKey.getPrivate(), NODE);

        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(leaf, other), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("certificate chain does not validate to the example.org root: the X.509-SVID was issued by "
                        + "'CN=x0tta6bl4 host issuer host-1,OU=example.org,O=x0tta6bl4', not by intermediate CA "
                        + "'CN=x0tta6bl4 host issuer host-2,OU=example.org,O=x0tta6bl4' sent with it");
    }

    @Test
    void anExpiredIntermediateIsRefusedNamingIt() throws Exception {
        X509Certificate shortLived = X509.intermediate(ca.bundle().x509Root(), rootKey(ca), issuerKey.getPublic(), DOMAIN, "host-1",
                T0.minus(X509.BACKDATE), T0.plus(Duration.ofHours(1)), new TestRandom(25));
        X509Certificate leaf = X509.svid(shortLived, issuerKey.getPrivate(), X509.p256(new TestRandom(22)).getPublic(), NODE, List.of(),
                List.of(), T0, Duration.ofMinutes(30), new TestRandom(23));
        var later = T0.plus(Duration.ofHours(2));

        assertThat(ca.bundle().verifySvid(List.of(leaf, shortLived), T0)).isEqualTo(NODE);
        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(leaf, shortLived), later))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("intermediate CA 'CN=x0tta6bl4 host issuer host-1,OU=example.org,O=x0tta6bl4' is valid from "
                        + T0.minus(X509.BACKDATE) + " to " + T0.plus(Duration.ofHours(1)) + ", not at " + later)
                .hasMessageStartingWith("certificate chain does not validate to the example.org root: ");
    }

    @Test
    void anExpiredLeafUnderAValidIntermediateIsRefusedNamingTheLeaf() {
        X509Certificate leaf = leaf(intermediate, issuerKey.getPrivate(), NODE);
        var later = T0.plus(Duration.ofDays(2));

        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(leaf, intermediate), later))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("the X.509-SVID is valid from " + T0.minus(X509.BACKDATE) + " to " + T0.plus(DAY) + ", not at " + later);
    }

    @Test
    void aLeafCertificateUsedAsAnIntermediateIsRefused() {
        KeyPair key = X509.p256(new TestRandom(40));
        X509Certificate notCa = X509.svid(ca.bundle().x509Root(), rootKey(ca), key.getPublic(), SpiffeId.node(DOMAIN, "node-x"), List.of(),
                List.of(), T0, DAY, new TestRandom(41));
        X509Certificate leaf = leaf(notCa, key.getPrivate(), NODE);

        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(leaf, notCa), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("certificate chain does not validate to the example.org root: intermediate CA 'OU=example.org,O=x0tta6bl4' "
                        + "is not a CA certificate (basicConstraints CA:false)");
    }

    @Test
    void aRootWithPathLengthZeroRefusesAnyIntermediate() throws Exception {
        // A CA as ca init made them before host issuers existed: its root has pathLen 0.
        KeyPair oldKey = X509.p256(new TestRandom(50));
        X509Certificate oldRoot = X509.selfSignedRoot(DOMAIN, "x0tta6bl4 root (EC P-256)", oldKey.getPublic(), oldKey.getPrivate(),
                "SHA256withECDSA", 0, T0, new TestRandom(51));
        TrustBundle old = TrustBundle.of(DOMAIN, oldRoot, ca.bundle().pqRoot(), Map.of());
        X509Certificate oldIntermediate = X509.intermediate(oldRoot, oldKey.getPrivate(), issuerKey.getPublic(), DOMAIN, "host-1",
                T0.minus(X509.BACKDATE), T0.plus(Duration.ofDays(30)), new TestRandom(52));
        X509Certificate direct = leaf(oldRoot, oldKey.getPrivate(), SpiffeId.node(DOMAIN, "node-a"));
        X509Certificate leaf = leaf(oldIntermediate, issuerKey.getPrivate(), NODE);

        assertThat(old.verifySvid(List.of(direct), T0)).hasToString("spiffe://example.org/node/node-a");
        assertThatThrownBy(() -> old.verifySvid(List.of(leaf, oldIntermediate), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("certificate chain does not validate to the example.org root: the root allows 0 intermediate CA certificate(s) "
                        + "(pathLen 0) and the chain has 1; this CA was made before host issuers existed: create a new one with x0tta6bl4 ca init");
    }

    @Test
    void twoIntermediatesAreMoreThanTheRootAllows() {
        KeyPair subKey = X509.p256(new TestRandom(27));
        X509Certificate sub = X509.intermediate(intermediate, issuerKey.getPrivate(), subKey.getPublic(), DOMAIN, "sub",
                T0.minus(X509.BACKDATE), T0.plus(Duration.ofDays(10)), new TestRandom(28));
        X509Certificate leaf = leaf(sub, subKey.getPrivate(), NODE);

        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(leaf, sub, intermediate), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("the root allows 1 intermediate CA certificate(s) (pathLen 1) and the chain has 2");
    }

    @Test
    void anIntermediateMayNotVouchForAnApplicationOrAnOperator() throws Exception {
        SpiffeId operator = SpiffeId.app(DOMAIN, "operator");
        X509Certificate leaf = leaf(intermediate, issuerKey.getPrivate(), operator);
        X509Certificate fromRoot = leaf(ca.bundle().x509Root(), rootKey(ca), operator);

        assertThat(ca.bundle().verifySvid(List.of(fromRoot), T0)).isEqualTo(operator);
        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(leaf, intermediate), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("spiffe://example.org/app/operator is issued by a host's intermediate CA, which may vouch only for "
                        + "spiffe://example.org/node/NAME and spiffe://example.org/host/NAME; only the root issues other IDs");
    }
}
