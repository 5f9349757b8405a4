package io.x0tta6bl4.identity;

import static io.x0tta6bl4.identity.Fixtures.DOMAIN;
import static io.x0tta6bl4.identity.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.crypto.PeerKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PqIdentityDocumentTest {
    private static final String SOURCE = "nodes/node-a/identity.json";

    @TempDir Path tmp;

    private CertificateAuthority ca;
    private NodeCredentials a;
    private NodeCredentials b;

    @BeforeEach
    void enrol() {
        ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);
        a = Fixtures.node(ca, "node-a", 2);
        b = Fixtures.node(ca, "node-b", 3);
    }

    @Test
    void anIssuedDocumentVerifiesAndYieldsTheNodesPublicKeys() throws Exception {
        PqIdentityDocument doc = a.identity();

        PeerKeys keys = ca.bundle().verifyIdentity(doc, T0);

        assertThat(keys.id()).isEqualTo("spiffe://example.org/node/node-a");
        assertThat(keys.signing()).isEqualTo(doc.signingKey());
        assertThat(keys.kem()).isEqualTo(doc.kemKey());
        assertThat(keys.x25519()).isEqualTo(doc.x25519Key()).isEqualTo(a.keys().x25519Public());
        assertThat(keys).isEqualTo(doc.peerKeys());
    }

    @Test
    void itVerifiesTogetherWithItsOwnSvid() throws Exception {
        PeerKeys keys = ca.bundle().verifyIdentity(a.identity(), a.svidChain().getFirst(), T0);

        assertThat(keys.id()).isEqualTo(a.id().toString());
    }

    @Test
    void itIsBoundToItsSvidByFingerprintAndItsValidityEqualsTheSvids() throws Exception {
        var svid = a.svidChain().getFirst();

        assertThat(a.identity().svidSha256()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(svid.getEncoded()));
        assertThat(a.identity().notBefore()).isEqualTo(svid.getNotBefore().toInstant());
        assertThat(a.identity().notAfter()).isEqualTo(svid.getNotAfter().toInstant());
        assertThat(a.identity().spiffeId()).isEqualTo(a.id());
    }

    @Test
    void anotherCasBundleOfTheSameTrustDomainRefusesIt() {
        CertificateAuthority impostor = Fixtures.ca(tmp.resolve("impostor"), DOMAIN, 99);

        assertThatThrownBy(() -> impostor.bundle().verifyIdentity(a.identity(), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("identity document of spiffe://example.org/node/node-a is not signed by the example.org ML-DSA-65 root");
    }

    @Test
    void aBundleOfAnotherTrustDomainRefusesIt() {
        CertificateAuthority other = Fixtures.ca(tmp.resolve("other"), "other.org", 5);

        assertThatThrownBy(() -> other.bundle().verifyIdentity(a.identity(), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessage("spiffe://example.org/node/node-a is not in trust domain other.org");
    }

    @Test
    void withTheSvidOfAnotherNodeItIsRefused() {
        assertThatThrownBy(() -> ca.bundle().verifyIdentity(a.identity(), b.svidChain().getFirst(), T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("is bound to another X.509-SVID");
    }

    @Test
    void outsideItsValidityItIsRefused() throws Exception {
        PqIdentityDocument doc = a.identity();

        assertThat(ca.bundle().verifyIdentity(doc, doc.notAfter())).isNotNull();
        assertThat(ca.bundle().verifyIdentity(doc, doc.notBefore())).isNotNull();
        assertThatThrownBy(() -> ca.bundle().verifyIdentity(doc, doc.notAfter().plusMillis(1)))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("is valid from " + doc.notBefore() + " to " + doc.notAfter());
        assertThatThrownBy(() -> ca.bundle().verifyIdentity(doc, doc.notBefore().minusMillis(1)))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("is valid from");
    }

    @Test
    void swappingInAnotherNodesKemKeyBreaksTheSignature() throws Exception {
        ObjectNode other = json(b.identity().toJson());
        PqIdentityDocument edited = edit(n -> n.set("ml_kem_768", other.get("ml_kem_768")));

        assertThat(edited.kemKey()).isEqualTo(b.identity().kemKey());
        assertThatThrownBy(() -> ca.bundle().verifyIdentity(edited, T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("is not signed by the example.org ML-DSA-65 root");
    }

    @Test
    void eachEditOfASignedFieldBreaksTheSignature() throws Exception {
        ObjectNode other = json(b.identity().toJson());
        String[] fields = {"spiffe_id", "ml_dsa_65", "ml_kem_768", "x25519", "svid_sha256"};
        for (String f : fields) {
            PqIdentityDocument edited = edit(n -> n.set(f, other.get(f)));
            assertThatThrownBy(() -> ca.bundle().verifyIdentity(edited, T0)).as(f)
                    .isInstanceOf(IdentityVerificationException.class)
                    .hasMessageContaining("is not signed by");
        }
        PqIdentityDocument longer = edit(n -> n.put("not_after", a.identity().notAfter().plus(Duration.ofDays(365)).toString()));
        assertThatThrownBy(() -> ca.bundle().verifyIdentity(longer, T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("is not signed by");
        PqIdentityDocument earlier = edit(n -> n.put("not_before", a.identity().notBefore().minusSeconds(1).toString()));
        assertThatThrownBy(() -> ca.bundle().verifyIdentity(earlier, T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("is not signed by");
    }

    @Test
    void aSignatureFromAnotherDocumentDoesNotVerify() {
        ObjectNode other = json(b.identity().toJson());
        PqIdentityDocument edited = edit(n -> n.set("signature", other.get("signature")));

        assertThatThrownBy(() -> ca.bundle().verifyIdentity(edited, T0))
                .isInstanceOf(IdentityVerificationException.class)
                .hasMessageContaining("is not signed by");
    }

    @Test
    void toJsonAndFromJsonRoundTripEveryField() {
        PqIdentityDocument doc = a.identity();

        PqIdentityDocument back = PqIdentityDocument.fromJson(SOURCE, doc.toJson());

        assertThat(back.spiffeId()).isEqualTo(doc.spiffeId());
        assertThat(back.signingKey()).isEqualTo(doc.signingKey());
        assertThat(back.kemKey()).isEqualTo(doc.kemKey());
        assertThat(back.x25519Key()).isEqualTo(doc.x25519Key());
        assertThat(back.svidSha256()).isEqualTo(doc.svidSha256());
        assertThat(back.notBefore()).isEqualTo(doc.notBefore());
        assertThat(back.notAfter()).isEqualTo(doc.notAfter());
        assertThat(back.signature()).isEqualTo(doc.signature());
        assertThat(back.toBeSigned()).isEqualTo(doc.toBeSigned());
        assertThat(back.toJson()).isEqualTo(doc.toJson());
    }

    /**
     * Bug: PqIdentityDocument is a record with byte[] components, so the generated equals and
     * hashCode compare the arrays by reference (and toString prints "[B@..."). Enable once it
     * overrides them with Arrays.equals / Arrays.hashCode.
     */
    @Test
    void twoDocumentsParsedFromTheSameJsonAreEqual() {
        String json = a.identity().toJson();

        PqIdentityDocument one = PqIdentityDocument.fromJson(SOURCE, json);
        PqIdentityDocument two = PqIdentityDocument.fromJson(SOURCE, json);

        assertThat(one).isEqualTo(two).hasSameHashCodeAs(two);
        assertThat(one.toString()).doesNotContain("[B@");
    }

    @Test
    void theJsonHasExactlyTheDocumentedFields() {
        ObjectNode n = json(a.identity().toJson());

        assertThat(n.properties()).extracting(java.util.Map.Entry::getKey).containsExactly(
                "version", "spiffe_id", "ml_dsa_65", "ml_kem_768", "x25519", "svid_sha256", "not_before", "not_after", "signature");
        assertThat(n.get("version").intValue()).isEqualTo(1);
        assertThat(n.get("svid_sha256").textValue()).matches("[0-9a-f]{64}");
    }

    @Test
    void theSignedBytesFollowTheWireFormat() {
        PqIdentityDocument doc = a.identity();
        ByteBuffer tbs = ByteBuffer.wrap(doc.toBeSigned());

        byte[] magic = new byte[4];
        tbs.get(magic);
        assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("X0ID");
        assertThat(tbs.get()).isEqualTo((byte) 1);
        assertThat(lengthPrefixed(tbs)).isEqualTo(doc.spiffeId().toString().getBytes(StandardCharsets.UTF_8));
        assertThat(lengthPrefixed(tbs)).isEqualTo(doc.signingKey().encoded());
        assertThat(lengthPrefixed(tbs)).isEqualTo(doc.kemKey().encoded());
        assertThat(lengthPrefixed(tbs)).isEqualTo(doc.x25519Key().encoded());
        byte[] sha = new byte[32];
        tbs.get(sha);
        assertThat(sha).isEqualTo(doc.svidSha256());
        assertThat(tbs.getLong()).isEqualTo(doc.notBefore().toEpochMilli());
        assertThat(tbs.getLong()).isEqualTo(doc.notAfter().toEpochMilli());
        assertThat(tbs.hasRemaining()).isFalse();
    }

    @Test
    void itsArraysAreDefensiveCopies() throws Exception {
        PqIdentityDocument doc = a.identity();
        doc.signature()[0] ^= 1;
        doc.svidSha256()[0] ^= 1;

        assertThat(ca.bundle().verifyIdentity(doc, a.svidChain().getFirst(), T0)).isNotNull();
    }

    // JSON strictness: every problem is an IllegalArgumentException naming the source and the field.

    @Test
    void anUnknownFieldIsRefused() {
        assertThatThrownBy(() -> reparse(n -> n.put("admin", true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SOURCE + ": unknown field 'admin'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"version", "spiffe_id", "svid_sha256", "not_before", "not_after"})
    void aMissingFieldIsRefusedByName(String field) {
        assertThatThrownBy(() -> reparse(n -> n.remove(field)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SOURCE + ": field '" + field + "' is missing");
    }

    /**
     * Bug: Json.base64 wraps its call to Json.text in the catch meant for the decoder, so a missing
     * (or non-string) base64 field is reported as "is not valid base64". Enable once fixed.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ml_dsa_65", "ml_kem_768", "x25519", "signature"})
    void aMissingBase64FieldIsReportedAsMissingNotAsBadBase64(String field) {
        assertThatThrownBy(() -> reparse(n -> n.remove(field)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SOURCE + ": field '" + field + "' is missing");
        assertThatThrownBy(() -> reparse(n -> n.put(field, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SOURCE + ": field '" + field + "' must be a string");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ml_dsa_65", "ml_kem_768", "x25519", "signature"})
    void aMissingBase64FieldIsRefusedNamingTheField(String field) {
        assertThatThrownBy(() -> reparse(n -> n.remove(field)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(SOURCE + ": field '" + field + "' ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ml_dsa_65", "ml_kem_768", "x25519", "signature"})
    void badBase64IsRefusedByName(String field) {
        assertThatThrownBy(() -> reparse(n -> n.put(field, "not*base64!")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SOURCE + ": field '" + field + "' is not valid base64");
    }

    @Test
    void aWrongVersionIsRefused() {
        assertThatThrownBy(() -> reparse(n -> n.put("version", 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SOURCE + ": field 'version' is 3; this build reads versions 1 (signed by the root) and 2 (signed by a host's issuer)");
        assertThatThrownBy(() -> reparse(n -> n.put("version", 2)))
                .as("a version 2 document names its issuer")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SOURCE + ": field 'issuer_id' is missing");
        assertThatThrownBy(() -> reparse(n -> n.put("version", "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SOURCE + ": field 'version' must be an integer");
    }

    @Test
    void aShortFingerprintIsRefused() {
        assertThatThrownBy(() -> reparse(n -> n.put("svid_sha256", "abcd")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SOURCE + ": field 'svid_sha256' must be 64 hex digits");
    }

    @Test
    void aBadInstantIsRefused() {
        assertThatThrownBy(() -> reparse(n -> n.put("not_after", "tomorrow")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(SOURCE + ": field 'not_after' must be an ISO-8601 instant");
    }

    @Test
    void aKeyOfTheWrongAlgorithmIsRefused() {
        ObjectNode mine = json(a.identity().toJson());
        assertThatThrownBy(() -> reparse(n -> n.set("ml_dsa_65", mine.get("ml_kem_768"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(SOURCE + ": ML-DSA-65 public key is not a valid");
    }

    @Test
    void anInvalidSpiffeIdIsRefused() {
        assertThatThrownBy(() -> reparse(n -> n.put("spiffe_id", "spiffe://example.org/node/../ca")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(SOURCE + ": invalid SPIFFE ID");
    }

    @Test
    void duplicateFieldsAndTrailingContentAreRefused() {
        String json = a.identity().toJson();
        String duplicated = json.replaceFirst("\\{", "{\n  \"spiffe_id\" : \"spiffe://example.org/node/node-b\",");

        assertThatThrownBy(() -> PqIdentityDocument.fromJson(SOURCE, duplicated))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(SOURCE + ": not valid JSON")
                .hasMessageContaining("spiffe_id");
        assertThatThrownBy(() -> PqIdentityDocument.fromJson(SOURCE, json + "{}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(SOURCE + ": not valid JSON");
        assertThatThrownBy(() -> PqIdentityDocument.fromJson(SOURCE, "[]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SOURCE + ": expected a JSON object");
    }

    private PqIdentityDocument edit(Consumer<ObjectNode> change) {
        return reparse(change);
    }

    private PqIdentityDocument reparse(Consumer<ObjectNode> change) {
        ObjectNode n = json(a.identity().toJson());
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

    private static byte[] lengthPrefixed(ByteBuffer b) {
        int length = Short.toUnsignedInt(b.getShort());
        byte[] out = new byte[length];
        b.get(out);
        return out;
    }
}
