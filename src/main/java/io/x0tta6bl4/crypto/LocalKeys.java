package io.x0tta6bl4.crypto;

import java.util.Objects;

/** The private keys of this party (plus its X25519 public key, which the hybrid combiner hashes). */
public record LocalKeys(String id, MlDsaPrivateKey signing, MlKemPrivateKey kem, X25519PrivateKey x25519, X25519PublicKey x25519Public) {
    public LocalKeys {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(signing, "signing");
        Objects.requireNonNull(kem, "kem");
        Objects.requireNonNull(x25519, "x25519");
        Objects.requireNonNull(x25519Public, "x25519Public");
    }

    @Override
    public String toString() {
        return "LocalKeys[" + id + ", redacted]";
    }
}
