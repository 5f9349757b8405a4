package io.x0tta6bl4.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.identity.CertificateAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changes stored bytes behind the ledger's back, the way an attacker with file access or a bad
 * disk would, and checks that {@code ledger verify} finds it and names the entry.
 */
class LedgerVerifyTamperTest {
    private static final int ENTRIES = 300;
    private static final String[] COLUMNS = {"ts", "type", "actor", "action", "resource", "status", "payload", "submitter", "batch", "leaf"};
    @TempDir static Path shared;
    private static Path pristine;
    @TempDir Path dir;

    /** One single-replica Raft ledger written once; each test tampers with a copy of its file. */
    @BeforeAll
    static void writeLedger() throws Exception {
        CertificateAuthority ca = LedgerFixtures.ca(shared);
        pristine = shared.resolve("node-1");
        try (RaftLedger ledger = RaftLedger.start(RaftLedgerConfig.of("node-1", pristine, new RaftLedgerConfig.Start.Bootstrap(), LedgerFixtures.node(ca, "node-1"),
                ca.bundle(), InstantSource.system()).withCheckpointInterval(Duration.ofMillis(100)))) {
            ledger.ready().get(30, TimeUnit.SECONDS);
            List<CompletableFuture<Long>> acks = new ArrayList<>();
            for (int i = 0; i < ENTRIES; i++) {
                acks.add(ledger.append(LedgerFixtures.audit(i)));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (ledger.latestCheckpoint().map(c -> c.head().size() < ENTRIES).orElse(true) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(ledger.latestCheckpoint()).isPresent();
        }
        assertThat(LedgerVerifier.verify(pristine).ok()).isTrue();
    }

    private Path copy() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        for (String f : List.of("ledger.db", "ledger.db-wal", "ledger.db-shm")) {
            if (Files.exists(pristine.resolve(f))) {
                Files.copy(pristine.resolve(f), dir.resolve("data").resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dir.resolve("data");
    }

    private static Connection open(Path data) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + data.resolve("ledger.db"));
    }

    @Test
    void untouchedLedgerVerifiesWithItsCheckpoint() {
        LedgerVerifier.Report r = LedgerVerifier.verify(pristine);
        assertThat(r.ok()).isTrue();
        assertThat(r.head().size()).isEqualTo(ENTRIES);
        assertThat(r.checkpoint()).hasValueSatisfying(c -> assertThat(c.head()).isEqualTo(r.head()));
    }

    /** Seeded: a random bit of a random column of a random entry, many times; each is found and named. */
    @Test
    void aFlippedBitInAnyStoredEntryIsFoundAndNamed() throws Exception {
        long seed = Long.getLong("ledger.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int round = 0; round < 25; round++) {
            Path data = copy();
            long seq = random.nextInt(ENTRIES);
            String column = COLUMNS[random.nextInt(COLUMNS.length)];
            try (Connection db = open(data)) {
                flipBit(db, seq, column, random);
            }
            LedgerVerifier.Report r = LedgerVerifier.verify(data);
            String what = "seed " + seed + ", round " + round + ": bit flipped in " + column + " of entry " + seq;
            assertThat(r.ok()).as(what).isFalse();
            assertThat(r.badSeq()).as(what + " -> " + r.problem()).isPresent();
            long bad = r.badSeq().orElseThrow();
            // Named exactly, or (when the flip moved it into another batch's range) no later than the entry.
            assertThat(bad).as(what + " -> " + r.problem()).isLessThanOrEqualTo(seq);
            if (!column.equals("batch")) {
                assertThat(bad).as(what + " -> " + r.problem()).isEqualTo(seq);
            }
        }
    }

    private static void flipBit(Connection db, long seq, String column, Random random) throws SQLException {
        Object value;
        try (PreparedStatement p = db.prepareStatement("SELECT " + column + " FROM entries WHERE seq = ?")) {
            p.setLong(1, seq);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                value = r.getObject(1);
            }
        }
        Object changed = switch (value) {
            case byte[] b -> {
                byte[] c = b.clone();
                c[random.nextInt(c.length)] ^= (byte) (1 << random.nextInt(8));
                yield c;
            }
            case String s -> {
                char[] c = s.toCharArray();
                int i = random.nextInt(c.length);
                c[i] = (char) (c[i] ^ (1 << random.nextInt(5)));
                yield new String(c);
            }
            case Number n -> n.longValue() ^ (1L << random.nextInt(20));
            default -> throw new IllegalStateException("unexpected column type " + value);
        };
        try (PreparedStatement p = db.prepareStatement("UPDATE entries SET " + column + " = ? WHERE seq = ?")) {
            p.setObject(1, changed);
            p.setLong(2, seq);
            assertThat(p.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    void anEntryRewrittenTogetherWithItsLeafHashFailsItsBatchSignature() throws Exception {
        Path data = copy();
        long seq = 123;
        LedgerEntry original;
        try (LedgerFiles files = LedgerFiles.open(pristine)) {
            original = files.query(LedgerQuery.all(seq, 1)).getFirst();
        }
        try (Connection db = open(data)) {
            Submission forged = new Submission(original.type(), original.submission().actor(), original.submission().action(),
                    original.submission().resource(), "DENIED", original.submission().payload());
            LedgerEntry rewritten = new LedgerEntry(seq, original.timestamp(), forged, original.submitter(), original.batch());
            try (PreparedStatement p = db.prepareStatement("UPDATE entries SET status = ?, leaf = ? WHERE seq = ?")) {
                p.setString(1, "DENIED");
                p.setBytes(2, rewritten.leafHash());
                p.setLong(3, seq);
                p.executeUpdate();
            }
        }
        LedgerVerifier.Report r = LedgerVerifier.verify(data);
        assertThat(r.ok()).isFalse();
        assertThat(r.problem().orElseThrow()).contains("does not verify with the ML-DSA-65 key").contains("rewritten");
        assertThat(r.badSeq().orElseThrow()).isLessThanOrEqualTo(seq);
    }

    @Test
    void removingTheLastEntriesIsCaughtByTheCheckpoint() throws Exception {
        Path data = copy();
        try (Connection db = open(data)) {
            long lastBatch;
            try (PreparedStatement p = db.prepareStatement("SELECT MAX(first_seq) FROM batches"); ResultSet r = p.executeQuery()) {
                r.next();
                lastBatch = r.getLong(1);
            }
            db.createStatement().executeUpdate("DELETE FROM entries WHERE seq >= " + lastBatch);
            db.createStatement().executeUpdate("DELETE FROM batches WHERE first_seq >= " + lastBatch);
        }
        LedgerVerifier.Report r = LedgerVerifier.verify(data);
        assertThat(r.ok()).isFalse();
        assertThat(r.problem().orElseThrow()).contains("entries were removed");
    }

    @Test
    void aMissingFileIsAClearErrorNotAnEmptyLedger() {
        assertThatMissing(dir.resolve("nothing-here"));
    }

    private static void assertThatMissing(Path data) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LedgerVerifier.verify(data))
                .isInstanceOf(LedgerException.class)
                .hasMessageContaining("ledger.db does not exist");
        assertThat(Files.exists(data)).isFalse();
    }
}
