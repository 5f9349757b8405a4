package io.x0tta6bl4.ledger;

import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.SvidTls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica of the ledger, replicated with Apache Ratis over gRPC in mutual TLS with the
 * nodes' X.509-SVIDs. No Ratis type leaves this package.
 *
 * <p>Writing: appends go through this node's {@link GroupCommitter}, which signs each batch with
 * the node's ML-DSA-65 key and sends it through its Raft client to the leader; the future
 * completes when the leader replies, which Ratis does once a majority of voters has the entry in
 * its log and the leader has applied it. This replica may apply it a moment later.
 *
 * <p>Vouching: every {@code checkpointInterval} the leader, if the tree grew, logs a CHECKPOINT
 * command. Each replica that applies it signs the head it has at that point and logs its
 * cosignature; a quorum of the voters in force at that size makes a {@link Checkpoint}. A
 * replica whose signed root differs is reported as a SECURITY_EVENT entry.
 *
 * <p><b>A group that changes shape.</b> A replica begins a group alone ({@link
 * RaftLedgerConfig.Start.Bootstrap}: it binds its port, then forms a one-voter group with the
 * address it got) or joins one ({@link RaftLedgerConfig.Start.Join}: it starts outside any
 * configuration and waits to be added). The group changes only through {@link #reconfigure},
 * one step at a time, on the leader; Ratis stages each newcomer until it has caught up before the
 * new configuration counts (etcd's learners-before-voters, built into Raft's joint consensus).
 * Two things Ratis 3.3 does not do by itself are done here, both measured on 3.3.0 with a
 * 7-replica group in one JVM (docs/ledger.md):
 * <ul>
 *   <li>a replica added as a listener while running keeps the role it started with (a follower
 *       waiting to be initialised), and a voter demoted to listener keeps its follower role: after
 *       a leader failure either would campaign, find itself outside the voters and shut its
 *       replica down. A replica whose committed configuration makes it a listener while it runs
 *       in another role therefore restarts its Raft server in place, which starts it as the
 *       listener its stored configuration says it is ({@link #realign});
 *   <li>a new replica's port is kept in {@code raft.port} in its data directory, because Ratis
 *       keeps addresses in the configuration and cannot change one in place.
 * </ul>
 */
public final class RaftLedger implements Ledger, ReplicaGroup {
    private static final Logger LOG = LoggerFactory.getLogger(RaftLedger.class);
    static final String PORT_FILE = "raft.port";

    private final RaftLedgerConfig config;
    private final String selfId;
    private final RaftGroupId groupId;
    private final RaftProperties properties;
    private final Parameters parameters;
    /** Replaced when this replica realigns its role (see {@link #realign}); readers take the current one. */
    private volatile RaftServer server;
    private volatile LedgerStateMachine stateMachine;
    private final int port;
    /** Told after every applied batch; shared by every core this replica opens, so subscriptions survive a snapshot or a realignment. */
    private final CopyOnWriteArrayList<Runnable> appendListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> groupListeners = new CopyOnWriteArrayList<>();
    /** The replicas this one knows of (its group, or its seeds before it has one), for new Raft clients. */
    private volatile List<Replica> known = List.of();
    /** Replaced when Ratis closes it (see {@link #send}); guarded by {@code this} for replacement. */
    private volatile RaftClient client;
    /** Clients replaced by a newer one, still finishing the requests they carry. */
    private final java.util.Set<RaftClient> replaced = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final GroupCommitter committer;
    private final java.util.List<SubscriptionPump> subscriptions = new CopyOnWriteArrayList<>();
    /** Short tasks, one at a time (checkpoint requests, group changes, client renewals, restarts in place). */
    private final io.x0tta6bl4.time.Scheduler tasks;
    /** Long-running loops: the group commit worker, one per subscription. */
    private final java.util.concurrent.Executor loops;
    /** What this replica made for itself ({@link RaftLedgerConfig.Threads.Own}) and stops when it closes. */
    private final List<AutoCloseable> ownThreads = new ArrayList<>();
    private final AtomicBoolean realigning = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicInteger realignments = new java.util.concurrent.atomic.AtomicInteger();
    private final Object restartLock = new Object();
    private volatile CompletableFuture<Void> registered;
    private final CompletableFuture<String> firstLeader = new CompletableFuture<>();
    private volatile Optional<String> leader = Optional.empty();
    private volatile long lastCheckpointRequest;
    private boolean closed;

    private RaftLedger(RaftLedgerConfig config) throws IOException {
        this.config = config;
        String domain = config.bundle().trustDomain();
        this.selfId = SpiffeId.node(domain, config.self()).toString();
        if (!config.credentials().id().toString().equals(selfId)) {
            throw new IllegalArgumentException("credentials are for " + config.credentials().id() + ", not for ledger replica " + selfId);
        }
        this.groupId = groupId(domain);
        switch (config.threads()) {
            case RaftLedgerConfig.Threads.Given g -> {
                this.tasks = g.tasks();
                this.loops = g.loops();
            }
            case RaftLedgerConfig.Threads.Own o -> {
                var own = new io.x0tta6bl4.time.ThreadScheduler("ledger-" + config.self(), Thread.NORM_PRIORITY,
                        e -> LOG.error("a task of ledger replica {} failed; it goes on", config.self(), e));
                ExecutorService ownLoops = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("ledger-loop-", 0).factory());
                this.tasks = own;
                this.loops = ownLoops;
                ownThreads.add(own);
                ownThreads.add(ownLoops::shutdownNow);
            }
        }
        Files.createDirectories(config.dataDir());
        boolean existing = Files.isDirectory(config.dataDir().resolve("raft").resolve(groupId.getUuid().toString()));
        int wanted = config.port() != 0 ? config.port() : existing ? recordedPort() : 0;
        this.properties = properties(config, wanted);
        this.parameters = tls(config);
        this.stateMachine = newStateMachine();
        boolean bootstrap = !existing && config.start() instanceof RaftLedgerConfig.Start.Bootstrap;
        this.server = newServer(stateMachine, !bootstrap);
        server.start();
        this.port = server.getServerRpc().getInetSocketAddress().getPort();
        GrpcConfigKeys.Server.setPort(properties, port); // a restart in place (realign) must come back on the same port
        recordPort(port);
        Replica self = new Replica(config.self(), config.host(), port);
        if (bootstrap) {
            formGroup(self);
        }
        List<Replica> seeds = config.start() instanceof RaftLedgerConfig.Start.Join j ? j.seeds() : List.of();
        if (!existing) {
            this.known = seeds.isEmpty() ? List.of(self) : seeds;
        } else {
            List<Replica> stored = known.isEmpty() ? fromConf() : known;
            if (stored.stream().noneMatch(r -> r.name().equals(config.self()))) {
                // Restarted before the group added it (a joiner that crashed while it waited):
                // the group is still reached through the seeds.
                List<Replica> route = new ArrayList<>(stored);
                seeds.stream().filter(r -> !route.contains(r)).forEach(route::add);
                stored = route.isEmpty() ? List.of(self) : route;
            }
            this.known = stored;
        }
        this.client = newClient(known);
        this.registered = register();
        this.committer = new GroupCommitter(selfId, config.credentials().keys().signing(), config.random(),
                batch -> registration().thenCompose(ok -> send(Command.batch(batch))),
                new GroupCommitter.Limits(config.maxBatchEntries(), 8 << 20, config.maxBatchesInFlight()), loops);
        checkpointEvery(config.checkpointInterval().toNanos());
    }

    /** Starts this replica: opens (or creates) its data, joins or forms the group and registers its identity. */
    public static RaftLedger start(RaftLedgerConfig config) {
        try {
            return new RaftLedger(config);
        } catch (IOException e) {
            throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "cannot start ledger replica " + config.self() + ": " + e.getMessage(), e);
        }
    }

    static RaftGroupId groupId(String trustDomain) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("x0tta6bl4 ledger " + trustDomain).getBytes(StandardCharsets.UTF_8)));
    }

    private LedgerStateMachine newStateMachine() {
        return new LedgerStateMachine(config.dataDir(), config.bundle(), config.clock(), new Callbacks(), appendListeners);
    }

    /**
     * A Raft server for this replica. With {@code inGroup} it serves the group from the start: the
     * one in its data directory, or, for a new replica, an empty one it is added to later. Without,
     * it serves none until {@link #formGroup} adds one.
     */
    private RaftServer newServer(LedgerStateMachine sm, boolean inGroup) throws IOException {
        RaftServer.Builder b = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(config.self()))
                .setProperties(properties)
                .setParameters(parameters)
                .setOption(RaftStorage.StartupOption.RECOVER);
        if (inGroup) {
            b.setGroup(RaftGroup.valueOf(groupId)).setStateMachine(sm);
        } else {
            b.setStateMachineRegistry(id -> sm);
        }
        return b.build();
    }

    /** Forms a new group whose only voter is this replica, at the address its server bound. */
    private void formGroup(Replica self) throws IOException {
        RaftGroup group = RaftGroup.valueOf(groupId, peer(self, false));
        try (RaftClient admin = RaftClient.newBuilder().setProperties(properties).setParameters(parameters).setRaftGroup(group)
                .setClientId(ClientId.randomId()).build()) {
            RaftClientReply reply = admin.getGroupManagementApi(RaftPeerId.valueOf(config.self())).add(group, true);
            if (!reply.isSuccess()) {
                throw new IOException("cannot form the ledger group: " + reply.getException());
            }
        }
        LOG.info("ledger replica {} formed a new group as its only voter at {}", config.self(), self.address());
    }

    private int recordedPort() {
        Path file = config.dataDir().resolve(PORT_FILE);
        try {
            return Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IOException | NumberFormatException e) {
            throw new LedgerException(LedgerException.Reason.UNAVAILABLE, file + " does not hold the port this replica's group knows it by ("
                    + e.getMessage() + "); the group's configuration is in " + config.dataDir().resolve("raft") + ", so set the port explicitly");
        }
    }

    private void recordPort(int bound) throws IOException {
        Path file = config.dataDir().resolve(PORT_FILE);
        Path tmp = file.resolveSibling(PORT_FILE + ".tmp");
        Files.writeString(tmp, bound + "\n", StandardCharsets.US_ASCII);
        Fsync.publish(tmp, file);
    }

    private static RaftPeer peer(Replica r, boolean listener) {
        return RaftPeer.newBuilder().setId(r.name()).setAddress(r.address())
                .setStartupRole(listener ? RaftPeerRole.LISTENER : RaftPeerRole.FOLLOWER).build();
    }

    private static Replica replica(RaftPeer p) {
        String address = p.getAddress();
        int colon = address.lastIndexOf(':');
        return new Replica(p.getId().toString(), address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }

    /**
     * This replica's snapshot interval: {@code snapshotEvery} plus a step of a tenth of it chosen
     * by its name, so that replicas do not all snapshot at the same log index, at the same moment,
     * on a shared disk. (Replicas with the same step, or whose intervals meet at a common
     * multiple, still snapshot together now and then; rarely, not never.)
     */
    static long snapshotThreshold(RaftLedgerConfig c) {
        return c.snapshotEvery() + Math.floorMod(c.self().hashCode(), 5) * (c.snapshotEvery() / 10);
    }

    private static RaftProperties properties(RaftLedgerConfig c, int port) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(c.dataDir().resolve("raft").toFile()));
        GrpcConfigKeys.Server.setHost(p, c.host());
        GrpcConfigKeys.Server.setPort(p, port);
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(400, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(800, TimeUnit.MILLISECONDS));
        // A replica being added has this long to answer before Raft gives the change up (its
        // default, 3 election timeouts, is 2.4 s here: less than a fresh JVM on a loaded machine
        // takes to write its first appendEntries of many megabytes).
        RaftServerConfigKeys.setStagingTimeout(p, TimeDuration.valueOf(20, TimeUnit.SECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, snapshotThreshold(c));
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(Integer.MAX_VALUE, c.snapshotEvery()));
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(c.logSegmentBytes()));
        // A batch of maxBatchEntries fits one appender buffer; the write buffer must exceed it.
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf("16MB"));
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf("24MB"));
        GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf("64MB"));
        return p;
    }

    /**
     * Who may open a Raft connection: whom the configuration admits, and, whatever it says, every
     * replica of the group's current configuration. A member the mesh fences is refused only once
     * the group has removed it: refused earlier, a fenced leader could not commit its own removal
     * and the group would be left without a quorum.
     */
    private boolean admitted(SpiffeId id) {
        if (config.admitted().test(id)) {
            return true;
        }
        String path = id.path();
        String name = path.startsWith("/node/") ? path.substring("/node/".length()) : null;
        return name != null && id.memberOf(config.bundle().trustDomain()) && known.stream().anyMatch(r -> r.name().equals(name));
    }

    private Parameters tls(RaftLedgerConfig c) {
        var trust = SvidTls.trustManager(c.bundle(), c.clock(), this::admitted,
                r -> LOG.warn("ledger replica {} refused a TLS peer at {}: {}", c.self(), r.remote(), r.reason()));
        GrpcTlsConfig tls = new GrpcTlsConfig(SvidTls.keyManagers(c.credentials())[0], trust, true);
        Parameters parameters = new Parameters();
        GrpcConfigKeys.Server.setTlsConf(parameters, tls);
        GrpcConfigKeys.Client.setTlsConf(parameters, tls);
        GrpcConfigKeys.Admin.setTlsConf(parameters, tls);
        return parameters;
    }

    private RaftClient newClient(List<Replica> peers) {
        return RaftClient.newBuilder()
                .setProperties(properties)
                .setParameters(parameters)
                .setRaftGroup(RaftGroup.valueOf(groupId, peers.stream().map(r -> peer(r, false)).toList()))
                .setClientId(ClientId.randomId())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                        Math.toIntExact(config.clientRetryBudget().toMillis() / RaftLedgerConfig.CLIENT_RETRY_SLEEP.toMillis()),
                        TimeDuration.valueOf(RaftLedgerConfig.CLIENT_RETRY_SLEEP.toMillis(), TimeUnit.MILLISECONDS)))
                .build();
    }

    private CompletableFuture<Void> register() {
        return send(Command.register(config.credentials().identity().toJson())).handle((outcome, error) -> {
            if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
                if (cause instanceof LedgerException le) {
                    throw le;
                }
                throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "could not register with the ledger group through "
                        + known.stream().map(Replica::toString).toList() + ": " + cause.getMessage(), cause);
            }
            if (outcome instanceof LedgerCore.Outcome.Refused r) {
                throw new LedgerException(r.reason(), "the ledger refused this node's identity: " + r.message());
            }
            return null;
        });
    }

    /**
     * The current registration; if the last attempt failed for want of a quorum (the group was
     * not up within the client's retries), a new attempt starts, so a replica that started long
     * before its peers still joins. A refusal by the ledger stays final.
     */
    private synchronized CompletableFuture<Void> registration() {
        CompletableFuture<Void> current = registered;
        if (current.isCompletedExceptionally()) {
            Throwable cause = current.exceptionNow();
            while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (!(cause instanceof LedgerException le && le.reason() == LedgerException.Reason.UNKNOWN_SUBMITTER)) {
                LOG.info("ledger replica {}: registering its identity again ({})", config.self(), cause.toString());
                registered = current = register();
            }
        }
        return current;
    }

    /**
     * Sends one command through the Raft client. When a request exhausts the client's retries (no
     * quorum for 30 s), Ratis closes the client's sliding window and fails every later request
     * with "SlidingWindow$Client ... is closed", for ever: a replica started long before its peers
     * could then never write again. Such a client is replaced, so the next send works.
     */
    private CompletableFuture<LedgerCore.Outcome> send(byte[] command) {
        RaftClient c = client;
        return c.async().send(Message.valueOf(ByteString.copyFrom(command))).whenComplete((reply, error) -> {
            if (error != null && closedClient(error)) {
                replace(c);
            }
        }).thenApply(reply -> {
            if (!reply.isSuccess()) {
                throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "Raft refused the request: " + reply.getException());
            }
            return Command.outcome(reply.getMessage().getContent().asReadOnlyByteBuffer());
        });
    }

    private static boolean closedClient(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof org.apache.ratis.protocol.exceptions.AlreadyClosedException
                    || t instanceof org.apache.ratis.protocol.exceptions.RaftRetryFailureException) {
                return true;
            }
        }
        return false;
    }

    private synchronized void replace(RaftClient broken) {
        if (client != broken || closed) {
            return; // already replaced, or shutting down
        }
        LOG.info("ledger replica {}: the Raft client gave up (no quorum within its retries); starting a new one", config.self());
        client = newClient(known);
        try {
            broken.close();
        } catch (IOException e) {
            LOG.debug("closing the replaced Raft client", e);
        }
    }

    /**
     * A Raft client knows the replicas it was made with and learns others only from a refusal
     * that names the leader; one made with a single seed would keep trying that seed for ever
     * once it died. So when the group changes, requests go to a new client that knows it; the old
     * one is closed once the requests it still carries have had their retry budget.
     */
    private void refreshClient() {
        RaftClient old;
        synchronized (this) {
            if (closed) {
                return;
            }
            old = client;
            if (old == null) {
                return;
            }
            client = newClient(known);
        }
        // The old client is closed once its requests have had their retry budget; if this
        // replica closes first, close() takes it too.
        replaced.add(old);
        tasks.schedule(config.clientRetryBudget().plusSeconds(5).toNanos(), () -> {
            if (replaced.remove(old)) {
                try {
                    old.close();
                } catch (IOException e) {
                    LOG.debug("closing a replaced Raft client", e);
                }
            }
        });
    }

    private void checkpointEvery(long periodNanos) {
        tasks.schedule(periodNanos, () -> {
            if (closed()) {
                return;
            }
            try {
                requestCheckpoint();
            } finally {
                checkpointEvery(periodNanos);
            }
        });
    }

    private synchronized boolean closed() {
        return closed;
    }

    private void requestCheckpoint() {
        try {
            if (!isLeader()) {
                return;
            }
            long size = core().head().size();
            if (size > lastCheckpointRequest) {
                lastCheckpointRequest = size;
                send(Command.checkpoint()).exceptionally(e -> {
                    LOG.debug("checkpoint request failed: {}", e.toString());
                    return null;
                });
            }
        } catch (RuntimeException e) {
            LOG.warn("checkpoint request failed", e);
        }
    }

    private final class Callbacks implements LedgerStateMachine.Callbacks {
        @Override
        public void checkpointDue(TreeHead head) {
            tasks.execute(() -> {
                byte[] sig = config.credentials().keys().signing().sign(
                        EntryCodec.treeHead(config.bundle().trustDomain(), head.size(), head.root()), config.random());
                send(Command.cosign(new Cosignature(selfId, head, sig))).whenComplete((outcome, e) -> {
                    if (e != null) {
                        LOG.debug("cosignature for size {} not delivered: {}", head.size(), e.toString());
                    } else if (outcome instanceof LedgerCore.Outcome.Refused r) {
                        LOG.warn("cosignature for size {} refused: {}", head.size(), r.message());
                    }
                });
            });
        }

        @Override
        public void headMismatch(LedgerCore.HeadMismatch m) {
            HexFormat hex = HexFormat.of();
            LOG.error("SECURITY: replica {} signed root {} at size {}, this replica has {}", m.signer(), hex.formatHex(m.theirRoot()),
                    m.size(), hex.formatHex(m.ourRoot()));
            if (!isLeader()) {
                return;
            }
            String payload = "{\"kind\":\"TREE_HEAD_MISMATCH\",\"signer\":\"" + m.signer() + "\",\"size\":" + m.size()
                    + ",\"their_root\":\"" + hex.formatHex(m.theirRoot()) + "\",\"our_root\":\"" + hex.formatHex(m.ourRoot()) + "\"}";
            tasks.execute(() -> append(new Submission(EntryType.SECURITY_EVENT, SpiffeId.parse(selfId), "TREE_HEAD_MISMATCH",
                    "ledger/tree/" + m.size(), "DETECTED", payload)).exceptionally(e -> {
                        LOG.error("could not record the tree head mismatch", e);
                        return null;
                    }));
        }

        @Override
        public void leaderChanged(Optional<String> newLeader) {
            leader = newLeader;
            newLeader.ifPresent(firstLeader::complete);
            groupListeners.forEach(RaftLedger::quietly);
        }

        @Override
        public void configurationChanged(List<Replica> voters, List<Replica> listeners, boolean joint) {
            List<Replica> all = new ArrayList<>(voters);
            all.addAll(listeners);
            // Also called while the server starts and replays its log, before this replica has a client.
            if (!all.isEmpty() && !new java.util.HashSet<>(all).equals(new java.util.HashSet<>(known))) {
                known = all;
                if (client != null) {
                    tasks.execute(RaftLedger.this::refreshClient);
                }
            }
            groupListeners.forEach(RaftLedger::quietly);
            if (!joint && listeners.stream().anyMatch(r -> r.name().equals(config.self()))) {
                tasks.execute(RaftLedger.this::realign);
            }
        }

        @Override
        public void shutDownByRaft() {
            tasks.execute(RaftLedger.this::revive);
        }
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("a ledger group listener failed", e);
        }
    }

    /**
     * Restarts this replica's Raft server in place if it runs in another role than the listener
     * its committed configuration makes it (see the class comment). The data, the client, the
     * subscriptions and the port stay; readers wait for the reopened state while it restarts.
     *
     * <p>The trigger may be a configuration replayed from the log after a restart, long since
     * replaced; so the decision is taken on the configuration the server holds now: committed,
     * not joint, naming this replica a listener and not a voter, while it runs as a follower or a
     * candidate (never the leader). A restart that fails is tried again, 1 s, 2 s, … 30 s apart,
     * and until one succeeds every reader is told the ledger is unavailable rather than left
     * waiting.
     */
    void realign() {
        RaftServer current = server;
        RaftPeerRole role;
        try {
            var division = current.getDivision(groupId);
            RaftConfiguration conf = division.getRaftConf();
            if (division.getRaftLog().getLastCommittedIndex() < conf.getLogEntryIndex() || !conf.getPreviousPeers().isEmpty()) {
                return; // not committed yet, or joint: the next change of configuration comes back here
            }
            RaftPeerId me = RaftPeerId.valueOf(config.self());
            boolean listener = conf.getCurrentPeers(RaftPeerRole.LISTENER).stream().anyMatch(p -> p.getId().equals(me));
            boolean voter = conf.getCurrentPeers(RaftPeerRole.FOLLOWER).stream().anyMatch(p -> p.getId().equals(me));
            role = division.getInfo().getCurrentRole();
            if (!listener || voter || (role != RaftPeerRole.FOLLOWER && role != RaftPeerRole.CANDIDATE)) {
                return;
            }
        } catch (IOException | RuntimeException e) {
            return;
        }
        if (!realigning.compareAndSet(false, true)) {
            return;
        }
        LOG.info("ledger replica {} is a listener of the group but runs as a {}; restarting its Raft server so it serves as a listener",
                config.self(), role.name().toLowerCase(java.util.Locale.ROOT));
        restart(current, 0);
    }

    /**
     * Raft closed this replica's division: it was removed from the group (fenced, say), campaigned
     * and was told it is outside the configuration. A closed division never serves again, so the
     * group could not add the replica back (a readmitted member). Its Raft server is restarted in
     * place; outside the configuration it starts waiting to be added, as a joiner does, and does
     * not campaign.
     */
    void revive() {
        if (closed || !realigning.compareAndSet(false, true)) {
            return;
        }
        LOG.info("ledger replica {} is outside the group's configuration and Raft closed it; restarting its Raft server so the group can add it again",
                config.self());
        restart(server, 0);
    }

    /** Replaces {@code current} by a new Raft server on the same port and data; see {@link #realign} and {@link #revive}. */
    private void restart(RaftServer current, int attempt) {
        boolean again = false;
        // Its own lock: appends take this replica's monitor (registration, client renewal) and
        // must not wait for a Raft server to close and start.
        synchronized (restartLock) {
            if (closed || server != current) {
                realigning.set(false);
                return;
            }
            LedgerStateMachine next = newStateMachine();
            try {
                if (attempt == 0) {
                    realignments.incrementAndGet();
                    current.close();
                }
                stateMachine = next;
                RaftServer started = newServer(next, true);
                server = started;
                started.start();
                realigning.set(false);
                if (attempt > 0) {
                    LOG.info("ledger replica {} serves again, as a listener (attempt {})", config.self(), attempt + 1);
                }
            } catch (IOException | RuntimeException e) {
                next.fail(new LedgerException(LedgerException.Reason.UNAVAILABLE, "ledger replica " + config.self()
                        + " could not restart its Raft server (" + e.getMessage() + "); it tries again"));
                LOG.error("ledger replica {} could not restart its Raft server as a listener (attempt {}); trying again", config.self(), attempt + 1, e);
                again = true;
            }
        }
        if (again) {
            RaftServer failed = server;
            long delay = Math.min(30, 1L << Math.min(attempt, 5));
            tasks.schedule(TimeUnit.SECONDS.toNanos(delay), () -> {
                try {
                    failed.close();
                } catch (IOException | RuntimeException ignored) {
                    // it never started
                }
                restart(failed, attempt + 1);
            });
        }
    }

    /** How many times this replica restarted its Raft server in place (see {@link #realign} and {@link #revive}). */
    int realignments() {
        return realignments.get();
    }

    private LedgerCore core() {
        return stateMachine.core();
    }

    /** Completes with the leader's name once one is elected and this node has registered. */
    public CompletableFuture<String> ready() {
        return registration().thenCompose(ok -> firstLeader);
    }

    /** This replica's Raft role now: LEADER, FOLLOWER, CANDIDATE or LISTENER (for the node's view and diagnostics). */
    public String role() {
        try {
            return server.getDivision(groupId).getInfo().getCurrentRole().name();
        } catch (IOException | RuntimeException e) {
            return "NONE";
        }
    }

    /** The port this replica's Raft server listens on. */
    public int port() {
        return port;
    }

    /** This replica as the group knows it. */
    public Replica self() {
        return new Replica(config.self(), config.host(), port);
    }

    /** The replicas of the newest configuration this replica holds, from its storage. */
    private List<Replica> fromConf() {
        try {
            RaftConfiguration conf = server.getDivision(groupId).getRaftConf();
            List<Replica> all = new ArrayList<>();
            conf.getAllPeers(RaftPeerRole.FOLLOWER).forEach(p -> all.add(replica(p)));
            conf.getAllPeers(RaftPeerRole.LISTENER).forEach(p -> all.add(replica(p)));
            return all;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    @Override
    public GroupView group() {
        try {
            var division = server.getDivision(groupId);
            RaftConfiguration conf = division.getRaftConf();
            List<Replica> voters = conf.getCurrentPeers(RaftPeerRole.FOLLOWER).stream().map(RaftLedger::replica).toList();
            List<Replica> listeners = conf.getCurrentPeers(RaftPeerRole.LISTENER).stream().map(RaftLedger::replica).toList();
            long committed = division.getRaftLog().getLastCommittedIndex();
            boolean changing = !conf.getPreviousPeers().isEmpty() || conf.getLogEntryIndex() > committed;
            boolean leading = division.getInfo().isLeader();
            Map<String, Long> commits = new LinkedHashMap<>();
            if (leading) {
                for (CommitInfoProto c : division.getCommitInfos()) {
                    commits.put(c.getServer().getId().toStringUtf8(), c.getCommitIndex());
                }
            }
            return new GroupView(voters, listeners, changing, leader, leading, committed, commits);
        } catch (IOException | RuntimeException e) {
            // no division (closed, or restarting in place): this replica knows no group right now
            return new GroupView(List.of(), List.of(), false, leader, false, -1, Map.of());
        }
    }

    @Override
    public CompletableFuture<Void> reconfigure(List<Replica> voters, List<Replica> listeners) {
        if (voters.isEmpty() || voters.size() > RaftLedgerConfig.MAX_VOTERS) {
            return CompletableFuture.failedFuture(new LedgerException(LedgerException.Reason.INVALID_FIELD,
                    "a ledger group has 1.." + RaftLedgerConfig.MAX_VOTERS + " voters, asked for " + voters.size()));
        }
        List<RaftPeer> servers = voters.stream().map(r -> peer(r, false)).toList();
        List<RaftPeer> listening = listeners.stream().map(r -> peer(r, true)).toList();
        return CompletableFuture.supplyAsync(() -> {
            // Its own client with few retries: Ratis' blocking admin call retries a change that
            // is already under way for as long as its policy allows, and this caller will simply
            // try again when the group next changes.
            List<Replica> route = new ArrayList<>(known);
            route.add(self());
            try (RaftClient admin = RaftClient.newBuilder().setProperties(properties).setParameters(parameters)
                    .setRaftGroup(RaftGroup.valueOf(groupId, route.stream().distinct().map(r -> peer(r, false)).toList()))
                    .setClientId(ClientId.randomId())
                    .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(3, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                    .build()) {
                RaftClientReply reply = admin.admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                        .setServersInNewConf(servers).setListenersInNewConf(listening).build());
                if (!reply.isSuccess()) {
                    throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "the group refused the configuration: " + reply.getException());
                }
                return null;
            } catch (IOException e) {
                throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "the group did not take the configuration: " + e.getMessage(), e);
            }
        }, loops);
    }

    /**
     * Asks the leader to add this replica to the group as it is now (Ratis' ADD mode, which needs
     * no knowledge of the current configuration): for a replica that joins without a membership
     * to add it, such as {@code ledger serve --join}. Completes when the change is committed.
     */
    public CompletableFuture<Void> addSelf(boolean voter) {
        List<RaftPeer> me = List.of(peer(self(), !voter));
        return CompletableFuture.supplyAsync(() -> {
            try (RaftClient admin = RaftClient.newBuilder().setProperties(properties).setParameters(parameters)
                    .setRaftGroup(RaftGroup.valueOf(groupId, known.stream().map(r -> peer(r, false)).toList()))
                    .setClientId(ClientId.randomId())
                    .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(50, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                    .build()) {
                SetConfigurationRequest.Arguments.Builder args = SetConfigurationRequest.Arguments.newBuilder()
                        .setMode(SetConfigurationRequest.Mode.ADD);
                if (voter) {
                    args.setServersInNewConf(me);
                } else {
                    args.setServersInNewConf(List.of()).setListenersInNewConf(me);
                }
                RaftClientReply reply = admin.admin().setConfiguration(args.build());
                if (!reply.isSuccess()) {
                    throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "the group did not add " + config.self() + ": " + reply.getException());
                }
                return null;
            } catch (IOException e) {
                throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "the group did not add " + config.self() + ": " + e.getMessage(), e);
            }
        }, loops);
    }

    @Override
    public void onChange(Runnable listener) {
        groupListeners.add(listener);
    }

    @Override
    public CompletableFuture<List<Long>> appendAll(List<Submission> submissions) {
        return Appends.checked(config.bundle().trustDomain(), submissions, committer);
    }

    /** Appends submitted by this node that are not committed yet: what waits in its commit queue. */
    public int pendingAppends() {
        return committer.pending();
    }

    @Override
    public List<LedgerEntry> query(LedgerQuery query) {
        return core().query(query);
    }

    @Override
    public Optional<LedgerEntry> entry(long seq) {
        return core().entry(seq);
    }

    @Override
    public TreeHead head() {
        return core().head();
    }

    @Override
    public InclusionProof inclusionProof(long seq, long treeSize) {
        return core().inclusionProof(seq, treeSize);
    }

    @Override
    public ConsistencyProof consistencyProof(long oldSize, long newSize) {
        return core().consistencyProof(oldSize, newSize);
    }

    @Override
    public Optional<Checkpoint> latestCheckpoint() {
        return core().latestCheckpoint();
    }

    @Override
    public Subscription subscribe(long fromSeq, Consumer<LedgerEntry> listener) {
        return subscribe(LedgerQuery.all(fromSeq, 1), listener);
    }

    @Override
    public Subscription subscribe(LedgerQuery filter, Consumer<LedgerEntry> listener) {
        Supplier<LedgerCore> current = this::core;
        SubscriptionPump pump = new SubscriptionPump(current, filter, listener, subscriptions::remove, loops);
        subscriptions.add(pump);
        return pump;
    }

    @Override
    public boolean isLeader() {
        try {
            return server.getDivision(groupId).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public Optional<String> leader() {
        return leader;
    }

    @Override
    public void close() {
        synchronized (restartLock) {
            synchronized (this) {
                closed = true;
            }
        }
        subscriptions.forEach(SubscriptionPump::close);
        committer.close();
        for (AutoCloseable own : ownThreads) {
            try {
                own.close();
            } catch (Exception e) {
                LOG.warn("stopping the ledger's threads", e);
            }
        }
        for (RaftClient old : List.copyOf(replaced)) {
            try {
                old.close();
            } catch (IOException e) {
                LOG.debug("closing a replaced Raft client", e);
            }
        }
        try {
            client.close();
        } catch (IOException e) {
            LOG.warn("closing the ledger client", e);
        }
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("closing the ledger replica", e);
        }
    }
}
