package io.x0tta6bl4.crypto;

import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.DecapsulateException;

/**
 * X25519 + ML-KEM-768, combined the way X-Wing does it (draft-connolly-cfrg-xwing-kem):
 *
 * <pre>
 *   ss = SHA3-256(ss_M ‖ ss_X ‖ ct_X ‖ pk_X ‖ "\.//^\")
 *   ct = ct_M ‖ ct_X        (1088 + 32 = 1120 bytes)
 * </pre>
 *
 * The secret stays safe while either component holds: ML-KEM against a quantum adversary,
 * X25519 against a flaw found in the young lattice scheme. Like X-Wing, the combiner hashes the
 * X25519 ciphertext and public key (X25519 is not ciphertext-binding on its own) but not the
 * ML-KEM ciphertext (ML-KEM is). Unlike X-Wing, keys are not expanded from one 32-byte seed: each
 * node already holds separate ML-KEM and X25519 key pairs in its identity, so those are used.
 */
public final class HybridKem {
    /** X-Wing's domain separator, the six ASCII bytes {@code \.//^\}. */
    static final byte[] LABEL = {0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c};

    public static final int CIPHERTEXT_LENGTH = MlKemPublicKey.CIPHERTEXT_LENGTH + X25519PublicKey.RAW_LENGTH;

    private HybridKem() {}

    public static Encapsulation encapsulate(MlKemPublicKey kem, X25519PublicKey x25519, SecureRandom random) {
        Encapsulation m = kem.encapsulate(random);
        X25519 ephemeral = X25519.generate(random);
        SharedSecret ssX;
        try {
            ssX = ephemeral.privateKey().agree(x25519);
        } catch (InvalidKeyException e) {
            throw new KeyFormatException("recipient X25519 key is a small-order point: " + e.getMessage());
        }
        byte[] ctX = ephemeral.publicKey().raw();
        byte[] ct = Arrays.copyOf(m.ciphertext(), CIPHERTEXT_LENGTH);
        System.arraycopy(ctX, 0, ct, MlKemPublicKey.CIPHERTEXT_LENGTH, ctX.length);
        return new Encapsulation(combine(m.secret(), ssX, ctX, x25519.raw()), ct);
    }

    public static SharedSecret decapsulate(MlKemPrivateKey kem, X25519PrivateKey x25519, X25519PublicKey ownX25519, byte[] ciphertext)
            throws DecapsulateException {
        if (ciphertext.length != CIPHERTEXT_LENGTH) {
            throw new DecapsulateException("hybrid ciphertext must be " + CIPHERTEXT_LENGTH + " bytes, got " + ciphertext.length);
        }
        SharedSecret ssM = kem.decapsulate(Arrays.copyOf(ciphertext, MlKemPublicKey.CIPHERTEXT_LENGTH));
        byte[] ctX = Arrays.copyOfRange(ciphertext, MlKemPublicKey.CIPHERTEXT_LENGTH, CIPHERTEXT_LENGTH);
        try {
            SharedSecret ssX = x25519.agree(X25519PublicKey.fromRaw(ctX));
            return combine(ssM, ssX, ctX, ownX25519.raw());
        } catch (InvalidKeyException | KeyFormatException e) {
            throw new DecapsulateException("X25519 part of the ciphertext is not a usable point: " + e.getMessage());
        }
    }

    static SharedSecret combine(SharedSecret ssM, SharedSecret ssX, byte[] ctX, byte[] pkX) {
        return new SharedSecret(Digests.sha3_256(ssM.bytes(), ssX.bytes(), ctX, pkX, LABEL));
    }
}
