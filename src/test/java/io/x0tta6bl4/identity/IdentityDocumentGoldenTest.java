package io.x0tta6bl4.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.crypto.Digests;
import io.x0tta6bl4.crypto.Hex;
import io.x0tta6bl4.crypto.MlDsa;
import io.x0tta6bl4.crypto.MlKem;
import io.x0tta6bl4.crypto.X25519;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Golden vectors for the to-be-signed bytes of identity documents (docs/wire-formats.md §4). The
 * inputs are fixed: keys from {@link TestRandom} seeds, a constant SVID fingerprint, constant
 * instants. Each vector is pinned twice: by the SHA-256 of the bytes this code produces (so a
 * change to the format, or to how the JDK encodes a key, fails here first) and by an encoding the
 * test builds itself from the documented layout (so the digest pins what the bytes mean).
 *
 * <p>A digest changes only when the wire format does, and then on purpose.
 */
class IdentityDocumentGoldenTest {
    static final SpiffeId NODE = SpiffeId.node("example.org", "node-a");
    static final Instant NOT_BEFORE = Instant.parse("2026-03-01T11:59:00Z");
    static final Instant NOT_AFTER = Instant.parse("2026-03-02T12:00:00Z");
    static final MlDsa DSA = MlDsa.generate(new TestRandom(101));
    static final MlKem KEM = MlKem.generate(new TestRandom(102));
    static final X25519 X = X25519.generate(new TestRandom(103));
    static final byte[] SVID_SHA256 = filled(32, 0x5a);

    /** Computed by the code before version 2 existed: version 1 bytes must never change. */
    static final String V1_SHA256 = "18bdfa4267940d9b79cdffcbb960d3245546df873ee8ff06654ff6bffdafbe28";
    static final int V1_LENGTH = 3317;

    @Test
    void version1BytesAreTheGoldenOnes() {
        byte[] tbs = PqIdentityDocument.toBeSigned(NODE, DSA.publicKey(), KEM.publicKey(), X.publicKey(), SVID_SHA256, NOT_BEFORE, NOT_AFTER);

        assertThat(tbs).hasSize(V1_LENGTH);
        assertThat(Hex.encode(Digests.sha256(tbs))).isEqualTo(V1_SHA256);
        assertThat(tbs).isEqualTo(documentedVersion1());
    }

    static final SpiffeId HOST = new SpiffeId("example.org", "/host/host-1");
    static final MlDsa ISSUER_KEY = MlDsa.generate(new TestRandom(104));
    static final Instant ISSUER_NOT_BEFORE = Instant.parse("2026-03-01T11:00:00Z");
    static final Instant ISSUER_NOT_AFTER = Instant.parse("2026-03-31T11:00:00Z");
    /** The issuer's signature is not part of the node's signed bytes; any bytes do here. */
    static final PqIssuerDocument ISSUER = new PqIssuerDocument(HOST, ISSUER_KEY.publicKey(), ISSUER_NOT_BEFORE, ISSUER_NOT_AFTER, new byte[0]);

    static final String V2_SHA256 = "c29a238c16c1aa3878fee623f15515ddeccdfd6d335d906680bee9c5f7ff93e0";
    static final int V2_LENGTH = 3383;
    static final String ISSUER_SHA256 = "fbcd97fb01c81522ac15187b423937512f6deb4aba04d83d89cebaac76d5cc3a";
    static final int ISSUER_LENGTH = 2031;

    @Test
    void version2BytesAreTheGoldenOnes() {
        byte[] tbs = PqIdentityDocument.toBeSigned(NODE, DSA.publicKey(), KEM.publicKey(), X.publicKey(), SVID_SHA256, NOT_BEFORE, NOT_AFTER,
                Optional.of(PqIdentityDocument.Issuer.of(ISSUER)));

        assertThat(tbs).hasSize(V2_LENGTH);
        assertThat(Hex.encode(Digests.sha256(tbs))).isEqualTo(V2_SHA256);
        assertThat(tbs).isEqualTo(documentedVersion2());
    }

    @Test
    void issuerDocumentBytesAreTheGoldenOnes() {
        byte[] tbs = ISSUER.toBeSigned();

        assertThat(tbs).hasSize(ISSUER_LENGTH);
        assertThat(Hex.encode(Digests.sha256(tbs))).isEqualTo(ISSUER_SHA256);
        assertThat(tbs).isEqualTo(documentedIssuer());
    }

    @Test
    void version2IsVersion1WithItsOwnVersionByteAndTheIssuerAppended() {
        byte[] v1 = documentedVersion1();
        byte[] v2 = documentedVersion2();

        assertThat(v2[4]).isEqualTo((byte) 2);
        assertThat(Arrays.copyOfRange(v2, 5, v1.length)).isEqualTo(Arrays.copyOfRange(v1, 5, v1.length));
        assertThat(v2).hasSize(v1.length + 2 + HOST.toString().length() + 32);
    }

    /**
     * Version 2, from docs/wire-formats.md §4: version 1's fields after version byte 2, then the
     * issuer's SPIFFE ID (length-prefixed) and SHA3-256 of its ML-DSA-65 SPKI.
     */
    static byte[] documentedVersion2() {
        byte[] v1 = documentedVersion1();
        v1[4] = 2;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(v1);
        prefixed(out, HOST.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(sha3(ISSUER_KEY.publicKey().encoded()));
        return out.toByteArray();
    }

    /** The issuer document, from docs/wire-formats.md §4: "X0IS", 1, ID, key, not before, not after. */
    static byte[] documentedIssuer() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x58, 0x30, 0x49, 0x53});
        out.write(1);
        prefixed(out, HOST.toString().getBytes(StandardCharsets.UTF_8));
        prefixed(out, ISSUER_KEY.publicKey().encoded());
        out.writeBytes(ByteBuffer.allocate(16).putLong(ISSUER_NOT_BEFORE.toEpochMilli()).putLong(ISSUER_NOT_AFTER.toEpochMilli()).array());
        return out.toByteArray();
    }

    /** SHA3-256 from the JDK directly, not through the code under test. */
    static byte[] sha3(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("SHA3-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The version 1 layout, written from docs/wire-formats.md §4 rather than from the code. */
    static byte[] documentedVersion1() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x58, 0x30, 0x49, 0x44});
        out.write(1);
        prefixed(out, NODE.toString().getBytes(StandardCharsets.UTF_8));
        prefixed(out, DSA.publicKey().encoded());
        prefixed(out, KEM.publicKey().encoded());
        prefixed(out, X.publicKey().encoded());
        out.writeBytes(SVID_SHA256);
        out.writeBytes(ByteBuffer.allocate(16).putLong(NOT_BEFORE.toEpochMilli()).putLong(NOT_AFTER.toEpochMilli()).array());
        return out.toByteArray();
    }

    static void prefixed(ByteArrayOutputStream out, byte[] field) {
        out.writeBytes(ByteBuffer.allocate(2).putShort((short) field.length).array());
        out.writeBytes(field);
    }

    static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
