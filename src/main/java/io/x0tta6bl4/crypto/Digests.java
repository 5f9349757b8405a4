package io.x0tta6bl4.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA3-256 (FIPS 202) and SHA-256 (FIPS 180-4), for fingerprints and the hybrid KEM combiner. */
public final class Digests {
    private Digests() {}

    /** SHA3-256 over the concatenation of {@code parts}. */
    public static byte[] sha3_256(byte[]... parts) {
        MessageDigest md = digest("SHA3-256");
        for (byte[] part : parts) {
            md.update(part);
        }
        return md.digest();
    }

    /** Plain SHA-256 (FIPS 180-4), for X.509 fingerprints where that is the convention. */
    public static byte[] sha256(byte[] data) {
        return digest("SHA-256").digest(data);
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw Jca.missing(algorithm, e);
        }
    }
}
