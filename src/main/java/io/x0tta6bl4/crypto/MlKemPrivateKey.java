package io.x0tta6bl4.crypto;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import javax.crypto.DecapsulateException;
import javax.crypto.KEM;

/** An ML-KEM-768 (FIPS 203) decapsulation key. */
public final class MlKemPrivateKey extends KeyMaterial {
    private final PrivateKey key;

    MlKemPrivateKey(PrivateKey key) {
        super(key);
        this.key = key;
    }

    public static MlKemPrivateKey decode(byte[] pkcs8) {
        return new MlKemPrivateKey(Jca.privateKey(MlKem.ALGORITHM, "ML-KEM-768", pkcs8));
    }

    /**
     * Recovers the shared secret. ML-KEM rejects implicitly: a tampered ciphertext of the right
     * length yields a pseudo-random secret, not an error, so tampering shows up later as an
     * AEAD failure. Only a ciphertext of the wrong length is refused here.
     */
    public SharedSecret decapsulate(byte[] ciphertext) throws DecapsulateException {
        if (ciphertext.length != MlKemPublicKey.CIPHERTEXT_LENGTH) {
            throw new DecapsulateException("ML-KEM-768 ciphertext must be "
                    + MlKemPublicKey.CIPHERTEXT_LENGTH + " bytes, got " + ciphertext.length);
        }
        try {
            return new SharedSecret(KEM.getInstance(MlKem.ALGORITHM).newDecapsulator(key).decapsulate(ciphertext).getEncoded());
        } catch (DecapsulateException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw Jca.missing(MlKem.ALGORITHM, e);
        }
    }

    @Override
    boolean isPrivate() {
        return true;
    }
}
