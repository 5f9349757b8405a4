package io.x0tta6bl4.ledger;

import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.SvidTls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
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
 * cosignature; a quorum of matching cosignatures makes a {@link Checkpoint}. A replica whose
 * signed root differs is reported as a SECURITY_EVENT entry.
 */
public final class RaftLedger implements Ledger {
    private static final Logger LOG = LoggerFactory.getLogger(RaftLedger.class);

    private final RaftLedgerConfig config;
    private final String selfId;
    private final RaftServer server;
    /** Replaced when Ratis closes it (see {@link #send}); guarded by {@code this} for replacement. */
    private volatile RaftClient client;
    private final java.util.function.Supplier<RaftClient> clients;
    private final LedgerStateMachine stateMachine;
    private final GroupCommitter committer;
    private final java.util.List<SubscriptionPump> subscriptions = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler;
    private final ExecutorService background;
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
            throw new IllegalArgumentException("credentials are for " + config.credentials().id() + ", not for ledger peer " + selfId);
        }
        Set<String> voters = config.peers().stream().filter(RaftLedgerConfig.Peer::voter)
                .map(p -> SpiffeId.node(domain, p.name()).toString()).collect(Collectors.toUnmodifiableSet());
        Set<String> members = config.peers().stream().map(p -> SpiffeId.node(domain, p.name()).toString())
                .collect(Collectors.toUnmodifiableSet());

        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("ledger-checkpoints").factory());
        this.background = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("ledger-bg-", 0).factory());
        this.stateMachine = new LedgerStateMachine(config.dataDir(), config.bundle(), voters, config.clock(), new Callbacks());

        RaftGroup group = RaftGroup.valueOf(groupId(domain), config.peers().stream().map(RaftLedger::peer).toList());
        RaftProperties properties = properties(config);
        Parameters parameters = tls(config, members);
        Files.createDirectories(config.dataDir());
        boolean existing = Files.isDirectory(config.dataDir().resolve("raft").resolve(group.getGroupId().getUuid().toString()));
        this.server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(config.self()))
                .setGroup(group)
                .setStateMachine(stateMachine)
                .setProperties(properties)
                .setParameters(parameters)
                .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                .build();
        this.clients = () -> RaftClient.newBuilder()
                .setProperties(properties)
                .setParameters(parameters)
                .setRaftGroup(group)
                .setClientId(ClientId.randomId())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                        Math.toIntExact(config.clientRetryBudget().toMillis() / RaftLedgerConfig.CLIENT_RETRY_SLEEP.toMillis()),
                        TimeDuration.valueOf(RaftLedgerConfig.CLIENT_RETRY_SLEEP.toMillis(), TimeUnit.MILLISECONDS)))
                .build();
        this.client = clients.get();
        server.start();
        this.registered = register();
        this.committer = new GroupCommitter(selfId, config.credentials().keys().signing(), config.random(),
                batch -> registration().thenCompose(ok -> send(Command.batch(batch))),
                new GroupCommitter.Limits(config.maxBatchEntries(), 8 << 20, config.maxBatchesInFlight()));
        long period = config.checkpointInterval().toMillis();
        scheduler.scheduleAtFixedRate(this::requestCheckpoint, period, period, TimeUnit.MILLISECONDS);
    }

    /** Starts this replica: opens (or creates) its data, joins the group and registers its identity. */
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

    private static RaftPeer peer(RaftLedgerConfig.Peer p) {
        return RaftPeer.newBuilder().setId(p.name()).setAddress(p.address())
                .setStartupRole(p.voter() ? RaftPeerRole.FOLLOWER : RaftPeerRole.LISTENER).build();
    }

    /**
     * This replica's snapshot interval: {@code snapshotEvery} plus a step of
     * {@code snapshotEvery / (2 x replicas)} per place of its name among the replicas' names, so
     * that replicas do not all snapshot at the same log index, at the same moment, on a shared
     * disk. (They meet again at common multiples of their intervals, 60,000 for the first and
     * third of five at the default, so a shared snapshot moment becomes rare, not impossible.)
     */
    static long snapshotThreshold(RaftLedgerConfig c) {
        List<String> names = c.peers().stream().map(RaftLedgerConfig.Peer::name).sorted().toList();
        return c.snapshotEvery() + names.indexOf(c.self()) * (c.snapshotEvery() / (2L * names.size()));
    }

    private static RaftProperties properties(RaftLedgerConfig c) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(c.dataDir().resolve("raft").toFile()));
        RaftLedgerConfig.Peer self = c.peers().stream().filter(x -> x.name().equals(c.self())).findFirst().orElseThrow();
        GrpcConfigKeys.Server.setHost(p, self.host());
        GrpcConfigKeys.Server.setPort(p, self.port());
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(400, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(800, TimeUnit.MILLISECONDS));
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

    private Parameters tls(RaftLedgerConfig c, Set<String> members) {
        var trust = SvidTls.trustManager(c.bundle(), c.clock(), id -> members.contains(id.toString()),
                r -> LOG.warn("ledger replica {} refused a TLS peer at {}: {}", c.self(), r.remote(), r.reason()));
        GrpcTlsConfig tls = new GrpcTlsConfig(SvidTls.keyManagers(c.credentials())[0], trust, true);
        Parameters parameters = new Parameters();
        GrpcConfigKeys.Server.setTlsConf(parameters, tls);
        GrpcConfigKeys.Client.setTlsConf(parameters, tls);
        GrpcConfigKeys.Admin.setTlsConf(parameters, tls);
        return parameters;
    }

    private CompletableFuture<Void> register() {
        return send(Command.register(config.credentials().identity().toJson())).thenAccept(outcome -> {
            if (outcome instanceof LedgerCore.Outcome.Refused r) {
                throw new LedgerException(r.reason(), "the ledger refused this node's identity: " + r.message());
            }
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
        client = clients.get();
        try {
            broken.close();
        } catch (IOException e) {
            LOG.debug("closing the replaced Raft client", e);
        }
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
            background.execute(() -> {
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
            background.execute(() -> append(new Submission(EntryType.SECURITY_EVENT, SpiffeId.parse(selfId), "TREE_HEAD_MISMATCH",
                    "ledger/tree/" + m.size(), "DETECTED", payload)).exceptionally(e -> {
                        LOG.error("could not record the tree head mismatch", e);
                        return null;
                    }));
        }

        @Override
        public void leaderChanged(Optional<String> newLeader) {
            leader = newLeader;
            newLeader.ifPresent(firstLeader::complete);
        }
    }

    private LedgerCore core() {
        return stateMachine.core();
    }

    /** Completes with the leader's name once one is elected and this node has registered. */
    public CompletableFuture<String> ready() {
        return registration().thenCompose(ok -> firstLeader);
    }

    @Override
    public CompletableFuture<List<Long>> appendAll(List<Submission> submissions) {
        return Appends.checked(config.bundle().trustDomain(), submissions, committer);
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
        if (fromSeq < 0) {
            throw new IllegalArgumentException("subscriptions start at a sequence number >= 0, got " + fromSeq);
        }
        SubscriptionPump pump = new SubscriptionPump(this::core, fromSeq, listener);
        subscriptions.add(pump);
        return pump;
    }

    @Override
    public boolean isLeader() {
        try {
            return server.getDivision(groupId(config.bundle().trustDomain())).getInfo().isLeader();
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
        synchronized (this) {
            closed = true;
        }
        subscriptions.forEach(SubscriptionPump::close);
        scheduler.shutdownNow();
        committer.close();
        background.shutdownNow();
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
