package io.x0tta6bl4.crypto;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Deterministic parties, envelopes and byte surgery shared by the envelope tests. */
final class Fixtures {
    static final String ALICE_ID = "spiffe://mesh.local/node/a";
    static final String BOB_ID = "spiffe://mesh.local/node/b";
    static final String CAROL_ID = "spiffe://mesh.local/node/c";

    /** Sender, recipient and a third party; keys from fixed seeds, so they are the same every run. */
    static final Party ALICE = Party.generate(ALICE_ID, "node-a");
    static final Party BOB = Party.generate(BOB_ID, "node-b");
    static final Party CAROL = Party.generate(CAROL_ID, "node-c");

    static final Instant T0 = Instant.parse("2025-06-01T12:00:00.123Z");
    static final String CONTENT_TYPE = "CONFIG_UPDATE";
    static final byte[] PLAINTEXT = "{\"op\":\"set\",\"key\":\"routing.ttl\",\"value\":30}".getBytes(StandardCharsets.UTF_8);

    private Fixtures() {}

    /** One party's key pairs, generated from {@code seed + "/ml-dsa-65"}, {@code "/ml-kem-768"}, {@code "/x25519"}. */
    record Party(String id, MlDsa signing, MlKem kem, X25519 x25519) {
        static Party generate(String id, String seed) {
            return new Party(id,
                    MlDsa.generate(new SeededRandom(seed + "/ml-dsa-65")),
                    MlKem.generate(new SeededRandom(seed + "/ml-kem-768")),
                    X25519.generate(new SeededRandom(seed + "/x25519")));
        }

        LocalKeys local() {
            return new LocalKeys(id, signing.privateKey(), kem.privateKey(), x25519.privateKey(), x25519.publicKey());
        }

        PeerKeys peer() {
            return new PeerKeys(id, signing.publicKey(), kem.publicKey(), x25519.publicKey());
        }
    }

    /** A sender directory that knows exactly {@code known}. */
    static EnvelopeOpener.Senders directory(Party... known) {
        Map<String, PeerKeys> byId = Stream.of(known).map(Party::peer)
                .collect(Collectors.toMap(PeerKeys::id, Function.identity()));
        return id -> Optional.ofNullable(byId.get(id));
    }

    /** How {@code self} opens envelopes from {@code known} senders, with the default window and capacity. */
    static EnvelopeOpener opener(Party self, InstantSource clock, Party... known) {
        return new EnvelopeOpener(self.local(), directory(known), clock);
    }

    /** Alice → Bob, at {@code at}, with a generator seeded by {@code seed}. */
    static byte[] seal(Suite suite, byte[] plaintext, Instant at, String seed) {
        return Envelope.seal(suite, ALICE.local(), BOB.peer(), CONTENT_TYPE, plaintext, at, new SeededRandom(seed));
    }

    static byte[] seal(Suite suite) {
        return seal(suite, PLAINTEXT, T0, "seal/" + suite.cliName());
    }

    /** Opens or fails the test; for envelopes that must open. */
    static Opened open(EnvelopeOpener opener, byte[] envelope) {
        try {
            return opener.open(envelope);
        } catch (EnvelopeRejectedException e) {
            throw new AssertionError("expected the envelope to open, but it was refused: " + e.getMessage(), e);
        }
    }

    /** The refusal of {@code envelope}; fails the test if it opens (and so would have returned plaintext). */
    static EnvelopeRejectedException rejection(EnvelopeOpener opener, byte[] envelope) {
        Opened opened;
        try {
            opened = opener.open(envelope);
        } catch (EnvelopeRejectedException e) {
            return e;
        }
        throw new AssertionError("expected a refusal, but the envelope opened and returned "
                + opened.plaintext().length + " bytes of plaintext");
    }

    static byte[] flip(byte[] envelope, int offset, int mask) {
        byte[] copy = envelope.clone();
        copy[offset] ^= (byte) mask;
        return copy;
    }

    static byte[] with(byte[] envelope, int offset, int value) {
        byte[] copy = envelope.clone();
        copy[offset] = (byte) value;
        return copy;
    }

    /**
     * Replaces the signature with {@code signer}'s over the (possibly modified) body, as a sender
     * who holds that key could: the signature covers {@code [0, signedLength)} and is the last
     * {@code 2 + 3309} bytes.
     */
    static byte[] resign(byte[] envelope, Party signer) {
        Layout l = Layout.of(envelope);
        byte[] signature = signer.signing().privateKey().sign(envelope, 0, l.signatureLengthOffset(), new SeededRandom("resign"));
        byte[] copy = envelope.clone();
        System.arraycopy(signature, 0, copy, l.signatureOffset(), signature.length);
        return copy;
    }

    /**
     * Offsets of an envelope's fields, computed from its length fields alone (docs/wire-formats.md):
     * magic 0..2, version 2, suite 3, message id 4..20, timestamp 20..28, sender length 28..30, then
     * sender, recipient length and recipient, content type length and content type; KEM ciphertext
     * length and ciphertext, 12-byte nonce, 4-byte ciphertext length and ciphertext, 2-byte
     * signature length and signature.
     */
    record Layout(int recipientLengthOffset, int contentTypeLengthOffset, int headerEnd, int kemOffset, int nonceOffset,
                  int ciphertextLengthOffset, int ciphertextOffset, int signatureLengthOffset, int signatureOffset) {
        static Layout of(byte[] e) {
            int recipientLength = 30 + u16(e, 28);
            int contentTypeLength = recipientLength + 2 + u16(e, recipientLength);
            int headerEnd = contentTypeLength + 1 + (e[contentTypeLength] & 0xff);
            int kem = headerEnd + 2;
            int nonce = kem + u16(e, headerEnd);
            int ctLength = nonce + AesGcm.NONCE_LENGTH;
            int ct = ctLength + 4;
            int sigLength = ct + (int) u32(e, ctLength);
            return new Layout(recipientLength, contentTypeLength, headerEnd, kem, nonce, ctLength, ct, sigLength, sigLength + 2);
        }
    }

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    static long u32(byte[] b, int at) {
        return ((long) u16(b, at) << 16) | u16(b, at + 2);
    }

    static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
