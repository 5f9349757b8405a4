package io.x0tta6bl4.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import javax.crypto.KeyAgreement;

/** An X25519 (RFC 7748) private key. */
public final class X25519PrivateKey extends KeyMaterial {
    private final PrivateKey key;

    X25519PrivateKey(PrivateKey key) {
        super(key);
        this.key = key;
    }

    public static X25519PrivateKey decode(byte[] pkcs8) {
        return new X25519PrivateKey(Jca.privateKey(X25519.ALGORITHM, "X25519", pkcs8));
    }

    /**
     * The Diffie-Hellman shared value with {@code peer}.
     *
     * @throws InvalidKeyException when the result is all zeros (a small-order peer point), which
     *     RFC 7748 §6.1 says to refuse
     */
    public SharedSecret agree(X25519PublicKey peer) throws InvalidKeyException {
        try {
            KeyAgreement agreement = KeyAgreement.getInstance(X25519.ALGORITHM);
            agreement.init(key);
            agreement.doPhase(peer.jdk(), true);
            return new SharedSecret(agreement.generateSecret());
        } catch (InvalidKeyException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw Jca.missing(X25519.ALGORITHM, e);
        }
    }

    @Override
    boolean isPrivate() {
        return true;
    }
}
