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
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * The post-quantum half of a node's identity: binds a SPIFFE ID to its ML-DSA-65, ML-KEM-768 and
 * X25519 public keys and to the SHA-256 fingerprint of its X.509-SVID. A peer that trusts the
 * CA's ML-DSA-65 root can then encrypt to the node and check its signatures without trusting any
 * classical algorithm, and the fingerprint ties the document to the certificate presented in the
 * TLS handshake.
 *
 * <p>Two versions, told apart by who signed:
 *
 * <ul>
 *   <li><b>Version 1</b>: signed by the ML-DSA-65 root itself, for nodes the CA enrols
 *       ({@link CertificateAuthority#issueNode}).
 *   <li><b>Version 2</b>: signed by a host agent's issuer key, for nodes a host agent enrols
 *       ({@link NodeIssuer#issueNode}), so that the root can stay offline. The document names
 *       its issuer in signed fields, the issuer's SPIFFE ID and the SHA3-256 of its ML-DSA-65
 *       key (as an X.509 certificate names its issuer and its authority key identifier), and
 *       carries the root-signed {@link PqIssuerDocument} that vouches for that key (as a TLS
 *       peer sends its intermediate). {@link TrustBundle#verifyIdentity} checks the names
 *       against the carried document before any signature, so a document sent with the wrong
 *       issuer is refused as such, not as a bad signature.
 * </ul>
 *
 * <p>The signature covers {@link #toBeSigned()}, a binary encoding documented in
 * docs/wire-formats.md §4; the JSON file is only its carrier. Version 1 bytes and JSON are
 * exactly what they were before version 2 existed.
 */
public record PqIdentityDocument(SpiffeId spiffeId, MlDsaPublicKey signingKey, MlKemPublicKey kemKey, X25519PublicKey x25519Key,
                                 byte[] svidSha256, Instant notBefore, Instant notAfter, Optional<Issuer> issuer, byte[] signature) {
    static final byte[] MAGIC = {'X', '0', 'I', 'D'};
    static final int VERSION = 1;
    static final int VERSION_ISSUED = 2;
    private static final String[] V1_FIELDS = {"version", "spiffe_id", "ml_dsa_65", "ml_kem_768", "x25519", "svid_sha256", "not_before",
            "not_after", "signature"};
    private static final String[] V2_ONLY_FIELDS = {"issuer_id", "issuer_ml_dsa_65_sha3_256", "issuer"};

    /**
     * Who signed a version 2 document. {@code id} and {@code keySha3_256} are signed as part of the
     * document; {@code document} is carried with it and proves, by the root's signature, that the
     * key belongs to that issuer.
     */
    public record Issuer(SpiffeId id, byte[] keySha3_256, PqIssuerDocument document) {
        public Issuer {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(document, "document");
            if (keySha3_256.length != 32) {
                throw new IllegalArgumentException("issuer_ml_dsa_65_sha3_256 must be 32 bytes");
            }
            keySha3_256 = keySha3_256.clone();
        }

        /** The issuer named by {@code document} itself: what a host agent puts in the documents it signs. */
        static Issuer of(PqIssuerDocument document) {
            return new Issuer(document.spiffeId(), document.keySha3_256(), document);
        }

        @Override
        public byte[] keySha3_256() {
            return keySha3_256.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Issuer i && id.equals(i.id) && Arrays.equals(keySha3_256, i.keySha3_256) && document.equals(i.document);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, Arrays.hashCode(keySha3_256), document);
        }

        @Override
        public String toString() {
            return "Issuer[" + id + ", key sha3-256 " + Hex.encode(keySha3_256).substring(0, 16) + "…]";
        }
    }

    public PqIdentityDocument {
        if (svidSha256.length != 32) {
            throw new IllegalArgumentException("svid_sha256 must be 32 bytes");
        }
        Objects.requireNonNull(issuer, "issuer (Optional.empty() for a root-signed document)");
        svidSha256 = svidSha256.clone();
        signature = signature.clone();
    }

    /** A version 1 document: signed by the ML-DSA-65 root, no issuer. */
    public PqIdentityDocument(SpiffeId spiffeId, MlDsaPublicKey signingKey, MlKemPublicKey kemKey, X25519PublicKey x25519Key,
                              byte[] svidSha256, Instant notBefore, Instant notAfter, byte[] signature) {
        this(spiffeId, signingKey, kemKey, x25519Key, svidSha256, notBefore, notAfter, Optional.empty(), signature);
    }

    /** 1 for a document the root signed, 2 for one a host's issuer signed. */
    public int version() {
        return issuer.isPresent() ? VERSION_ISSUED : VERSION;
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
                && kemKey.equals(d.kemKey) && x25519Key.equals(d.x25519Key) && Arrays.equals(svidSha256, d.svidSha256)
                && notBefore.equals(d.notBefore) && notAfter.equals(d.notAfter) && issuer.equals(d.issuer)
                && Arrays.equals(signature, d.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(spiffeId, signingKey, kemKey, x25519Key, Arrays.hashCode(svidSha256), notBefore, notAfter, issuer,
                Arrays.hashCode(signature));
    }

    @Override
    public String toString() {
        return "PqIdentityDocument[" + spiffeId + ", svid sha256 " + Hex.encode(svidSha256) + ", valid " + notBefore + " to " + notAfter
                + issuer.map(i -> ", issued by " + i.id()).orElse("") + "]";
    }

    /** The keys a peer uses to encrypt to this node and check its messages. */
    public PeerKeys peerKeys() {
        return new PeerKeys(spiffeId.toString(), signingKey, kemKey, x25519Key);
    }

    /**
     * The signed bytes: "X0ID", version, then each field length-prefixed; version 2 appends the
     * issuer's SPIFFE ID and key digest (docs/wire-formats.md §4).
     */
    public byte[] toBeSigned() {
        return toBeSigned(spiffeId, signingKey, kemKey, x25519Key, svidSha256, notBefore, notAfter, issuer);
    }

    static byte[] toBeSigned(SpiffeId id, MlDsaPublicKey dsa, MlKemPublicKey kem, X25519PublicKey x, byte[] svidSha256,
                             Instant notBefore, Instant notAfter) {
        return toBeSigned(id, dsa, kem, x, svidSha256, notBefore, notAfter, Optional.empty());
    }

    static byte[] toBeSigned(SpiffeId id, MlDsaPublicKey dsa, MlKemPublicKey kem, X25519PublicKey x, byte[] svidSha256,
                             Instant notBefore, Instant notAfter, Optional<Issuer> issuer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        out.writeBytes(MAGIC);
        out.write(issuer.isPresent() ? VERSION_ISSUED : VERSION);
        writeField(out, id.toString().getBytes(StandardCharsets.UTF_8));
        writeField(out, dsa.encoded());
        writeField(out, kem.encoded());
        writeField(out, x.encoded());
        out.writeBytes(svidSha256);
        writeLong(out, notBefore.toEpochMilli());
        writeLong(out, notAfter.toEpochMilli());
        issuer.ifPresent(i -> {
            writeField(out, i.id().toString().getBytes(StandardCharsets.UTF_8));
            out.writeBytes(i.keySha3_256);
        });
        return out.toByteArray();
    }

    static void writeField(ByteArrayOutputStream out, byte[] value) {
        out.write(value.length >>> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    static void writeLong(ByteArrayOutputStream out, long v) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (v >>> shift));
        }
    }

    public String toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        Base64.Encoder b64 = Base64.getEncoder();
        n.put("version", version());
        n.put("spiffe_id", spiffeId.toString());
        n.put("ml_dsa_65", b64.encodeToString(signingKey.encoded()));
        n.put("ml_kem_768", b64.encodeToString(kemKey.encoded()));
        n.put("x25519", b64.encodeToString(x25519Key.encoded()));
        n.put("svid_sha256", Hex.encode(svidSha256));
        n.put("not_before", notBefore.toString());
        n.put("not_after", notAfter.toString());
        issuer.ifPresent(i -> {
            n.put("issuer_id", i.id().toString());
            n.put("issuer_ml_dsa_65_sha3_256", Hex.encode(i.keySha3_256));
            n.set("issuer", i.document().toJsonNode());
        });
        n.put("signature", b64.encodeToString(signature));
        return n.toPrettyString() + "\n";
    }

    /**
     * Parses a document strictly: every field of its version present and well-formed, nothing
     * else. Says which field is wrong. Does not verify the signature;
     * {@link TrustBundle#verifyIdentity} does.
     */
    public static PqIdentityDocument fromJson(String source, String json) {
        JsonNode n = Json.parseObject(source, json);
        int version = Json.integer(source, n, "version");
        if (version != VERSION && version != VERSION_ISSUED) {
            throw new IllegalArgumentException(source + ": field 'version' is " + version + "; this build reads versions " + VERSION
                    + " (signed by the root) and " + VERSION_ISSUED + " (signed by a host's issuer)");
        }
        String[] allowed = Arrays.copyOf(V1_FIELDS, V1_FIELDS.length + V2_ONLY_FIELDS.length);
        System.arraycopy(V2_ONLY_FIELDS, 0, allowed, V1_FIELDS.length, V2_ONLY_FIELDS.length);
        Json.onlyFields(source, n, allowed);
        if (version == VERSION) {
            for (String f : V2_ONLY_FIELDS) {
                if (n.has(f)) {
                    throw new IllegalArgumentException(source + ": field '" + f + "' belongs to version " + VERSION_ISSUED
                            + " documents (signed by a host's issuer); this one is version " + VERSION);
                }
            }
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
                    version == VERSION ? Optional.empty() : Optional.of(issuer(source, n)),
                    Json.base64(source, n, "signature"));
        } catch (InvalidSpiffeIdException | KeyFormatException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static Issuer issuer(String source, JsonNode n) {
        SpiffeId id;
        try {
            id = SpiffeId.parse(Json.text(source, n, "issuer_id"));
        } catch (InvalidSpiffeIdException e) {
            throw new IllegalArgumentException(source + ": field 'issuer_id': " + e.getMessage(), e);
        }
        byte[] digest = Json.hex(source, n, "issuer_ml_dsa_65_sha3_256", 32);
        JsonNode doc = Json.field(source, n, "issuer");
        if (!doc.isObject()) {
            throw new IllegalArgumentException(source + ": field 'issuer' must be a JSON object (the issuer document, as in issuer-mldsa.json)");
        }
        return new Issuer(id, digest, PqIssuerDocument.fromJson(source + ", field 'issuer'", doc));
    }
}
