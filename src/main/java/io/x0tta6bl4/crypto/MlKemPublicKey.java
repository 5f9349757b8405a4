package io.x0tta6bl4.crypto;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import javax.crypto.KEM;

/** An ML-KEM-768 (FIPS 203) encapsulation key. */
public final class MlKemPublicKey extends KeyMaterial {
    /** Length of an ML-KEM-768 ciphertext in bytes. */
    public static final int CIPHERTEXT_LENGTH = 1088;

    private final PublicKey key;

    MlKemPublicKey(PublicKey key) {
        super(key);
        this.key = key;
    }

    public static MlKemPublicKey decode(byte[] spki) {
        return new MlKemPublicKey(Jca.publicKey(MlKem.ALGORITHM, "ML-KEM-768", spki));
    }

    /** Encapsulates a fresh 32-byte secret to this key; {@code random} supplies the message m. */
    public Encapsulation encapsulate(SecureRandom random) {
        try {
            KEM.Encapsulated e = KEM.getInstance(MlKem.ALGORITHM).newEncapsulator(key, random).encapsulate();
            return new Encapsulation(new SharedSecret(e.key().getEncoded()), e.encapsulation());
        } catch (GeneralSecurityException e) {
            throw Jca.missing(MlKem.ALGORITHM, e);
        }
    }

    @Override
    boolean isPrivate() {
        return false;
    }
}
