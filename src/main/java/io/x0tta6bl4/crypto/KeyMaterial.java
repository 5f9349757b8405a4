package io.x0tta6bl4.crypto;

import java.security.Key;
import java.util.Arrays;

/**
 * A JDK key with its standard encoding (X.509 SubjectPublicKeyInfo for public keys, PKCS#8 for
 * private keys). Subclasses give each algorithm and role its own type, so an ML-KEM public key
 * cannot be handed to a signature check by mistake. Equality is by encoding; private keys never
 * print their bytes.
 */
public abstract sealed class KeyMaterial
        permits MlDsaPublicKey, MlDsaPrivateKey, MlKemPublicKey, MlKemPrivateKey, X25519PublicKey, X25519PrivateKey {

    private final byte[] encoded;

    KeyMaterial(Key key) {
        this.encoded = key.getEncoded();
    }

    /** The standard encoding: SubjectPublicKeyInfo or PKCS#8 DER. A fresh copy on every call. */
    public final byte[] encoded() {
        return encoded.clone();
    }

    final byte[] encodedView() {
        return encoded;
    }

    abstract boolean isPrivate();

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Arrays.equals(encoded, ((KeyMaterial) o).encoded);
    }

    @Override
    public final int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public final String toString() {
        if (isPrivate()) {
            return getClass().getSimpleName() + "[redacted]";
        }
        return getClass().getSimpleName() + "[sha3-256:" + Hex.encode(Digests.sha3_256(encoded)).substring(0, 16) + "…]";
    }
}
