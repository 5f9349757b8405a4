package io.x0tta6bl4.ledger;

import io.x0tta6bl4.identity.SpiffeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The ledger's SQLite file (one per node, WAL mode). Schema (docs/ledger.md):
 *
 * <pre>
 *   entries(seq PK, ts, type, actor, action, resource, status, payload, submitter, batch, leaf)
 *   batches(first_seq PK, count, id UNIQUE, submitter, signature)
 *   identities(spiffe_id, fingerprint, registered_size, document)   every identity document ever
 *                                              registered (keys rotate; old batches keep verifying)
 *   cosignatures(size, signer, root, signature) PK (size, signer, root): conflicting ones are kept
 *   meta(key PK, value)                        schema, trust domain, PQ root, applied Raft index/term
 *   voter_sets(raft_index PK, since_size, voters) every Raft voter set the group has had, from the
 *                                              tree size at which it took effect (checkpoint quorums)
 * </pre>
 *
 * Every change, including the applied Raft index, happens in one transaction, so after a crash
 * the file holds exactly the log prefix it says it holds, and replay applies each entry once.
 * The leaf hash is stored so that {@code ledger verify} can name an entry whose bytes changed, and
 * so that the tree is rebuilt at start-up without re-encoding every entry.
 *
 * <p>Not thread-safe; {@link LedgerCore} serialises access.
 */
final class LedgerStore implements AutoCloseable {
    static final int SCHEMA_VERSION = 1;
    static final String FILE_NAME = "ledger.db";

    private static final String MEMORY = "jdbc:sqlite::memory:";
    private final Connection db;
    private final String url;
    private final String location;
    // Null in a read-only store.
    private final PreparedStatement insertEntry;
    private final PreparedStatement insertBatch;
    private final PreparedStatement setMeta;
    private final PreparedStatement batchSeen;

    private LedgerStore(Connection db, String url, String location, boolean readOnly) throws SQLException {
        this.db = db;
        this.url = url;
        this.location = location;
        if (readOnly) {
            insertEntry = insertBatch = setMeta = batchSeen = null;
            // One read transaction for the life of this store: every query sees the same snapshot
            // of a file that a live node keeps writing (WAL readers do not block the writer).
            db.setAutoCommit(false);
            String schema = meta("schema").map(String::new).orElse("none");
            if (!schema.equals(Integer.toString(SCHEMA_VERSION))) {
                throw new SQLException("not a version-" + SCHEMA_VERSION + " ledger (schema: " + schema + ")");
            }
            return;
        }
        try (Statement s = db.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            // NORMAL: a power loss may roll back the latest transactions, which the Raft log still
            // holds and replays. What the log no longer holds (below a snapshot) is made durable
            // by the checkpoint in copyTo before Ratis purges it.
            s.execute("PRAGMA synchronous=NORMAL");
            s.execute("PRAGMA foreign_keys=OFF");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS entries(
                      seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, type TEXT NOT NULL, actor TEXT NOT NULL,
                      action TEXT NOT NULL, resource TEXT NOT NULL, status TEXT NOT NULL, payload TEXT NOT NULL,
                      submitter TEXT NOT NULL, batch INTEGER NOT NULL, leaf BLOB NOT NULL)""");
            s.execute("CREATE INDEX IF NOT EXISTS entries_type ON entries(type, seq)");
            s.execute("CREATE INDEX IF NOT EXISTS entries_actor ON entries(actor, seq)");
            s.execute("CREATE INDEX IF NOT EXISTS entries_resource ON entries(resource, seq)");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS batches(
                      first_seq INTEGER PRIMARY KEY, count INTEGER NOT NULL, id BLOB NOT NULL UNIQUE,
                      submitter TEXT NOT NULL, signature BLOB NOT NULL)""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS identities(
                      spiffe_id TEXT NOT NULL, fingerprint BLOB NOT NULL, registered_size INTEGER NOT NULL, document TEXT NOT NULL,
                      PRIMARY KEY(spiffe_id, fingerprint))""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS cosignatures(
                      size INTEGER NOT NULL, signer TEXT NOT NULL, root BLOB NOT NULL, signature BLOB NOT NULL,
                      PRIMARY KEY(size, signer, root))""");
            s.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB)");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS voter_sets(
                      raft_index INTEGER PRIMARY KEY, since_size INTEGER NOT NULL, voters TEXT NOT NULL)""");
        }
        db.setAutoCommit(false);
        insertEntry = db.prepareStatement("INSERT INTO entries VALUES(?,?,?,?,?,?,?,?,?,?,?)");
        insertBatch = db.prepareStatement("INSERT INTO batches VALUES(?,?,?,?,?)");
        setMeta = db.prepareStatement("INSERT OR REPLACE INTO meta(key, value) VALUES(?,?)");
        batchSeen = db.prepareStatement("SELECT 1 FROM batches WHERE id = ?");
        String schema = meta("schema").map(String::new).orElse(null);
        if (schema == null) {
            meta("schema", Integer.toString(SCHEMA_VERSION).getBytes());
            db.commit();
        } else if (!schema.equals(Integer.toString(SCHEMA_VERSION))) {
            throw new SQLException(location + ": ledger schema version " + schema + ", this build reads " + SCHEMA_VERSION);
        }
    }

    /** Opens (creating if needed) {@code dir/ledger.db}. */
    static LedgerStore open(Path dir) {
        return open("jdbc:sqlite:" + dir.resolve(FILE_NAME).toAbsolutePath(), dir.resolve(FILE_NAME).toString());
    }

    /**
     * Opens an existing {@code dir/ledger.db} for reading only, e.g. while its node runs (WAL
     * mode lets readers in). Refuses a missing file or one that is not a ledger.
     */
    static LedgerStore openReadOnly(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new LedgerException(LedgerException.Reason.UNAVAILABLE, file + " does not exist; --data must be a node's data directory (it holds ledger.db)");
        }
        String url = "jdbc:sqlite:file:" + file.toAbsolutePath() + "?mode=ro";
        try {
            org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
            config.setReadOnly(true);
            return new LedgerStore(DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties()), url, file.toString(), true);
        } catch (SQLException e) {
            throw new LedgerException(LedgerException.Reason.UNAVAILABLE, file + ": " + e.getMessage(), e);
        }
    }

    /** A private in-memory database, for the in-memory ledger and tests. */
    static LedgerStore inMemory() {
        return open(MEMORY, ":memory:");
    }

    private static LedgerStore open(String url, String location) {
        try {
            return new LedgerStore(DriverManager.getConnection(url), url, location, false);
        } catch (SQLException e) {
            throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "cannot open ledger database " + location + ": " + e.getMessage(), e);
        }
    }

    String location() {
        return location;
    }

    // ---- writes; each public write is one transaction ----

    /** Stores a batch's entries and marks {@code index} applied, atomically. */
    void applyBatch(long index, long term, Batch batch, List<LedgerEntry> entries, List<byte[]> leaves) {
        tx(() -> {
            long first = entries.getFirst().seq();
            insertBatch.setLong(1, first);
            insertBatch.setInt(2, entries.size());
            insertBatch.setBytes(3, batch.id());
            insertBatch.setString(4, batch.submitter());
            insertBatch.setBytes(5, batch.signature());
            insertBatch.executeUpdate();
            for (int i = 0; i < entries.size(); i++) {
                LedgerEntry e = entries.get(i);
                Submission s = e.submission();
                insertEntry.setLong(1, e.seq());
                insertEntry.setLong(2, e.timestamp().toEpochMilli());
                insertEntry.setString(3, s.type().name());
                insertEntry.setString(4, s.actor().toString());
                insertEntry.setString(5, s.action());
                insertEntry.setString(6, s.resource());
                insertEntry.setString(7, s.status());
                insertEntry.setString(8, s.payload());
                insertEntry.setString(9, e.submitter());
                insertEntry.setLong(10, e.batch());
                insertEntry.setBytes(11, leaves.get(i));
                insertEntry.addBatch();
            }
            insertEntry.executeBatch();
            applied(index, term);
        });
    }

    /** Records an identity document; registering the same document again keeps the first registration. */
    void putIdentity(long index, long term, String spiffeId, byte[] fingerprint, long registeredSize, String document) {
        tx(() -> {
            try (PreparedStatement p = db.prepareStatement("INSERT OR IGNORE INTO identities VALUES(?,?,?,?)")) {
                p.setString(1, spiffeId);
                p.setBytes(2, fingerprint);
                p.setLong(3, registeredSize);
                p.setString(4, document);
                p.executeUpdate();
            }
            applied(index, term);
        });
    }

    void putCosignature(long index, long term, Cosignature c) {
        tx(() -> {
            // Every distinct (size, signer, root) is kept: a later, conflicting cosignature must not
            // erase the evidence of what the signer signed before.
            try (PreparedStatement p = db.prepareStatement("INSERT OR IGNORE INTO cosignatures VALUES(?,?,?,?)")) {
                p.setLong(1, c.head().size());
                p.setString(2, c.signer());
                p.setBytes(3, c.head().root());
                p.setBytes(4, c.signature());
                p.executeUpdate();
            }
            applied(index, term);
        });
    }

    /** Marks a log entry applied that changed nothing (a refused batch, a no-op). */
    void markApplied(long index, long term) {
        tx(() -> applied(index, term));
    }

    void putMeta(String key, byte[] value) {
        tx(() -> meta(key, value));
    }

    /** One voter set of the Raft group: who counted towards checkpoints from tree size {@code sinceSize} on. */
    record VoterSet(long raftIndex, long sinceSize, java.util.Set<String> voters) {}

    /** Records that the Raft group's voters became {@code voters} at log index {@code raftIndex}, when the tree had {@code sinceSize} entries. */
    void putVoters(long raftIndex, long sinceSize, java.util.Set<String> voters) {
        String joined = String.join(",", new java.util.TreeSet<>(voters));
        tx(() -> {
            try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO voter_sets VALUES(?,?,?)")) {
                p.setLong(1, raftIndex);
                p.setLong(2, sinceSize);
                p.setString(3, joined);
                p.executeUpdate();
            }
            meta("voters", joined.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });
    }

    /** Every recorded voter set, oldest first; empty for a file written before they were recorded. */
    List<VoterSet> voterSets() {
        List<VoterSet> out = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT raft_index, since_size, voters FROM voter_sets ORDER BY raft_index")) {
            while (r.next()) {
                String v = r.getString(3);
                out.add(new VoterSet(r.getLong(1), r.getLong(2), v.isEmpty() ? java.util.Set.of() : java.util.Set.of(v.split(","))));
            }
            return out;
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("no such table")) {
                return out; // a read-only file from before voter sets were kept
            }
            throw unavailable(e);
        }
    }

    private void applied(long index, long term) throws SQLException {
        meta("applied_index", Long.toString(index).getBytes());
        meta("applied_term", Long.toString(term).getBytes());
    }

    private void meta(String key, byte[] value) throws SQLException {
        setMeta.setString(1, key);
        setMeta.setBytes(2, value);
        setMeta.executeUpdate();
    }

    private interface SqlWork {
        void run() throws SQLException;
    }

    private void tx(SqlWork work) {
        try {
            work.run();
            db.commit();
        } catch (SQLException e) {
            try {
                db.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "ledger database " + location + ": " + e.getMessage(), e);
        }
    }

    // ---- reads ----

    Optional<byte[]> meta(String key) {
        try (PreparedStatement p = db.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            p.setString(1, key);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.ofNullable(r.getBytes(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** The applied Raft index recorded in a ledger file (e.g. a snapshot), or -1. */
    static long appliedIndexOf(Path dbFile) {
        try {
            org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
            config.setReadOnly(true);
            // immutable: a snapshot is a copy of a WAL-mode file; opened normally, SQLite would
            // leave -wal and -shm files beside it that nothing removes.
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + dbFile.toAbsolutePath() + "?immutable=1", config.toProperties());
                 Statement st = c.createStatement();
                 ResultSet r = st.executeQuery("SELECT value FROM meta WHERE key = 'applied_index'")) {
                return r.next() ? Long.parseLong(new String(r.getBytes(1))) : -1;
            }
        } catch (SQLException | NumberFormatException e) {
            throw new LedgerException(LedgerException.Reason.CORRUPT, dbFile + " is not a readable ledger snapshot: " + e.getMessage(), e);
        }
    }

    long appliedIndex() {
        return meta("applied_index").map(b -> Long.parseLong(new String(b))).orElse(-1L);
    }

    long appliedTerm() {
        return meta("applied_term").map(b -> Long.parseLong(new String(b))).orElse(0L);
    }

    boolean batchSeen(byte[] id) {
        try {
            batchSeen.setBytes(1, id);
            try (ResultSet r = batchSeen.executeQuery()) {
                return r.next();
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** The first sequence number of an applied batch, by its id. */
    java.util.Optional<Long> batchFirstSeq(byte[] id) {
        try (PreparedStatement p = db.prepareStatement("SELECT first_seq FROM batches WHERE id = ?")) {
            p.setBytes(1, id);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? java.util.Optional.of(r.getLong(1)) : java.util.Optional.empty();
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    long lastTimestamp() {
        return scalar("SELECT COALESCE(MAX(ts), 0) FROM entries");
    }

    private long scalar(String sql) {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** A registered identity document and the tree size at which it was registered. */
    record IdentityRow(String spiffeId, long registeredSize, String document) {}

    /** Every registered identity document, in registration order. */
    List<IdentityRow> identities() {
        List<IdentityRow> out = new ArrayList<>();
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT spiffe_id, registered_size, document FROM identities ORDER BY registered_size, rowid")) {
            while (r.next()) {
                out.add(new IdentityRow(r.getString(1), r.getLong(2), r.getString(3)));
            }
            return out;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** Every stored cosignature, oldest tree size first (for verification). */
    List<Cosignature> cosignatures() {
        return cosignatures("SELECT signer, size, root, signature FROM cosignatures ORDER BY size, signer", -1);
    }

    /** The cosignatures of one tree size. */
    List<Cosignature> cosignatures(long size) {
        return cosignatures("SELECT signer, size, root, signature FROM cosignatures WHERE size = ? ORDER BY signer", size);
    }

    /** Tree sizes that have cosignatures, largest first. */
    List<Long> cosignedSizes() {
        List<Long> out = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT DISTINCT size FROM cosignatures ORDER BY size DESC")) {
            while (r.next()) {
                out.add(r.getLong(1));
            }
            return out;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private List<Cosignature> cosignatures(String sql, long size) {
        List<Cosignature> out = new ArrayList<>();
        try (PreparedStatement p = db.prepareStatement(sql)) {
            if (size >= 0) {
                p.setLong(1, size);
            }
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(new Cosignature(r.getString(1), new TreeHead(r.getLong(2), r.getBytes(3)), r.getBytes(4)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** Calls {@code leaf} with every stored leaf hash in sequence order (tree rebuild). */
    void forEachLeaf(Consumer<byte[]> leaf) {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT leaf FROM entries ORDER BY seq")) {
            while (r.next()) {
                leaf.accept(r.getBytes(1));
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** A stored row as it is on disk, decoded or not: for verification. */
    record Row(long seq, long ts, String type, String actor, String action, String resource, String status, String payload,
               String submitter, long batch, byte[] leaf) {}

    /** A stored batch header. */
    record BatchRow(long firstSeq, int count, byte[] id, String submitter, byte[] signature) {}

    void forEachRow(long fromSeq, Consumer<Row> row) {
        try (PreparedStatement p = db.prepareStatement("SELECT * FROM entries WHERE seq >= ? ORDER BY seq")) {
            p.setLong(1, fromSeq);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    row.accept(row(r));
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    List<BatchRow> batches() {
        List<BatchRow> out = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT * FROM batches ORDER BY first_seq")) {
            while (r.next()) {
                out.add(new BatchRow(r.getLong(1), r.getInt(2), r.getBytes(3), r.getString(4), r.getBytes(5)));
            }
            return out;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    List<LedgerEntry> query(LedgerQuery q) {
        StringBuilder sql = new StringBuilder("SELECT * FROM entries WHERE seq >= ?");
        List<Object> args = new ArrayList<>();
        args.add(q.fromSeq());
        q.type().ifPresent(t -> {
            sql.append(" AND type = ?");
            args.add(t.name());
        });
        if (!q.types().isEmpty()) {
            sql.append(" AND type IN (").append(String.join(",", java.util.Collections.nCopies(q.types().size(), "?"))).append(")");
            q.types().stream().map(EntryType::name).sorted().forEach(args::add);
        }
        q.actor().ifPresent(a -> {
            sql.append(" AND actor = ?");
            args.add(a);
        });
        q.resource().ifPresent(r -> {
            sql.append(" AND resource = ?");
            args.add(r);
        });
        q.since().ifPresent(t -> {
            sql.append(" AND ts >= ?");
            args.add(t.toEpochMilli());
        });
        q.until().ifPresent(t -> {
            sql.append(" AND ts < ?");
            args.add(t.toEpochMilli());
        });
        sql.append(" ORDER BY seq LIMIT ?");
        args.add(q.limit());
        try (PreparedStatement p = db.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                p.setObject(i + 1, args.get(i));
            }
            List<LedgerEntry> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(toEntry(row(r)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private static Row row(ResultSet r) throws SQLException {
        return new Row(r.getLong(1), r.getLong(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6), r.getString(7),
                r.getString(8), r.getString(9), r.getLong(10), r.getBytes(11));
    }

    /** Decodes a row; a row that no longer decodes is reported as corrupt, naming its sequence number. */
    static LedgerEntry toEntry(Row r) {
        try {
            return new LedgerEntry(r.seq(), Instant.ofEpochMilli(r.ts()),
                    Submission.of(r.type(), SpiffeId.parse(r.actor()), r.action(), r.resource(), r.status(), r.payload()), r.submitter(), r.batch());
        } catch (IllegalArgumentException e) {
            throw new LedgerException(LedgerException.Reason.CORRUPT, "entry " + r.seq() + " in the database does not decode: " + e.getMessage(), e);
        }
    }

    /**
     * Copies the whole database, consistently, to {@code target} (a Raft snapshot), without
     * syncing the copy: the caller syncs it, outside any lock, before relying on it.
     *
     * <p>A TRUNCATE checkpoint writes every frame of the WAL into the database file, syncs it and
     * empties the WAL, so the file alone is the whole ledger and survives a power loss (Ratis may
     * then purge the log up to this snapshot). The file is then copied as it is: the caller holds
     * the ledger's lock, so nothing writes in between. This costs a page-cache copy; the
     * {@code VACUUM INTO} it replaces rebuilt every table and index, and the snapshots of all
     * replicas (taken at the same log index) stalled the nodes long enough for their peers to
     * suspect them. The checkpoint runs on a second connection because this one always has a
     * transaction open.
     */
    void copyTo(Path target) {
        if (url.equals(MEMORY)) {
            throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "an in-memory ledger has no file to snapshot");
        }
        try (Connection other = DriverManager.getConnection(url)) {
            db.commit();
            try (Statement checkpoint = other.createStatement(); ResultSet r = checkpoint.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                if (r.next() && r.getInt(1) != 0) {
                    throw new SQLException("WAL checkpoint was blocked (a reader holds an older view); the snapshot is not taken");
                }
            }
            Files.copy(Path.of(location), target, StandardCopyOption.REPLACE_EXISTING);
        } catch (SQLException e) {
            throw unavailable(e);
        } catch (java.io.IOException e) {
            throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "cannot copy " + location + " to " + target + ": " + e.getMessage(), e);
        }
    }

    private LedgerException unavailable(SQLException e) {
        return new LedgerException(LedgerException.Reason.UNAVAILABLE, "ledger database " + location + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }
}
