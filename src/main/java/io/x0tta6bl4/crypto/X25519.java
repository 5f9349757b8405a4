package io.x0tta6bl4.crypto;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;

/** X25519 key pairs (RFC 7748). */
public record X25519(X25519PublicKey publicKey, X25519PrivateKey privateKey) {
    static final String ALGORITHM = "X25519";

    public static X25519 generate(SecureRandom random) {
        KeyPair pair = Jca.generate("XDH", NamedParameterSpec.X25519, random);
        return new X25519(new X25519PublicKey(pair.getPublic()), new X25519PrivateKey(pair.getPrivate()));
    }
}
