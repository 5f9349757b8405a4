package io.x0tta6bl4.identity;

import static io.x0tta6bl4.identity.Fixtures.DOMAIN;
import static io.x0tta6bl4.identity.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SvidTest {
    @TempDir Path tmp;

    private CertificateAuthority ca;
    private NodeCredentials node;

    @BeforeEach
    void enrol() {
        ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);
        node = Fixtures.node(ca, "node-a", 2);
    }

    private X509Certificate svid() {
        return node.svidChain().getFirst();
    }

    @Test
    void anIssuedSvidVerifiesToTheNodesSpiffeId() throws Exception {
        SpiffeId id = ca.bundle().verifySvid(node.svidChain(), T0);

        assertThat(id).hasToString("spiffe://example.org/node/node-a");
    }

    @Test
    void itVerifiesThroughoutItsLifetimeAndWithTheRootAppended() throws Exception {
        TrustBundle bundle = ca.bundle();

        assertThat(bundle.verifySvid(node.svidChain(), T0.plus(Duration.ofHours(23)))).isEqualTo(node.id());
        assertThat(bundle.verifySvid(List.of(svid(), bundle.x509Root()), T0)).isEqualTo(node.id());
        assertThat(TrustBundle.load(ca.dir()).verifySvid(node.svidChain(), T0)).isEqualTo(node.id());
    }

    @Test
    void itHasExactlyOneUriSanAndIsALeafForSigning() throws Exception {
        X509Certificate svid = svid();

        List<Object> uris = svid.getSubjectAlternativeNames().stream()
                .filter(san -> Integer.valueOf(6).equals(san.get(0))).<Object>map(san -> san.get(1)).toList();
        assertThat(uris).containsExactly("spiffe://example.org/node/node-a");
        assertThat(svid.getBasicConstraints()).isEqualTo(-1);
        boolean[] ku = svid.getKeyUsage();
        assertThat(ku[0]).as("digitalSignature").isTrue();
        assertThat(ku[5]).as("keyCertSign").isFalse();
        assertThat(ku[6]).as("cRLSign").isFalse();
        assertThat(svid.getExtendedKeyUsage()).containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(svid.getIssuerX500Principal()).isEqualTo(ca.bundle().x509Root().getSubjectX500Principal());
        assertThat(svid.getNotBefore().toInstant()).isEqualTo(T0.minus(X509.BACKDATE));
        assertThat(svid.getNotAfter().toInstant()).isEqualTo(T0.plus(Fixtures.DAY));
    }

    @Test
    void anExpiredSvidIsRefused() {
        Instant later = svid().getNotAfter().toInstant().plus(Fixtures.DAY);

        assertThatThrownBy(() -> ca.bundle().verifySvid(node.svidChain(), later))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("certificate chain does not validate to the example.org root");
    }

    @Test
    void aNotYetValidSvidIsRefusedButTheOneMinuteBackdateIsHonoured() throws Exception {
        assertThat(ca.bundle().verifySvid(node.svidChain(), T0.minusSeconds(30))).isEqualTo(node.id());

        assertThatThrownBy(() -> ca.bundle().verifySvid(node.svidChain(), T0.minus(Duration.ofMinutes(2))))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("does not validate to the example.org root");
    }

    @Test
    void anSvidFromAnotherCaOfTheSameTrustDomainIsRefused() {
        CertificateAuthority impostor = Fixtures.ca(tmp.resolve("impostor"), DOMAIN, 99);
        NodeCredentials fake = Fixtures.node(impostor, "node-a", 100);

        assertThat(fake.id()).isEqualTo(node.id());
        assertThatThrownBy(() -> ca.bundle().verifySvid(fake.svidChain(), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("does not validate to the example.org root");
        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(fake.svidChain().getFirst(), impostor.bundle().x509Root()), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("does not validate");
    }

    @Test
    void anSvidFromACaOfAnotherTrustDomainIsRefused() {
        CertificateAuthority other = Fixtures.ca(tmp.resolve("other"), "other.org", 5);
        NodeCredentials foreign = Fixtures.node(other, "node-a", 6);

        assertThatThrownBy(() -> ca.bundle().verifySvid(foreign.svidChain(), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("does not validate to the example.org root");
    }

    @Test
    void anEmptyChainOrTheRootAloneIsRefused() {
        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("no certificate presented");
        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(ca.bundle().x509Root()), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("root certificate is not an X.509-SVID");
    }

    // Leaves signed by the real root key but breaking one X.509-SVID rule each.

    @Test
    void aLeafSignedByTheRootForAForeignTrustDomainIsRefused() throws Exception {
        KeyPair key = X509.p256(new TestRandom(7));
        X509Certificate foreign = X509.svid(ca.bundle().x509Root(), rootKey(), key.getPublic(), SpiffeId.node("other.org", "x"),
                List.of(), List.of(), T0, Fixtures.DAY, new TestRandom(8));

        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(foreign), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("spiffe://other.org/node/x is not in trust domain example.org");
    }

    @Test
    void aLeafThatIsACaIsRefused() {
        X509Certificate leaf = leaf(b -> {
            extension(b, Extension.basicConstraints, true, new BasicConstraints(true));
            extension(b, Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            extension(b, Extension.subjectAlternativeName, false, uris("spiffe://example.org/node/x"));
        });

        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(leaf), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("must not be a CA certificate");
    }

    @Test
    void aLeafWithoutDigitalSignatureIsRefused() {
        X509Certificate leaf = leaf(b -> {
            extension(b, Extension.keyUsage, true, new KeyUsage(KeyUsage.keyEncipherment));
            extension(b, Extension.subjectAlternativeName, false, uris("spiffe://example.org/node/x"));
        });

        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(leaf), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("must have the digitalSignature key usage");
    }

    @Test
    void aLeafWithoutAnyKeyUsageIsRefused() {
        X509Certificate leaf = leaf(b -> extension(b, Extension.subjectAlternativeName, false, uris("spiffe://example.org/node/x")));

        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(leaf), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("must have the digitalSignature key usage");
    }

    @Test
    void aLeafThatMaySignCertificatesIsRefused() {
        X509Certificate leaf = leaf(b -> {
            extension(b, Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign));
            extension(b, Extension.subjectAlternativeName, false, uris("spiffe://example.org/node/x"));
        });

        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(leaf), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("must not have keyCertSign or cRLSign");
    }

    @Test
    void aLeafWithTwoUriSansIsRefused() {
        X509Certificate leaf = leaf(b -> {
            extension(b, Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            extension(b, Extension.subjectAlternativeName, false, uris("spiffe://example.org/node/x", "spiffe://example.org/node/y"));
        });

        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(leaf), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("an X.509-SVID must have exactly one URI SAN, found 2");
    }

    @Test
    void aLeafWithoutUriSanIsRefused() {
        X509Certificate leaf = leaf(b -> {
            extension(b, Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            extension(b, Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")));
        });

        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(leaf), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("an X.509-SVID must have exactly one URI SAN, found 0");
    }

    @Test
    void aLeafWhoseUriSanIsNotASpiffeIdIsRefused() {
        X509Certificate leaf = leaf(b -> {
            extension(b, Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            extension(b, Extension.subjectAlternativeName, false, uris("spiffe://example.org/node/../root"));
        });

        assertThatThrownBy(() -> ca.bundle().verifySvid(List.of(leaf), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("URI SAN is not a SPIFFE ID")
                .hasMessageContaining("'.' or '..'");
    }

    @Test
    void theHandBuiltLeafIsAcceptedWhenItBreaksNoRule() throws Exception {
        // Guards the tests above: the helper itself makes valid SVIDs, so each refusal is the rule's.
        X509Certificate leaf = leaf(b -> {
            extension(b, Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            extension(b, Extension.subjectAlternativeName, false, uris("spiffe://example.org/node/x"));
        });

        assertThat(ca.bundle().verifySvid(List.of(leaf), T0)).hasToString("spiffe://example.org/node/x");
    }

    private PrivateKey rootKey() {
        return Fixtures.ecPrivateKey(ca.dir().resolve("root.key"));
    }

    private X509Certificate leaf(Consumer<X509v3CertificateBuilder> extensions) {
        try {
            KeyPair key = X509.p256(new TestRandom(11));
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.bundle().x509Root(), BigInteger.valueOf(12345),
                    Date.from(T0.minusSeconds(60)), Date.from(T0.plus(Fixtures.DAY)), new X500Name("O=test"), key.getPublic());
            extensions.accept(b);
            return X509.parse(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(rootKey())).getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void extension(X509v3CertificateBuilder b, org.bouncycastle.asn1.ASN1ObjectIdentifier oid, boolean critical,
                                  org.bouncycastle.asn1.ASN1Encodable value) {
        try {
            b.addExtension(oid, critical, value);
        } catch (org.bouncycastle.cert.CertIOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static GeneralNames uris(String... uris) {
        GeneralName[] names = new GeneralName[uris.length];
        for (int i = 0; i < uris.length; i++) {
            names[i] = new GeneralName(GeneralName.uniformResourceIdentifier, uris[i]);
        }
        return new GeneralNames(names);
    }
}
