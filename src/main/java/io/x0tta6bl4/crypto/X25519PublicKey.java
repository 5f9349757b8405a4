package io.x0tta6bl4.crypto;

import java.security.PublicKey;
import java.util.Arrays;

/** An X25519 (RFC 7748) public key. */
public final class X25519PublicKey extends KeyMaterial {
    /** DER prefix of an X25519 SubjectPublicKeyInfo (RFC 8410); the raw 32-byte key follows it. */
    private static final byte[] SPKI_PREFIX = Hex.decode("302a300506032b656e032100");
    static final int RAW_LENGTH = 32;

    private final PublicKey key;

    X25519PublicKey(PublicKey key) {
        super(key);
        this.key = key;
        byte[] spki = encodedView();
        if (spki.length != SPKI_PREFIX.length + RAW_LENGTH
                || !Arrays.equals(spki, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
            throw new KeyFormatException("X25519 public key has an unexpected encoding");
        }
    }

    public static X25519PublicKey decode(byte[] spki) {
        return new X25519PublicKey(Jca.publicKey(X25519.ALGORITHM, "X25519", spki));
    }

    /** Builds a key from the 32 raw bytes of RFC 7748 (the u-coordinate, little-endian). */
    public static X25519PublicKey fromRaw(byte[] raw) {
        if (raw.length != RAW_LENGTH) {
            throw new KeyFormatException("X25519 public key must be 32 raw bytes, got " + raw.length);
        }
        byte[] spki = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + RAW_LENGTH);
        System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, RAW_LENGTH);
        return decode(spki);
    }

    /** The 32 raw bytes of RFC 7748. */
    public byte[] raw() {
        return Arrays.copyOfRange(encodedView(), SPKI_PREFIX.length, SPKI_PREFIX.length + RAW_LENGTH);
    }

    PublicKey jdk() {
        return key;
    }

    @Override
    boolean isPrivate() {
        return false;
    }
}
