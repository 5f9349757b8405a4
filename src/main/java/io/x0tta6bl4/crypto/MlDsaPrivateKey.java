package io.x0tta6bl4.crypto;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;

/** An ML-DSA-65 (FIPS 204) signing key. */
public final class MlDsaPrivateKey extends KeyMaterial {
    private final PrivateKey key;

    MlDsaPrivateKey(PrivateKey key) {
        super(key);
        this.key = key;
    }

    public static MlDsaPrivateKey decode(byte[] pkcs8) {
        return new MlDsaPrivateKey(Jca.privateKey(MlDsa.ALGORITHM, "ML-DSA-65", pkcs8));
    }

    /**
     * Signs with the hedged variant of ML-DSA: {@code random} supplies the per-signature randomness,
     * so a fixed generator gives fixed signatures (golden vectors) and a strong one gives the
     * side-channel protection FIPS 204 recommends.
     */
    public byte[] sign(byte[] message, SecureRandom random) {
        return sign(message, 0, message.length, random);
    }

    public byte[] sign(byte[] message, int offset, int length, SecureRandom random) {
        try {
            Signature signer = Signature.getInstance(MlDsa.ALGORITHM);
            signer.initSign(key, random);
            signer.update(message, offset, length);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw Jca.missing(MlDsa.ALGORITHM, e);
        }
    }

    /** The JDK key, for code that must hand it to a JCA API such as a certificate signer. */
    public PrivateKey jdk() {
        return key;
    }

    @Override
    boolean isPrivate() {
        return true;
    }
}
