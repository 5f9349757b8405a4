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

import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.DecapsulateException;

/**
 * Opens envelopes addressed to one local party. The checks run in a fixed order, each with its
 * own reason (see {@link EnvelopeRejectedException.Reason}): structure, version, suite, recipient,
 * sender, signature, freshness, replay, decryption. Cheap and unauthenticated checks come first;
 * only a correctly signed envelope reaches the replay cache and the KEM.
 *
 * <p>Thread-safe: the replay cache is the only mutable state.
 */
public final class EnvelopeOpener {
    /** Looks up the public keys of a sender by its id; empty when the sender is not known. */
    @FunctionalInterface
    public interface Senders {
        Optional<PeerKeys> lookup(String id);
    }

    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);
    public static final int DEFAULT_REPLAY_CAPACITY = 100_000;

    private final LocalKeys self;
    private final Senders senders;
    private final InstantSource clock;
    private final long windowMillis;
    private final ReplayCache replays;

    public EnvelopeOpener(LocalKeys self, Senders senders, InstantSource clock) {
        this(self, senders, clock, DEFAULT_WINDOW, DEFAULT_REPLAY_CAPACITY);
    }

    public EnvelopeOpener(LocalKeys self, Senders senders, InstantSource clock, Duration window, int replayCapacity) {
        if (window.toMillis() < 1) {
            throw new IllegalArgumentException("freshness window must be at least 1 ms, got " + window);
        }
        this.self = self;
        this.senders = senders;
        this.clock = clock;
        this.windowMillis = window.toMillis();
        this.replays = new ReplayCache(replayCapacity, 2 * windowMillis);
    }

    public Opened open(byte[] envelope) throws EnvelopeRejectedException {
        return open(envelope, Trace.NONE);
    }

    public Opened open(byte[] envelope, Trace trace) throws EnvelopeRejectedException {
        Envelope.Parsed p = Envelope.Parsed.parse(envelope);
        EnvelopeHeader h = p.header();
        if (p.versionByte() != Envelope.VERSION) {
            throw new EnvelopeRejectedException(UNSUPPORTED_VERSION, "version " + p.versionByte() + "; this node reads version " + Envelope.VERSION);
        }
        Suite suite = h.suite();
        if (suite == null) {
            throw new EnvelopeRejectedException(UNSUPPORTED_SUITE, "suite id " + p.suiteByte() + " is not known");
        }
        if (p.kemCiphertext().length != suite.kemCiphertextLength()) {
            throw new EnvelopeRejectedException(MALFORMED, "KEM ciphertext is " + p.kemCiphertext().length
                    + " bytes; suite " + suite.cliName() + " uses " + suite.kemCiphertextLength());
        }
        if (p.signature().length != MlDsaPublicKey.SIGNATURE_LENGTH) {
            throw new EnvelopeRejectedException(MALFORMED, "signature is " + p.signature().length + " bytes; ML-DSA-65 uses "
                    + MlDsaPublicKey.SIGNATURE_LENGTH);
        }
        if (!h.recipient().equals(self.id())) {
            throw new EnvelopeRejectedException(WRONG_RECIPIENT, "addressed to " + h.recipient() + ", this is " + self.id());
        }
        PeerKeys sender = senders.lookup(h.sender())
                .filter(k -> k.id().equals(h.sender()))
                .orElseThrow(() -> new EnvelopeRejectedException(UNKNOWN_SENDER, h.sender() + " has no known identity"));
        if (!sender.signing().verify(envelope, 0, p.signedLength(), p.signature())) {
            throw new EnvelopeRejectedException(BAD_SIGNATURE, "signature does not verify with the key of " + h.sender());
        }
        trace.step("ML-DSA-65 signature verified");
        long now = clock.millis();
        long sent = h.timestamp().toEpochMilli();
        // Compared without subtracting the untrusted timestamp, which could overflow.
        if (sent < now - windowMillis || sent > now + windowMillis) {
            throw new EnvelopeRejectedException(STALE_TIMESTAMP, "timestamp " + h.timestamp() + " is outside now ±"
                    + windowMillis + " ms");
        }
        if (!replays.firstSighting(h.messageId(), h.timestamp().toEpochMilli(), now)) {
            throw new EnvelopeRejectedException(REPLAYED, "message id " + h.messageId() + " was already accepted");
        }
        trace.step("freshness and replay checked");
        byte[] plaintext;
        try {
            SharedSecret secret = suite.decapsulate(self, p.kemCiphertext());
            trace.step(suite == Suite.XWING ? "X25519 + ML-KEM-768 decapsulation" : "ML-KEM-768 decapsulation");
            AesKey key = Hkdf.aes256(secret, new byte[0], Envelope.kdfInfo(p.headerBytes()));
            trace.step("HKDF-SHA256 key derivation");
            plaintext = AesGcm.open(key, p.nonce(), p.headerBytes(), p.ciphertext());
            trace.step("AES-256-GCM decryption");
        } catch (DecapsulateException | AEADBadTagException e) {
            throw new EnvelopeRejectedException(DECRYPTION_FAILED, e.getMessage());
        }
        return new Opened(h, plaintext);
    }
}
