package io.x0tta6bl4.crypto;

import java.util.Objects;

/**
 * The public keys of one party, as its identity document publishes them: who it is, the key its
 * messages are signed with and the keys messages to it are encapsulated to.
 */
public record PeerKeys(String id, MlDsaPublicKey signing, MlKemPublicKey kem, X25519PublicKey x25519) {
    public PeerKeys {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(signing, "signing");
        Objects.requireNonNull(kem, "kem");
        Objects.requireNonNull(x25519, "x25519");
    }
}
