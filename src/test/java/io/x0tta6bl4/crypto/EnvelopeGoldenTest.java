package io.x0tta6bl4.crypto;

import static io.x0tta6bl4.crypto.Fixtures.ALICE;
import static io.x0tta6bl4.crypto.Fixtures.ALICE_ID;
import static io.x0tta6bl4.crypto.Fixtures.BOB;
import static io.x0tta6bl4.crypto.Fixtures.BOB_ID;
import static io.x0tta6bl4.crypto.Fixtures.CONTENT_TYPE;
import static io.x0tta6bl4.crypto.Fixtures.PLAINTEXT;
import static io.x0tta6bl4.crypto.Fixtures.T0;
import static io.x0tta6bl4.crypto.Fixtures.concat;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Cipher;
import javax.crypto.KEM;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Golden vectors for the envelope wire format, one per suite, in
 * {@code src/test/resources/crypto/envelope-<suite>.hex}. Keys and every random draw come from
 * {@link SeededRandom}, so sealing the documented inputs again must give the same bytes.
 *
 * <p>A vector only changes when the wire format does, and then on purpose. To rewrite both files
 * from the current code (and review the diff!), run:
 *
 * <pre>
 *   ./mvnw -o test -Dtest=EnvelopeGoldenTest -Dgolden.update=true
 * </pre>
 *
 * The files are written under {@code ${basedir}/src/test/resources/crypto/}.
 */
class EnvelopeGoldenTest {
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    @ParameterizedTest
    @EnumSource(Suite.class)
    void sealingTheDocumentedInputsGivesTheGoldenBytes(Suite suite) {
        byte[] sealed = sealGolden(suite);
        Golden golden = read(suite);
        assertThat(golden.comments()).as("documented inputs in %s; regenerate with -Dgolden.update=true", fileName(suite))
                .isEqualTo(comments(suite, sealed.length));
        assertThat(Hex.encode(sealed))
                .as("%s: first difference at byte %d", fileName(suite), Arrays.mismatch(sealed, golden.envelope()))
                .isEqualTo(Hex.encode(golden.envelope()));
    }

    @ParameterizedTest
    @EnumSource(Suite.class)
    void goldenBytesOpenAtTheGoldenTimestamp(Suite suite) throws EnvelopeRejectedException {
        byte[] envelope = read(suite).envelope();
        EnvelopeOpener opener = new EnvelopeOpener(BOB.local(), Fixtures.directory(ALICE), InstantSource.fixed(T0));

        Opened opened = opener.open(envelope);

        assertThat(opened.plaintext()).isEqualTo(PLAINTEXT);
        EnvelopeHeader h = opened.header();
        assertThat(h.version()).isEqualTo(1);
        assertThat(h.suite()).isEqualTo(suite);
        assertThat(h.sender()).isEqualTo(ALICE_ID);
        assertThat(h.recipient()).isEqualTo(BOB_ID);
        assertThat(h.timestamp()).isEqualTo(T0);
        assertThat(h.contentType()).isEqualTo(CONTENT_TYPE);
        assertThat(h).isEqualTo(Envelope.peekHeader(envelope));
    }

    @ParameterizedTest
    @EnumSource(Suite.class)
    void headerFieldsSitAtTheDocumentedOffsets(Suite suite) throws EnvelopeRejectedException {
        byte[] e = read(suite).envelope();
        EnvelopeHeader h = Envelope.peekHeader(e);
        ByteBuffer b = ByteBuffer.wrap(e);

        assertThat(Arrays.copyOfRange(e, 0, 2)).as("magic at 0..2").isEqualTo(new byte[] {'X', '0'});
        assertThat(e[2]).as("version at 2").isEqualTo((byte) 1);
        assertThat(e[3]).as("suite at 3").isEqualTo((byte) suite.id());
        assertThat(new MessageId(b.getLong(4), b.getLong(12))).as("message id at 4..20").isEqualTo(h.messageId());
        assertThat(b.getLong(20)).as("timestamp at 20..28").isEqualTo(T0.toEpochMilli());
        assertThat(Fixtures.u16(e, 28)).as("sender length at 28..30").isEqualTo(ALICE_ID.length());
        assertThat(new String(e, 30, ALICE_ID.length(), StandardCharsets.UTF_8)).as("sender at 30").isEqualTo(ALICE_ID);

        int at = 30 + ALICE_ID.length();
        assertThat(Fixtures.u16(e, at)).as("recipient length").isEqualTo(BOB_ID.length());
        assertThat(new String(e, at + 2, BOB_ID.length(), StandardCharsets.UTF_8)).as("recipient").isEqualTo(BOB_ID);
        at += 2 + BOB_ID.length();
        assertThat(e[at] & 0xff).as("content type length").isEqualTo(CONTENT_TYPE.length());
        assertThat(new String(e, at + 1, CONTENT_TYPE.length(), StandardCharsets.US_ASCII)).isEqualTo(CONTENT_TYPE);
        at += 1 + CONTENT_TYPE.length();
        assertThat(Fixtures.u16(e, at)).as("KEM ciphertext length").isEqualTo(suite.kemCiphertextLength());
        at += 2 + suite.kemCiphertextLength() + AesGcm.NONCE_LENGTH;
        assertThat(Fixtures.u32(e, at)).as("AES ciphertext length").isEqualTo(PLAINTEXT.length + AesGcm.TAG_LENGTH);
        at += 4 + PLAINTEXT.length + AesGcm.TAG_LENGTH;
        assertThat(Fixtures.u16(e, at)).as("signature length").isEqualTo(MlDsaPublicKey.SIGNATURE_LENGTH);
        assertThat(e).hasSize(at + 2 + MlDsaPublicKey.SIGNATURE_LENGTH);
        assertThat(e.length).isEqualTo(expectedLength(suite, PLAINTEXT.length));
    }

    /**
     * Opens the golden bytes following the documented steps with the JDK alone, so the vectors
     * also pin what the bytes mean (KEM, combiner, KDF info, AAD, signed range), not only that this
     * code reproduces them.
     */
    @ParameterizedTest
    @EnumSource(Suite.class)
    void goldenBytesOpenWithAnIndependentImplementationOfTheDocumentedSteps(Suite suite) throws GeneralSecurityException {
        byte[] e = read(suite).envelope();
        Fixtures.Layout l = Fixtures.Layout.of(e);
        byte[] header = Arrays.copyOf(e, l.headerEnd());
        byte[] kemCt = Arrays.copyOfRange(e, l.kemOffset(), l.nonceOffset());
        byte[] nonce = Arrays.copyOfRange(e, l.nonceOffset(), l.ciphertextLengthOffset());
        byte[] ct = Arrays.copyOfRange(e, l.ciphertextOffset(), l.signatureLengthOffset());
        byte[] signature = Arrays.copyOfRange(e, l.signatureOffset(), e.length);

        Signature verifier = Signature.getInstance("ML-DSA");
        verifier.initVerify(KeyFactory.getInstance("ML-DSA").generatePublic(new X509EncodedKeySpec(ALICE.signing().publicKey().encoded())));
        verifier.update(e, 0, l.signatureLengthOffset());
        assertThat(verifier.verify(signature)).as("ML-DSA-65 signature over [0, signedLength)").isTrue();

        PrivateKey kemKey = KeyFactory.getInstance("ML-KEM").generatePrivate(new PKCS8EncodedKeySpec(BOB.kem().privateKey().encoded()));
        byte[] ssM = KEM.getInstance("ML-KEM").newDecapsulator(kemKey)
                .decapsulate(Arrays.copyOf(kemCt, MlKemPublicKey.CIPHERTEXT_LENGTH)).getEncoded();
        byte[] ss;
        if (suite == Suite.MLKEM768) {
            assertThat(kemCt).hasSize(1088);
            ss = ssM;
        } else {
            assertThat(kemCt).hasSize(1088 + 32);
            byte[] ctX = Arrays.copyOfRange(kemCt, 1088, 1120);
            byte[] bobX = BOB.x25519().publicKey().encoded();
            byte[] pkX = Arrays.copyOfRange(bobX, bobX.length - 32, bobX.length);
            byte[] ephemeralSpki = concat(Hex.decode("302a300506032b656e032100"), ctX);
            PublicKey ephemeral = KeyFactory.getInstance("X25519").generatePublic(new X509EncodedKeySpec(ephemeralSpki));
            KeyAgreement agreement = KeyAgreement.getInstance("X25519");
            agreement.init(KeyFactory.getInstance("X25519").generatePrivate(new PKCS8EncodedKeySpec(BOB.x25519().privateKey().encoded())));
            agreement.doPhase(ephemeral, true);
            byte[] ssX = agreement.generateSecret();
            ss = MessageDigest.getInstance("SHA3-256")
                    .digest(concat(ssM, ssX, ctX, pkX, "\\.//^\\".getBytes(StandardCharsets.US_ASCII)));
        }

        // HKDF-SHA256 (RFC 5869) with no salt (= 32 zero bytes) and info "x0tta6bl4 envelope v1" ‖ header.
        Mac hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
        byte[] prk = hmac.doFinal(ss);
        hmac.init(new SecretKeySpec(prk, "HmacSHA256"));
        byte[] aesKey = hmac.doFinal(concat("x0tta6bl4 envelope v1".getBytes(StandardCharsets.US_ASCII), header, new byte[] {1}));

        Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
        aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new GCMParameterSpec(128, nonce));
        aes.updateAAD(header);
        assertThat(aes.doFinal(ct)).isEqualTo(PLAINTEXT);
    }

    // --- the vectors' inputs, and reading/writing the files --------------------------------------

    static String fileName(Suite suite) {
        return "envelope-" + suite.cliName() + ".hex";
    }

    private static String sealSeed(Suite suite) {
        return "seal/" + suite.cliName();
    }

    private static byte[] sealGolden(Suite suite) {
        return Envelope.seal(suite, ALICE.local(), BOB.peer(), CONTENT_TYPE, PLAINTEXT, T0, new SeededRandom(sealSeed(suite)));
    }

    static int expectedLength(Suite suite, int plaintextLength) {
        int header = 2 + 1 + 1 + 16 + 8 + 2 + ALICE_ID.length() + 2 + BOB_ID.length() + 1 + CONTENT_TYPE.length();
        return header + 2 + suite.kemCiphertextLength() + AesGcm.NONCE_LENGTH + 4 + plaintextLength + AesGcm.TAG_LENGTH
                + 2 + MlDsaPublicKey.SIGNATURE_LENGTH;
    }

    /** The comment block of a vector file: how to reproduce it. The test checks it did not drift. */
    private static List<String> comments(Suite suite, int length) {
        return List.of(
                "# x0tta6bl4 envelope golden vector, suite " + suite.cliName() + " (id " + suite.id() + "), " + length + " bytes.",
                "# Checked by EnvelopeGoldenTest; rewrite with: ./mvnw -o test -Dtest=EnvelopeGoldenTest -Dgolden.update=true",
                "# Randomness: SeededRandom, block_i = SHA-256(UTF-8(seed) || i as 8-byte big-endian), i = 0, 1, ...",
                "# sender:       " + ALICE_ID,
                "#   keys from seeds node-a/ml-dsa-65, node-a/ml-kem-768, node-a/x25519",
                "# recipient:    " + BOB_ID,
                "#   keys from seeds node-b/ml-dsa-65, node-b/ml-kem-768, node-b/x25519",
                "# seal random:  " + sealSeed(suite) + " (draws: message id, KEM, nonce, ML-DSA rnd, in that order)",
                "# content type: " + CONTENT_TYPE,
                "# plaintext:    " + new String(PLAINTEXT, StandardCharsets.UTF_8) + " (UTF-8)",
                "# timestamp:    " + T0 + " (" + T0.toEpochMilli() + " ms)");
    }

    private record Golden(List<String> comments, byte[] envelope) {}

    private static Golden read(Suite suite) {
        String resource = "/crypto/" + fileName(suite);
        String text;
        if (UPDATE) {
            write(suite, sealGolden(suite));
            text = readString(path(suite));
        } else {
            try (InputStream in = EnvelopeGoldenTest.class.getResourceAsStream(resource)) {
                assertThat(in).as("test resource %s", resource).isNotNull();
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        List<String> lines = text.lines().toList();
        List<String> comments = lines.stream().filter(s -> s.startsWith("#")).toList();
        String hex = lines.stream().filter(s -> !s.startsWith("#")).map(String::strip).collect(Collectors.joining());
        return new Golden(comments, Hex.decode(hex));
    }

    private static void write(Suite suite, byte[] envelope) {
        StringBuilder out = new StringBuilder();
        comments(suite, envelope.length).forEach(c -> out.append(c).append('\n'));
        String hex = Hex.encode(envelope);
        for (int i = 0; i < hex.length(); i += 64) {
            out.append(hex, i, Math.min(hex.length(), i + 64)).append('\n');
        }
        try {
            Files.createDirectories(path(suite).getParent());
            Files.writeString(path(suite), out.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readString(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path path(Suite suite) {
        return Path.of(System.getProperty("basedir", "."), "src", "test", "resources", "crypto", fileName(suite));
    }
}
