package io.x0tta6bl4.crypto;

import static io.x0tta6bl4.crypto.Fixtures.ALICE;
import static io.x0tta6bl4.crypto.Fixtures.ALICE_ID;
import static io.x0tta6bl4.crypto.Fixtures.BOB;
import static io.x0tta6bl4.crypto.Fixtures.BOB_ID;
import static io.x0tta6bl4.crypto.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Seal then open, for both suites: what goes in comes out, header included. */
class EnvelopeRoundTripTest {

    static Stream<Arguments> suitesSizesAndTypes() {
        List<Arguments> cases = new ArrayList<>();
        String[] types = {"CONFIG_UPDATE", "a", "application/json;v=2", "~".repeat(255)};
        int[] sizes = {0, 1, 1024, 1 << 20};
        for (Suite suite : Suite.values()) {
            for (int i = 0; i < sizes.length; i++) {
                cases.add(Arguments.of(suite, sizes[i], types[i]));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, {1} bytes, {2}")
    @MethodSource("suitesSizesAndTypes")
    void openedPlaintextAndHeaderEqualWhatWasSealed(Suite suite, int size, String contentType) throws EnvelopeRejectedException {
        byte[] plaintext = new byte[size];
        new Random(size).nextBytes(plaintext);
        Instant at = T0.plusNanos(456_789); // sub-millisecond part is not on the wire

        byte[] envelope = Envelope.seal(suite, ALICE.local(), BOB.peer(), contentType, plaintext, at, new SeededRandom("rt/" + size));
        Opened opened = Fixtures.opener(BOB, InstantSource.fixed(T0), ALICE).open(envelope);

        assertThat(opened.plaintext()).isEqualTo(plaintext);
        EnvelopeHeader h = opened.header();
        assertThat(h.version()).isEqualTo(Envelope.VERSION);
        assertThat(h.suite()).isEqualTo(suite);
        assertThat(h.sender()).isEqualTo(ALICE_ID);
        assertThat(h.recipient()).isEqualTo(BOB_ID);
        assertThat(h.contentType()).isEqualTo(contentType);
        assertThat(h.timestamp()).isEqualTo(T0);
        assertThat(h.messageId()).isEqualTo(Envelope.peekHeader(envelope).messageId());
        assertThat(envelope).hasSize(headerLength(contentType) + 2 + suite.kemCiphertextLength() + 12 + 4 + size + 16 + 2 + 3309);
    }

    @ParameterizedTest
    @EnumSource(Suite.class)
    void worksWithThePlatformSecureRandomAndEachMessageGetsItsOwnId(Suite suite) throws EnvelopeRejectedException {
        SecureRandom random = new SecureRandom();
        EnvelopeOpener opener = Fixtures.opener(BOB, InstantSource.fixed(T0), ALICE);

        byte[] first = Envelope.seal(suite, ALICE.local(), BOB.peer(), "PING", Fixtures.PLAINTEXT, T0, random);
        byte[] second = Envelope.seal(suite, ALICE.local(), BOB.peer(), "PING", Fixtures.PLAINTEXT, T0, random);

        assertThat(opener.open(first).plaintext()).isEqualTo(Fixtures.PLAINTEXT);
        assertThat(opener.open(second).plaintext()).isEqualTo(Fixtures.PLAINTEXT);
        assertThat(Envelope.peekHeader(first).messageId()).isNotEqualTo(Envelope.peekHeader(second).messageId());
    }

    @Test
    void idsOfTheLongestAllowedLengthRoundTrip() throws EnvelopeRejectedException {
        String longId = "spiffe://mesh.local/node/" + "é".repeat((Envelope.MAX_ID_BYTES - 25) / 2) + "x";
        assertThat(longId.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(Envelope.MAX_ID_BYTES);
        PeerKeys to = new PeerKeys(longId, BOB.signing().publicKey(), BOB.kem().publicKey(), BOB.x25519().publicKey());
        LocalKeys self = new LocalKeys(longId, BOB.signing().privateKey(), BOB.kem().privateKey(), BOB.x25519().privateKey(),
                BOB.x25519().publicKey());

        byte[] envelope = Envelope.seal(Suite.XWING, ALICE.local(), to, "X", new byte[3], T0, new SeededRandom("long"));
        Opened opened = new EnvelopeOpener(self, Fixtures.directory(ALICE), InstantSource.fixed(T0)).open(envelope);

        assertThat(opened.header().recipient()).isEqualTo(longId);
    }

    @Test
    void traceReportsEachStepInOrder() throws EnvelopeRejectedException {
        List<String> sealSteps = new ArrayList<>();
        List<String> openSteps = new ArrayList<>();

        byte[] envelope = Envelope.seal(Suite.XWING, ALICE.local(), BOB.peer(), "X", new byte[1], T0, new SeededRandom("trace"),
                sealSteps::add);
        Fixtures.opener(BOB, InstantSource.fixed(T0), ALICE).open(envelope, openSteps::add);

        assertThat(sealSteps).containsExactly("X25519 + ML-KEM-768 encapsulation", "HKDF-SHA256 key derivation",
                "AES-256-GCM encryption", "ML-DSA-65 signature");
        assertThat(openSteps).containsExactly("ML-DSA-65 signature verified", "freshness and replay checked",
                "X25519 + ML-KEM-768 decapsulation", "HKDF-SHA256 key derivation", "AES-256-GCM decryption");
    }

    @Test
    void sealRefusesInputsThatCannotBeEncoded() {
        byte[] small = new byte[1];
        assertThatIllegalArgumentException()
                .isThrownBy(() -> seal("X", ALICE.local(), BOB.peer(), new byte[Envelope.MAX_PLAINTEXT + 1]))
                .withMessageContaining("16777217").withMessageContaining("16777216");
        for (String bad : new String[] {"", "has space", "tab\t", "é", "x".repeat(256)}) {
            assertThatIllegalArgumentException().as("content type '%s'", bad)
                    .isThrownBy(() -> seal(bad, ALICE.local(), BOB.peer(), small))
                    .withMessageContaining("content type");
        }
        PeerKeys noId = new PeerKeys("", BOB.signing().publicKey(), BOB.kem().publicKey(), BOB.x25519().publicKey());
        assertThatIllegalArgumentException().isThrownBy(() -> seal("X", ALICE.local(), noId, small))
                .withMessageContaining("recipient id");
        PeerKeys tooLong = new PeerKeys("x".repeat(Envelope.MAX_ID_BYTES + 1), BOB.signing().publicKey(), BOB.kem().publicKey(),
                BOB.x25519().publicKey());
        assertThatIllegalArgumentException().isThrownBy(() -> seal("X", ALICE.local(), tooLong, small))
                .withMessageContaining("recipient id");
    }

    private static byte[] seal(String contentType, LocalKeys from, PeerKeys to, byte[] plaintext) {
        return Envelope.seal(Suite.XWING, from, to, contentType, plaintext, T0, new SeededRandom("bad"));
    }

    private static int headerLength(String contentType) {
        return 2 + 1 + 1 + 16 + 8 + 2 + ALICE_ID.length() + 2 + BOB_ID.length() + 1 + contentType.length();
    }
}
