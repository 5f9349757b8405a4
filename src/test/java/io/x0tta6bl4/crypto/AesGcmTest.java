package io.x0tta6bl4.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** AES-256-GCM and the HKDF that feeds it. */
class AesGcmTest {
    private static final byte[] NONCE = Hex.decode("000102030405060708090a0b");
    private static final byte[] AAD = "header".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PLAINTEXT = "attack at dawn".getBytes(StandardCharsets.US_ASCII);

    private static AesKey key(int fill) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) fill);
        return new AesKey(new SecretKeySpec(k, "AES"));
    }

    private final AesKey key = key(7);
    private final byte[] sealed = AesGcm.seal(key, NONCE, AAD, PLAINTEXT);

    @Test
    void roundTripAppendsASixteenByteTag() throws AEADBadTagException {
        assertThat(sealed).hasSize(PLAINTEXT.length + AesGcm.TAG_LENGTH);
        assertThat(AesGcm.open(key, NONCE, AAD, sealed)).isEqualTo(PLAINTEXT);
        assertThat(AesGcm.open(key, NONCE, new byte[0], AesGcm.seal(key, NONCE, new byte[0], new byte[0]))).isEmpty();
    }

    @Test
    void wrongAadIsABadTag() {
        assertThatExceptionOfType(AEADBadTagException.class)
                .isThrownBy(() -> AesGcm.open(key, NONCE, "headeR".getBytes(StandardCharsets.US_ASCII), sealed));
        assertThatExceptionOfType(AEADBadTagException.class).isThrownBy(() -> AesGcm.open(key, NONCE, new byte[0], sealed));
    }

    @Test
    void wrongNonceIsABadTag() {
        byte[] nonce = NONCE.clone();
        nonce[11] ^= 1;
        assertThatExceptionOfType(AEADBadTagException.class).isThrownBy(() -> AesGcm.open(key, nonce, AAD, sealed));
    }

    @Test
    void flippedTagOrCiphertextIsABadTag() {
        for (int i : new int[] {0, PLAINTEXT.length - 1, PLAINTEXT.length, sealed.length - 1}) {
            byte[] tampered = sealed.clone();
            tampered[i] ^= 0x01;
            assertThatExceptionOfType(AEADBadTagException.class).as("byte %d", i)
                    .isThrownBy(() -> AesGcm.open(key, NONCE, AAD, tampered));
        }
    }

    @Test
    void wrongKeyIsABadTag() {
        assertThatExceptionOfType(AEADBadTagException.class).isThrownBy(() -> AesGcm.open(key(8), NONCE, AAD, sealed));
    }

    @Test
    void ciphertextShorterThanTheTagIsABadTag() {
        assertThatExceptionOfType(AEADBadTagException.class)
                .isThrownBy(() -> AesGcm.open(key, NONCE, AAD, Arrays.copyOf(sealed, 15)))
                .withMessageContaining("16-byte tag");
    }

    @Test
    void nonceMustBeTwelveBytes() {
        assertThatIllegalArgumentException().isThrownBy(() -> AesGcm.seal(key, new byte[16], AAD, PLAINTEXT))
                .withMessageContaining("12 bytes");
    }

    @Test
    void aesKeyIsExactlyThirtyTwoAesBytes() {
        assertThatIllegalArgumentException().isThrownBy(() -> new AesKey(new SecretKeySpec(new byte[16], "AES")));
        assertThatIllegalArgumentException().isThrownBy(() -> new AesKey(new SecretKeySpec(new byte[32], "HmacSHA256")));
    }

    /** HKDF-SHA256 with an empty salt, recomputed from RFC 5869 with HMAC: the empty salt means 32 zero bytes. */
    @Test
    void hkdfMatchesRfc5869ComputedWithHmac() throws GeneralSecurityException {
        byte[] ikm = new byte[32];
        for (int i = 0; i < 32; i++) {
            ikm[i] = (byte) (0xa0 + i);
        }
        byte[] info = "x0tta6bl4 envelope v1 + header".getBytes(StandardCharsets.US_ASCII);

        AesKey derived = Hkdf.aes256(new SharedSecret(ikm.clone()), new byte[0], info);

        Mac hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
        byte[] prk = hmac.doFinal(ikm);
        hmac.init(new SecretKeySpec(prk, "HmacSHA256"));
        hmac.update(info);
        byte[] okm = hmac.doFinal(new byte[] {1});
        assertThat(derived.jdk().getEncoded()).isEqualTo(okm);
        assertThat(derived.jdk().getAlgorithm()).isEqualTo("AES");
    }

    @Test
    void hkdfKeysDependOnSecretSaltAndInfo() {
        SharedSecret s = new SharedSecret(new byte[32]);
        byte[] base = Hkdf.aes256(s, new byte[0], new byte[] {1}).jdk().getEncoded();

        assertThat(Hkdf.aes256(s, new byte[0], new byte[] {2}).jdk().getEncoded()).isNotEqualTo(base);
        assertThat(Hkdf.aes256(s, new byte[] {9}, new byte[] {1}).jdk().getEncoded()).isNotEqualTo(base);
        byte[] other = new byte[32];
        other[31] = 1;
        assertThat(Hkdf.aes256(new SharedSecret(other), new byte[0], new byte[] {1}).jdk().getEncoded()).isNotEqualTo(base);
    }
}
