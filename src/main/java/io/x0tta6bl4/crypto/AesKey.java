package io.x0tta6bl4.crypto;

import javax.crypto.SecretKey;

/** A 256-bit AES key, only ever produced by {@link Hkdf}. */
public final class AesKey {
    private final SecretKey key;

    AesKey(SecretKey key) {
        if (!"AES".equals(key.getAlgorithm()) || key.getEncoded().length != 32) {
            throw new IllegalArgumentException("an AesKey is a 32-byte AES key");
        }
        this.key = key;
    }

    SecretKey jdk() {
        return key;
    }

    @Override
    public String toString() {
        return "AesKey[redacted]";
    }
}
