package io.x0tta6bl4.crypto;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;

/** An ML-DSA-65 (FIPS 204) verification key. */
public final class MlDsaPublicKey extends KeyMaterial {
    /** Length of an ML-DSA-65 signature in bytes. */
    public static final int SIGNATURE_LENGTH = 3309;

    private final PublicKey key;

    MlDsaPublicKey(PublicKey key) {
        super(key);
        this.key = key;
    }

    /** Decodes a SubjectPublicKeyInfo; refuses keys of any other algorithm or parameter set. */
    public static MlDsaPublicKey decode(byte[] spki) {
        return new MlDsaPublicKey(Jca.publicKey(MlDsa.ALGORITHM, "ML-DSA-65", spki));
    }

    /** True only when {@code signature} is this key's ML-DSA-65 signature over {@code message}. */
    public boolean verify(byte[] message, byte[] signature) {
        return verify(message, 0, message.length, signature);
    }

    /** As {@link #verify(byte[], byte[])} over {@code message[offset, offset + length)}. */
    public boolean verify(byte[] message, int offset, int length, byte[] signature) {
        if (signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance(MlDsa.ALGORITHM);
            verifier.initVerify(key);
            verifier.update(message, offset, length);
            return verifier.verify(signature);
        } catch (SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw Jca.missing(MlDsa.ALGORITHM, e);
        }
    }

    /** The JDK key, for code that must hand it to a JCA API such as a certificate builder. */
    public PublicKey jdk() {
        return key;
    }

    @Override
    boolean isPrivate() {
        return false;
    }
}
