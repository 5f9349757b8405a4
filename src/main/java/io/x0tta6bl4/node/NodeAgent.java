package io.x0tta6bl4.node;

import io.x0tta6bl4.api.ApiServer;
import io.x0tta6bl4.governance.ConfigKey;
import io.x0tta6bl4.governance.Governance;
import io.x0tta6bl4.governance.GovernanceFold;
import io.x0tta6bl4.governance.RuntimeConfig;
import io.x0tta6bl4.governance.VoteCheck;
import io.x0tta6bl4.identity.CredentialFileException;
import io.x0tta6bl4.identity.JwtSvidVerifier;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.TrustBundle;
import io.x0tta6bl4.ledger.Folded;
import io.x0tta6bl4.ledger.RaftLedger;
import io.x0tta6bl4.ledger.RaftLedgerConfig;
import io.x0tta6bl4.mesh.Endpoints;
import io.x0tta6bl4.mesh.Member;
import io.x0tta6bl4.mesh.Membership;
import io.x0tta6bl4.mesh.MembershipFold;
import io.x0tta6bl4.monitor.DiskLatencyProbe;
import io.x0tta6bl4.monitor.DetectorSettings;
import io.x0tta6bl4.monitor.LoadAlerts;
import io.x0tta6bl4.monitor.LoadSample;
import io.x0tta6bl4.monitor.LoadSampler;
import io.x0tta6bl4.monitor.MeshLoad;
import io.x0tta6bl4.monitor.LoadSources;
import io.x0tta6bl4.monitor.NodeView;
import io.x0tta6bl4.monitor.PeerState;
import io.x0tta6bl4.monitor.ProbeAnswer;
import io.x0tta6bl4.monitor.RequestStats;
import io.x0tta6bl4.time.Scheduler;
import io.x0tta6bl4.transport.PeerCallException;
import io.x0tta6bl4.transport.PeerClient;
import io.x0tta6bl4.transport.PeerRoute;
import io.x0tta6bl4.transport.PeerServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: the composition root of a node process. The node is a list of named
 * modules ({@link #modules}): identity, ledger, folds, metrics, peer channel, probing, sampling,
 * API, membership, governance, warm-up. {@link #start} brings them up in that order, {@link #close} takes them
 * down in reverse, so a stopped node has no thread, socket or file left open. Every thread of
 * the node's own parts, the ledger's included, comes from the {@link NodeRuntime} the caller
 * gives it, and every part reads time from it; only the Raft engine (Ratis, gRPC), the API
 * server (Helidon) and the peer listener ({@code PeerServer}, a thread per connection) make
 * threads of their own.
 *
 * <p>Ports: each listener binds the port the configuration names, or, for 0, the port this node
 * had the last time (from {@link PublishedEndpoints}; a free one if another process has taken
 * it since), or a free one the kernel picks. Once all
 * three are bound and the node is warm, it publishes them in {@code data_dir/endpoints.json} and
 * in the ledger's membership (its JOIN), which is how its peers and its host agent learn where it
 * is.
 */
public final class NodeAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
    static final Duration SAMPLE_EVERY = Duration.ofMillis(100);
    static final Duration DISK_PROBE_EVERY = Duration.ofSeconds(1);
    static final int WARM_UP_PROBES = 300;
    /** How long an API request waits for its audit entry to commit before it is answered 503. */
    static final Duration AUDIT_TIMEOUT = Duration.ofSeconds(5);

    /** A part of the node: started in order, stopped in reverse. */
    private interface Part extends AutoCloseable {
        @Override
        void close();
    }

    /** A named step of the start: what it brings up, and how to take it down. */
    private record Module(String name, Supplier<Part> start) {}

    private record Started(String name, Part part) {}

    private final NodeConfig config;
    private final NodeRuntime runtime;
    private final SpiffeId id;
    private final Instant startedAt;
    private final List<Started> started = new ArrayList<>();
    private final Optional<PublishedEndpoints.Published> previous;

    private NodeCredentials credentials;
    private TrustBundle bundle;
    private RaftLedger ledger;
    private Folded<Membership> membership;
    private PolicyStore policy;
    private GovernanceFold governanceFold;
    private Folded<Governance> governance;
    private Governor governor;
    private NodeMetrics metrics;
    private LedgerWriter writer;
    private Observations observations;
    private SecurityEvents security;
    private PeerServer peerServer;
    private volatile Probing probing;
    private LoadSampler sampler;
    private LoadAlerts alerts;
    /** The runtime config's probe and load settings over node.yaml's, as last folded (see {@link #configFolded}). */
    private volatile LiveConfig.Applied live;
    private MembershipAgent membershipAgent;
    private ApiServer api;
    private final RequestStats requests = new RequestStats(Duration.ofSeconds(10), 100);
    /** Every node's load samples as this node sees them (its own, its peers' probe answers), for the impact watch. */
    private final MeshLoad meshLoad = new MeshLoad();
    /** Peers get probe answers only once this node is warm (see {@link #warmUp}); until then, 503. */
    private volatile boolean ready;

    private NodeAgent(NodeConfig config, NodeRuntime runtime) {
        this.config = config;
        this.runtime = runtime;
        this.id = SpiffeId.node(config.trustDomain(), config.name());
        this.startedAt = runtime.clock().instant();
        this.previous = PublishedEndpoints.read(config.dataDir());
    }

    /**
     * Starts every module; on a failure, stops what already started and rethrows. A missing or
     * foreign credential is a {@link ConfigException} naming the file. The caller owns
     * {@code runtime} and closes it after this agent.
     */
    public static NodeAgent start(NodeConfig config, NodeRuntime runtime) {
        NodeAgent agent = new NodeAgent(config, runtime);
        try {
            for (Module m : agent.modules()) {
                agent.started.add(new Started(m.name(), m.start().get()));
            }
            return agent;
        } catch (RuntimeException e) {
            agent.close();
            throw e;
        }
    }

    /** The node's modules, in start order. */
    private List<Module> modules() {
        return List.of(
                new Module("identity", () -> {
                    loadIdentity();
                    return () -> { };
                }),
                new Module("ledger", () -> {
                    ledger = RaftLedger.start(ledgerConfig());
                    return ledger::close;
                }),
                new Module("folds", () -> {
                    membership = Folded.follow("membership", ledger, new MembershipFold(config.trustDomain()));
                    policy = new PolicyStore(ledger, id, config.api().bootstrapPolicy(), runtime.scheduler("policy", Thread.NORM_PRIORITY));
                    ledger.onChange(policy::leadershipChanged);
                    policy.leadershipChanged();
                    governanceFold = new GovernanceFold(new VoteCheck(bundle));
                    governance = Folded.follow("governance", ledger, governanceFold);
                    live = LiveConfig.apply(config.detector(), config.load(), RuntimeConfig.EMPTY);
                    governance.onChange((before, after, entry) -> {
                        if (!before.config().equals(after.config())) {
                            configFolded(after);
                        }
                    });
                    configFolded(governance.state()); // what was folded before the listener was registered
                    return () -> {
                        governance.close();
                        policy.close();
                        membership.close();
                    };
                }),
                new Module("metrics", () -> {
                    metrics = new NodeMetrics(() -> observations == null ? Map.of() : observations.states(),
                            () -> sampler == null ? null : sampler.latest(), ledger);
                    writer = new LedgerWriter(ledger, metrics, runtime.nanoTime());
                    observations = new Observations(config.name(), id, runtime.clock(), writer, metrics);
                    security = new SecurityEvents(config.name(), id, runtime.clock(), writer, metrics);
                    return () -> { };
                }),
                new Module("peer channel", () -> {
                    peerServer = listen("peer", config.ports().peer(), PublishedEndpoints.Published::peer, port -> PeerServer.start(config.host(), port,
                            credentials, bundle, runtime.clock(), this::admitted, security::refusedClient,
                            List.of(new PeerRoute(PeerServer.PROBE_PATH, this::admitted, caller -> caller.equals(id) || ready
                                    ? PeerRoute.Reply.json(probeAnswer()) : PeerServer.STARTING))));
                    return peerServer::close;
                }),
                new Module("probing", () -> {
                    LiveConfig.Applied settings = live;
                    probing = new Probing(config.name(), credentials, bundle, settings.detector(), runtime, security);
                    if (!live.detector().equals(settings.detector())) {
                        probing.prober().reconfigure(live.detector()); // a change folded while the prober was being made
                    }
                    probing.prober().addListener(observations);
                    probing.prober().addListener(new io.x0tta6bl4.monitor.Prober.Listener() {
                        @Override
                        public void onProbe(String peer, io.x0tta6bl4.monitor.ProbeResult result, Optional<ProbeAnswer> answer) {
                            answer.ifPresent(a -> meshLoad.record(peer, runtime.clock().millis(), a.load()));
                        }

                        @Override
                        public void onChanges(List<io.x0tta6bl4.monitor.StateChange> changes) {
                            if (membershipAgent != null) {
                                membershipAgent.nudge();
                            }
                        }
                    });
                    membership.onChange((before, after, entry) -> probing.follow(membership::state));
                    probing.follow(membership::state);
                    return probing::close;
                }),
                new Module("sampling", () -> {
                    DiskLatencyProbe disk = new DiskLatencyProbe(config.dataDir().resolve(".disk-probe"), runtime.nanoTime());
                    sampler = new LoadSampler(LoadSources.jvm(), requests, ledger::pendingAppends, disk::latestMicros);
                    Scheduler sampling = runtime.scheduler("load-sampler", Thread.NORM_PRIORITY);
                    Scheduler diskProbe = runtime.scheduler("disk-probe", Thread.NORM_PRIORITY);
                    alerts = new LoadAlerts(live.thresholds());
                    Runnable stopSamples = every(sampling, SAMPLE_EVERY, () -> {
                        LoadSample sample = sampler.sample(runtime.nanoTime().getAsLong());
                        meshLoad.record(config.name(), runtime.clock().millis(), sample);
                        LoadAlerts.Thresholds lines = live.thresholds();
                        if (!lines.equals(alerts.thresholds())) {
                            alerts.retune(lines);
                        }
                        for (LoadAlerts.Change c : alerts.onSample(sample)) {
                            writer.append(loadAlert(c));
                        }
                    });
                    Runnable stopProbes = every(diskProbe, DISK_PROBE_EVERY, () -> {
                        try {
                            disk.measureMicros();
                        } catch (RuntimeException e) {
                            LOG.warn("disk probe in {} failed: {}", config.dataDir(), e.getMessage());
                        }
                    });
                    return () -> {
                        stopSamples.run();
                        stopProbes.run();
                    };
                }),
                new Module("api", () -> {
                    MeshState mesh = new MeshState(config.name(), config.trustDomain(), observations, membership, ledger,
                            () -> sampler.latest(), runtime.clock(), this::nodeView);
                    ApiServer.Wiring wiring = new ApiServer.Wiring(config.name(), credentials, new JwtSvidVerifier(bundle, runtime.clock()),
                            config.api().audience(), mesh, ledger, policy::current,
                            new GovernanceState(governance, governanceFold, ledger, runtime.clock(),
                                    () -> LiveConfig.inForce(probing.prober().settings(), alerts.thresholds())), new ApiServer.Content(metrics::scrape, metrics.contentType()),
                            runtime.clock(), AUDIT_TIMEOUT, () -> Integer.parseInt(governance.state().config().value(ConfigKey.API_MAX_CONNECTIONS).orElseThrow()));
                    api = listen("api", config.ports().api(), PublishedEndpoints.Published::api,
                            port -> ApiServer.start(config.host(), port, wiring, requests, runtime.nanoTime()));
                    return api::close;
                }),
                new Module("membership", () -> {
                    membershipAgent = new MembershipAgent(config.name(), id, endpoints(), ledger, ledger, membership, probing::states,
                            runtime.scheduler("membership", Thread.NORM_PRIORITY));
                    return membershipAgent::close;
                }),
                new Module("governance", () -> {
                    governor = new Governor(id, ledger, governance, policy::current, runtime.scheduler("governance", Thread.NORM_PRIORITY),
                            runtime.clock(), new HostActions(config.name(), credentials, config.hostAgent(), membership, ledger),
                            new ImpactWatch(id, meshLoad), runtime.scheduler("host-actions", Thread.NORM_PRIORITY)::execute);
                    ledger.onChange(governor::nudge);
                    governor.start();
                    new RecoveryVotes(config.name(), credentials, ledger, governance, probing::states, runtime.clock(),
                            runtime.blocking("recovery-votes", Thread.MAX_PRIORITY)).start();
                    return governor::close;
                }),
                new Module("warm-up", () -> {
                    warmUp();
                    ready = true;
                    probing.start();
                    membershipAgent.start();
                    PublishedEndpoints.write(config.dataDir(), new PublishedEndpoints.Published(config.name(), ProcessHandle.current().pid(),
                            startedAt, config.host(), api.port(), peerServer.port(), ledger.port()));
                    return () -> ready = false;
                }));
    }

    /**
     * The runtime config changed: the prober follows the new probe settings from its next probe,
     * the load alerts the new lines from their next sample (which reads {@link #live}).
     */
    private synchronized void configFolded(Governance after) {
        LiveConfig.Applied next = LiveConfig.apply(config.detector(), config.load(), after.config());
        LiveConfig.Applied before = live;
        live = next;
        if (next.equals(before)) {
            return;
        }
        next.adjusted().forEach(a -> LOG.warn("{}: runtime config: {}", config.name(), a));
        if (!next.detector().equals(before.detector())) {
            LOG.info("{}: probing every {} ms, deadline {} ms, suspect after {} and down after {} misses (runtime config)", config.name(),
                    next.detector().interval().toMillis(), next.detector().timeout().toMillis(), next.detector().suspectAfter(),
                    next.detector().downAfter());
            if (probing != null) {
                probing.prober().reconfigure(next.detector());
            }
        }
        if (!next.thresholds().equals(before.thresholds())) {
            LOG.info("{}: load alert lines {} (runtime config)", config.name(), next.thresholds());
        }
    }

    /** The LOAD_ALERT entry of one alert change: this node as actor and resource, what crossed which line, for how long. */
    private io.x0tta6bl4.ledger.Submission loadAlert(LoadAlerts.Change c) {
        String metric = switch (c.kind()) {
            case HIGH_CPU_USAGE -> "system_cpu_percent";
            case HIGH_MEMORY_USAGE -> "memory_percent";
            case HIGH_LATENCY -> "latency_p99_us";
            case HIGH_ERROR_RATE -> "error_rate_percent";
            case QUEUE_BUILDUP -> "ledger_queue_length";
        };
        String payload = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("node", config.name()).put("alert", c.kind().name()).put("metric", metric).put("value", c.value())
                .put("threshold", c.threshold()).put("sustained_ms", (c.atNanos() - c.sinceNanos()) / 1_000_000)
                .put("at", runtime.clock().instant().toString()).toString();
        LOG.warn("{}: {} {} ({} {} against {})", config.name(), c.kind(), c.raised() ? "raised" : "cleared", metric, c.value(), c.threshold());
        return new io.x0tta6bl4.ledger.Submission(io.x0tta6bl4.ledger.EntryType.LOAD_ALERT, id, c.kind().name(), id.toString(),
                c.raised() ? "RAISED" : "CLEARED", payload);
    }

    private void loadIdentity() {
        try {
            bundle = TrustBundle.load(config.bundleDir());
            credentials = NodeCredentials.load(config.credentialsDir());
        } catch (CredentialFileException | IllegalArgumentException e) {
            throw new ConfigException(config.source(), List.of(config.source() + ": credentials: " + e.getMessage() + " (this node trusts the bundle in "
                    + config.bundleDir() + " and holds its credentials in " + config.credentialsDir() + "; with ca_dir, enrol it with: x0tta6bl4 ca "
                    + "issue-node --dir CA_DIR --name " + config.name() + ", or let a host agent start it)"));
        }
        if (!bundle.trustDomain().equals(config.trustDomain())) {
            throw new ConfigException(config.source(), List.of(config.source() + ": trust_domain: '" + config.trustDomain()
                    + "' but the bundle in " + config.bundleDir() + " is for '" + bundle.trustDomain() + "'"));
        }
        if (!credentials.id().equals(id)) {
            throw new ConfigException(config.source(), List.of(config.source() + ": name: the credentials in " + config.credentialsDir()
                    + " are for " + credentials.id() + ", not " + id));
        }
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new ConfigException(config.source(), List.of(config.source() + ": data_dir: cannot create " + config.dataDir() + ": " + e.getMessage()));
        }
    }

    private RaftLedgerConfig ledgerConfig() {
        RaftLedgerConfig.Start start = switch (config.join()) {
            case NodeConfig.Join.Bootstrap b -> new RaftLedgerConfig.Start.Bootstrap();
            case NodeConfig.Join.Seeds s -> new RaftLedgerConfig.Start.Join(s.seeds());
        };
        return RaftLedgerConfig.of(config.name(), config.dataDir(), start, credentials, bundle, runtime.clock())
                .withThreads(new RaftLedgerConfig.Threads.Given(runtime.scheduler("ledger", Thread.NORM_PRIORITY),
                        runtime.blocking("ledger-loop", Thread.NORM_PRIORITY)))
                .withAddress(config.host(), config.ports().raft())
                .withAdmitted(this::admitted);
    }

    /** Who may connect to this node's peer and Raft listeners: nodes of the trust domain the membership has not fenced or retired. */
    private boolean admitted(SpiffeId caller) {
        if (!caller.memberOf(config.trustDomain()) || !caller.path().startsWith("/node/")) {
            return false;
        }
        Folded<Membership> m = membership;
        return m == null || !m.state().excluded(caller.path().substring("/node/".length()));
    }

    /**
     * Starts a listener on the configured port, else on the one this node had before (so its
     * peers' links stay valid), else on a free one. A port remembered from before that another
     * process has taken since (kernel-picked ports come from the range outgoing connections use
     * too) gives way to a free one: the node's JOIN then announces it.
     */
    private <T> T listen(String what, int configured, java.util.function.ToIntFunction<PublishedEndpoints.Published> before,
                         java.util.function.IntFunction<T> start) {
        int remembered = configured != 0 ? 0 : previous.map(before::applyAsInt).orElse(0);
        if (remembered == 0) {
            return start.apply(configured);
        }
        try {
            return start.apply(remembered);
        } catch (RuntimeException e) {
            LOG.warn("the {} port {} this node had before cannot be bound again ({}); it takes a free one and announces it", what, remembered,
                    e.getMessage());
            return start.apply(0);
        }
    }

    private Endpoints endpoints() {
        return new Endpoints(config.host(), api.port(), peerServer.port(), ledger.port());
    }

    /** Runs {@code task} now and then every {@code period} after each run ends, whether it threw or not, until the returned stop runs. */
    private static Runnable every(Scheduler scheduler, Duration period, Runnable task) {
        var stopped = new java.util.concurrent.atomic.AtomicBoolean();
        scheduler.schedule(0, new Runnable() {
            @Override
            public void run() {
                if (stopped.get()) {
                    return;
                }
                try {
                    task.run();
                } finally {
                    if (!stopped.get()) {
                        scheduler.schedule(period.toNanos(), this);
                    }
                }
            }
        });
        return () -> stopped.set(true);
    }

    /**
     * Probes this node's own peer listener a few hundred times before probing anyone else. A cold
     * JVM needs hundreds of milliseconds for its first TLS handshakes and requests, far beyond the
     * 50 ms probe deadline; without this, every node started with the cluster briefly accused its
     * peers of being down while its own code was still being compiled.
     */
    private void warmUp() {
        try (PeerClient self = PeerClient.create(config.name(), config.host(), peerServer.port(), credentials, bundle, runtime.clock(), id,
                Duration.ofSeconds(2), r -> LOG.warn("warm-up: own certificate refused: {}", r.reason()))) {
            for (int i = 0; i < WARM_UP_PROBES; i++) {
                try {
                    self.probe();
                } catch (PeerCallException e) {
                    LOG.debug("warm-up probe failed: {}", e.getMessage());
                }
            }
        }
    }

    private byte[] probeAnswer() {
        List<String> suspect = new ArrayList<>();
        List<String> down = new ArrayList<>();
        probing.states().forEach((peer, s) -> {
            if (s == PeerState.SUSPECT) {
                suspect.add(peer);
            } else if (s == PeerState.DOWN) {
                down.add(peer);
            }
        });
        return new ProbeAnswer(config.name(), sampler == null ? null : sampler.latest(), suspect, down, ledger.leader().orElse(null),
                startedAt.toString()).toJson();
    }

    /** This node's view of the mesh, as {@code GET /api/node} serves it (docs/api.md). */
    NodeView nodeView() {
        Membership m = membership.state();
        List<NodeView.Peer> peers = new ArrayList<>();
        observations.peers().forEach((name, p) -> peers.add(new NodeView.Peer(name, p.state(), Optional.of(p.since()),
                Optional.ofNullable(p.lastFailure()).map(f -> f.name().toLowerCase(Locale.ROOT)),
                p.lastRoundTripNanos() >= 0 ? Optional.of(p.lastRoundTripNanos() / 1e6) : Optional.empty(),
                m.member(name).map(NodeAgent::standing), p.lastAnswer() == null ? List.of() : p.lastAnswer().down())));
        List<NodeView.Change> changes = observations.changes().stream()
                .map(c -> new NodeView.Change(c.peer(), c.from(), c.to(), c.at(), c.evidence())).toList();
        return new NodeView(config.name(), id.toString(), ProcessHandle.current().pid(), Optional.of(startedAt), ledger.leader(), ledger.head().size(),
                ledger.role(), m.member(config.name()).map(NodeAgent::standing), peers, changes, Optional.ofNullable(sampler.latest()));
    }

    static NodeView.Membership standing(Member m) {
        return new NodeView.Membership(m.status().name().toLowerCase(Locale.ROOT), m.role().name().toLowerCase(Locale.ROOT));
    }

    public String name() {
        return config.name();
    }

    /** What this node's prober follows now: node.yaml's probe settings under the runtime config's. */
    public DetectorSettings probeSettings() {
        return probing.prober().settings();
    }

    public int apiPort() {
        return api.port();
    }

    public int peerPort() {
        return peerServer.port();
    }

    public int raftPort() {
        return ledger.port();
    }

    public RaftLedger ledger() {
        return ledger;
    }

    /** The ledger's membership as this node has folded it. */
    public Membership membership() {
        return membership.state();
    }

    /** Stops every module that started, newest first. */
    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            Started s = started.get(i);
            try {
                s.part().close();
            } catch (RuntimeException e) {
                LOG.warn("stopping the {} module: {}", s.name(), e.toString());
            }
        }
        started.clear();
    }
}
