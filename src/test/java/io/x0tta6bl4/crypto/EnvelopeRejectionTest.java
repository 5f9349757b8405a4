package io.x0tta6bl4.crypto;

import static io.x0tta6bl4.crypto.EnvelopeRejectedException.Reason.BAD_SIGNATURE;
import static io.x0tta6bl4.crypto.EnvelopeRejectedException.Reason.DECRYPTION_FAILED;
import static io.x0tta6bl4.crypto.EnvelopeRejectedException.Reason.MALFORMED;
import static io.x0tta6bl4.crypto.EnvelopeRejectedException.Reason.REPLAYED;
import static io.x0tta6bl4.crypto.EnvelopeRejectedException.Reason.STALE_TIMESTAMP;
import static io.x0tta6bl4.crypto.EnvelopeRejectedException.Reason.UNKNOWN_SENDER;
import static io.x0tta6bl4.crypto.EnvelopeRejectedException.Reason.UNSUPPORTED_SUITE;
import static io.x0tta6bl4.crypto.EnvelopeRejectedException.Reason.UNSUPPORTED_VERSION;
import static io.x0tta6bl4.crypto.EnvelopeRejectedException.Reason.WRONG_RECIPIENT;
import static io.x0tta6bl4.crypto.Fixtures.ALICE;
import static io.x0tta6bl4.crypto.Fixtures.ALICE_ID;
import static io.x0tta6bl4.crypto.Fixtures.BOB;
import static io.x0tta6bl4.crypto.Fixtures.CAROL;
import static io.x0tta6bl4.crypto.Fixtures.PLAINTEXT;
import static io.x0tta6bl4.crypto.Fixtures.T0;
import static io.x0tta6bl4.crypto.Fixtures.flip;
import static io.x0tta6bl4.crypto.Fixtures.rejection;
import static io.x0tta6bl4.crypto.Fixtures.resign;
import static io.x0tta6bl4.crypto.Fixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.crypto.EnvelopeRejectedException.Reason;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One group per {@link Reason}, in the order {@link EnvelopeOpener} checks them, then the order
 * itself: an envelope with two faults is refused for the earlier one. Every refusal is an
 * exception, so no plaintext can come back with it ({@link Fixtures#rejection} fails the test if
 * the envelope opens).
 */
class EnvelopeRejectionTest {
    private final MutableClock clock = new MutableClock(T0);
    private final EnvelopeOpener bob = Fixtures.opener(BOB, clock, ALICE);

    private void assertRefused(byte[] envelope, Reason reason) {
        assertRefused(bob, envelope, reason);
    }

    private static void assertRefused(EnvelopeOpener opener, byte[] envelope, Reason reason) {
        EnvelopeRejectedException e = rejection(opener, envelope);
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        assertThat(e.getMessage()).startsWith(reason.code() + ": ");
    }

    @Test
    void reasonsAreListedInCheckOrderWithStableCodes() {
        assertThat(Reason.values()).containsExactly(MALFORMED, UNSUPPORTED_VERSION, UNSUPPORTED_SUITE, WRONG_RECIPIENT,
                UNKNOWN_SENDER, BAD_SIGNATURE, STALE_TIMESTAMP, REPLAYED, DECRYPTION_FAILED);
        assertThat(Arrays.stream(Reason.values()).map(Reason::code)).containsExactly("malformed", "unsupported_version",
                "unsupported_suite", "wrong_recipient", "unknown_sender", "bad_signature", "stale_timestamp", "replayed",
                "decryption_failed");
    }

    @Test
    void theUntouchedEnvelopeOpens() {
        for (Suite suite : Suite.values()) {
            assertThat(Fixtures.open(Fixtures.opener(BOB, clock, ALICE), Fixtures.seal(suite)).plaintext()).isEqualTo(PLAINTEXT);
        }
    }

    @Nested
    class Malformed {
        private final byte[] envelope = Fixtures.seal(Suite.XWING);

        @Test
        void emptyInput() {
            assertRefused(new byte[0], MALFORMED);
        }

        @Test
        void truncatedInsideEachField() {
            Fixtures.Layout l = Fixtures.Layout.of(envelope);
            int[] cuts = {1, 2, 3, 4, 12, 20, 27, 28, 29, 30, 40, l.recipientLengthOffset() + 1, l.contentTypeLengthOffset(),
                    l.headerEnd(), l.headerEnd() + 1, l.kemOffset() + 500, l.nonceOffset() + 5, l.ciphertextLengthOffset() + 3,
                    l.ciphertextOffset() + 1, l.signatureLengthOffset(), l.signatureLengthOffset() + 1, l.signatureOffset() + 100,
                    envelope.length - 1};
            for (int cut : cuts) {
                EnvelopeRejectedException e = rejection(bob, Arrays.copyOf(envelope, cut));
                assertThat(e.reason()).as("cut at %d: %s", cut, e.getMessage()).isEqualTo(MALFORMED);
                assertThat(e.getMessage()).as("cut at %d", cut).contains("truncated");
            }
        }

        @Test
        void everyProperPrefixIsMalformed() {
            for (int cut = 0; cut < envelope.length; cut++) {
                assertThat(rejection(bob, Arrays.copyOf(envelope, cut)).reason()).as("prefix of %d bytes", cut).isEqualTo(MALFORMED);
            }
        }

        @Test
        void badMagic() {
            assertRefused(with(envelope, 0, 'Y'), MALFORMED);
            assertRefused(with(envelope, 1, '1'), MALFORMED);
            assertThat(rejection(bob, with(envelope, 0, 'Y')).getMessage()).contains("magic");
        }

        @Test
        void trailingBytes() {
            assertRefused(Arrays.copyOf(envelope, envelope.length + 1), MALFORMED);
            assertThat(rejection(bob, Arrays.copyOf(envelope, envelope.length + 7)).getMessage()).contains("7 unexpected bytes");
        }

        @Test
        void ciphertextLengthOutOfRange() {
            Fixtures.Layout l = Fixtures.Layout.of(envelope);
            byte[] huge = with(envelope, l.ciphertextLengthOffset(), 0xff);
            assertRefused(huge, MALFORMED);
            byte[] shorterThanTag = envelope.clone();
            Arrays.fill(shorterThanTag, l.ciphertextLengthOffset(), l.ciphertextOffset(), (byte) 0);
            shorterThanTag[l.ciphertextOffset() - 1] = 15;
            assertRefused(shorterThanTag, MALFORMED);
        }

        @Test
        void kemCiphertextLengthThatDoesNotMatchTheSuite() {
            // A well-formed X-Wing envelope relabelled as ML-KEM-768: 1120 bytes where 1088 are expected.
            EnvelopeRejectedException e = rejection(bob, with(envelope, 3, Suite.MLKEM768.id()));
            assertThat(e.reason()).isEqualTo(MALFORMED);
            assertThat(e.getMessage()).contains("1120").contains("1088");
        }

        @Test
        void signatureOfTheWrongLength() {
            Fixtures.Layout l = Fixtures.Layout.of(envelope);
            byte[] shorter = Arrays.copyOf(envelope, envelope.length - 1);
            shorter[l.signatureLengthOffset() + 1]--;
            assertRefused(shorter, MALFORMED);
        }

        @Test
        void contentTypeWithASpaceOrSenderThatIsNotUtf8() {
            Fixtures.Layout l = Fixtures.Layout.of(envelope);
            assertRefused(with(envelope, l.contentTypeLengthOffset() + 1, ' '), MALFORMED);
            assertRefused(with(envelope, 30, 0xff), MALFORMED);
        }

        @Test
        void idLongerThanTheLimit() {
            assertRefused(with(with(envelope, 28, 0x08), 29, 0x01), MALFORMED); // sender length 2049
        }
    }

    @Nested
    class UnsupportedVersion {
        @ParameterizedTest
        @ValueSource(ints = {0, 2, 255})
        void versionOtherThanOne(int version) {
            // Byte 2 is signed, but the version is judged before the signature, so no re-signing is needed.
            for (Suite suite : Suite.values()) {
                assertRefused(with(Fixtures.seal(suite), 2, version), UNSUPPORTED_VERSION);
            }
        }
    }

    @Nested
    class UnsupportedSuite {
        @ParameterizedTest
        @ValueSource(ints = {0, 3, 9, 255})
        void unknownSuiteId(int suiteId) {
            EnvelopeRejectedException e = rejection(bob, with(Fixtures.seal(Suite.XWING), 3, suiteId));
            assertThat(e.reason()).isEqualTo(UNSUPPORTED_SUITE);
            assertThat(e.getMessage()).contains("suite id " + suiteId);
        }

        @Test
        void peekHeaderRefusesAnUnknownSuiteInsteadOfReturningNoSuite() {
            byte[] envelope = with(Fixtures.seal(Suite.XWING), 3, 9);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Envelope.peekHeader(envelope))
                    .isInstanceOfSatisfying(EnvelopeRejectedException.class, ex -> assertThat(ex.reason()).isEqualTo(UNSUPPORTED_SUITE));
        }
    }

    @Nested
    class WrongRecipient {
        @ParameterizedTest
        @EnumSource(Suite.class)
        void openedByAThirdParty(Suite suite) {
            EnvelopeOpener carol = Fixtures.opener(CAROL, clock, ALICE, BOB);
            EnvelopeRejectedException e = rejection(carol, Fixtures.seal(suite));
            assertThat(e.reason()).isEqualTo(WRONG_RECIPIENT);
            assertThat(e.getMessage()).contains(Fixtures.BOB_ID).contains(Fixtures.CAROL_ID);
        }
    }

    @Nested
    class UnknownSender {
        @ParameterizedTest
        @EnumSource(Suite.class)
        void emptyDirectory(Suite suite) {
            assertRefused(Fixtures.opener(BOB, clock), Fixtures.seal(suite), UNKNOWN_SENDER);
        }

        @Test
        void directoryAnswersWithAnotherPartysKeys() {
            EnvelopeOpener opener = new EnvelopeOpener(BOB.local(), id -> Optional.of(CAROL.peer()), clock);
            assertRefused(opener, Fixtures.seal(Suite.XWING), UNKNOWN_SENDER);
        }
    }

    @Nested
    class BadSignature {
        @ParameterizedTest
        @EnumSource(Suite.class)
        void directoryMapsTheSenderToAnotherKey(Suite suite) {
            PeerKeys impostorKeys = new PeerKeys(ALICE_ID, CAROL.signing().publicKey(), CAROL.kem().publicKey(), CAROL.x25519().publicKey());
            EnvelopeOpener opener = new EnvelopeOpener(BOB.local(), id -> Optional.of(impostorKeys).filter(k -> k.id().equals(id)), clock);
            assertRefused(opener, Fixtures.seal(suite), BAD_SIGNATURE);
        }

        @ParameterizedTest
        @EnumSource(Suite.class)
        void flippedCiphertextByte(Suite suite) {
            byte[] envelope = Fixtures.seal(suite);
            assertRefused(flip(envelope, Fixtures.Layout.of(envelope).ciphertextOffset() + 3, 0x01), BAD_SIGNATURE);
        }

        @Test
        void flippedSignatureByte() {
            byte[] envelope = Fixtures.seal(Suite.XWING);
            assertRefused(flip(envelope, envelope.length - 1, 0x40), BAD_SIGNATURE);
        }

        @Test
        void signedByAnotherKnownPartyInTheSendersName() {
            EnvelopeOpener opener = Fixtures.opener(BOB, clock, ALICE, CAROL);
            assertRefused(opener, resign(Fixtures.seal(Suite.XWING), CAROL), BAD_SIGNATURE);
        }
    }

    @Nested
    class StaleTimestamp {
        @ParameterizedTest
        @ValueSource(longs = {31_000, -31_000, 30_001, -30_001, 3_600_000, -3_600_000})
        void outsideTheThirtySecondWindow(long clockOffsetMillis) {
            clock.set(T0.plusMillis(clockOffsetMillis));
            EnvelopeRejectedException e = rejection(bob, Fixtures.seal(Suite.XWING));
            assertThat(e.reason()).as(e.getMessage()).isEqualTo(STALE_TIMESTAMP);
        }

        @ParameterizedTest
        @ValueSource(longs = {29_000, -29_000, 30_000, -30_000, 0})
        void insideTheWindowIsAccepted(long clockOffsetMillis) {
            clock.set(T0.plusMillis(clockOffsetMillis));
            assertThat(Fixtures.open(bob, Fixtures.seal(Suite.XWING)).plaintext()).isEqualTo(PLAINTEXT);
        }

        @Test
        void configuredWindowIsHonoured() {
            EnvelopeOpener strict = new EnvelopeOpener(BOB.local(), Fixtures.directory(ALICE), clock, Duration.ofSeconds(5), 100);
            clock.set(T0.plusMillis(5_001));
            assertRefused(strict, Fixtures.seal(Suite.XWING), STALE_TIMESTAMP);
            clock.set(T0.plusMillis(5_000));
            assertThat(Fixtures.open(strict, Fixtures.seal(Suite.XWING)).plaintext()).isEqualTo(PLAINTEXT);
        }

        /**
         * Regression for the freshness check overflowing: {@code Math.abs(now - timestamp)} is
         * negative when the difference is exactly 2^63 ms, so a timestamp of {@code now - 2^63} ms
         * (292 million years ago) passed as fresh. See EnvelopeOpener.open, the STALE_TIMESTAMP check.
         */
        @Test
        void freshnessCheckOverflowAcceptedATimestampTwoToTheSixtyThreeMillisecondsAway() {
            Instant ancient = Instant.ofEpochMilli(T0.toEpochMilli() + Long.MIN_VALUE);
            byte[] envelope = Fixtures.seal(Suite.XWING, PLAINTEXT, ancient, "ancient");
            assertRefused(new EnvelopeOpener(BOB.local(), Fixtures.directory(ALICE), InstantSource.fixed(T0)), envelope, STALE_TIMESTAMP);
        }

        @Test
        void windowBelowOneMillisecondIsRefusedAtConstruction() {
            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                            new EnvelopeOpener(BOB.local(), Fixtures.directory(ALICE), clock, Duration.ofNanos(500), 10))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at least 1 ms");
        }
    }

    @Nested
    class Replayed {
        @ParameterizedTest
        @EnumSource(Suite.class)
        void sameBytesTwice(Suite suite) {
            byte[] envelope = Fixtures.seal(suite);
            Fixtures.open(bob, envelope);
            assertRefused(envelope, REPLAYED);
            clock.advance(Duration.ofSeconds(29));
            assertRefused(envelope, REPLAYED);
        }

        @Test
        void evictedByAFloodIsStillRefused() {
            EnvelopeOpener tiny = new EnvelopeOpener(BOB.local(), Fixtures.directory(ALICE), clock, Duration.ofSeconds(30), 1);
            byte[] first = Fixtures.seal(Suite.MLKEM768, PLAINTEXT, T0, "flood/1");
            byte[] second = Fixtures.seal(Suite.MLKEM768, PLAINTEXT, T0.plusMillis(1), "flood/2");
            Fixtures.open(tiny, first);
            Fixtures.open(tiny, second); // pushes the first out of a cache of one

            assertRefused(tiny, first, REPLAYED);
            assertRefused(tiny, second, REPLAYED);
        }

        @Test
        void futureDatedMessageIsRememberedForItsWholeAcceptanceWindow() {
            // Dated at the far edge of the window: it stays acceptable until T0 + 60 s on the receiver's clock.
            byte[] envelope = Fixtures.seal(Suite.MLKEM768, PLAINTEXT, T0.plusSeconds(30), "future");
            Fixtures.open(bob, envelope);
            for (int s = 1; s <= 60; s++) {
                clock.set(T0.plusSeconds(s));
                Fixtures.open(bob, Fixtures.seal(Suite.MLKEM768, PLAINTEXT, T0.plusSeconds(s), "filler/" + s)); // runs expiry
                assertRefused(envelope, REPLAYED);
            }
            clock.set(T0.plusSeconds(60).plusMillis(1));
            assertRefused(envelope, STALE_TIMESTAMP);
        }
    }

    @Nested
    class DecryptionFailed {
        @Test
        void reSigningAnUnmodifiedEnvelopeStillOpens() {
            // Control for this group: re-signing alone does not break anything.
            for (Suite suite : Suite.values()) {
                assertThat(Fixtures.open(Fixtures.opener(BOB, clock, ALICE), resign(Fixtures.seal(suite), ALICE)).plaintext())
                        .isEqualTo(PLAINTEXT);
            }
        }

        @ParameterizedTest
        @EnumSource(Suite.class)
        void garbageAesCiphertextUnderAValidSignature(Suite suite) {
            byte[] envelope = Fixtures.seal(suite);
            Fixtures.Layout l = Fixtures.Layout.of(envelope);
            assertRefused(resign(flip(envelope, l.ciphertextOffset(), 0x01), ALICE), DECRYPTION_FAILED);
        }

        @ParameterizedTest
        @EnumSource(Suite.class)
        void flippedTagUnderAValidSignature(Suite suite) {
            byte[] envelope = Fixtures.seal(suite);
            Fixtures.Layout l = Fixtures.Layout.of(envelope);
            assertRefused(resign(flip(envelope, l.signatureLengthOffset() - 1, 0x80), ALICE), DECRYPTION_FAILED);
        }

        @ParameterizedTest
        @EnumSource(Suite.class)
        void changedNonceUnderAValidSignature(Suite suite) {
            byte[] envelope = Fixtures.seal(suite);
            assertRefused(resign(flip(envelope, Fixtures.Layout.of(envelope).nonceOffset(), 0x01), ALICE), DECRYPTION_FAILED);
        }

        @ParameterizedTest
        @EnumSource(Suite.class)
        void tamperedMlKemCiphertextIsRejectedImplicitlyAndFailsTheAead(Suite suite) {
            byte[] envelope = Fixtures.seal(suite);
            assertRefused(resign(flip(envelope, Fixtures.Layout.of(envelope).kemOffset() + 7, 0x01), ALICE), DECRYPTION_FAILED);
        }

        @Test
        void smallOrderX25519CiphertextUnderAValidSignature() {
            byte[] envelope = Fixtures.seal(Suite.XWING);
            int ctX = Fixtures.Layout.of(envelope).nonceOffset() - 32;
            Arrays.fill(envelope, ctX, ctX + 32, (byte) 0);
            assertRefused(resign(envelope, ALICE), DECRYPTION_FAILED);
        }

        @ParameterizedTest
        @EnumSource(Suite.class)
        void headerChangedAfterEncryptionUnderAValidSignature(Suite suite) {
            // The header is both the AEAD's associated data and part of the HKDF info.
            byte[] envelope = Fixtures.seal(suite);
            int lastContentTypeChar = Fixtures.Layout.of(envelope).headerEnd() - 1;
            assertRefused(resign(with(envelope, lastContentTypeChar, 'F'), ALICE), DECRYPTION_FAILED);
            // Same message id, so a fresh opener (the first refusal used the id up in bob's replay cache).
            assertRefused(Fixtures.opener(BOB, clock, ALICE), resign(flip(envelope, 27, 0x01), ALICE), DECRYPTION_FAILED); // 1 ms later
        }
    }

    /** An envelope with two faults is refused for the one checked first. */
    @Nested
    class CheckOrder {
        private final byte[] envelope = Fixtures.seal(Suite.XWING);

        @Test
        void malformedBeforeVersion() {
            assertRefused(Arrays.copyOf(with(envelope, 2, 2), envelope.length + 1), MALFORMED);
        }

        @Test
        void versionBeforeSuite() {
            assertRefused(with(with(envelope, 2, 2), 3, 9), UNSUPPORTED_VERSION);
        }

        @Test
        void suiteBeforeRecipient() {
            assertRefused(Fixtures.opener(CAROL, clock, ALICE), with(envelope, 3, 9), UNSUPPORTED_SUITE);
        }

        @Test
        void recipientBeforeSender() {
            assertRefused(Fixtures.opener(CAROL, clock), envelope, WRONG_RECIPIENT);
        }

        @Test
        void senderBeforeSignature() {
            assertRefused(Fixtures.opener(BOB, clock), flip(envelope, envelope.length - 1, 0x01), UNKNOWN_SENDER);
        }

        @Test
        void signatureBeforeFreshness() {
            // An unauthenticated party must not learn how the receiver's clock judges a timestamp.
            clock.advance(Duration.ofHours(1));
            assertRefused(flip(envelope, envelope.length - 1, 0x01), BAD_SIGNATURE);
        }

        @Test
        void freshnessBeforeReplay() {
            Fixtures.open(bob, envelope);
            clock.advance(Duration.ofSeconds(31));
            assertRefused(envelope, STALE_TIMESTAMP);
        }

        @Test
        void replayBeforeDecryption() {
            // A correctly signed envelope uses up its message id even when it then fails to decrypt.
            byte[] garbage = resign(flip(envelope, Fixtures.Layout.of(envelope).ciphertextOffset(), 0x01), ALICE);
            assertRefused(garbage, DECRYPTION_FAILED);
            assertRefused(garbage, REPLAYED);
            assertRefused(envelope, REPLAYED);
        }
    }
}
