package io.x0tta6bl4.crypto;

import static io.x0tta6bl4.crypto.Fixtures.BOB;
import static io.x0tta6bl4.crypto.Fixtures.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import javax.crypto.DecapsulateException;
import org.junit.jupiter.api.Test;

/** The X25519 + ML-KEM-768 combiner (X-Wing style) and its decapsulation. */
class HybridKemTest {
    private static byte[] range(int from) {
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    /**
     * Pins the combiner's input order: ss = SHA3-256(ss_M ‖ ss_X ‖ ct_X ‖ pk_X ‖ "\.//^\"). The
     * expected value is computed here with MessageDigest, and also written out (it was checked
     * with Python's hashlib.sha3_256), so a reordering or a changed label fails.
     */
    @Test
    void combinerHashesSsMThenSsXThenCtXThenPkXThenTheXWingLabel() throws NoSuchAlgorithmException {
        byte[] ssM = range(0x00);
        byte[] ssX = range(0x20);
        byte[] ctX = range(0x40);
        byte[] pkX = range(0x60);

        SharedSecret combined = HybridKem.combine(new SharedSecret(ssM.clone()), new SharedSecret(ssX.clone()), ctX, pkX);

        byte[] label = "\\.//^\\".getBytes(StandardCharsets.US_ASCII);
        assertThat(label).hasSize(6).isEqualTo(HybridKem.LABEL);
        byte[] expected = MessageDigest.getInstance("SHA3-256").digest(concat(ssM, ssX, ctX, pkX, label));
        assertThat(Hex.encode(combined.bytes()))
                .isEqualTo(Hex.encode(expected))
                .isEqualTo("0acca09f2fb739bc89668dbcd01ae5aebf9b72c6fe013297e3baa96854468491");
    }

    @Test
    void swappingTheTwoSecretsChangesTheCombinedSecret() {
        SharedSecret a = HybridKem.combine(new SharedSecret(range(0)), new SharedSecret(range(0x20)), range(0x40), range(0x60));
        SharedSecret b = HybridKem.combine(new SharedSecret(range(0x20)), new SharedSecret(range(0)), range(0x40), range(0x60));
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void encapsulationAndDecapsulationAgreeAndTheCiphertextIsMlKemThenX25519() throws DecapsulateException {
        Encapsulation e = HybridKem.encapsulate(BOB.kem().publicKey(), BOB.x25519().publicKey(), new SeededRandom("hybrid"));

        byte[] ct = e.ciphertext();
        assertThat(ct).hasSize(HybridKem.CIPHERTEXT_LENGTH).hasSize(1120);
        assertThat(decapsulate(ct)).isEqualTo(e.secret());

        // The first 1088 bytes are a plain ML-KEM-768 ciphertext; the X25519 secret and the last 32 bytes complete it.
        SharedSecret ssM = BOB.kem().privateKey().decapsulate(Arrays.copyOf(ct, 1088));
        byte[] ctX = Arrays.copyOfRange(ct, 1088, 1120);
        SharedSecret ssX = agree(ctX);
        assertThat(HybridKem.combine(ssM, ssX, ctX, BOB.x25519().publicKey().raw())).isEqualTo(e.secret());
    }

    @Test
    void tamperedMlKemPartGivesADifferentSecretNotAnError() throws DecapsulateException {
        Encapsulation e = HybridKem.encapsulate(BOB.kem().publicKey(), BOB.x25519().publicKey(), new SeededRandom("hybrid"));
        byte[] ct = e.ciphertext();
        ct[100] ^= 0x01;

        SharedSecret tampered = decapsulate(ct);

        assertThat(tampered).isNotEqualTo(e.secret());
    }

    @Test
    void tamperedX25519PartGivesADifferentSecret() throws DecapsulateException {
        Encapsulation e = HybridKem.encapsulate(BOB.kem().publicKey(), BOB.x25519().publicKey(), new SeededRandom("hybrid"));
        byte[] ct = e.ciphertext();
        // Only the top bit: X25519 ignores it, so ss_X is unchanged, but the combiner hashes ct_X as sent.
        ct[1119] ^= (byte) 0x80;
        assertThat(agree(Arrays.copyOfRange(ct, 1088, 1120))).isEqualTo(agree(Arrays.copyOfRange(e.ciphertext(), 1088, 1120)));

        assertThat(decapsulate(ct)).isNotEqualTo(e.secret());
    }

    @Test
    void smallOrderX25519PartIsRefused() {
        Encapsulation e = HybridKem.encapsulate(BOB.kem().publicKey(), BOB.x25519().publicKey(), new SeededRandom("hybrid"));
        byte[] ct = Arrays.copyOf(e.ciphertext(), 1120);
        Arrays.fill(ct, 1088, 1120, (byte) 0);

        assertThatExceptionOfType(DecapsulateException.class).isThrownBy(() -> decapsulate(ct))
                .withMessageContaining("X25519");
    }

    @Test
    void ciphertextOfTheWrongLengthIsRefused() {
        assertThatExceptionOfType(DecapsulateException.class).isThrownBy(() -> decapsulate(new byte[1088]))
                .withMessageContaining("1120");
        assertThatExceptionOfType(DecapsulateException.class).isThrownBy(() -> decapsulate(new byte[1121]));
    }

    @Test
    void encapsulatingToASmallOrderKeyIsAKeyFormatError() {
        X25519PublicKey smallOrder = X25519PublicKey.fromRaw(new byte[32]);

        assertThatExceptionOfType(KeyFormatException.class)
                .isThrownBy(() -> HybridKem.encapsulate(BOB.kem().publicKey(), smallOrder, new SeededRandom("hybrid")))
                .withMessageContaining("small-order");
    }

    private static SharedSecret decapsulate(byte[] ct) throws DecapsulateException {
        return HybridKem.decapsulate(BOB.kem().privateKey(), BOB.x25519().privateKey(), BOB.x25519().publicKey(), ct);
    }

    private static SharedSecret agree(byte[] ctX) {
        try {
            return BOB.x25519().privateKey().agree(X25519PublicKey.fromRaw(ctX));
        } catch (java.security.InvalidKeyException e) {
            throw new AssertionError(e);
        }
    }
}
