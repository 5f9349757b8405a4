package io.x0tta6bl4.ledger;

import io.x0tta6bl4.identity.SpiffeId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The canonical byte encodings of the ledger (docs/wire-formats.md §7). One encoding per thing,
 * no optional fields, lengths before contents, so equal values always give equal bytes and the
 * hashes over them are stable across versions and languages.
 */
public final class EntryCodec {
    static final byte[] ENTRY_MAGIC = {'X', '0', 'L', 'E'};
    static final byte[] BATCH_MAGIC = {'X', '0', 'L', 'B'};
    static final byte[] HEAD_MAGIC = {'X', '0', 'T', 'H'};
    static final int VERSION = 1;

    private EntryCodec() {}

    /** The bytes an entry's Merkle leaf hashes. */
    public static byte[] encode(LedgerEntry e) {
        Writer w = new Writer(256 + e.submission().payload().length());
        w.raw(ENTRY_MAGIC).u8(VERSION).u64(e.seq()).u64(e.timestamp().toEpochMilli());
        submission(w, e.submission());
        w.str16(e.submitter()).u64(e.batch());
        return w.bytes();
    }

    /** The bytes a submitter signs for a batch. */
    static byte[] batchBody(byte[] id, String submitter, List<Submission> submissions) {
        Writer w = new Writer(256 * submissions.size());
        w.raw(BATCH_MAGIC).u8(VERSION).raw(id).str16(submitter).u32(submissions.size());
        for (Submission s : submissions) {
            submission(w, s);
        }
        return w.bytes();
    }

    /** The bytes a replica signs to vouch for a tree head. */
    static byte[] treeHead(String trustDomain, long size, byte[] root) {
        return new Writer(64 + trustDomain.length()).raw(HEAD_MAGIC).u8(VERSION).str16(trustDomain).u64(size).raw(root).bytes();
    }

    private static void submission(Writer w, Submission s) {
        w.str8(s.type().name()).str16(s.actor().toString()).str16(s.action()).str16(s.resource()).str8(s.status()).str32(s.payload());
    }

    /** A whole batch with its signature, as carried in a Raft log entry. */
    static byte[] encodeBatch(Batch b) {
        byte[] body = batchBody(b.id(), b.submitter(), b.submissions());
        return new Writer(body.length + 3400).u32(body.length).raw(body).u16(b.signature().length).raw(b.signature()).bytes();
    }

    static Batch decodeBatch(ByteBuffer in) {
        return decodeSignedBatch(in).batch();
    }

    /** A decoded batch and the exact body bytes its signature covers (verification needs no re-encoding). */
    record SignedBatch(Batch batch, byte[] body) {}

    static SignedBatch decodeSignedBatch(ByteBuffer in) {
        try {
            int bodyLength = in.getInt();
            if (bodyLength < 0 || bodyLength > in.remaining()) {
                throw new LedgerException(LedgerException.Reason.INVALID_FIELD, "batch body length out of range");
            }
            ByteBuffer body = in.slice(in.position(), bodyLength);
            byte[] bodyBytes = new byte[bodyLength];
            in.get(bodyBytes);
            byte[] magic = new byte[4];
            body.get(magic);
            if (!java.util.Arrays.equals(magic, BATCH_MAGIC) || (body.get() & 0xff) != VERSION) {
                throw new LedgerException(LedgerException.Reason.INVALID_FIELD, "not a version-1 batch");
            }
            byte[] id = new byte[16];
            body.get(id);
            String submitter = str(body, body.getShort() & 0xffff);
            int count = body.getInt();
            if (count < 1 || count > Batch.MAX_ENTRIES) {
                throw new LedgerException(LedgerException.Reason.INVALID_FIELD, "batch count " + count + " out of range");
            }
            List<Submission> subs = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String type = str(body, body.get() & 0xff);
                SpiffeId actor = SpiffeId.parse(str(body, body.getShort() & 0xffff));
                String action = str(body, body.getShort() & 0xffff);
                String resource = str(body, body.getShort() & 0xffff);
                String status = str(body, body.get() & 0xff);
                String payload = str(body, body.getInt());
                subs.add(Submission.of(type, actor, action, resource, status, payload));
            }
            if (body.hasRemaining()) {
                throw new LedgerException(LedgerException.Reason.INVALID_FIELD, "trailing bytes after the batch body");
            }
            byte[] sig = new byte[in.getShort() & 0xffff];
            in.get(sig);
            if (in.hasRemaining()) {
                throw new LedgerException(LedgerException.Reason.INVALID_FIELD, in.remaining() + " trailing bytes after the batch signature");
            }
            return new SignedBatch(new Batch(id, submitter, subs, sig), bodyBytes);
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            if (e instanceof LedgerException le) {
                throw le;
            }
            throw new LedgerException(LedgerException.Reason.INVALID_FIELD, "batch does not decode: " + e.getMessage());
        }
    }

    private static String str(ByteBuffer b, int length) {
        if (length < 0 || length > b.remaining()) {
            throw new LedgerException(LedgerException.Reason.INVALID_FIELD, "field length " + length + " exceeds the data");
        }
        byte[] raw = new byte[length];
        b.get(raw);
        try {
            // Strict: a lenient decoder would replace bad bytes, and the stored entry would no
            // longer re-encode to the bytes its submitter signed.
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new LedgerException(LedgerException.Reason.INVALID_FIELD, "a text field is not valid UTF-8");
        }
    }

    /** Big-endian writer for the encodings above (unsynchronised, unlike ByteArrayOutputStream). */
    static final class Writer {
        private byte[] buf;
        private int size;

        Writer(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }

        Writer raw(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
            return this;
        }

        Writer u8(int v) {
            ensure(1);
            buf[size++] = (byte) v;
            return this;
        }

        Writer u16(int v) {
            ensure(2);
            buf[size++] = (byte) (v >>> 8);
            buf[size++] = (byte) v;
            return this;
        }

        Writer u32(int v) {
            ensure(4);
            buf[size++] = (byte) (v >>> 24);
            buf[size++] = (byte) (v >>> 16);
            buf[size++] = (byte) (v >>> 8);
            buf[size++] = (byte) v;
            return this;
        }

        Writer u64(long v) {
            u32((int) (v >>> 32));
            return u32((int) v);
        }

        Writer str8(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > 0xff) {
                throw new IllegalArgumentException("field longer than 255 bytes");
            }
            return u8(b.length).raw(b);
        }

        Writer str16(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > 0xffff) {
                throw new IllegalArgumentException("field longer than 65535 bytes");
            }
            return u16(b.length).raw(b);
        }

        Writer str32(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return u32(b.length).raw(b);
        }

        byte[] bytes() {
            return java.util.Arrays.copyOf(buf, size);
        }
    }
}
