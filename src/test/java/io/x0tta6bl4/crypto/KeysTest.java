package io.x0tta6bl4.crypto;

import static io.x0tta6bl4.crypto.Fixtures.ALICE;
import static io.x0tta6bl4.crypto.Fixtures.BOB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.spec.NamedParameterSpec;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.crypto.DecapsulateException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The typed key classes: encodings, refusals of foreign bytes, and never printing secrets. */
class KeysTest {
    private record Codec(String name, KeyMaterial key, Function<byte[], KeyMaterial> decode, String algorithm) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Codec> codecs() {
        return Stream.of(
                new Codec("MlDsaPublicKey", ALICE.signing().publicKey(), MlDsaPublicKey::decode, "ML-DSA-65"),
                new Codec("MlDsaPrivateKey", ALICE.signing().privateKey(), MlDsaPrivateKey::decode, "ML-DSA-65"),
                new Codec("MlKemPublicKey", ALICE.kem().publicKey(), MlKemPublicKey::decode, "ML-KEM-768"),
                new Codec("MlKemPrivateKey", ALICE.kem().privateKey(), MlKemPrivateKey::decode, "ML-KEM-768"),
                new Codec("X25519PublicKey", ALICE.x25519().publicKey(), X25519PublicKey::decode, "X25519"),
                new Codec("X25519PrivateKey", ALICE.x25519().privateKey(), X25519PrivateKey::decode, "X25519"));
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void encodeThenDecodeGivesAnEqualKey(Codec c) {
        KeyMaterial decoded = c.decode().apply(c.key().encoded());

        assertThat(decoded).isEqualTo(c.key()).hasSameHashCodeAs(c.key()).isExactlyInstanceOf(c.key().getClass());
        assertThat(decoded.encoded()).isEqualTo(c.key().encoded());
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void encodedReturnsACopy(Codec c) {
        byte[] encoded = c.key().encoded();
        encoded[encoded.length - 1] ^= 1;
        assertThat(c.key().encoded()).isNotEqualTo(encoded);
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void garbageIsAKeyFormatErrorNamingTheAlgorithm(Codec c) {
        for (byte[] garbage : List.of(new byte[0], new byte[] {0x30, 0x03, 0x02, 0x01, 0x00}, "not a key".getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
            assertThatExceptionOfType(KeyFormatException.class).isThrownBy(() -> c.decode().apply(garbage))
                    .withMessageStartingWith(c.algorithm() + " ");
        }
        byte[] truncated = c.key().encoded();
        assertThatExceptionOfType(KeyFormatException.class)
                .isThrownBy(() -> c.decode().apply(java.util.Arrays.copyOf(truncated, truncated.length - 1)))
                .withMessageStartingWith(c.algorithm() + " ");
    }

    static Stream<Arguments> foreignKeys() throws NoSuchAlgorithmException, java.security.InvalidAlgorithmParameterException {
        KeyPair mlDsa44 = generate("ML-DSA", NamedParameterSpec.ML_DSA_44);
        KeyPair mlKem1024 = generate("ML-KEM", NamedParameterSpec.ML_KEM_1024);
        KeyPair x448 = generate("XDH", NamedParameterSpec.X448);
        KeyPair ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Function<byte[], KeyMaterial> mlKemPub = MlKemPublicKey::decode;
        Function<byte[], KeyMaterial> mlKemPriv = MlKemPrivateKey::decode;
        Function<byte[], KeyMaterial> mlDsaPub = MlDsaPublicKey::decode;
        Function<byte[], KeyMaterial> mlDsaPriv = MlDsaPrivateKey::decode;
        Function<byte[], KeyMaterial> xPub = X25519PublicKey::decode;
        Function<byte[], KeyMaterial> xPriv = X25519PrivateKey::decode;
        return Stream.of(
                Arguments.of("ML-DSA-65 public as ML-KEM-768", ALICE.signing().publicKey().encoded(), mlKemPub, "ML-KEM-768"),
                Arguments.of("X25519 public as ML-KEM-768", ALICE.x25519().publicKey().encoded(), mlKemPub, "ML-KEM-768"),
                Arguments.of("ML-KEM-1024 public as ML-KEM-768", mlKem1024.getPublic().getEncoded(), mlKemPub, "ML-KEM-768"),
                Arguments.of("ML-KEM-1024 private as ML-KEM-768", mlKem1024.getPrivate().getEncoded(), mlKemPriv, "ML-KEM-768"),
                Arguments.of("ML-DSA-65 private as ML-KEM-768", ALICE.signing().privateKey().encoded(), mlKemPriv, "ML-KEM-768"),
                Arguments.of("ML-KEM-768 public as ML-DSA-65", ALICE.kem().publicKey().encoded(), mlDsaPub, "ML-DSA-65"),
                Arguments.of("ML-DSA-44 public as ML-DSA-65", mlDsa44.getPublic().getEncoded(), mlDsaPub, "ML-DSA-65"),
                Arguments.of("ML-DSA-44 private as ML-DSA-65", mlDsa44.getPrivate().getEncoded(), mlDsaPriv, "ML-DSA-65"),
                Arguments.of("ML-DSA-65 public as X25519", ALICE.signing().publicKey().encoded(), xPub, "X25519"),
                Arguments.of("X448 public as X25519", x448.getPublic().getEncoded(), xPub, "X25519"),
                Arguments.of("Ed25519 public as X25519", ed25519.getPublic().getEncoded(), xPub, "X25519"),
                Arguments.of("Ed25519 private as X25519", ed25519.getPrivate().getEncoded(), xPriv, "X25519"),
                Arguments.of("X25519 private as X25519 public", ALICE.x25519().privateKey().encoded(), xPub, "X25519"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("foreignKeys")
    void anotherAlgorithmsKeyIsRefusedWithAMessageNamingTheExpectedOne(String what, byte[] encoded,
                                                                      Function<byte[], KeyMaterial> decode, String algorithm) {
        assertThatExceptionOfType(KeyFormatException.class).isThrownBy(() -> decode.apply(encoded))
                .withMessageStartingWith(algorithm + " ");
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void privateKeysPrintRedactedAndPublicKeysAFingerprint(Codec c) {
        String printed = c.key().toString();
        String hex = Hex.encode(c.key().encoded());

        assertThat(printed).startsWith(c.name() + "[");
        // No run of 8 key bytes, anywhere in the encoding, appears in the text.
        for (int i = 0; i + 16 <= hex.length(); i += 2) {
            assertThat(printed).doesNotContain(hex.substring(i, i + 16));
        }
        if (c.name().endsWith("PrivateKey")) {
            assertThat(printed).isEqualTo(c.name() + "[redacted]");
        } else {
            assertThat(printed).contains("sha3-256:");
        }
    }

    @Test
    void compositesAndSecretsPrintRedacted() {
        assertThat(ALICE.local().toString()).contains("redacted").contains(Fixtures.ALICE_ID)
                .doesNotContain(Hex.encode(ALICE.signing().privateKey().encoded()).substring(60, 76));
        Encapsulation e = BOB.kem().publicKey().encapsulate(new SeededRandom("print"));
        assertThat(e.secret().toString()).isEqualTo("SharedSecret[redacted]").doesNotContain(Hex.encode(e.secret().bytes()));
        assertThat(Hkdf.aes256(e.secret(), new byte[0], new byte[0]).toString()).isEqualTo("AesKey[redacted]");
    }

    @Test
    void x25519FromRawRoundTripsWithRaw() {
        X25519PublicKey key = ALICE.x25519().publicKey();
        byte[] raw = key.raw();

        assertThat(raw).hasSize(32);
        assertThat(X25519PublicKey.fromRaw(raw)).isEqualTo(key);
        assertThat(X25519PublicKey.fromRaw(raw).raw()).isEqualTo(raw);
        byte[] encoded = key.encoded();
        assertThat(java.util.Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length)).isEqualTo(raw);
    }

    @Test
    void x25519FromRawRefusesOtherLengths() {
        for (int n : new int[] {0, 31, 33, 56}) {
            assertThatExceptionOfType(KeyFormatException.class).isThrownBy(() -> X25519PublicKey.fromRaw(new byte[n]))
                    .withMessageContaining("X25519").withMessageContaining(String.valueOf(n));
        }
    }

    @Test
    void decodedKeysStillWork() throws DecapsulateException, InvalidKeyException {
        byte[] message = "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] signature = MlDsaPrivateKey.decode(ALICE.signing().privateKey().encoded()).sign(message, new SeededRandom("s"));
        assertThat(MlDsaPublicKey.decode(ALICE.signing().publicKey().encoded()).verify(message, signature)).isTrue();
        assertThat(BOB.signing().publicKey().verify(message, signature)).as("another party's key").isFalse();

        Encapsulation e = MlKemPublicKey.decode(BOB.kem().publicKey().encoded()).encapsulate(new SeededRandom("e"));
        assertThat(MlKemPrivateKey.decode(BOB.kem().privateKey().encoded()).decapsulate(e.ciphertext())).isEqualTo(e.secret());

        SharedSecret ab = X25519PrivateKey.decode(ALICE.x25519().privateKey().encoded()).agree(BOB.x25519().publicKey());
        SharedSecret ba = BOB.x25519().privateKey().agree(X25519PublicKey.decode(ALICE.x25519().publicKey().encoded()));
        assertThat(ab).isEqualTo(ba);
    }

    @Test
    void mlDsaVerifyIsFalseForAnyChangeAndForTheWrongSignatureLength() {
        byte[] message = "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] signature = ALICE.signing().privateKey().sign(message, new SeededRandom("s"));
        MlDsaPublicKey key = ALICE.signing().publicKey();

        assertThat(signature).hasSize(MlDsaPublicKey.SIGNATURE_LENGTH);
        assertThat(key.verify(message, signature)).isTrue();
        assertThat(key.verify("hellp".getBytes(java.nio.charset.StandardCharsets.US_ASCII), signature)).isFalse();
        byte[] flipped = signature.clone();
        flipped[10] ^= 1;
        assertThat(key.verify(message, flipped)).isFalse();
        assertThat(key.verify(message, java.util.Arrays.copyOf(signature, signature.length - 1))).isFalse();
        assertThat(key.verify(message, new byte[0])).isFalse();
        byte[] padded = ("xx" + "hello" + "yy").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(key.verify(padded, 2, 5, signature)).as("offset and length select the signed bytes").isTrue();
    }

    @Test
    void mlKemDecapsulationRefusesOnlyTheWrongLengthAndRejectsTamperingImplicitly() throws DecapsulateException {
        Encapsulation e = BOB.kem().publicKey().encapsulate(new SeededRandom("e"));
        byte[] ct = e.ciphertext();
        ct[0] ^= 1;

        assertThat(BOB.kem().privateKey().decapsulate(ct)).isNotEqualTo(e.secret());
        assertThat(ALICE.kem().privateKey().decapsulate(e.ciphertext())).as("another party's key").isNotEqualTo(e.secret());
        assertThatExceptionOfType(DecapsulateException.class)
                .isThrownBy(() -> BOB.kem().privateKey().decapsulate(new byte[MlKemPublicKey.CIPHERTEXT_LENGTH - 1]))
                .withMessageContaining("1088");
    }

    /** The sizes docs/wire-formats.md §1 states. */
    @Test
    void encodedSizesMatchTheWireFormatDocument() {
        assertThat(ALICE.signing().publicKey().encoded()).hasSize(1974);
        assertThat(ALICE.kem().publicKey().encoded()).hasSize(1206);
        assertThat(ALICE.x25519().publicKey().encoded()).hasSize(44);
        assertThat(ALICE.x25519().publicKey().raw()).hasSize(32);
        assertThat(ALICE.signing().privateKey().sign(new byte[1], new SeededRandom("size"))).hasSize(3309);
        assertThat(ALICE.kem().publicKey().encapsulate(new SeededRandom("size")).ciphertext()).hasSize(1088);
    }

    @Test
    void keysOfDifferentTypesAreNeverEqualEvenWithTheSameBytes() {
        assertThat((Object) ALICE.x25519().publicKey()).isNotEqualTo(ALICE.x25519().privateKey());
        assertThat(ALICE.signing().publicKey()).isNotEqualTo(BOB.signing().publicKey());
    }

    private static KeyPair generate(String algorithm, NamedParameterSpec spec)
            throws NoSuchAlgorithmException, java.security.InvalidAlgorithmParameterException {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        g.initialize(spec, new SeededRandom("foreign/" + spec.getName()));
        return g.generateKeyPair();
    }
}
