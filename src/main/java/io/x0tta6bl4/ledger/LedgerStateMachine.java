package io.x0tta6bl4.ledger;

import io.x0tta6bl4.identity.PqIdentityDocument;
import io.x0tta6bl4.identity.TrustBundle;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adapts {@link LedgerCore} to Ratis. The leader stamps each command with its clock
 * ({@link #startTransaction}); every replica applies the committed log in order
 * ({@link #applyTransaction}), skipping indexes the SQLite file already holds, so each entry is
 * applied exactly once also across restarts. A snapshot is a consistent copy of the SQLite file;
 * after one, Ratis purges the log up to it, and a follower too far behind receives the file and
 * reloads from it ({@link #reinitialize}).
 */
final class LedgerStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerStateMachine.class);

    /** What the replica does when the log asks for it; run off the apply thread. */
    interface Callbacks {
        void checkpointDue(TreeHead head);

        void headMismatch(LedgerCore.HeadMismatch mismatch);

        void leaderChanged(Optional<String> leader);

        /**
         * The group's configuration changed (a configuration entry was applied, or came with a
         * snapshot). {@code joint} while Raft moves from one configuration to the next.
         */
        void configurationChanged(java.util.List<Replica> voters, java.util.List<Replica> listeners, boolean joint);
    }

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Path dataDir;
    private final TrustBundle bundle;
    private final InstantSource clock;
    private final Callbacks callbacks;
    private volatile LedgerCore core;
    private final java.util.concurrent.CopyOnWriteArrayList<Runnable> listeners;
    private final CompletableFuture<Void> loaded = new CompletableFuture<>();

    /**
     * @param listeners told after every applied batch; the replica shares one list with every state
     *                  machine it opens, so subscriptions outlive a restart of its Raft server
     */
    LedgerStateMachine(Path dataDir, TrustBundle bundle, InstantSource clock, Callbacks callbacks,
                       java.util.concurrent.CopyOnWriteArrayList<Runnable> listeners) {
        this.dataDir = dataDir;
        this.bundle = bundle;
        this.clock = clock;
        this.callbacks = callbacks;
        this.listeners = listeners;
    }

    LedgerCore core() {
        loaded.join();
        return core;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(this::load);
    }

    /** Ratis pauses the state machine before it installs a snapshot, and checks that it did. */
    @Override
    public void pause() {
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    private void load() {
        LedgerCore opened = new LedgerCore(LedgerStore.open(dataDir), bundle, Set.of(), callbacks::headMismatch, listeners);
        // Ratis resumes after its latest snapshot. If this file is behind that snapshot (a crash
        // while a snapshot from the leader was being installed), the entries between would never
        // be applied here: restore from the snapshot first.
        SingleFileSnapshotInfo snapshot = storage.getLatestSnapshot();
        if (snapshot != null && snapshot.getIndex() > opened.appliedIndex()
                && LedgerStore.appliedIndexOf(snapshot.getFile().getPath()) > opened.appliedIndex()) {
            LOG.warn("ledger file is at index {} but the latest snapshot is at {}: restoring from the snapshot",
                    opened.appliedIndex(), snapshot.getIndex());
            opened.close();
            replaceFile(snapshot.getFile().getPath());
            opened = new LedgerCore(LedgerStore.open(dataDir), bundle, Set.of(), callbacks::headMismatch, listeners);
        }
        core = opened;
        setLastAppliedTermIndex(TermIndex.valueOf(core.appliedTerm(), core.appliedIndex()));
        loaded.complete(null);
    }

    /**
     * Replaces ledger.db with a copy of {@code source}, crash-safely: copy to a temporary file,
     * sync it, rename it over the old file atomically, sync the directory.
     */
    private void replaceFile(Path source) {
        Path db = dataDir.resolve(LedgerStore.FILE_NAME);
        Path temp = dataDir.resolve(LedgerStore.FILE_NAME + ".installing");
        try {
            Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(db.resolveSibling(LedgerStore.FILE_NAME + "-wal"));
            Files.deleteIfExists(db.resolveSibling(LedgerStore.FILE_NAME + "-shm"));
            Fsync.publish(temp, db);
        } catch (IOException e) {
            throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "cannot install snapshot " + source + " into " + db + ": " + e.getMessage(), e);
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        return storage.getLatestSnapshot();
    }

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        byte[] stamped = Command.stamp(request.getMessage().getContent().toByteArray(), clock.instant());
        return TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request)
                .setLogData(ByteString.copyFrom(stamped)).build();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        long term = entry.getTerm();
        byte[] reply;
        if (index <= core.appliedIndex()) {
            // Replayed after a restart: the SQLite file already holds its effect. Ratis may hand
            // this reply to a client retrying the original request, so a batch answers with
            // where it was appended.
            reply = replayReply(entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
        } else {
            reply = apply(index, term, entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
            updateLastAppliedTermIndex(term, index);
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply)));
    }

    /**
     * Ratis reports log entries without state machine data (configuration, leader no-ops) here.
     * After a restart it replays them from the last snapshot, below the index the SQLite file
     * already holds; the applied index must not move backwards for them.
     */
    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || index > last.getIndex()) {
            updateLastAppliedTermIndex(term, index);
        }
    }

    private byte[] replayReply(ByteBuffer data) {
        try {
            if (data.get() != Command.BATCH) {
                return Command.ok();
            }
            data.getLong();
            Batch batch = EntryCodec.decodeBatch(data);
            return core.appendedAt(batch.id())
                    .map(first -> Command.appended(first, batch.submissions().size()))
                    .orElseGet(() -> Command.refused(LedgerException.Reason.DUPLICATE_BATCH, "batch " + batch.idHex() + " was refused when first applied"));
        } catch (RuntimeException e) {
            return Command.ok();
        }
    }

    private byte[] apply(long index, long term, ByteBuffer data) {
        try {
            byte kind = data.get();
            Instant at = Instant.ofEpochMilli(data.getLong());
            return apply(index, term, kind, at, data);
        } catch (java.nio.BufferUnderflowException e) {
            core.noop(index, term);
            return Command.refused(LedgerException.Reason.INVALID_FIELD, "command is truncated");
        }
    }

    private byte[] apply(long index, long term, byte kind, Instant at, ByteBuffer data) {
        try {
            switch (kind) {
                case Command.BATCH -> {
                    EntryCodec.SignedBatch signed = EntryCodec.decodeSignedBatch(data);
                    LedgerCore.Outcome outcome = core.applyBatch(index, term, signed.batch(), signed.body(), at);
                    return switch (outcome) {
                        case LedgerCore.Outcome.Appended a -> Command.appended(a.firstSeq(), a.count());
                        case LedgerCore.Outcome.Refused r -> Command.refused(r.reason(), r.message());
                    };
                }
                case Command.REGISTER -> {
                    byte[] json = new byte[data.remaining()];
                    data.get(json);
                    PqIdentityDocument doc = PqIdentityDocument.fromJson("registered identity", new String(json, StandardCharsets.UTF_8));
                    return core.register(index, term, doc, at)
                            .map(problem -> Command.refused(LedgerException.Reason.UNKNOWN_SUBMITTER, problem))
                            .orElse(Command.ok());
                }
                case Command.COSIGN -> {
                    return core.cosign(index, term, Command.decodeCosign(data))
                            .map(problem -> Command.refused(LedgerException.Reason.INVALID_SIGNATURE, problem))
                            .orElse(Command.ok());
                }
                case Command.CHECKPOINT -> {
                    core.noop(index, term);
                    TreeHead head = core.head();
                    if (head.size() > 0) {
                        callbacks.checkpointDue(head);
                    }
                    return Command.ok();
                }
                default -> {
                    core.noop(index, term);
                    return Command.refused(LedgerException.Reason.INVALID_FIELD, "unknown command " + kind);
                }
            }
        } catch (LedgerException e) {
            if (e.reason() == LedgerException.Reason.UNAVAILABLE) {
                // The database failed: this replica must not pretend it applied the entry.
                throw e;
            }
            core.noop(index, term);
            return Command.refused(e.reason(), e.getMessage());
        } catch (RuntimeException e) {
            core.noop(index, term);
            return Command.refused(LedgerException.Reason.INVALID_FIELD, "command does not decode: " + e.getMessage());
        }
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return -1;
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        Path tmp = file.toPath().resolveSibling(file.getName() + ".tmp");
        Files.deleteIfExists(tmp);
        org.apache.ratis.io.MD5Hash md5;
        long started = clock.millis();
        long copied;
        long synced;
        try {
            // Only the copy holds the ledger's lock (readers wait for it), so it runs at this
            // thread's priority: deprioritised, it would keep the lock for as long as other work
            // kept the CPU. The sync waits for the disk with no lock held; the checksum reads the
            // whole file again and runs at the lowest priority (BackgroundPriority), so the node
            // keeps answering probes.
            core.copyTo(tmp);
            copied = clock.millis();
            Fsync.publish(tmp, file.toPath());
            synced = clock.millis();
            md5 = BackgroundPriority.run("ledger-snapshot-md5", () -> MD5FileUtil.computeAndSaveMd5ForFile(file));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp); // a failed copy (a full disk, say) must not stay behind under a name Ratis never cleans up
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while taking a snapshot", e);
        } catch (Exception e) {
            throw new IOException("snapshot failed: " + e.getMessage(), e);
        }
        // Ratis removes the snapshots beyond its retention (2, RaftLedger's properties) itself, after this returns.
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        LOG.info("ledger snapshot at index {} ({} entries, {} bytes; copy {} ms with the ledger locked, sync {} ms, checksum {} ms): {}",
                last.getIndex(), core.head().size(), file.length(), copied - started, synced - copied, clock.millis() - synced, file);
        return last.getIndex();
    }

    /** Called by Ratis after it installed a snapshot from the leader: reload from that file. */
    @Override
    public void reinitialize() throws IOException {
        SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
        if (snapshot != null && snapshot.getIndex() > core.appliedIndex()) {
            install(snapshot);
        }
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    private void install(SingleFileSnapshotInfo snapshot) {
        Path file = snapshot.getFile().getPath();
        LOG.info("installing ledger snapshot {} (index {})", file, snapshot.getIndex());
        core.close();
        replaceFile(file);
        load();
        listeners.forEach(Runnable::run);
    }

    /**
     * A configuration entry was applied (or arrived with a snapshot). The voters it names count
     * towards checkpoints from here on; Ratis applies it in log order with the commands, so every
     * replica records the change at the same tree size, and a replay after a restart records
     * nothing twice ({@link LedgerCore#setVoters}).
     */
    @Override
    public void notifyConfigurationChanged(long term, long index, RaftConfigurationProto conf) {
        java.util.List<Replica> voters = conf.getPeersList().stream().map(LedgerStateMachine::replica).toList();
        java.util.List<Replica> listening = conf.getListenersList().stream().map(LedgerStateMachine::replica).toList();
        boolean joint = !conf.getOldPeersList().isEmpty();
        if (!joint) {
            try {
                core().setVoters(index, voters.stream().map(r -> io.x0tta6bl4.identity.SpiffeId.node(bundle.trustDomain(), r.name()).toString())
                        .collect(java.util.stream.Collectors.toSet()));
            } catch (RuntimeException e) {
                LOG.warn("could not record the voters of configuration {}: {}", index, e.getMessage());
            }
        }
        try {
            callbacks.configurationChanged(voters, listening, joint);
        } catch (RuntimeException e) {
            // Ratis closes the replica when anything escapes its state machine updater.
            LOG.error("reacting to configuration {} failed; the replica goes on", index, e);
        }
    }

    private static Replica replica(RaftPeerProto p) {
        String address = p.getAddress();
        int colon = address.lastIndexOf(':');
        return new Replica(p.getId().toStringUtf8(), address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        callbacks.leaderChanged(Optional.ofNullable(newLeaderId).map(RaftPeerId::toString));
    }

    @Override
    public void close() throws IOException {
        super.close();
        if (core != null) {
            core.close();
        }
    }
}
