package io.x0tta6bl4.crypto;

import static io.x0tta6bl4.crypto.EnvelopeRejectedException.Reason.MALFORMED;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;

/**
 * The node-to-node message of scenario 4: a header, a KEM ciphertext, an AES-256-GCM ciphertext
 * and an ML-DSA-65 signature over everything before it. docs/wire-formats.md gives the byte
 * layout; test resources hold golden vectors.
 *
 * <p>Sealing, in order: encapsulate a fresh secret to the recipient's KEM key; derive the AES key
 * with HKDF-SHA256 whose info is {@code "x0tta6bl4 envelope v1" ‖ header}, so a key can only ever
 * decrypt under the header it was made for; encrypt with a random 12-byte nonce and the header as
 * associated data; sign. Each key is used for one message, so the random nonce can never repeat
 * under the same key.
 *
 * <p>The signature is checked before any decapsulation: an unauthenticated sender cannot make the
 * recipient spend a KEM operation or touch the replay cache.
 */
public final class Envelope {
    public static final int VERSION = 1;
    static final byte[] MAGIC = {'X', '0'};
    static final byte[] KDF_INFO_PREFIX = "x0tta6bl4 envelope v1".getBytes(StandardCharsets.US_ASCII);
    /** Largest plaintext accepted: 16 MiB. */
    public static final int MAX_PLAINTEXT = 16 << 20;
    static final int MAX_ID_BYTES = 2048;

    private Envelope() {}

    /** Seals {@code plaintext} from {@code sender} to {@code recipient}; returns the envelope bytes. */
    public static byte[] seal(Suite suite, LocalKeys sender, PeerKeys recipient, String contentType, byte[] plaintext,
                              Instant now, SecureRandom random) {
        return seal(suite, sender, recipient, contentType, plaintext, now, random, Trace.NONE);
    }

    public static byte[] seal(Suite suite, LocalKeys sender, PeerKeys recipient, String contentType, byte[] plaintext,
                              Instant now, SecureRandom random, Trace trace) {
        if (plaintext.length > MAX_PLAINTEXT) {
            throw new IllegalArgumentException("plaintext is " + plaintext.length + " bytes; the limit is " + MAX_PLAINTEXT);
        }
        EnvelopeHeader header = new EnvelopeHeader(VERSION, suite, sender.id(), recipient.id(),
                MessageId.random(random), Instant.ofEpochMilli(now.toEpochMilli()), contentType);
        byte[] headerBytes = encodeHeader(header);

        Encapsulation kem = suite.encapsulate(recipient, random);
        trace.step(suite == Suite.XWING ? "X25519 + ML-KEM-768 encapsulation" : "ML-KEM-768 encapsulation");
        AesKey key = Hkdf.aes256(kem.secret(), new byte[0], kdfInfo(headerBytes));
        trace.step("HKDF-SHA256 key derivation");
        byte[] nonce = new byte[AesGcm.NONCE_LENGTH];
        random.nextBytes(nonce);
        byte[] ciphertext = AesGcm.seal(key, nonce, headerBytes, plaintext);
        trace.step("AES-256-GCM encryption");

        byte[] kemCt = kem.ciphertext();
        ByteArrayOutputStream out = new ByteArrayOutputStream(headerBytes.length + kemCt.length + ciphertext.length + 3400);
        out.writeBytes(headerBytes);
        writeU16(out, kemCt.length);
        out.writeBytes(kemCt);
        out.writeBytes(nonce);
        writeU32(out, ciphertext.length);
        out.writeBytes(ciphertext);
        byte[] body = out.toByteArray();
        byte[] signature = sender.signing().sign(body, random);
        trace.step("ML-DSA-65 signature");
        writeU16(out, signature.length);
        out.writeBytes(signature);
        return out.toByteArray();
    }

    /**
     * Reads the header alone, checking structure, version and suite but nothing cryptographic:
     * for routing and for tools. The header is not authenticated until {@link EnvelopeOpener#open}.
     */
    public static EnvelopeHeader peekHeader(byte[] envelope) throws EnvelopeRejectedException {
        Parsed p = Parsed.parse(envelope);
        if (p.versionByte() != VERSION) {
            throw new EnvelopeRejectedException(EnvelopeRejectedException.Reason.UNSUPPORTED_VERSION, "version " + p.versionByte());
        }
        if (p.header().suite() == null) {
            throw new EnvelopeRejectedException(EnvelopeRejectedException.Reason.UNSUPPORTED_SUITE, "suite id " + p.suiteByte());
        }
        return p.header();
    }

    static byte[] kdfInfo(byte[] headerBytes) {
        byte[] info = new byte[KDF_INFO_PREFIX.length + headerBytes.length];
        System.arraycopy(KDF_INFO_PREFIX, 0, info, 0, KDF_INFO_PREFIX.length);
        System.arraycopy(headerBytes, 0, info, KDF_INFO_PREFIX.length, headerBytes.length);
        return info;
    }

    static byte[] encodeHeader(EnvelopeHeader h) {
        byte[] sender = idBytes("sender", h.sender());
        byte[] recipient = idBytes("recipient", h.recipient());
        byte[] type = contentTypeBytes(h.contentType());
        ByteBuffer b = ByteBuffer.allocate(2 + 1 + 1 + 16 + 8 + 2 + sender.length + 2 + recipient.length + 1 + type.length);
        b.put(MAGIC).put((byte) h.version()).put((byte) h.suite().id());
        b.putLong(h.messageId().high()).putLong(h.messageId().low());
        b.putLong(h.timestamp().toEpochMilli());
        b.putShort((short) sender.length).put(sender);
        b.putShort((short) recipient.length).put(recipient);
        b.put((byte) type.length).put(type);
        return b.array();
    }

    private static byte[] idBytes(String field, String id) {
        byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > MAX_ID_BYTES) {
            throw new IllegalArgumentException(field + " id must be 1.." + MAX_ID_BYTES + " bytes of UTF-8");
        }
        return bytes;
    }

    private static byte[] contentTypeBytes(String contentType) {
        if (!validContentType(contentType)) {
            throw new IllegalArgumentException("content type must be 1..255 printable ASCII characters, got '" + contentType + "'");
        }
        return contentType.getBytes(StandardCharsets.US_ASCII);
    }

    static boolean validContentType(String s) {
        return !s.isEmpty() && s.length() <= 255 && s.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    private static void writeU16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private static void writeU32(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    /**
     * An envelope split along its layout. Parsing checks structure only: every length field must
     * fit exactly and nothing may trail. Version and suite are read but judged by the opener.
     */
    record Parsed(EnvelopeHeader header, int versionByte, int suiteByte, byte[] headerBytes, byte[] kemCiphertext,
                  byte[] nonce, byte[] ciphertext, int signedLength, byte[] signature) {

        static Parsed parse(byte[] env) throws EnvelopeRejectedException {
            Reader r = new Reader(env);
            byte[] magic = r.bytes(2, "magic");
            if (magic[0] != MAGIC[0] || magic[1] != MAGIC[1]) {
                throw new EnvelopeRejectedException(MALFORMED, "does not start with the envelope magic 'X0'");
            }
            int version = r.u8("version");
            int suiteByte = r.u8("suite");
            MessageId id = new MessageId(r.i64("message id"), r.i64("message id"));
            long millis = r.i64("timestamp");
            String sender = r.utf8(r.u16("sender length"), "sender");
            String recipient = r.utf8(r.u16("recipient length"), "recipient");
            String contentType = new String(r.bytes(r.u8("content type length"), "content type"), StandardCharsets.ISO_8859_1);
            int headerEnd = r.pos;
            byte[] kemCt = r.bytes(r.u16("KEM ciphertext length"), "KEM ciphertext");
            byte[] nonce = r.bytes(AesGcm.NONCE_LENGTH, "nonce");
            long ctLength = r.u32("ciphertext length");
            if (ctLength < AesGcm.TAG_LENGTH || ctLength > MAX_PLAINTEXT + AesGcm.TAG_LENGTH) {
                throw new EnvelopeRejectedException(MALFORMED, "ciphertext length " + ctLength + " is out of range");
            }
            byte[] ct = r.bytes((int) ctLength, "ciphertext");
            int signedLength = r.pos;
            byte[] sig = r.bytes(r.u16("signature length"), "signature");
            if (r.pos != env.length) {
                throw new EnvelopeRejectedException(MALFORMED, (env.length - r.pos) + " unexpected bytes after the signature");
            }
            if (sender.isEmpty() || recipient.isEmpty() || !validContentType(contentType)) {
                throw new EnvelopeRejectedException(MALFORMED, "empty sender or recipient, or invalid content type");
            }
            Suite suite = Suite.byId(suiteByte).orElse(null);
            EnvelopeHeader header = new EnvelopeHeader(version, suite, sender, recipient, id, Instant.ofEpochMilli(millis), contentType);
            byte[] headerBytes = java.util.Arrays.copyOf(env, headerEnd);
            return new Parsed(header, version, suiteByte, headerBytes, kemCt, nonce, ct, signedLength, sig);
        }
    }

    /** Bounds-checked big-endian reads; running out of bytes is a MALFORMED refusal naming the field. */
    private static final class Reader {
        private final byte[] b;
        int pos;

        Reader(byte[] b) {
            this.b = b;
        }

        private void need(int n, String field) throws EnvelopeRejectedException {
            if (n < 0 || b.length - pos < n) {
                throw new EnvelopeRejectedException(MALFORMED, "truncated at " + field + " (offset " + pos + ", "
                        + (b.length - pos) + " bytes left, " + n + " needed)");
            }
        }

        int u8(String field) throws EnvelopeRejectedException {
            need(1, field);
            return b[pos++] & 0xff;
        }

        int u16(String field) throws EnvelopeRejectedException {
            need(2, field);
            int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
            pos += 2;
            return v;
        }

        long u32(String field) throws EnvelopeRejectedException {
            need(4, field);
            long v = ByteBuffer.wrap(b, pos, 4).getInt() & 0xffffffffL;
            pos += 4;
            return v;
        }

        long i64(String field) throws EnvelopeRejectedException {
            need(8, field);
            long v = ByteBuffer.wrap(b, pos, 8).getLong();
            pos += 8;
            return v;
        }

        byte[] bytes(int n, String field) throws EnvelopeRejectedException {
            need(n, field);
            byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        String utf8(int n, String field) throws EnvelopeRejectedException {
            if (n > MAX_ID_BYTES) {
                throw new EnvelopeRejectedException(MALFORMED, field + " is " + n + " bytes; the limit is " + MAX_ID_BYTES);
            }
            byte[] raw = bytes(n, field);
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new EnvelopeRejectedException(MALFORMED, field + " is not valid UTF-8");
            }
        }
    }
}
