package io.x0tta6bl4.identity;

import static io.x0tta6bl4.identity.Fixtures.DAY;
import static io.x0tta6bl4.identity.Fixtures.DOMAIN;
import static io.x0tta6bl4.identity.Fixtures.ISSUER_TTL;
import static io.x0tta6bl4.identity.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.crypto.Digests;
import io.x0tta6bl4.crypto.MlDsa;
import io.x0tta6bl4.crypto.MlDsaPrivateKey;
import io.x0tta6bl4.crypto.PeerKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Identity documents of version 2: signed by a host's issuer, carrying the root-signed issuer document. */
class IdentityDocumentV2Test {
    private static final String SOURCE = "node-h/identity.json";
    private static final String HOST_1 = "spiffe://example.org/host/host-1";

    @TempDir Path tmp;

    private CertificateAuthority ca;
    private NodeIssuer host;
    private NodeIssuer host2;
    private NodeCredentials node;

    @BeforeEach
    void setUp() {
        ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);
        host = Fixtures.issuer(ca, tmp.resolve("host-1"), "host-1", 10);
        host2 = Fixtures.issuer(ca, tmp.resolve("host-2"), "host-2", 11);
        node = Fixtures.node(host, tmp.resolve("node-h"), "node-h", 20);
    }

    private PqIdentityDocument doc() {
        return node.identity();
    }

    @Test
    void itVerifiesAndYieldsTheNodesKeysLikeAVersion1Document() throws Exception {
        PeerKeys keys = ca.bundle().verifyIdentity(doc(), T0);

        assertThat(doc().version()).isEqualTo(2);
        assertThat(keys.id()).isEqualTo("spiffe://example.org/node/node-h");
        assertThat(keys.signing()).isEqualTo(doc().signingKey());
        assertThat(keys.kem()).isEqualTo(doc().kemKey());
        assertThat(keys.x25519()).isEqualTo(node.keys().x25519Public());
        PqIdentityDocument.Issuer issuer = doc().issuer().orElseThrow();
        assertThat(issuer.id()).hasToString(HOST_1);
        assertThat(issuer.keySha3_256()).isEqualTo(Digests.sha3_256(host.document().signingKey().encoded()));
        assertThat(issuer.document()).isEqualTo(host.document());
    }

    @Test
    void aVersion1DocumentStillVerifiesWithTheSameBundle() throws Exception {
        NodeCredentials direct = Fixtures.node(ca, "node-a", 2);

        assertThat(direct.identity().version()).isEqualTo(1);
        assertThat(direct.identity().issuer()).isEmpty();
        assertThat(ca.bundle().verifyIdentity(direct.identity(), direct.svidChain().getFirst(), T0).id()).isEqualTo(direct.id().toString());
        assertThat(direct.identity().toJson()).doesNotContain("issuer");
    }

    @Test
    void itRoundTripsThroughJsonIntoAnEqualDocument() {
        String json = doc().toJson();

        PqIdentityDocument back = PqIdentityDocument.fromJson(SOURCE, json);

        assertThat(back).isEqualTo(doc()).hasSameHashCodeAs(doc());
        assertThat(back.toJson()).isEqualTo(json);
        assertThat(back.toBeSigned()).isEqualTo(doc().toBeSigned());
        assertThat(back.issuer().orElseThrow()).isEqualTo(doc().issuer().orElseThrow()).hasSameHashCodeAs(doc().issuer().orElseThrow());
        assertThat(back.toString()).doesNotContain("[B@").endsWith(", issued by " + HOST_1 + "]");
        assertThat(back.issuer().orElseThrow().toString()).doesNotContain("[B@");
        assertThat(back.issuer().orElseThrow().document().toString()).doesNotContain("[B@");
    }

    @Test
    void theJsonHasTheVersion1FieldsThenTheIssuerBeforeTheSignature() {
        ObjectNode n = json(doc().toJson());

        assertThat(n.properties()).extracting(java.util.Map.Entry::getKey).containsExactly("version", "spiffe_id", "ml_dsa_65", "ml_kem_768",
                "x25519", "svid_sha256", "not_before", "not_after", "issuer_id", "issuer_ml_dsa_65_sha3_256", "issuer", "signature");
        assertThat(n.get("version").intValue()).isEqualTo(2);
        assertThat(n.get("issuer_id").textValue()).isEqualTo(HOST_1);
        assertThat(n.get("issuer_ml_dsa_65_sha3_256").textValue()).matches("[0-9a-f]{64}");
        assertThat(n.get("issuer")).isEqualTo(json(host.document().toJson()));
    }

    @Test
    void documentsDifferingOnlyInTheirIssuerAreNotEqual() {
        PqIdentityDocument d = doc();
        PqIdentityDocument other = new PqIdentityDocument(d.spiffeId(), d.signingKey(), d.kemKey(), d.x25519Key(), d.svidSha256(),
                d.notBefore(), d.notAfter(), Optional.of(PqIdentityDocument.Issuer.of(host2.document())), d.signature());
        PqIdentityDocument v1 = new PqIdentityDocument(d.spiffeId(), d.signingKey(), d.kemKey(), d.x25519Key(), d.svidSha256(),
                d.notBefore(), d.notAfter(), d.signature());

        assertThat(other).isNotEqualTo(d);
        assertThat(v1).isNotEqualTo(d);
        assertThat(v1.version()).isEqualTo(1);
    }

    // --- refusals, each with its own message --------------------------------------------------------

    @Test
    void anIssuerOfAnotherCaIsRefusedAsNotRootSigned() {
        CertificateAuthority impostor = Fixtures.ca(tmp.resolve("impostor"), DOMAIN, 99);
        NodeIssuer fakeHost = Fixtures.issuer(impostor, tmp.resolve("fake-host"), "host-1", 12);
        NodeCredentials fake = Fixtures.node(fakeHost, tmp.resolve("fake-node"), "node-h", 13);

        assertThatThrownBy(() -> ca.bundle().verifyIdentity(fake.identity(), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("issuer document of " + HOST_1 + " is not signed by the example.org ML-DSA-65 root");
    }

    @Test
    void aTamperedEmbeddedIssuerDocumentIsRefused() {
        // Lengthening the issuer's life keeps its key, so the binding holds and the root's signature breaks.
        PqIdentityDocument longer = edit(n -> ((ObjectNode) n.get("issuer")).put("not_after", T0.plus(Duration.ofDays(3000)).toString()));
        assertThatThrownBy(() -> ca.bundle().verifyIdentity(longer, T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("issuer document of " + HOST_1 + " is not signed by the example.org ML-DSA-65 root");

        // Swapping in another key changes the digest the node's document is bound to.
        ObjectNode other = json(host2.document().toJson());
        PqIdentityDocument rekeyed = edit(n -> ((ObjectNode) n.get("issuer")).set("ml_dsa_65", other.get("ml_dsa_65")));
        assertThatThrownBy(() -> ca.bundle().verifyIdentity(rekeyed, T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("the issuer binding does not match");
    }

    @Test
    void carryingAnotherGenuineIssuerDocumentIsAnIssuerBindingMismatch() {
        PqIdentityDocument swapped = edit(n -> n.set("issuer", json(host2.document().toJson())));

        assertThatThrownBy(() -> ca.bundle().verifyIdentity(swapped, T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageStartingWith("identity document of spiffe://example.org/node/node-h names issuer " + HOST_1 + " (ML-DSA-65 key sha3-256 ")
                .hasMessageContaining("but carries the issuer document of spiffe://example.org/host/host-2 (key ")
                .hasMessageEndingWith("): the issuer binding does not match");
    }

    @Test
    void renamingTheIssuerConsistentlyBreaksTheNodesSignature() {
        PqIdentityDocument renamed = edit(n -> {
            n.put("issuer_id", host2.id().toString());
            n.put("issuer_ml_dsa_65_sha3_256", io.x0tta6bl4.crypto.Hex.encode(host2.document().keySha3_256()));
            n.set("issuer", json(host2.document().toJson()));
        });

        assertThatThrownBy(() -> ca.bundle().verifyIdentity(renamed, T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("identity document of spiffe://example.org/node/node-h is not signed by its issuer spiffe://example.org/host/host-2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"spiffe_id", "ml_dsa_65", "ml_kem_768", "x25519", "svid_sha256", "signature"})
    void anEditedSignedFieldIsNotSignedByItsIssuer(String field) {
        ObjectNode other = json(Fixtures.node(host, tmp.resolve("node-i"), "node-i", 21).identity().toJson());
        PqIdentityDocument edited = edit(n -> n.set(field, other.get(field)));

        assertThatThrownBy(() -> ca.bundle().verifyIdentity(edited, T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("identity document of " + edited.spiffeId() + " is not signed by its issuer " + HOST_1);
    }

    @Test
    void anEditedValidityIsNotSignedByItsIssuer() {
        PqIdentityDocument longer = edit(n -> n.put("not_after", doc().notAfter().plus(DAY).toString()));

        assertThatThrownBy(() -> ca.bundle().verifyIdentity(longer, T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("is not signed by its issuer");
    }

    @Test
    void passingAVersion2DocumentOffAsVersion1BreaksTheSignature() {
        PqIdentityDocument downgraded = edit(n -> {
            n.put("version", 1);
            n.remove("issuer_id");
            n.remove("issuer_ml_dsa_65_sha3_256");
            n.remove("issuer");
        });

        assertThat(downgraded.version()).isEqualTo(1);
        assertThatThrownBy(() -> ca.bundle().verifyIdentity(downgraded, T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("identity document of spiffe://example.org/node/node-h is not signed by the example.org ML-DSA-65 root");
    }

    @Test
    void anExpiredIssuerIsRefusedAsSuchEvenWhenTheNodesDocumentIsValid() throws Exception {
        // Hand-made: a node document valid beyond its issuer (the issuer itself would refuse to sign it).
        PqIdentityDocument d = signed(doc().spiffeId(), host.document(), hostKey(), T0.minus(X509.BACKDATE), T0.plus(Duration.ofDays(60)));
        Instant after = T0.plus(ISSUER_TTL).plusSeconds(1);

        assertThat(ca.bundle().verifyIdentity(d, T0)).isNotNull();
        assertThatThrownBy(() -> ca.bundle().verifyIdentity(d, after))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("issuer document of " + HOST_1 + " is valid from " + T0.minus(X509.BACKDATE) + " to " + T0.plus(ISSUER_TTL)
                        + ", not at " + after);
    }

    @Test
    void aValidIssuerDoesNotExtendAnExpiredNodeDocument() {
        Instant after = doc().notAfter().plusMillis(1);

        assertThatThrownBy(() -> ca.bundle().verifyIdentity(doc(), after))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("identity document of spiffe://example.org/node/node-h is valid from " + doc().notBefore() + " to "
                        + doc().notAfter() + ", not at " + after);
    }

    @Test
    void anIssuerThatIsNotAHostIsRefusedEvenIfTheRootSignedIt() {
        // The root never makes such a document; this one is made with the root key to show the check stands alone.
        SpiffeId notHost = SpiffeId.node(DOMAIN, "node-x");
        MlDsa key = MlDsa.generate(new TestRandom(30));
        PqIssuerDocument issuer = rootSigned(notHost, key, T0.minus(X509.BACKDATE), T0.plus(ISSUER_TTL));
        PqIdentityDocument d = signed(doc().spiffeId(), issuer, key.privateKey(), doc().notBefore(), doc().notAfter());

        assertThatThrownBy(() -> ca.bundle().verifyIdentity(d, T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("issuer spiffe://example.org/node/node-x is not a host of trust domain example.org; issuers are "
                        + "spiffe://example.org/host/NAME");
        assertThatThrownBy(() -> ca.bundle().verifyIssuer(rootSigned(new SpiffeId(DOMAIN, "/host/a/b"), key, T0, T0.plus(DAY)), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("is not a host of trust domain example.org");
        assertThatThrownBy(() -> ca.bundle().verifyIssuer(rootSigned(new SpiffeId("other.org", "/host/a"), key, T0, T0.plus(DAY)), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("issuer spiffe://other.org/host/a is not a host of trust domain example.org");
    }

    @Test
    void aHostsIssuerMayVouchOnlyForNodes() {
        SpiffeId app = SpiffeId.app(DOMAIN, "operator");
        PqIdentityDocument d = signed(app, host.document(), hostKey(), doc().notBefore(), doc().notAfter());

        assertThatThrownBy(() -> ca.bundle().verifyIdentity(d, T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("identity document of spiffe://example.org/app/operator is signed by issuer " + HOST_1
                        + ", and a host's issuer may vouch only for nodes (spiffe://example.org/node/NAME)");
    }

    @Test
    void aBundleOfAnotherTrustDomainRefusesTheNodeFirst() {
        CertificateAuthority other = Fixtures.ca(tmp.resolve("other"), "other.org", 5);

        assertThatThrownBy(() -> other.bundle().verifyIdentity(doc(), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("spiffe://example.org/node/node-h is not in trust domain other.org");
    }

    // --- strict JSON ---------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"issuer_id", "issuer_ml_dsa_65_sha3_256", "issuer"})
    void aVersion2DocumentWithoutAnIssuerFieldIsRefusedByName(String field) {
        assertThatThrownBy(() -> edit(n -> n.remove(field)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SOURCE + ": field '" + field + "' is missing");
    }

    @Test
    void aVersion1DocumentMayNotCarryAnIssuer() {
        ObjectNode v1 = json(Fixtures.node(ca, "node-a", 2).identity().toJson());
        v1.set("issuer", json(host.document().toJson()));

        assertThatThrownBy(() -> PqIdentityDocument.fromJson(SOURCE, v1.toPrettyString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SOURCE + ": field 'issuer' belongs to version 2 documents (signed by a host's issuer); this one is version 1");
    }

    @Test
    void theEmbeddedIssuerDocumentIsParsedAsStrictlyAsItsFile() {
        assertThatThrownBy(() -> edit(n -> n.put("issuer", "spiffe://example.org/host/host-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SOURCE + ": field 'issuer' must be a JSON object (the issuer document, as in issuer-mldsa.json)");
        assertThatThrownBy(() -> edit(n -> ((ObjectNode) n.get("issuer")).put("admin", true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SOURCE + ", field 'issuer': unknown field 'admin'");
        assertThatThrownBy(() -> edit(n -> ((ObjectNode) n.get("issuer")).remove("signature")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SOURCE + ", field 'issuer': field 'signature' is missing");
        assertThatThrownBy(() -> edit(n -> ((ObjectNode) n.get("issuer")).put("version", 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SOURCE + ", field 'issuer': field 'version' is 2; this build reads issuer documents of version 1");
        assertThatThrownBy(() -> edit(n -> n.put("issuer_ml_dsa_65_sha3_256", "abcd")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SOURCE + ": field 'issuer_ml_dsa_65_sha3_256' must be 64 hex digits");
        assertThatThrownBy(() -> edit(n -> n.put("issuer_id", "spiffe://example.org/host/../ca")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(SOURCE + ": field 'issuer_id': invalid SPIFFE ID");
    }

    // --- helpers ---------------------------------------------------------------------------------------

    private PqIdentityDocument edit(Consumer<ObjectNode> change) {
        ObjectNode n = json(doc().toJson());
        change.accept(n);
        return PqIdentityDocument.fromJson(SOURCE, n.toPrettyString());
    }

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private MlDsaPrivateKey hostKey() {
        return CertificateAuthority.mlDsaKey(tmp.resolve("host-1/issuer-mldsa.key"), "");
    }

    private PqIssuerDocument rootSigned(SpiffeId id, MlDsa key, Instant notBefore, Instant notAfter) {
        MlDsaPrivateKey root = CertificateAuthority.mlDsaKey(ca.dir().resolve("root-mldsa.key"), "");
        byte[] tbs = PqIssuerDocument.toBeSigned(id, key.publicKey(), notBefore, notAfter);
        return new PqIssuerDocument(id, key.publicKey(), notBefore, notAfter, root.sign(tbs, new TestRandom(31)));
    }

    /** A version 2 document with the node's keys, for {@code id}, signed with {@code key} and carrying {@code issuer}. */
    private PqIdentityDocument signed(SpiffeId id, PqIssuerDocument issuer, MlDsaPrivateKey key, Instant notBefore, Instant notAfter) {
        PqIdentityDocument d = doc();
        Optional<PqIdentityDocument.Issuer> by = Optional.of(PqIdentityDocument.Issuer.of(issuer));
        byte[] tbs = PqIdentityDocument.toBeSigned(id, d.signingKey(), d.kemKey(), d.x25519Key(), d.svidSha256(), notBefore, notAfter, by);
        return new PqIdentityDocument(id, d.signingKey(), d.kemKey(), d.x25519Key(), d.svidSha256(), notBefore, notAfter, by,
                key.sign(tbs, new TestRandom(32)));
    }
}
