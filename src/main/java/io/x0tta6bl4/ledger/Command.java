package io.x0tta6bl4.ledger;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The commands of the Raft log (docs/wire-formats.md §8). A client sends {@code kind ‖ body};
 * the leader inserts its clock reading, so the log holds {@code kind ‖ time ‖ body} and every
 * replica applies the same time.
 */
final class Command {
    static final byte BATCH = 1;
    static final byte REGISTER = 2;
    static final byte COSIGN = 3;
    static final byte CHECKPOINT = 4;

    private Command() {}

    static byte[] batch(Batch b) {
        return prefixed(BATCH, EntryCodec.encodeBatch(b));
    }

    static byte[] register(String identityJson) {
        return prefixed(REGISTER, identityJson.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] cosign(Cosignature c) {
        return prefixed(COSIGN, new EntryCodec.Writer(3400).str16(c.signer()).u64(c.head().size()).raw(c.head().root())
                .u16(c.signature().length).raw(c.signature()).bytes());
    }

    static byte[] checkpoint() {
        return new byte[] {CHECKPOINT};
    }

    private static byte[] prefixed(byte kind, byte[] body) {
        byte[] out = new byte[body.length + 1];
        out[0] = kind;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    /** The leader's rewrite: {@code kind ‖ body} becomes {@code kind ‖ millis ‖ body}. */
    static byte[] stamp(byte[] request, Instant now) {
        if (request.length == 0 || request[0] < BATCH || request[0] > CHECKPOINT) {
            throw new LedgerException(LedgerException.Reason.INVALID_FIELD, "unknown ledger command");
        }
        ByteBuffer out = ByteBuffer.allocate(request.length + 8);
        out.put(request[0]).putLong(now.toEpochMilli()).put(request, 1, request.length - 1);
        return out.array();
    }

    static Cosignature decodeCosign(ByteBuffer in) {
        byte[] signer = new byte[in.getShort() & 0xffff];
        in.get(signer);
        long size = in.getLong();
        byte[] root = new byte[MerkleTree.HASH_LENGTH];
        in.get(root);
        byte[] sig = new byte[in.getShort() & 0xffff];
        in.get(sig);
        return new Cosignature(new String(signer, StandardCharsets.UTF_8), new TreeHead(size, root), sig);
    }

    // ---- replies ----

    static byte[] appended(long first, int count) {
        return ByteBuffer.allocate(13).put((byte) 0).putLong(first).putInt(count).array();
    }

    static byte[] ok() {
        return new byte[] {0};
    }

    static byte[] refused(LedgerException.Reason reason, String message) {
        byte[] m = message.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + m.length).put((byte) 1).put((byte) reason.ordinal()).put(m).array();
    }

    static LedgerCore.Outcome outcome(ByteBuffer reply) {
        if (!reply.hasRemaining()) {
            return new LedgerCore.Outcome.Refused(LedgerException.Reason.UNAVAILABLE, "empty reply from the ledger");
        }
        if (reply.get() == 0) {
            return reply.remaining() >= 12 ? new LedgerCore.Outcome.Appended(reply.getLong(), reply.getInt())
                    : new LedgerCore.Outcome.Appended(-1, 0);
        }
        LedgerException.Reason reason = LedgerException.Reason.values()[reply.get()];
        byte[] m = new byte[reply.remaining()];
        reply.get(m);
        return new LedgerCore.Outcome.Refused(reason, new String(m, StandardCharsets.UTF_8));
    }
}
