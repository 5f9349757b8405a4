package io.x0tta6bl4.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.api.ApiServer;
import io.x0tta6bl4.identity.CredentialFileException;
import io.x0tta6bl4.identity.JwtSvidVerifier;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.TrustBundle;
import io.x0tta6bl4.ledger.RaftLedger;
import io.x0tta6bl4.ledger.RaftLedgerConfig;
import io.x0tta6bl4.monitor.DiskLatencyProbe;
import io.x0tta6bl4.monitor.FailureDetector;
import io.x0tta6bl4.monitor.LoadSampler;
import io.x0tta6bl4.monitor.LoadSources;
import io.x0tta6bl4.monitor.PeerState;
import io.x0tta6bl4.monitor.PeerWatch;
import io.x0tta6bl4.monitor.Prober;
import io.x0tta6bl4.monitor.RequestStats;
import io.x0tta6bl4.transport.PeerClient;
import io.x0tta6bl4.transport.PeerServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: the composition root of a node process. {@link #start} brings the parts up
 * in dependency order (identity, ledger replica, metrics, peer listener, prober, load sampler,
 * API) and {@link #close} takes them down in reverse, so a stopped node has no thread, socket or
 * file left open.
 *
 * <p>Threads: the prober's scheduler ("probe-scheduler", maximum priority, the only thread that
 * touches the failure detector), the load sampler ("load-sampler", every 100 ms), the disk probe
 * ("disk-probe", every second, since an fsync can take long), the policy fold ("policy-refresh",
 * every 500 ms), platform threads for blocking peer calls ("probe-call-N") and for the held
 * watch request on each peer ("peer-watch-N", see {@link PeerWatch}), virtual threads for HTTP
 * requests, and Ratis' own.
 */
public final class NodeAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration SAMPLE_EVERY = Duration.ofMillis(100);
    static final Duration DISK_PROBE_EVERY = Duration.ofSeconds(1);
    /** How long a peer not heard from since this node started stays UNKNOWN before it may be judged down. */
    static final Duration JOIN_GRACE = Duration.ofSeconds(30);
    static final int WARM_UP_PROBES = 300;
    /** How often the policy fold looks for new POLICY_CHANGE entries (a change takes effect within this). */
    static final Duration POLICY_REFRESH_EVERY = Duration.ofMillis(500);
    /** How much longer than the peers' watch hold a watch call may wait for its answer. */
    static final Duration WATCH_MARGIN = Duration.ofSeconds(5);
    /** The pause after a peer's watch broke before it is watched again (one attempt per this while it is down). */
    static final Duration WATCH_RETRY = Duration.ofSeconds(1);
    /** How long an API request waits for its audit entry to commit before it is answered 503. */
    static final Duration AUDIT_TIMEOUT = Duration.ofSeconds(5);

    private final NodeConfig config;
    private final SpiffeId id;
    private final List<AutoCloseable> parts = new ArrayList<>();
    private RaftLedger ledger;
    private Observations observations;
    private LoadSampler sampler;
    private Prober prober;
    private PeerServer peerServer;
    private ApiServer api;
    private PolicyStore policy;
    /** Peers get answers only once this node is warm (see {@link #warmUp}); until then, 503. */
    private volatile boolean ready;

    private NodeAgent(NodeConfig config) {
        this.config = config;
        this.id = SpiffeId.node(config.trustDomain(), config.name());
    }

    /**
     * Starts every part; on a failure, stops what already started and rethrows. A missing or
     * foreign credential is a {@link ConfigException} naming the file.
     */
    public static NodeAgent start(NodeConfig config, InstantSource clock, LongSupplier nanoTime) {
        NodeAgent agent = new NodeAgent(config);
        try {
            agent.startParts(clock, nanoTime);
            return agent;
        } catch (RuntimeException e) {
            agent.close();
            throw e;
        }
    }

    private void startParts(InstantSource clock, LongSupplier nanoTime) {
        TrustBundle bundle;
        NodeCredentials creds;
        Path nodeDir = config.caDir().resolve("nodes").resolve(config.name());
        try {
            bundle = TrustBundle.load(config.caDir());
            creds = NodeCredentials.load(nodeDir);
        } catch (CredentialFileException | IllegalArgumentException e) {
            throw new ConfigException(config.source(), List.of(config.source() + ": ca_dir: " + e.getMessage()
                    + " (issue this node's credentials with: x0tta6bl4 ca issue-node --dir " + config.caDir() + " --name " + config.name() + ")"));
        }
        if (!bundle.trustDomain().equals(config.trustDomain())) {
            throw new ConfigException(config.source(), List.of(config.source() + ": trust_domain: '" + config.trustDomain()
                    + "' but the CA in " + config.caDir() + " is for '" + bundle.trustDomain() + "'"));
        }
        if (!creds.id().equals(id)) {
            throw new ConfigException(config.source(), List.of(config.source() + ": name: the credentials in " + nodeDir + " are for " + creds.id()
                    + ", not " + id));
        }
        try {
            Files.createDirectories(config.dataDir());
        } catch (java.io.IOException e) {
            throw new ConfigException(config.source(), List.of(config.source() + ": data_dir: cannot create " + config.dataDir() + ": " + e.getMessage()));
        }

        // TEMPORARY while membership is rebuilt: the lowest name bootstraps, the others join.
        List<io.x0tta6bl4.ledger.Replica> replicas = new ArrayList<>();
        config.peers().forEach(p -> replicas.add(new io.x0tta6bl4.ledger.Replica(p.name(), p.host(), p.raftPort())));
        boolean first = config.peers().stream().allMatch(p -> p.name().compareTo(config.name()) > 0);
        ledger = RaftLedger.start(RaftLedgerConfig.of(config.name(), config.dataDir(), first ? new RaftLedgerConfig.Start.Bootstrap()
                : new RaftLedgerConfig.Start.Join(replicas), creds, bundle, clock).withAddress(config.host(), config.ports().raft()));
        parts.add(ledger);

        RequestStats requests = new RequestStats(Duration.ofSeconds(10), 100);
        AtomicInteger inFlight = new AtomicInteger();
        DiskLatencyProbe disk = new DiskLatencyProbe(config.dataDir().resolve(".disk-probe"), nanoTime);
        sampler = new LoadSampler(LoadSources.jvm(), requests, inFlight::get, disk::latestMicros);

        List<String> peerNames = config.peers().stream().map(NodeConfig.Peer::name).toList();
        FailureDetector detector = new FailureDetector(config.detector(), peerNames, nanoTime.getAsLong(), JOIN_GRACE);
        Map<String, PeerState> initial = detector.states();
        Prober[] proberRef = new Prober[1];
        NodeMetrics metrics = new NodeMetrics(() -> proberRef[0] == null ? initial : proberRef[0].states(), sampler::latest, ledger);
        LedgerWriter writer = new LedgerWriter(ledger, metrics, nanoTime);
        observations = new Observations(config.name(), id, initial, clock, writer, metrics);
        SecurityEvents security = new SecurityEvents(config.name(), id, clock, writer, metrics);

        Set<SpiffeId> members = config.peers().stream().map(p -> SpiffeId.node(config.trustDomain(), p.name())).collect(Collectors.toCollection(java.util.HashSet::new));
        members.add(id); // for the warm-up below
        peerServer = PeerServer.start(config.host(), config.ports().peer(), creds, bundle, clock, members::contains, security::refusedClient,
                caller -> caller.equals(id) || ready ? probeAnswer() : null);
        parts.add(peerServer);

        // Two clients per peer: one for probes, one for its held watch request, which needs a read
        // timeout longer than the hold and the probes must not have.
        Map<String, PeerClient> clients = new LinkedHashMap<>();
        Map<String, PeerClient> watchClients = new LinkedHashMap<>();
        for (NodeConfig.Peer p : config.peers()) {
            SpiffeId peerId = SpiffeId.node(config.trustDomain(), p.name());
            PeerClient probes = PeerClient.create(p.name(), p.host(), p.peerPort(), creds, bundle, clock, peerId, Prober.SOCKET_TIMEOUT,
                    security::refusedServer);
            PeerClient watches = PeerClient.create(p.name(), p.host(), p.peerPort(), creds, bundle, clock, peerId,
                    PeerServer.WATCH_HOLD.plus(WATCH_MARGIN), security::refusedServer);
            clients.put(p.name(), probes);
            watchClients.put(p.name(), watches);
            parts.add(probes);
            parts.add(watches);
        }

        ScheduledExecutorService probeScheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = daemon(r, "probe-scheduler");
            t.setPriority(Thread.MAX_PRIORITY);
            return t;
        });
        // Platform threads, not virtual ones: a virtual thread needs a free carrier to see its
        // answer, and the two carriers of a small machine are shared with every HTTP request this
        // node serves. A probe whose answer had arrived but was not picked up within the 50 ms
        // deadline counted as a timeout. At most MAX_CALLS_IN_FLIGHT threads per peer exist.
        AtomicInteger callThreads = new AtomicInteger();
        ExecutorService calls = Executors.newCachedThreadPool(r -> {
            Thread t = daemon(r, "probe-call-" + callThreads.incrementAndGet());
            t.setPriority(Thread.MAX_PRIORITY);
            return t;
        });
        parts.add(() -> shutdown(probeScheduler));
        parts.add(calls::shutdownNow);
        prober = new Prober(detector, clients, probeScheduler, calls, nanoTime, observations);
        proberRef[0] = prober;
        parts.add(prober);

        AtomicInteger watchThreads = new AtomicInteger();
        ExecutorService watchCalls = Executors.newCachedThreadPool(r -> daemon(r, "peer-watch-" + watchThreads.incrementAndGet()));
        parts.add(watchCalls::shutdownNow);
        PeerWatch watch = new PeerWatch(watchClients, watchCalls, probeScheduler, WATCH_RETRY, prober::probeNow);
        parts.add(watch);

        ScheduledExecutorService sampling = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "load-sampler"));
        ScheduledExecutorService diskProbe = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "disk-probe"));
        parts.add(() -> shutdown(sampling));
        parts.add(() -> shutdown(diskProbe));
        sampling.scheduleAtFixedRate(() -> sampler.sample(nanoTime.getAsLong()), 0, SAMPLE_EVERY.toNanos(), TimeUnit.NANOSECONDS);
        diskProbe.scheduleWithFixedDelay(() -> {
            try {
                disk.measureMicros();
            } catch (RuntimeException e) {
                LOG.warn("disk probe in {} failed: {}", config.dataDir(), e.getMessage());
            }
        }, 0, DISK_PROBE_EVERY.toNanos(), TimeUnit.NANOSECONDS);

        policy = new PolicyStore(ledger, id, config.api().bootstrapPolicy());
        ScheduledExecutorService policyRefresh = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "policy-refresh"));
        parts.add(() -> shutdown(policyRefresh));
        policyRefresh.scheduleWithFixedDelay(() -> {
            try {
                policy.refresh();
            } catch (RuntimeException e) {
                LOG.warn("policy refresh failed: {}", e.getMessage());
            }
        }, 0, POLICY_REFRESH_EVERY.toNanos(), TimeUnit.NANOSECONDS);

        Set<String> voters = Set.of(config.name());
        MeshState mesh = new MeshState(config.name(), config.trustDomain(), peerNames, voters, observations, sampler::latest, ledger, clock,
                this::nodeView);
        api = ApiServer.start(config.host(), config.ports().api(),
                new ApiServer.Wiring(config.name(), creds, new JwtSvidVerifier(bundle, clock), config.api().audience(), mesh, ledger, policy::current,
                        new ApiServer.Content(metrics::scrape, metrics.contentType()), clock, AUDIT_TIMEOUT),
                requests, inFlight, nanoTime);
        parts.add(api);
        warmUp(creds, bundle, clock);
        ready = true;
        prober.start();
        watch.start();
    }

    /**
     * Probes this node's own peer listener a few hundred times before probing anyone else. A cold
     * JVM needs hundreds of milliseconds for its first TLS handshakes and requests, far beyond the
     * 50 ms probe deadline; without this, every node started with the cluster briefly accused its
     * peers of being down while its own code was still being compiled.
     */
    private void warmUp(NodeCredentials creds, TrustBundle bundle, InstantSource clock) {
        try (PeerClient self = PeerClient.create(config.name(), config.host(), peerServer.port(), creds, bundle, clock, id,
                Duration.ofSeconds(2), r -> LOG.warn("warm-up: own certificate refused: {}", r.reason()))) {
            for (int i = 0; i < WARM_UP_PROBES; i++) {
                try {
                    self.probe();
                } catch (io.x0tta6bl4.transport.PeerCallException e) {
                    LOG.debug("warm-up probe failed: {}", e.getMessage());
                }
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void shutdown(ExecutorService e) {
        e.shutdownNow();
        try {
            e.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    private byte[] probeAnswer() {
        List<String> suspect = new ArrayList<>();
        List<String> down = new ArrayList<>();
        prober.states().forEach((peer, s) -> {
            if (s == PeerState.SUSPECT) {
                suspect.add(peer);
            } else if (s == PeerState.DOWN) {
                down.add(peer);
            }
        });
        return new io.x0tta6bl4.monitor.ProbeAnswer(config.name(), sampler.latest(), suspect, down, ledger.leader().orElse(null)).toJson();
    }

    /** This node's view of the mesh, as {@code GET /api/node} serves it (docs/node.md). */
    byte[] nodeView() {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", config.name());
        o.put("id", id.toString());
        o.put("pid", ProcessHandle.current().pid());
        ledger.leader().ifPresentOrElse(l -> o.put("leader", l), () -> o.putNull("leader"));
        o.put("ledger_size", ledger.head().size());
        ArrayNode peers = o.putArray("peers");
        observations.peers().forEach((name, p) -> {
            ObjectNode n = peers.addObject();
            n.put("name", name);
            n.put("state", p.state().name().toLowerCase(Locale.ROOT));
            n.put("since", p.since().toString());
            if (p.lastFailure() == null) {
                n.putNull("last_failure");
            } else {
                n.put("last_failure", p.lastFailure().name().toLowerCase(Locale.ROOT));
            }
            if (p.lastRoundTripNanos() >= 0) {
                n.put("rtt_ms", p.lastRoundTripNanos() / 1e6);
            }
            if (p.lastAnswer() != null) {
                ArrayNode d = n.putArray("reports_down");
                p.lastAnswer().down().forEach(d::add);
            }
        });
        ArrayNode changes = o.putArray("changes");
        for (Observations.Change c : observations.changes()) {
            changes.addObject()
                    .put("peer", c.peer())
                    .put("from", c.from().name().toLowerCase(Locale.ROOT))
                    .put("to", c.to().name().toLowerCase(Locale.ROOT))
                    .put("at", c.at().toString())
                    .put("evidence", c.evidence());
        }
        var load = sampler.latest();
        if (load != null) {
            o.set("load", io.x0tta6bl4.monitor.ProbeAnswer.loadJson(load));
        }
        try {
            return JSON.writeValueAsBytes(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public String name() {
        return config.name();
    }

    public int apiPort() {
        return api.port();
    }

    public int peerPort() {
        return peerServer.port();
    }

    public RaftLedger ledger() {
        return ledger;
    }

    /** Stops every part that started, newest first. */
    @Override
    public void close() {
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                LOG.warn("stopping {}: {}", parts.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        parts.clear();
    }
}
