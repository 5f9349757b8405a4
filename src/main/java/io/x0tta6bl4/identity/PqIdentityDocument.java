package io.x0tta6bl4.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.crypto.Hex;
import io.x0tta6bl4.crypto.KeyFormatException;
import io.x0tta6bl4.crypto.MlDsaPublicKey;
import io.x0tta6bl4.crypto.MlKemPublicKey;
import io.x0tta6bl4.crypto.PeerKeys;
import io.x0tta6bl4.crypto.X25519PublicKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * The post-quantum half of a node's identity: binds a SPIFFE ID to its ML-DSA-65, ML-KEM-768 and
 * X25519 public keys and to the SHA-256 fingerprint of its X.509-SVID, signed by the CA's
 * ML-DSA-65 root. A peer that trusts the root can then encrypt to the node and check its
 * signatures without trusting any classical algorithm, and the fingerprint ties the document to
 * the certificate presented in the TLS handshake.
 *
 * <p>The signature covers {@link #toBeSigned()}, a binary encoding documented in
 * docs/wire-formats.md; the JSON file is only its carrier.
 */
public record PqIdentityDocument(SpiffeId spiffeId, MlDsaPublicKey signingKey, MlKemPublicKey kemKey, X25519PublicKey x25519Key,
                                 byte[] svidSha256, Instant notBefore, Instant notAfter, byte[] signature) {
    static final byte[] MAGIC = {'X', '0', 'I', 'D'};
    static final int VERSION = 1;

    public PqIdentityDocument {
        if (svidSha256.length != 32) {
            throw new IllegalArgumentException("svid_sha256 must be 32 bytes");
        }
        svidSha256 = svidSha256.clone();
        signature = signature.clone();
    }

    @Override
    public byte[] svidSha256() {
        return svidSha256.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PqIdentityDocument d && spiffeId.equals(d.spiffeId) && signingKey.equals(d.signingKey)
                && kemKey.equals(d.kemKey) && x25519Key.equals(d.x25519Key) && java.util.Arrays.equals(svidSha256, d.svidSha256)
                && notBefore.equals(d.notBefore) && notAfter.equals(d.notAfter) && java.util.Arrays.equals(signature, d.signature);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(spiffeId, signingKey, kemKey, x25519Key, java.util.Arrays.hashCode(svidSha256), notBefore,
                notAfter, java.util.Arrays.hashCode(signature));
    }

    @Override
    public String toString() {
        return "PqIdentityDocument[" + spiffeId + ", svid sha256 " + Hex.encode(svidSha256) + ", valid " + notBefore + " to " + notAfter + "]";
    }

    /** The keys a peer uses to encrypt to this node and check its messages. */
    public PeerKeys peerKeys() {
        return new PeerKeys(spiffeId.toString(), signingKey, kemKey, x25519Key);
    }

    /** The signed bytes: "X0ID", version, then each field length-prefixed (docs/wire-formats.md). */
    public byte[] toBeSigned() {
        return toBeSigned(spiffeId, signingKey, kemKey, x25519Key, svidSha256, notBefore, notAfter);
    }

    static byte[] toBeSigned(SpiffeId id, MlDsaPublicKey dsa, MlKemPublicKey kem, X25519PublicKey x, byte[] svidSha256,
                             Instant notBefore, Instant notAfter) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        out.writeBytes(MAGIC);
        out.write(VERSION);
        writeField(out, id.toString().getBytes(StandardCharsets.UTF_8));
        writeField(out, dsa.encoded());
        writeField(out, kem.encoded());
        writeField(out, x.encoded());
        out.writeBytes(svidSha256);
        writeLong(out, notBefore.toEpochMilli());
        writeLong(out, notAfter.toEpochMilli());
        return out.toByteArray();
    }

    private static void writeField(ByteArrayOutputStream out, byte[] value) {
        out.write(value.length >>> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    private static void writeLong(ByteArrayOutputStream out, long v) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (v >>> shift));
        }
    }

    public String toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        Base64.Encoder b64 = Base64.getEncoder();
        n.put("version", VERSION);
        n.put("spiffe_id", spiffeId.toString());
        n.put("ml_dsa_65", b64.encodeToString(signingKey.encoded()));
        n.put("ml_kem_768", b64.encodeToString(kemKey.encoded()));
        n.put("x25519", b64.encodeToString(x25519Key.encoded()));
        n.put("svid_sha256", Hex.encode(svidSha256));
        n.put("not_before", notBefore.toString());
        n.put("not_after", notAfter.toString());
        n.put("signature", b64.encodeToString(signature));
        return n.toPrettyString() + "\n";
    }

    /**
     * Parses a document strictly: every field present and well-formed, nothing else. Says which
     * field is wrong. Does not verify the signature; {@link TrustBundle#verifyIdentity} does.
     */
    public static PqIdentityDocument fromJson(String source, String json) {
        JsonNode n = Json.parseObject(source, json);
        Json.onlyFields(source, n, "version", "spiffe_id", "ml_dsa_65", "ml_kem_768", "x25519", "svid_sha256",
                "not_before", "not_after", "signature");
        int version = Json.integer(source, n, "version");
        if (version != VERSION) {
            throw new IllegalArgumentException(source + ": field 'version' is " + version + "; this build reads version " + VERSION);
        }
        try {
            SpiffeId id = SpiffeId.parse(Json.text(source, n, "spiffe_id"));
            return new PqIdentityDocument(id,
                    MlDsaPublicKey.decode(Json.base64(source, n, "ml_dsa_65")),
                    MlKemPublicKey.decode(Json.base64(source, n, "ml_kem_768")),
                    X25519PublicKey.decode(Json.base64(source, n, "x25519")),
                    Json.hex(source, n, "svid_sha256", 32),
                    Json.instant(source, n, "not_before"),
                    Json.instant(source, n, "not_after"),
                    Json.base64(source, n, "signature"));
        } catch (InvalidSpiffeIdException | KeyFormatException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }
}
