package io.x0tta6bl4.crypto;

import java.util.Arrays;

/** 32 bytes agreed by a KEM. Never printed, only fed to a key derivation. */
public final class SharedSecret {
    private final byte[] bytes;

    SharedSecret(byte[] bytes) {
        if (bytes.length != 32) {
            throw new IllegalArgumentException("a shared secret is 32 bytes, got " + bytes.length);
        }
        this.bytes = bytes;
    }

    byte[] bytes() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SharedSecret other && java.security.MessageDigest.isEqual(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(Digests.sha3_256(bytes));
    }

    @Override
    public String toString() {
        return "SharedSecret[redacted]";
    }
}
