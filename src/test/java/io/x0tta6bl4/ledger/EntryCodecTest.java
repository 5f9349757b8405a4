package io.x0tta6bl4.ledger;

import static io.x0tta6bl4.ledger.LedgerTestSupport.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.x0tta6bl4.crypto.MlDsa;
import io.x0tta6bl4.crypto.MlDsaPublicKey;
import io.x0tta6bl4.crypto.SeededRandom;
import io.x0tta6bl4.identity.SpiffeId;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The canonical encodings of {@link EntryCodec} and the Raft commands of {@link Command}.
 *
 * <p>docs/wire-formats.md has no ledger section (§7) yet, so the layout asserted here is the one
 * the EntryCodec source documents, re-implemented independently below ({@link Layout}): all
 * integers big-endian, strings UTF-8 behind a length prefix of 1 (str8), 2 (str16) or 4 (str32)
 * bytes.
 *
 * <pre>
 *   entry      = "X0LE" u8(1) u64(seq) u64(timestamp ms) submission str16(submitter) u64(batch)
 *   submission = str8(type) str16(actor) str16(action) str16(resource) str8(status) str32(payload)
 *   batch body = "X0LB" u8(1) id[16] str16(submitter) u32(count) submission × count
 *   batch      = u32(body length) body u16(signature length) signature
 *   tree head  = "X0TH" u8(1) str16(trust domain) u64(size) root[32]
 * </pre>
 *
 * The golden entry lives in {@code src/test/resources/ledger/entry-v1.hex}. It only changes when
 * the format does, and then on purpose; to rewrite it from the current code (and review the
 * diff!), run {@code ./mvnw -o test -Dtest=EntryCodecTest -Dgolden.update=true}.
 */
class EntryCodecTest {
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");
    private static final String GOLDEN = "entry-v1.hex";
    private static final String DOMAIN = LedgerFixtures.DOMAIN;
    private static final String SUBMITTER = "spiffe://ledger.test/node/node-1";

    private static MlDsa key;
    private static MlDsa otherKey;

    @BeforeAll
    static void keys() {
        key = MlDsa.generate(new SeededRandom("entry-codec/node-1/ml-dsa-65"));
        otherKey = MlDsa.generate(new SeededRandom("entry-codec/node-2/ml-dsa-65"));
    }

    // ---- the golden entry ------------------------------------------------------------------------

    static final Instant GOLDEN_TIME = Instant.parse("2026-01-02T03:04:05.678Z");

    static LedgerEntry goldenEntry() {
        Submission s = new Submission(EntryType.AUDIT, SpiffeId.app(DOMAIN, "dashboard"), "GET_NETWORK_STATUS", "/api/network/status",
                "SUCCESS", "{\"code\":200,\"note\":\"grüße ✓\"}");
        return new LedgerEntry(42, GOLDEN_TIME, s, SUBMITTER, 40);
    }

    @Test
    void theGoldenEntryEncodesToTheGoldenBytes() {
        byte[] encoded = EntryCodec.encode(goldenEntry());
        Golden golden = readGolden(encoded);
        assertThat(golden.comments()).as("documented inputs in %s; regenerate with -Dgolden.update=true", GOLDEN)
                .isEqualTo(comments(encoded));
        assertThat(hex(encoded)).as("%s: first difference at byte %d", GOLDEN, Arrays.mismatch(encoded, golden.bytes()))
                .isEqualTo(hex(golden.bytes()));
    }

    @Test
    void theGoldenBytesHaveTheDocumentedLayout() {
        LedgerEntry e = goldenEntry();
        byte[] golden = readGolden(EntryCodec.encode(e)).bytes();
        assertThat(golden).isEqualTo(Layout.entry(e));
        ByteBuffer b = ByteBuffer.wrap(golden);
        assertThat(take(b, 4)).as("magic").isEqualTo("X0LE".getBytes(StandardCharsets.US_ASCII));
        assertThat(b.get()).as("version").isEqualTo((byte) 1);
        assertThat(b.getLong()).as("seq").isEqualTo(42);
        assertThat(b.getLong()).as("timestamp").isEqualTo(GOLDEN_TIME.toEpochMilli());
        assertThat(str(b, b.get() & 0xff)).as("type").isEqualTo("AUDIT");
        assertThat(str(b, b.getShort() & 0xffff)).as("actor").isEqualTo("spiffe://ledger.test/app/dashboard");
        assertThat(str(b, b.getShort() & 0xffff)).as("action").isEqualTo("GET_NETWORK_STATUS");
        assertThat(str(b, b.getShort() & 0xffff)).as("resource").isEqualTo("/api/network/status");
        assertThat(str(b, b.get() & 0xff)).as("status").isEqualTo("SUCCESS");
        int payloadLength = b.getInt();
        assertThat(payloadLength).as("payload length counts UTF-8 bytes, not chars").isEqualTo(e.submission().payload().length() + 4);
        assertThat(str(b, payloadLength)).as("payload").isEqualTo(e.submission().payload());
        assertThat(str(b, b.getShort() & 0xffff)).as("submitter").isEqualTo(SUBMITTER);
        assertThat(b.getLong()).as("batch").isEqualTo(40);
        assertThat(b.hasRemaining()).as("nothing after the batch field").isFalse();
    }

    @Test
    void theLeafHashIsSha256OfZeroAndTheEncoding() {
        LedgerEntry e = goldenEntry();
        byte[] encoded = EntryCodec.encode(e);
        assertThat(e.leafHash()).isEqualTo(Rfc9162Reference.sha256(new byte[] {0}, encoded)).isEqualTo(MerkleTree.leafHash(encoded));
    }

    @Test
    void everyFieldChangesTheEncoding() {
        LedgerEntry e = goldenEntry();
        Submission s = e.submission();
        byte[] base = EntryCodec.encode(e);
        List<LedgerEntry> variants = List.of(
                new LedgerEntry(43, e.timestamp(), s, e.submitter(), e.batch()),
                new LedgerEntry(e.seq(), e.timestamp().plusMillis(1), s, e.submitter(), e.batch()),
                new LedgerEntry(e.seq(), e.timestamp(), new Submission(EntryType.SECURITY_EVENT, s.actor(), s.action(), s.resource(), s.status(), s.payload()), e.submitter(), e.batch()),
                new LedgerEntry(e.seq(), e.timestamp(), new Submission(s.type(), SpiffeId.app(DOMAIN, "dashboarD"), s.action(), s.resource(), s.status(), s.payload()), e.submitter(), e.batch()),
                new LedgerEntry(e.seq(), e.timestamp(), new Submission(s.type(), s.actor(), s.action() + "X", s.resource(), s.status(), s.payload()), e.submitter(), e.batch()),
                new LedgerEntry(e.seq(), e.timestamp(), new Submission(s.type(), s.actor(), s.action(), s.resource() + "/", s.status(), s.payload()), e.submitter(), e.batch()),
                new LedgerEntry(e.seq(), e.timestamp(), new Submission(s.type(), s.actor(), s.action(), s.resource(), "DENIED", s.payload()), e.submitter(), e.batch()),
                new LedgerEntry(e.seq(), e.timestamp(), new Submission(s.type(), s.actor(), s.action(), s.resource(), s.status(), "{ }"), e.submitter(), e.batch()),
                new LedgerEntry(e.seq(), e.timestamp(), s, "spiffe://ledger.test/node/node-2", e.batch()),
                new LedgerEntry(e.seq(), e.timestamp(), s, e.submitter(), 41),
                // Moving a byte from one field to the next must not collide: lengths come first.
                new LedgerEntry(e.seq(), e.timestamp(), new Submission(s.type(), s.actor(), "GET_NETWORK_STATUS/", "api/network/status", s.status(), s.payload()), e.submitter(), e.batch()));
        for (LedgerEntry v : variants) {
            assertThat(EntryCodec.encode(v)).as("%s", v).isNotEqualTo(base).isEqualTo(Layout.entry(v));
            assertThat(v.leafHash()).isNotEqualTo(e.leafHash());
        }
    }

    // ---- other encodings against the layout ------------------------------------------------------

    @Test
    void batchBodyAndBatchHaveTheDocumentedLayout() {
        Batch b = Batch.sign(SUBMITTER, List.of(goldenEntry().submission(), LedgerFixtures.audit(7)), key.privateKey(), new SeededRandom("batch"));
        byte[] body = EntryCodec.batchBody(b.id(), b.submitter(), b.submissions());
        assertThat(body).isEqualTo(Layout.batchBody(b.id(), b.submitter(), b.submissions()));
        assertThat(EntryCodec.encodeBatch(b)).isEqualTo(Layout.batch(b));
        assertThat(b.verify(key.publicKey())).isTrue();
        assertThat(b.verify(otherKey.publicKey())).isFalse();
        assertThat(key.publicKey().verify(body, b.signature())).as("the signature covers exactly the batch body").isTrue();
    }

    @Test
    void treeHeadHasTheDocumentedLayoutAndIsWhatACosignatureSigns() {
        byte[] root = MerkleTree.leafHash(new byte[] {1, 2, 3});
        byte[] bytes = EntryCodec.treeHead(DOMAIN, 1234, root);
        assertThat(bytes).isEqualTo(Layout.treeHead(DOMAIN, 1234, root));
        TreeHead head = new TreeHead(1234, root);
        Cosignature c = new Cosignature(SUBMITTER, head, key.privateKey().sign(bytes, new SeededRandom("cosign")));
        assertThat(c.verify(DOMAIN, key.publicKey())).isTrue();
        assertThat(c.verify("other.test", key.publicKey())).as("bound to the trust domain").isFalse();
        assertThat(new Cosignature(SUBMITTER, new TreeHead(1235, root), c.signature()).verify(DOMAIN, key.publicKey())).as("bound to the size").isFalse();
        assertThat(c.verify(DOMAIN, otherKey.publicKey())).isFalse();
    }

    // ---- batch round trips -----------------------------------------------------------------------

    private static Batch sampleBatch(int entries, String seed) {
        List<Submission> subs = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
            subs.add(i % 3 == 0 ? goldenEntry().submission() : LedgerFixtures.audit(i));
        }
        return Batch.sign(SUBMITTER, subs, key.privateKey(), new SeededRandom(seed));
    }

    @ParameterizedTest(name = "{0} entries")
    @ValueSource(ints = {1, 2, 17, Batch.MAX_ENTRIES})
    void batchRoundTripsThroughItsEncoding(int entries) {
        Batch b = sampleBatch(entries, "round-trip/" + entries);
        ByteBuffer in = ByteBuffer.wrap(EntryCodec.encodeBatch(b));
        Batch decoded = EntryCodec.decodeBatch(in);
        assertThat(decoded).isEqualTo(b);
        assertThat(decoded.id()).isEqualTo(b.id());
        assertThat(decoded.signature()).isEqualTo(b.signature());
        assertThat(decoded.submissions()).containsExactlyElementsOf(b.submissions());
        assertThat(decoded.verify(key.publicKey())).isTrue();
        assertThat(in.hasRemaining()).isFalse();
    }

    @Test
    void batchRoundTripsThroughARaftCommandAsTheStateMachineReadsIt() {
        Batch b = sampleBatch(5, "command");
        byte[] request = Command.batch(b);
        assertThat(request[0]).isEqualTo(Command.BATCH);
        Instant now = Instant.parse("2026-03-04T05:06:07.089Z");
        byte[] logged = Command.stamp(request, now);
        assertThat(logged).hasSize(request.length + 8);
        ByteBuffer data = ByteBuffer.wrap(logged);
        assertThat(data.get()).isEqualTo(Command.BATCH);
        assertThat(Instant.ofEpochMilli(data.getLong())).isEqualTo(now);
        assertThat(EntryCodec.decodeBatch(data)).isEqualTo(b);
    }

    @Test
    void cosignatureRoundTripsThroughACommand() {
        TreeHead head = new TreeHead(77, MerkleTree.leafHash(new byte[] {7}));
        Cosignature c = new Cosignature(SUBMITTER, head, key.privateKey().sign(EntryCodec.treeHead(DOMAIN, 77, head.root()), new SeededRandom("c")));
        ByteBuffer data = ByteBuffer.wrap(Command.stamp(Command.cosign(c), Instant.EPOCH));
        assertThat(data.get()).isEqualTo(Command.COSIGN);
        assertThat(data.getLong()).isZero();
        Cosignature decoded = Command.decodeCosign(data);
        assertThat(decoded.signer()).isEqualTo(c.signer());
        assertThat(decoded.head()).isEqualTo(head);
        assertThat(decoded.signature()).isEqualTo(c.signature());
        assertThat(decoded.verify(DOMAIN, key.publicKey())).isTrue();
    }

    @Test
    void stampRefusesWhatIsNotALedgerCommand() {
        for (byte[] request : List.of(new byte[0], new byte[] {0}, new byte[] {5, 1, 2}, new byte[] {(byte) 0xff})) {
            assertThatThrownBy(() -> Command.stamp(request, Instant.EPOCH)).as("%s", Arrays.toString(request))
                    .isInstanceOfSatisfying(LedgerException.class, e -> assertThat(e.reason()).isEqualTo(LedgerException.Reason.INVALID_FIELD));
        }
        assertThat(Command.stamp(Command.checkpoint(), Instant.ofEpochMilli(1))).containsExactly(Command.CHECKPOINT, 0, 0, 0, 0, 0, 0, 0, 1);
    }

    @ParameterizedTest
    @EnumSource(LedgerException.Reason.class)
    void repliesRoundTrip(LedgerException.Reason reason) {
        LedgerCore.Outcome refused = Command.outcome(ByteBuffer.wrap(Command.refused(reason, "why ✓")));
        assertThat(refused).isEqualTo(new LedgerCore.Outcome.Refused(reason, "why ✓"));
        assertThat(Command.outcome(ByteBuffer.wrap(Command.appended(1L << 40, 2048)))).isEqualTo(new LedgerCore.Outcome.Appended(1L << 40, 2048));
        assertThat(Command.outcome(ByteBuffer.wrap(Command.ok()))).isEqualTo(new LedgerCore.Outcome.Appended(-1, 0));
        assertThat(Command.outcome(ByteBuffer.allocate(0))).isInstanceOfSatisfying(LedgerCore.Outcome.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(LedgerException.Reason.UNAVAILABLE));
    }

    // ---- hostile batch bytes ---------------------------------------------------------------------

    private static LedgerException decodeFailure(byte[] bytes) {
        Throwable t = catchThrowable(() -> EntryCodec.decodeBatch(ByteBuffer.wrap(bytes)));
        assertThat(t).as("decoding %d bytes", bytes.length).isInstanceOf(LedgerException.class);
        return (LedgerException) t;
    }

    private static void assertInvalid(byte[] bytes, String messagePart) {
        LedgerException e = decodeFailure(bytes);
        assertThat(e.reason()).as("%s", e.getMessage()).isEqualTo(LedgerException.Reason.INVALID_FIELD);
        assertThat(e.getMessage()).contains(messagePart);
    }

    @Test
    void decodeRefusesTheBatchTruncatedAtEveryLength() {
        byte[] full = EntryCodec.encodeBatch(sampleBatch(3, "truncate"));
        for (int length = 0; length < full.length; length++) {
            LedgerException e = decodeFailure(Arrays.copyOf(full, length));
            assertThat(e.reason()).as("truncated to %d of %d bytes: %s", length, full.length, e.getMessage())
                    .isEqualTo(LedgerException.Reason.INVALID_FIELD);
        }
    }

    @Test
    void decodeRefusesTrailingBytesInsideTheBody() {
        Batch b = sampleBatch(2, "trailing-body");
        byte[] body = EntryCodec.batchBody(b.id(), b.submitter(), b.submissions());
        byte[] padded = Arrays.copyOf(body, body.length + 1);
        assertInvalid(Layout.batch(padded, b.signature()), "trailing bytes");
    }

    /**
     * BUG (EntryCodec.decodeBatch, after reading the signature): bytes after the signature are
     * ignored, so the state machine applies a Raft command that carries garbage after its batch,
     * and one batch has many encodings (DESIGN.md §3 rule 4: every byte from outside is parsed
     * strictly).
     */
    @Test
    void decodeRefusesTrailingBytesAfterTheSignature() {
        byte[] full = EntryCodec.encodeBatch(sampleBatch(2, "trailing"));
        for (byte[] tail : List.of(new byte[] {0}, new byte[] {1, 2, 3}, full)) {
            byte[] withTail = Arrays.copyOf(full, full.length + tail.length);
            System.arraycopy(tail, 0, withTail, full.length, tail.length);
            assertInvalid(withTail, "trailing");
        }
    }

    @Test
    void decodeSignedBatchKeepsTheExactBytesTheSignatureCovers() {
        Batch b = sampleBatch(4, "signed-body");
        EntryCodec.SignedBatch signed = EntryCodec.decodeSignedBatch(ByteBuffer.wrap(EntryCodec.encodeBatch(b)));
        assertThat(signed.batch()).isEqualTo(b);
        assertThat(signed.body()).isEqualTo(Layout.batchBody(b.id(), b.submitter(), b.submissions()));
        assertThat(key.publicKey().verify(signed.body(), b.signature())).isTrue();
    }

    /**
     * A batch body whose payload holds the bytes C3 28 (malformed UTF-8: a lead byte without its
     * continuation) inside a JSON string. Java decodes them to U+FFFD '(', which still makes a valid
     * payload, so only a strict decoder notices.
     */
    static byte[] malformedUtf8Body(byte[] id, String submitter) {
        Submission s = new Submission(EntryType.AUDIT, SpiffeId.app(DOMAIN, "dashboard"), "GET", "/r", "SUCCESS", "{\"note\":\"XY\"}");
        byte[] body = Layout.batchBody(id, submitter, List.of(s));
        byte[] marker = "XY".getBytes(StandardCharsets.US_ASCII);
        for (int i = body.length - marker.length; i >= 0; i--) {
            if (body[i] == marker[0] && body[i + 1] == marker[1]) {
                body[i] = (byte) 0xC3;
                body[i + 1] = (byte) 0x28;
                return body;
            }
        }
        throw new AssertionError("marker not found");
    }

    /**
     * BUG (EntryCodec.str, used by decodeSignedBatch for every string field): strings are decoded
     * with {@code new String(raw, UTF_8)}, which silently replaces malformed UTF-8. Since the state
     * machine now verifies the signature over the body bytes as received (LedgerCore.applyBatch with
     * signedBody), such a batch is accepted, but its stored entries re-encode to other bytes, so
     * their leaf hashes and `ledger verify` (LedgerVerifier re-encodes the batch body) no longer match
     * what was signed. Fix: decode with a CharsetDecoder set to CodingErrorAction.REPORT and refuse
     * as INVALID_FIELD (or refuse a body that does not re-encode to itself).
     */
    @Test
    void decodeRefusesMalformedUtf8() {
        byte[] body = malformedUtf8Body(new byte[16], SUBMITTER);
        byte[] signature = key.privateKey().sign(body, new SeededRandom("malformed-utf8"));
        assertInvalid(Layout.batch(body, signature), "UTF-8");
    }

    @ParameterizedTest(name = "count {0}")
    @ValueSource(ints = {0, -1, Batch.MAX_ENTRIES + 1, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void decodeRefusesCountsOutOfRange(int count) {
        Batch b = sampleBatch(1, "count");
        byte[] body = EntryCodec.batchBody(b.id(), b.submitter(), b.submissions());
        int countOffset = 4 + 1 + 16 + 2 + SUBMITTER.length();
        assertThat(ByteBuffer.wrap(body).getInt(countOffset)).as("count offset").isEqualTo(1);
        ByteBuffer.wrap(body).putInt(countOffset, count);
        assertInvalid(Layout.batch(body, b.signature()), "count " + count + " out of range");
    }

    @Test
    void decodeRefusesACountLargerThanTheEntriesPresent() {
        Batch b = sampleBatch(2, "count-larger");
        byte[] body = EntryCodec.batchBody(b.id(), b.submitter(), b.submissions());
        ByteBuffer.wrap(body).putInt(4 + 1 + 16 + 2 + SUBMITTER.length(), 3);
        assertThat(decodeFailure(Layout.batch(body, b.signature())).reason()).isEqualTo(LedgerException.Reason.INVALID_FIELD);
    }

    @Test
    void decodeRefusesBodyLengthsOutOfRange() {
        byte[] full = EntryCodec.encodeBatch(sampleBatch(1, "body-length"));
        for (int bodyLength : new int[] {-1, Integer.MIN_VALUE, full.length, Integer.MAX_VALUE}) {
            byte[] copy = full.clone();
            ByteBuffer.wrap(copy).putInt(0, bodyLength);
            assertInvalid(copy, "body length out of range");
        }
    }

    @Test
    void decodeRefusesAnotherMagicOrVersion() {
        byte[] full = EntryCodec.encodeBatch(sampleBatch(1, "magic"));
        for (int offset : new int[] {4, 5, 6, 7, 8}) {
            byte[] copy = full.clone();
            copy[offset] ^= 0x20;
            assertInvalid(copy, "not a version-1 batch");
        }
    }

    @Test
    void decodeRefusesFieldsLongerThanTheData() {
        Batch b = sampleBatch(1, "field-length");
        byte[] body = EntryCodec.batchBody(b.id(), b.submitter(), b.submissions());
        ByteBuffer.wrap(body).putShort(4 + 1 + 16, (short) 0xffff);
        assertInvalid(Layout.batch(body, b.signature()), "exceeds the data");
        byte[] payloadTooLong = EntryCodec.batchBody(b.id(), b.submitter(), b.submissions());
        int payloadLengthOffset = payloadTooLong.length - 4 - b.submissions().getFirst().payload().getBytes(StandardCharsets.UTF_8).length;
        ByteBuffer.wrap(payloadTooLong).putInt(payloadLengthOffset, -5);
        assertInvalid(Layout.batch(payloadTooLong, b.signature()), "field length -5");
    }

    @Test
    void decodeRefusesSubmissionsThatDoNotValidate() {
        Submission good = LedgerFixtures.audit(1);
        byte[] id = new byte[16];
        // A bad actor, status or payload is INVALID_FIELD; an unknown type keeps its own reason.
        assertInvalid(Layout.batch(Layout.batchBody(id, SUBMITTER, List.of(good), s -> s.actor = "https://ledger.test/app/x"), new byte[0]), "invalid_field");
        assertInvalid(Layout.batch(Layout.batchBody(id, SUBMITTER, List.of(good), s -> s.status = "success"), new byte[0]), "status");
        assertInvalid(Layout.batch(Layout.batchBody(id, SUBMITTER, List.of(good), s -> s.payload = "{\"open\":"), new byte[0]), "payload");
        assertInvalid(Layout.batch(Layout.batchBody(id, SUBMITTER, List.of(good), s -> s.action = ""), new byte[0]), "action is missing");
        LedgerException unknown = decodeFailure(Layout.batch(Layout.batchBody(id, SUBMITTER, List.of(good), s -> s.type = "AUDIT_V2"), new byte[0]));
        assertThat(unknown.reason()).isEqualTo(LedgerException.Reason.UNKNOWN_TYPE);
    }

    /**
     * Seeded fuzzing: random flips, insertions and deletions of a valid batch either fail as a
     * {@link LedgerException} or decode to a batch whose signature no longer verifies, unless it is
     * the very same batch.
     */
    @Test
    void mutatedBatchesNeverEscapeAsAnotherExceptionNorVerify() {
        long seed = LedgerTestSupport.seed("EntryCodecTest.mutatedBatches");
        Random rnd = new SeededRandom(seed);
        Batch original = sampleBatch(3, "fuzz");
        byte[] full = EntryCodec.encodeBatch(original);
        MlDsaPublicKey pub = key.publicKey();
        int decoded = 0;
        for (int round = 0; round < 1500; round++) {
            byte[] mutated = mutate(full, rnd);
            Throwable t = catchThrowable(() -> EntryCodec.decodeBatch(ByteBuffer.wrap(mutated)));
            if (t != null) {
                assertThat(t).as("seed %d round %d", seed, round).isInstanceOf(LedgerException.class);
                continue;
            }
            Batch b = EntryCodec.decodeBatch(ByteBuffer.wrap(mutated));
            decoded++;
            if (!b.equals(original)) {
                assertThat(b.verify(pub)).as("seed %d round %d: a changed batch verified", seed, round).isFalse();
            }
        }
        assertThat(decoded).as("some mutations (e.g. in the signature) still decode").isPositive();
    }

    private static byte[] mutate(byte[] in, Random rnd) {
        byte[] out = in.clone();
        int edits = 1 + rnd.nextInt(3);
        for (int i = 0; i < edits; i++) {
            // Mostly in the body (where the parser has work to do), sometimes anywhere.
            int limit = rnd.nextInt(4) == 0 ? out.length : Math.min(out.length, 400);
            int at = rnd.nextInt(Math.max(1, limit));
            switch (rnd.nextInt(4)) {
                case 0 -> out[at] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> out[at] = (byte) rnd.nextInt(256);
                case 2 -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = (byte) rnd.nextInt(256);
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
                default -> {
                    if (out.length > 1) {
                        byte[] shorter = new byte[out.length - 1];
                        System.arraycopy(out, 0, shorter, 0, at);
                        System.arraycopy(out, at + 1, shorter, at, out.length - at - 1);
                        out = shorter;
                    }
                }
            }
        }
        return out;
    }

    // ---- an independent writer of the documented layout -----------------------------------------

    /** The layouts above, written with {@link DataOutputStream} (big-endian), sharing no code with EntryCodec. */
    static final class Layout {
        /** The fields of a submission as raw strings, so tests can write what Submission would refuse. */
        static final class Fields {
            String type;
            String actor;
            String action;
            String resource;
            String status;
            String payload;

            Fields(Submission s) {
                type = s.type().name();
                actor = s.actor().toString();
                action = s.action();
                resource = s.resource();
                status = s.status();
                payload = s.payload();
            }
        }

        interface Edit {
            void apply(Fields f);
        }

        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        private Layout raw(byte[] b) {
            try {
                out.write(b);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        private Layout u8(int v) {
            return raw(new byte[] {(byte) v});
        }

        private Layout u16(int v) {
            return raw(ByteBuffer.allocate(2).putShort((short) v).array());
        }

        private Layout u32(int v) {
            return raw(ByteBuffer.allocate(4).putInt(v).array());
        }

        private Layout u64(long v) {
            return raw(ByteBuffer.allocate(8).putLong(v).array());
        }

        private Layout str8(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return u8(b.length).raw(b);
        }

        private Layout str16(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return u16(b.length).raw(b);
        }

        private Layout str32(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return u32(b.length).raw(b);
        }

        private Layout submission(Fields f) {
            return str8(f.type).str16(f.actor).str16(f.action).str16(f.resource).str8(f.status).str32(f.payload);
        }

        private byte[] done() {
            return bytes.toByteArray();
        }

        static byte[] entry(LedgerEntry e) {
            return new Layout().raw("X0LE".getBytes(StandardCharsets.US_ASCII)).u8(1).u64(e.seq()).u64(e.timestamp().toEpochMilli())
                    .submission(new Fields(e.submission())).str16(e.submitter()).u64(e.batch()).done();
        }

        static byte[] batchBody(byte[] id, String submitter, List<Submission> subs) {
            return batchBody(id, submitter, subs, f -> { });
        }

        static byte[] batchBody(byte[] id, String submitter, List<Submission> subs, Edit edit) {
            Layout l = new Layout().raw("X0LB".getBytes(StandardCharsets.US_ASCII)).u8(1).raw(id).str16(submitter).u32(subs.size());
            for (Submission s : subs) {
                Fields f = new Fields(s);
                edit.apply(f);
                l.submission(f);
            }
            return l.done();
        }

        static byte[] batch(Batch b) {
            return batch(batchBody(b.id(), b.submitter(), b.submissions()), b.signature());
        }

        static byte[] batch(byte[] body, byte[] signature) {
            return new Layout().u32(body.length).raw(body).u16(signature.length).raw(signature).done();
        }

        static byte[] treeHead(String domain, long size, byte[] root) {
            return new Layout().raw("X0TH".getBytes(StandardCharsets.US_ASCII)).u8(1).str16(domain).u64(size).raw(root).done();
        }
    }

    // ---- the golden file -------------------------------------------------------------------------

    private record Golden(List<String> comments, byte[] bytes) {}

    private static List<String> comments(byte[] encoded) {
        LedgerEntry e = goldenEntry();
        Submission s = e.submission();
        return List.of(
                "# x0tta6bl4 ledger entry, canonical encoding version 1 (EntryCodec.encode), " + encoded.length + " bytes.",
                "# Checked by EntryCodecTest; rewrite with: ./mvnw -o test -Dtest=EntryCodecTest -Dgolden.update=true",
                "# Layout: \"X0LE\" u8(1) u64(seq) u64(ms) str8(type) str16(actor) str16(action) str16(resource)",
                "#         str8(status) str32(payload) str16(submitter) u64(batch); big-endian, UTF-8, lengths in bytes",
                "# seq:       " + e.seq(),
                "# timestamp: " + e.timestamp() + " (" + e.timestamp().toEpochMilli() + " ms)",
                "# type:      " + s.type(),
                "# actor:     " + s.actor(),
                "# action:    " + s.action(),
                "# resource:  " + s.resource(),
                "# status:    " + s.status(),
                "# payload:   " + s.payload(),
                "# submitter: " + e.submitter(),
                "# batch:     " + e.batch(),
                "# leaf hash: " + hex(MerkleTree.leafHash(encoded)) + " (SHA-256 of 0x00 || these bytes)");
    }

    private static Path goldenPath() {
        return Path.of(System.getProperty("basedir", "."), "src", "test", "resources", "ledger", GOLDEN);
    }

    private static Golden readGolden(byte[] current) {
        String text;
        try {
            if (UPDATE) {
                StringBuilder out = new StringBuilder();
                comments(current).forEach(c -> out.append(c).append('\n'));
                String h = hex(current);
                for (int i = 0; i < h.length(); i += 64) {
                    out.append(h, i, Math.min(h.length(), i + 64)).append('\n');
                }
                Files.createDirectories(goldenPath().getParent());
                Files.writeString(goldenPath(), out.toString());
                text = out.toString();
            } else {
                try (InputStream in = EntryCodecTest.class.getResourceAsStream("/ledger/" + GOLDEN)) {
                    assertThat(in).as("test resource /ledger/%s", GOLDEN).isNotNull();
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> lines = text.lines().toList();
        return new Golden(lines.stream().filter(l -> l.startsWith("#")).toList(),
                hex(lines.stream().filter(l -> !l.startsWith("#")).map(String::strip).collect(Collectors.joining())));
    }

    private static byte[] take(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private static String str(ByteBuffer b, int n) {
        return new String(take(b, n), StandardCharsets.UTF_8);
    }
}
