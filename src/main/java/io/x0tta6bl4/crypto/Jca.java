package io.x0tta6bl4.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * Thin access to the JDK providers. Every algorithm used here ships with JDK 25, so a missing one
 * means a broken runtime, not bad input: that is an {@link IllegalStateException}. Bad key bytes,
 * on the other hand, come from outside and become a {@link KeyFormatException}.
 */
final class Jca {
    private Jca() {}

    static KeyPair generate(String algorithm, NamedParameterSpec params, SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            generator.initialize(params, random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw missing(algorithm, e);
        }
    }

    static PublicKey publicKey(String algorithm, String what, byte[] spki) {
        try {
            return factory(algorithm).generatePublic(new X509EncodedKeySpec(spki));
        } catch (InvalidKeySpecException | RuntimeException e) {
            throw new KeyFormatException(what + " public key is not a valid X.509 SubjectPublicKeyInfo: " + rootMessage(e));
        }
    }

    static PrivateKey privateKey(String algorithm, String what, byte[] pkcs8) {
        try {
            return factory(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (InvalidKeySpecException | RuntimeException e) {
            throw new KeyFormatException(what + " private key is not a valid PKCS#8 key: " + rootMessage(e));
        }
    }

    private static KeyFactory factory(String algorithm) {
        try {
            return KeyFactory.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw missing(algorithm, e);
        }
    }

    static IllegalStateException missing(String algorithm, Exception cause) {
        return new IllegalStateException(
                algorithm + " is not available from this JDK; x0tta6bl4 needs JDK 25 or newer", cause);
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
