package io.x0tta6bl4.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.crypto.Digests;
import io.x0tta6bl4.crypto.Hex;
import io.x0tta6bl4.crypto.KeyFormatException;
import io.x0tta6bl4.crypto.MlDsaPublicKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * The post-quantum half of a host agent's issuing credentials: binds the host's SPIFFE ID
 * ({@code spiffe://<domain>/host/<name>}) to an ML-DSA-65 public key for a period, signed by the
 * trust domain's ML-DSA-65 root. It is to identity documents what an intermediate CA certificate
 * is to X.509-SVIDs: the host signs its nodes' identity documents (version 2) with the key named
 * here, and each such document carries this one, so a verifier holding only the root's key can
 * check the whole chain, root → host → node, without any classical algorithm.
 *
 * <p>It is not an X.509 certificate on purpose: the chain is one level deep and fixed, and a
 * short binary to-be-signed form (magic "X0IS", distinct from the identity document's "X0ID", so
 * that no signature by the root over one kind can be passed off as the other) is easier to
 * specify and to check than an ML-DSA certificate profile. See docs/wire-formats.md §4.
 */
public record PqIssuerDocument(SpiffeId spiffeId, MlDsaPublicKey signingKey, Instant notBefore, Instant notAfter, byte[] signature) {
    static final byte[] MAGIC = {'X', '0', 'I', 'S'};
    static final int VERSION = 1;
    static final String HOST_PREFIX = "/host/";

    public PqIssuerDocument {
        Objects.requireNonNull(spiffeId, "spiffeId");
        Objects.requireNonNull(signingKey, "signingKey");
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(notAfter, "notAfter");
        signature = signature.clone();
    }

    /** {@code spiffe://<domain>/host/<name>}: the IDs issuers have. */
    static SpiffeId hostId(String trustDomain, String hostName) {
        return new SpiffeId(trustDomain, HOST_PREFIX + NodeName.check(hostName));
    }

    /** Whether {@code id} is a host's ID in {@code trustDomain}, the only kind an issuer document may name. */
    static boolean isHost(SpiffeId id, String trustDomain) {
        return id.memberOf(trustDomain) && id.path().startsWith(HOST_PREFIX) && id.path().indexOf('/', HOST_PREFIX.length()) < 0;
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** SHA3-256 of the issuer's ML-DSA-65 public key (SPKI): what a version-2 identity document binds. */
    public byte[] keySha3_256() {
        return Digests.sha3_256(signingKey.encoded());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PqIssuerDocument d && spiffeId.equals(d.spiffeId) && signingKey.equals(d.signingKey)
                && notBefore.equals(d.notBefore) && notAfter.equals(d.notAfter) && Arrays.equals(signature, d.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(spiffeId, signingKey, notBefore, notAfter, Arrays.hashCode(signature));
    }

    @Override
    public String toString() {
        return "PqIssuerDocument[" + spiffeId + ", key sha3-256 " + Hex.encode(keySha3_256()).substring(0, 16) + "…, valid " + notBefore
                + " to " + notAfter + "]";
    }

    /** The signed bytes: "X0IS", version, then each field length-prefixed (docs/wire-formats.md §4). */
    public byte[] toBeSigned() {
        return toBeSigned(spiffeId, signingKey, notBefore, notAfter);
    }

    static byte[] toBeSigned(SpiffeId id, MlDsaPublicKey key, Instant notBefore, Instant notAfter) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
        out.writeBytes(MAGIC);
        out.write(VERSION);
        PqIdentityDocument.writeField(out, id.toString().getBytes(StandardCharsets.UTF_8));
        PqIdentityDocument.writeField(out, key.encoded());
        PqIdentityDocument.writeLong(out, notBefore.toEpochMilli());
        PqIdentityDocument.writeLong(out, notAfter.toEpochMilli());
        return out.toByteArray();
    }

    public String toJson() {
        return toJsonNode().toPrettyString() + "\n";
    }

    ObjectNode toJsonNode() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("version", VERSION);
        n.put("spiffe_id", spiffeId.toString());
        n.put("ml_dsa_65", Base64.getEncoder().encodeToString(signingKey.encoded()));
        n.put("not_before", notBefore.toString());
        n.put("not_after", notAfter.toString());
        n.put("signature", Base64.getEncoder().encodeToString(signature));
        return n;
    }

    /**
     * Parses a document strictly: every field present and well-formed, nothing else; the message
     * names the source and the field. Does not verify the signature ({@link TrustBundle} does).
     */
    public static PqIssuerDocument fromJson(String source, String json) {
        return fromJson(source, Json.parseObject(source, json));
    }

    static PqIssuerDocument fromJson(String source, JsonNode n) {
        Json.onlyFields(source, n, "version", "spiffe_id", "ml_dsa_65", "not_before", "not_after", "signature");
        int version = Json.integer(source, n, "version");
        if (version != VERSION) {
            throw new IllegalArgumentException(source + ": field 'version' is " + version + "; this build reads issuer documents of version "
                    + VERSION);
        }
        try {
            return new PqIssuerDocument(SpiffeId.parse(Json.text(source, n, "spiffe_id")),
                    MlDsaPublicKey.decode(Json.base64(source, n, "ml_dsa_65")),
                    Json.instant(source, n, "not_before"),
                    Json.instant(source, n, "not_after"),
                    Json.base64(source, n, "signature"));
        } catch (InvalidSpiffeIdException | KeyFormatException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }
}
