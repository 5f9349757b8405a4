package io.x0tta6bl4.orchestration;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.CredentialFileException;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.TrustBundle;
import io.x0tta6bl4.monitor.DetectorSettings;
import io.x0tta6bl4.monitor.NodeView;
import io.x0tta6bl4.monitor.PeerState;
import io.x0tta6bl4.policy.Decision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A mesh of node processes on this machine, all on loopback, in one cluster directory
 * ({@link HostLayout}), run by the directory's host agent.
 *
 * <p><b>Who does what.</b> The cluster commands hold the CA (they make it, and mint the operator's
 * bearer tokens from it); the host agent ({@link HostAgent}, started here in the background when
 * none runs) enrols and starts the nodes, and is asked for everything about processes through
 * {@link HostAgentClient}, with the operator's X.509-SVID ({@code DIR/operator}). The nodes
 * themselves are asked about the mesh: each one's view ({@code GET /api/node}) and the
 * membership ({@code /api/members}), with a {@link ClusterToken}. This class only puts the two
 * together and waits; it never signals a process itself.
 *
 * <p><b>Starting a mesh.</b> {@code node-1} forms it ({@code join.bootstrap}); every other node
 * joins with the Raft addresses of the members already up as seeds. The ledger's leader adds
 * joiners to the Raft group (voters while there are fewer than five, listeners after), and a
 * joiner is not judged by anyone's detector until it has answered a run of probes. Joiners start
 * one at a time by default ({@link JoinPace}): each JVM's start-up (class loading, compilation,
 * its first TLS handshakes) takes a core for seconds, and on a small machine several at once
 * starve the members already up. {@code up} is done when every node sees every other alive, all
 * agree on a leader, and min(N, 5) of them say they are voters.
 *
 * <p>Between a node's start and the moment the leader has ledgered the bootstrap policy, every
 * node answers 403 (deny by default); waiting treats that as "not ready yet". Any other refusal of
 * the token ends the wait at once with the node's reason, since waiting would not change it.
 *
 * <p>Every deadline here is read from the monotonic clock.
 */
public final class LocalCluster implements AutoCloseable {
    /**
     * How long {@code up} (and a harness's temporary cluster) may take in all, the nodes' starts
     * included: one at a time, five JVMs that each compile, join and are admitted took up to
     * half a minute apiece on a loaded 2-core machine.
     */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(240);
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration VIEW_TIMEOUT = Duration.ofSeconds(1);
    public static final int MAX_NODES = 64;
    /** At most this many voters in the ledger's Raft group; further members are listeners. */
    public static final int MAX_VOTERS = 5;
    /**
     * How often a wait asks every node for its view. Every request is authenticated (an ML-DSA-65
     * token), decided and audited by each node, so on a small machine a fast poll is load that
     * competes with the very nodes being waited for; half a second is soon enough for a person.
     */
    private static final Duration POLL = Duration.ofMillis(500);
    /** How long a cluster must stay healthy to count as ready. */
    static final Duration STABLE = Duration.ofSeconds(1);

    private final HostLayout layout;
    private final Consumer<String> progress;
    private final Optional<Long> exitWith;
    private HostAgentClient agent;
    private NodeClient client;

    /** How joiners are started by {@code up}. */
    public enum JoinPace {
        /** Each joiner once the previous one is seen alive by every member: gentle on a small machine. */
        SEQUENTIAL,
        /** All joiners at once, once the first node answers. */
        PARALLEL
    }

    /** What {@code cluster up} creates. */
    public record Settings(int nodes, String trustDomain, DetectorSettings.Kind detector, Duration svidTtl, JoinPace pace) {
        public static final String DEFAULT_TRUST_DOMAIN = "x0tta6bl4.local";

        public Settings {
            if (nodes < 1 || nodes > MAX_NODES) {
                throw ClusterException.usage("--nodes: a cluster has 1.." + MAX_NODES + " nodes, got " + nodes);
            }
            try {
                SpiffeId.checkTrustDomain(trustDomain);
            } catch (IllegalArgumentException e) {
                throw ClusterException.usage("--trust-domain: " + e.getMessage() + " (for example " + DEFAULT_TRUST_DOMAIN + ")");
            }
        }

        public static Settings defaults(int nodes) {
            return new Settings(nodes, DEFAULT_TRUST_DOMAIN, DetectorSettings.Kind.CONSECUTIVE_MISSES, CertificateAuthority.DEFAULT_SVID_TTL,
                    JoinPace.SEQUENTIAL);
        }

        public Settings withPace(JoinPace p) {
            return new Settings(nodes, trustDomain, detector, svidTtl, p);
        }
    }

    /** A node {@link #addNode} added: its handle and its role in the membership once it had caught up. */
    public record Added(NodeHandle handle, String role, long ledgerSize) {}

    private LocalCluster(Path dir, Consumer<String> progress, Optional<Long> exitWith) {
        this.layout = new HostLayout(dir);
        this.progress = progress;
        this.exitWith = exitWith;
    }

    /** Opens the cluster in {@code dir}; a usage error when there is none. */
    public static LocalCluster open(Path dir, Consumer<String> progress) {
        ClusterState.load(dir.toAbsolutePath().normalize());
        return new LocalCluster(dir, progress, Optional.empty());
    }

    /**
     * {@code cluster up}: creates a cluster in {@code dir} (which must not exist or be empty), or
     * brings back a stopped one recorded there; starts the host agent and the nodes; waits until
     * the cluster is ready (above). On a timeout the processes keep running (so the operator can
     * look at them) and the exception says who sees what.
     *
     * @param exitWith a process whose end ends the agent and every node it runs (for tests)
     */
    public static LocalCluster up(Path dir, Settings settings, NodeLaunch launch, Duration timeout, Optional<Long> exitWith, Consumer<String> progress) {
        Path abs = dir.toAbsolutePath().normalize();
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean existing = Files.exists(abs.resolve(ClusterState.FILE));
        if (!existing) {
            NewCluster.create(abs, settings, launch, progress);
        }
        LocalCluster cluster = new LocalCluster(abs, progress, exitWith);
        try {
            cluster.ensureAgent();
            if (existing) {
                cluster.bringBack(settings);
            } else {
                cluster.startNew(settings, deadline);
            }
            cluster.awaitReady(remaining(deadline), Math.min(cluster.state().nodes().size(), MAX_VOTERS), timeout);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private static Duration remaining(long deadline) {
        long left = deadline - System.nanoTime();
        return Duration.ofNanos(Math.max(0, left));
    }

    public Path dir() {
        return layout.dir();
    }

    public HostLayout layout() {
        return layout;
    }

    /** cluster.json as it is now. */
    public ClusterState state() {
        return ClusterState.load(layout.dir());
    }

    /** The cluster's node names, in order. */
    public List<String> nodes() {
        return state().nodes();
    }

    /** The host agent, as an {@link Orchestrator} (starting it, adopting the running nodes, if none runs). */
    public synchronized Orchestrator orchestrator() {
        ensureAgent();
        return agent;
    }

    private synchronized HostAgentClient agentClient() {
        if (agent == null) {
            try {
                agent = HostAgentClient.operator(layout.dir());
            } catch (CredentialFileException e) {
                throw ClusterState.noCluster(layout.dir(), e.getMessage());
            }
        }
        return agent;
    }

    private void ensureAgent() {
        AgentProcess.ensure(layout, agentClient(), exitWith, progress);
    }

    /** The client that asks nodes for their views, trusting this cluster's root, with the cluster's token. */
    public synchronized NodeClient client() {
        if (client == null) {
            try {
                client = new NodeClient(TrustBundle.load(layout.bundle()).x509Root(), ClusterToken.fromCa(layout.ca()), VIEW_TIMEOUT);
            } catch (CredentialFileException e) {
                throw ClusterState.noCluster(layout.dir(), e.getMessage());
            }
        }
        return client;
    }

    /** Waits for an agent's answer, turning its refusal into the command's. */
    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (RuntimeException e) {
            OrchestratorException o = OrchestratorException.unwrap(e);
            ClusterException.Kind kind = switch (o.code()) {
                case BAD_REQUEST, UNKNOWN_NODE, NO_ROUTE -> ClusterException.Kind.USAGE;
                case CONFLICT, ACCESS_DENIED -> ClusterException.Kind.REFUSED;
                case FAILED, UNAVAILABLE -> ClusterException.Kind.FAILED;
            };
            String message = o.code() == OrchestratorException.Code.ACCESS_DENIED
                    ? "the host agent's policy refused the request (rule " + o.rule().orElse("?") + "): " + o.getMessage()
                    : o.getMessage();
            throw new ClusterException(kind, message, o);
        }
    }

    /**
     * What the host agent knows of every node, by name. When no agent runs, the same is read from
     * its state.json and the process table: looking does not start an agent (acting does).
     */
    public Map<String, NodeHandle> handles() {
        Map<String, NodeHandle> out = new LinkedHashMap<>();
        List<NodeHandle> all;
        if (agentClient().agentRunning()) {
            all = await(agentClient().list());
        } else {
            try {
                all = ProcessOrchestrator.recorded(layout);
            } catch (IllegalArgumentException e) {
                throw ClusterException.failed(e.getMessage());
            }
        }
        for (NodeHandle h : all) {
            out.put(h.name(), h);
        }
        return out;
    }

    /** The node's handle; a refusal if the agent does not know it. */
    public NodeHandle handle(String name) {
        state().node(name);
        NodeHandle h = handles().get(name);
        if (h == null) {
            throw ClusterException.refused(name + " is in " + ClusterState.FILE + " but the host agent knows no such node (see " + layout.state() + ")");
        }
        return h;
    }

    /** The endpoints of a live node; a refusal saying why there are none. */
    public NodeEndpoints endpoints(String name) {
        NodeHandle h = handle(name);
        if (!h.state().live()) {
            throw ClusterException.refused(name + " is not running (pid " + h.pid() + " " + h.state().wire() + "); start it with cluster start "
                    + name + " --dir " + layout.dir());
        }
        return h.endpoints().orElseThrow(() -> ClusterException.refused(name + " (pid " + h.pid() + ") has not published its endpoints yet"));
    }

    private NodeSpec spec(String name, NodeSpec.Join join, Settings settings) {
        return new NodeSpec(name, join, settings.detector(), settings.svidTtl());
    }

    /** node-1 forms the mesh; node-2 .. node-N join it at the settings' pace, all within {@code deadline} (monotonic). */
    private void startNew(Settings settings, long deadline) {
        NodeHandle first = spawn(spec("node-1", new NodeSpec.Join.Bootstrap(), settings));
        List<NodeSpec.Seed> seeds = new ArrayList<>(List.of(first.requireEndpoints().seed(first.name())));
        List<String> joiners = new ArrayList<>();
        for (int i = 2; i <= settings.nodes(); i++) {
            joiners.add("node-" + i);
        }
        switch (settings.pace()) {
            case SEQUENTIAL -> {
                for (String name : joiners) {
                    NodeHandle h = spawn(spec(name, new NodeSpec.Join.Seeds(seeds), settings));
                    awaitSeenAlive(name, remaining(deadline));
                    seeds.add(h.requireEndpoints().seed(name));
                }
            }
            case PARALLEL -> {
                List<CompletableFuture<NodeHandle>> started = new ArrayList<>();
                for (String name : joiners) {
                    ClusterState.update(layout.dir(), s -> s.with(name));
                    started.add(orchestrator().spawn(spec(name, new NodeSpec.Join.Seeds(seeds), settings)));
                }
                started.forEach(f -> started(await(f)));
            }
        }
    }

    /** Records the name in cluster.json, then asks the agent to spawn it. */
    private NodeHandle spawn(NodeSpec spec) {
        ClusterState.update(layout.dir(), s -> s.with(spec.name()));
        return started(await(orchestrator().spawn(spec)));
    }

    private NodeHandle started(NodeHandle h) {
        NodeEndpoints e = h.requireEndpoints();
        progress.accept(h.name() + " started (pid " + h.pid() + ", api " + e.api() + ", peer " + e.peer() + ", raft " + e.raft() + ", log "
                + layout.dir().relativize(layout.log(h.name())) + ")");
        return h;
    }

    /** {@code up} on a stopped cluster: every node it lists starts again, same spec and data, at the same pace. */
    private void bringBack(Settings settings) {
        ClusterState s = state();
        Map<String, NodeHandle> known = handles();
        List<String> live = s.nodes().stream().filter(n -> known.containsKey(n) && known.get(n).state().live())
                .map(n -> n + " (pid " + known.get(n).pid() + ")").toList();
        if (!live.isEmpty()) {
            throw ClusterException.refused(layout.dir() + " already runs a cluster: " + String.join(", ", live) + "; run cluster down --dir "
                    + layout.dir() + " first");
        }
        if (s.nodes().size() != settings.nodes()) {
            throw ClusterException.usage(layout.dir() + " holds a stopped " + s.nodes().size() + "-node cluster; bring it back with cluster up --nodes "
                    + s.nodes().size() + " --dir " + layout.dir() + ", or choose a new --dir");
        }
        for (String n : s.nodes()) {
            if (!known.containsKey(n)) {
                throw ClusterException.failed(n + " is in " + s.file() + " but not in the host agent's " + layout.state() + "; the directory cannot be brought back");
            }
        }
        progress.accept("bringing back the stopped " + s.nodes().size() + "-node cluster in " + layout.dir() + " (same specs, credentials and data)");
        List<CompletableFuture<NodeHandle>> pending = new ArrayList<>();
        for (String n : s.nodes()) {
            CompletableFuture<NodeHandle> f = orchestrator().restart(n);
            if (settings.pace() == JoinPace.SEQUENTIAL) {
                started(await(f));
            } else {
                pending.add(f);
            }
        }
        pending.forEach(f -> started(await(f)));
    }

    /**
     * Starts a node that is not running (same spec, credentials and data), then waits (up to
     * {@code timeout} in all) until it answers and every other running member sees it alive.
     */
    public NodeHandle start(String name, Duration timeout) {
        NodeHandle before = handle(name);
        if (before.state().live()) {
            throw ClusterException.refused(name + " is already running (pid " + before.pid() + ", " + before.state().wire() + ")");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        NodeHandle h = started(await(orchestrator().restart(name)));
        awaitSeenAlive(name, remaining(deadline));
        return h;
    }

    /** Waits until every other running member sees {@code name} alive. */
    private void awaitSeenAlive(String name, Duration timeout) {
        progress.accept(name + " answers; waiting for the other nodes to see it alive ...");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ClusterStatus status = status();
            failOnRefusal(status);
            List<String> notYet = new ArrayList<>();
            for (ClusterStatus.NodeStatus n : status.nodes()) {
                if (!n.name().equals(name) && n.process() == ProcessState.RUNNING && !n.outOfMesh()
                        && n.view().flatMap(v -> v.stateOf(name)).orElse(PeerState.UNKNOWN) != PeerState.ALIVE) {
                    notYet.add(n.name() + " (" + n.view().map(v -> v.stateOf(name).map(NodeView::wire).orElse("does not list it; " + lag(status, n)))
                            .orElse(noView(n.answer())) + ")");
                }
            }
            if (!status.node(name).process().live()) {
                throw ClusterException.failed(name + " exited after it started answering; see " + layout.log(name));
            }
            if (notYet.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw ClusterException.failed(name + " runs and answers, but within " + timeout.toSeconds() + " s not every node saw it alive: "
                        + String.join(", ", notYet) + "; see " + layout.log(name));
            }
            sleep(POLL);
        }
    }

    /**
     * "ledger 2452 of the leader's 5100 entries": a member that does not yet show a change is
     * usually one whose replica is behind, and this says by how much.
     */
    private static String lag(ClusterStatus status, ClusterStatus.NodeStatus n) {
        Optional<Long> leader = status.leader().flatMap(l -> status.node(l).view()).map(NodeView::ledgerSize);
        return n.view().map(v -> "ledger " + v.ledgerSize() + leader.map(l -> " of the leader's " + l).orElse("") + " entries").orElse(noView(n.answer()));
    }

    /** Why an answer holds no view, in a few words. */
    static String noView(NodeClient.Answer answer) {
        return switch (answer) {
            case NodeClient.Answer.Seen seen -> "answered";
            case NodeClient.Answer.NoAnswer no -> "no answer: " + no.reason();
            case NodeClient.Answer.Refused r when r.policyPending() -> "waiting for the policy to be installed";
            case NodeClient.Answer.Refused r -> r.explain();
        };
    }

    /** Ends a wait at once when a node refuses the cluster's token for any reason but a policy it does not have yet. */
    public void failOnRefusal(ClusterStatus status) {
        for (ClusterStatus.NodeStatus node : status.nodes()) {
            if (node.refused().filter(r -> !r.policyPending()).isPresent()) {
                throw refusedToken(node.name(), node.refused().get());
            }
        }
    }

    /** A node refused the cluster's token for a reason waiting will not change. */
    private ClusterException refusedToken(String name, NodeClient.Answer.Refused r) {
        String subject = ClusterToken.subject(state().trustDomain()).toString();
        String hint = r.status() == 401
                ? "the cluster's token is a JWT-SVID from " + layout.ca() + " for " + subject + ", audience " + ClusterToken.AUDIENCE
                        + "; the node must trust that CA's bundle (bundle_dir) and expect that audience (api.audience) in " + layout.config(name)
                : "the policy in the ledger does not let " + subject + " read nodes; GET /api/policy shows it (" + layout.policy() + " is the one up installed)";
        return ClusterException.failed(name + " " + r.explain() + "\n  " + hint + "; see " + layout.log(name));
    }

    /** Every node's process (from the host agent) and view (from the node itself), put together ({@link ClusterStatus}). */
    public ClusterStatus status() {
        ClusterState s = state();
        Map<String, NodeHandle> handles = handles();
        Map<String, Integer> ask = new LinkedHashMap<>();
        for (String n : s.nodes()) {
            NodeHandle h = handles.get(n);
            if (h != null && h.state() == ProcessState.RUNNING && h.endpoints().isPresent()) {
                ask.put(n, h.endpoints().get().api());
            }
        }
        Map<String, NodeClient.Answer> answers = new LinkedHashMap<>(client().views(ask));
        for (String n : s.nodes()) {
            NodeHandle h = handles.get(n);
            answers.putIfAbsent(n, new NodeClient.Answer.NoAnswer(h == null ? "unknown to the host agent"
                    : h.state() == ProcessState.RUNNING ? "no endpoints published yet" : "process " + h.state().wire()));
        }
        return ClusterStatus.aggregate(s.nodes(), handles, answers);
    }

    /** {@link #awaitReady} without a voter count: for a cluster whose membership has changed since up. */
    public ClusterStatus awaitHealthy(Duration timeout) {
        return awaitReady(timeout, 0, timeout);
    }

    /**
     * Waits until the cluster is {@link ClusterStatus#healthy()} with at least {@code voters}
     * active voters, and stays so for {@link #STABLE} (a cluster that is still warming up can look
     * healthy for one poll), showing progress; fails with who sees what on a timeout.
     */
    ClusterStatus awaitReady(Duration timeout, int voters, Duration told) {
        int n = state().nodes().size();
        progress.accept((n == 1 ? "waiting for the node to answer and know its leader" : "waiting for " + n + " nodes to see each other alive and agree on a leader")
                + (voters > 1 ? ", with " + voters + " voters" : "") + " (timeout " + told.toSeconds() + " s) ...");
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        long lastShown = System.nanoTime() - Duration.ofSeconds(10).toNanos();
        long healthySince = 0;
        boolean isHealthy = false;
        boolean toldPolicy = false;
        while (true) {
            ClusterStatus status = status();
            for (ClusterStatus.NodeStatus node : status.nodes()) {
                if (!node.process().live()) {
                    boolean others = status.nodes().stream().anyMatch(o -> o.process().live());
                    throw ClusterException.failed(node.name() + " is not running (" + node.process().wire() + ") before the cluster was ready"
                            + (others ? " (the other nodes are still running; cluster down --dir " + layout.dir() + " ends them)" : "")
                            + "; see " + layout.log(node.name()));
                }
            }
            failOnRefusal(status);
            long pending = pendingPolicy(status);
            if (pending > 0 && !toldPolicy) {
                progress.accept("  waiting for the policy to be installed: " + pending + "/" + n + " nodes answer 403 (" + Decision.DEFAULT_DENY
                        + ") until the ledger's leader has ledgered " + NewCluster.POLICY);
                toldPolicy = true;
            }
            long now = System.nanoTime();
            boolean ready = status.healthy() && status.activeVoters() >= voters;
            if (!ready) {
                isHealthy = false;
            } else if (!isHealthy) {
                isHealthy = true;
                healthySince = now;
            }
            if (isHealthy && now - healthySince >= STABLE.toNanos()) {
                progress.accept((n == 1 ? "the node answers" : "all " + n + " nodes see each other alive") + "; leader " + status.leader().orElseThrow()
                        + (status.activeVoters() > 0 ? ", " + status.activeVoters() + " voters" : ""));
                return status;
            }
            // Progress when something changed, at most every 2 s: a warming cluster flaps.
            String summary = summary(status);
            if (!summary.equals(last) && now - lastShown >= Duration.ofSeconds(2).toNanos()) {
                progress.accept("  " + summary);
                last = summary;
                lastShown = now;
            }
            // A cluster that has just become healthy gets its STABLE second even past the deadline.
            if (now - deadline > 0 && !(isHealthy && now - healthySince < STABLE.toNanos())) {
                boolean noPolicy = pendingPolicy(status) > 0;
                throw ClusterException.failed("the cluster was not ready within " + told.toSeconds() + " s:\n" + describe(status)
                        + (voters > 1 ? "\n" + status.activeVoters() + " of the " + voters + " voters wanted say they are active voters" : "")
                        + (noPolicy ? "\nno policy is in the ledger yet: the leader installs the one named by api.bootstrap_policy in node.yaml ("
                                + layout.policy() + "); its log says why it did not" : "")
                        + "\nthe processes are still running; read the logs (" + layout.dir() + "/node-*/node.log), then run cluster down --dir " + layout.dir());
            }
            sleep(POLL);
        }
    }

    /** How many nodes answer 403 because their ledger holds no policy yet. */
    private static long pendingPolicy(ClusterStatus status) {
        return status.nodes().stream().filter(s -> s.refused().filter(NodeClient.Answer.Refused::policyPending).isPresent()).count();
    }

    private static String summary(ClusterStatus status) {
        int n = status.nodes().size();
        long answering = status.nodes().stream().filter(s -> s.view().isPresent()).count();
        long pending = pendingPolicy(status);
        long seeingAll = status.nodes().stream().filter(s -> s.view().isPresent() && status.nodes().stream()
                .allMatch(o -> o.name().equals(s.name()) || o.outOfMesh()
                        || s.view().get().stateOf(o.name()).orElse(PeerState.DOWN) == PeerState.ALIVE))
                .count();
        return answering + "/" + n + " answering" + (pending == 0 ? "" : " (" + pending + " more waiting for the policy to be installed)")
                + ", " + seeingAll + "/" + n + " see every other node alive, leader "
                + status.leader().orElse("not agreed yet") + ", " + status.activeVoters() + " voters";
    }

    /** One line per node: what it answered and what it sees. */
    public static String describe(ClusterStatus status) {
        StringBuilder b = new StringBuilder();
        for (ClusterStatus.NodeStatus node : status.nodes()) {
            b.append("  ").append(node.name()).append(": ");
            switch (node.answer()) {
                case NodeClient.Answer.Seen seen -> {
                    List<String> peers = new ArrayList<>();
                    for (NodeView.Peer p : seen.view().peers()) {
                        peers.add(p.name() + " " + NodeView.wire(p.state()) + p.lastFailure().map(f -> " (" + f + ")").orElse(""));
                    }
                    b.append(seen.view().membership().map(m -> m.role() + ", " + m.status() + "; ").orElse(""))
                            .append("sees ").append(peers.isEmpty() ? "no peers" : String.join(", ", peers))
                            .append("; leader ").append(seen.view().leader().orElse("none"));
                }
                case NodeClient.Answer.NoAnswer no -> b.append("process ").append(node.process().wire())
                        .append(", no answer (").append(no.reason()).append(")");
                case NodeClient.Answer.Refused r -> b.append(r.explain());
            }
            b.append('\n');
        }
        return b.toString().stripTrailing();
    }

    /** SIGKILL through the host agent; the result carries the instant just before the signal. */
    public Orchestrator.Signalled kill(String name) {
        state().node(name);
        return await(orchestrator().kill(name));
    }

    /** SIGTERM through the host agent, SIGKILL after its stop timeout. */
    public Orchestrator.Stopped stop(String name) {
        state().node(name);
        return await(orchestrator().stop(name));
    }

    /** SIGSTOP through the host agent: the process stays, silent; only timeouts can tell its peers. */
    public Orchestrator.Signalled pause(String name) {
        state().node(name);
        return await(orchestrator().pause(name));
    }

    /** SIGCONT through the host agent. */
    public Orchestrator.Signalled resume(String name) {
        state().node(name);
        return await(orchestrator().resume(name));
    }

    /** The membership as the first live member that answers has folded it (the leader first). */
    public Members members() {
        ClusterStatus status = status();
        List<String> order = new ArrayList<>();
        status.leader().ifPresent(order::add);
        status.nodes().stream().filter(n -> n.view().isPresent() && !order.contains(n.name())).forEach(n -> order.add(n.name()));
        List<String> problems = new ArrayList<>();
        for (String n : order) {
            try {
                return client().members(n, status.node(n).endpoints().orElseThrow().api());
            } catch (ClusterException e) {
                problems.add(e.getMessage());
            }
        }
        throw ClusterException.failed("no member of " + layout.dir() + " showed the membership" + (problems.isEmpty() ? " (none answers)" : ": "
                + String.join("; ", problems)));
    }

    /**
     * {@code cluster add-node}: enrols and starts the next free name ({@code next_name} of the
     * membership: node-6 after node-5, never a name that was used), seeded with every active
     * member's Raft address; returns once every member sees it alive and its ledger has caught up
     * with the leader's size at the start of the wait.
     */
    public Added addNode(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Members before = members();
        String name = before.nextName();
        List<NodeSpec.Seed> seeds = before.active().stream().map(Members.Member::seed).toList();
        if (seeds.isEmpty()) {
            throw ClusterException.refused("the membership of " + layout.dir() + " has no active member to join through");
        }
        NodeSpec template = handles().values().stream().findFirst().map(NodeHandle::spec).orElseThrow(() ->
                ClusterException.refused("the host agent of " + layout.dir() + " runs no node to copy the detector and SVID lifetime from"));
        progress.accept("adding " + name + " (seeds " + seeds.stream().map(NodeSpec.Seed::toString).toList() + ") ...");
        NodeHandle h = spawn(new NodeSpec(name, new NodeSpec.Join.Seeds(seeds), template.detector(), template.svidTtl()));
        ClusterStatus status = status();
        String leader = status.leader().orElse("");
        long target = status.nodes().stream().filter(n -> n.name().equals(leader)).findFirst().flatMap(ClusterStatus.NodeStatus::view)
                .map(NodeView::ledgerSize).orElse(0L);
        awaitSeenAlive(name, remaining(deadline));
        progress.accept(name + " is seen alive by every member; waiting for its ledger to reach " + target + " entries ...");
        while (true) {
            ClusterStatus now = status();
            Optional<NodeView> v = now.node(name).view();
            if (v.isPresent() && v.get().ledgerSize() >= target && v.get().membership().isPresent()) {
                return new Added(h, now.role(now.node(name)), v.get().ledgerSize());
            }
            if (System.nanoTime() - deadline > 0) {
                throw ClusterException.failed(name + " runs and is seen alive, but its ledger did not reach " + target + " entries within "
                        + timeout.toSeconds() + " s (" + v.map(x -> x.ledgerSize() + " entries, membership "
                        + x.membership().map(m -> m.role() + "/" + m.status()).orElse("not listed yet")).orElse(noView(now.node(name).answer()))
                        + "); see " + layout.log(name));
            }
            sleep(POLL);
        }
    }

    /**
     * {@code cluster remove-node}: asks a live member to write LEAVE for {@code name}, waits until
     * no member lists it as a peer, then stops it through the host agent and takes it out of
     * cluster.json.
     */
    public Orchestrator.Stopped removeNode(String name, Duration timeout) {
        state().node(name);
        long deadline = System.nanoTime() + timeout.toNanos();
        NodeClient.MemberChange change = changeMember(name, "leave", "cluster remove-node");
        progress.accept(name + " left the membership (entry " + change.seq() + "); waiting until no member lists it ...");
        while (true) {
            ClusterStatus status = status();
            List<String> still = status.nodes().stream().filter(n -> !n.name().equals(name) && n.view().flatMap(v -> v.stateOf(name)).isPresent())
                    .map(n -> n.name() + " (" + lag(status, n) + ")").toList();
            if (still.isEmpty()) {
                break;
            }
            if (System.nanoTime() - deadline > 0) {
                throw ClusterException.failed("within " + timeout.toSeconds() + " s of " + name + "'s LEAVE, " + String.join(", ", still)
                        + " still list it as a peer; it is still running");
            }
            sleep(POLL);
        }
        Orchestrator.Stopped stopped = await(orchestrator().stop(name));
        ClusterState.update(layout.dir(), s -> s.without(name));
        return stopped;
    }

    /** {@code cluster fence} / {@code readmit}: the membership change, asked of a live member other than the target (the leader first). */
    public NodeClient.MemberChange changeMember(String name, String op, String reason) {
        state().node(name);
        ClusterStatus status = status();
        List<String> order = new ArrayList<>();
        status.leader().filter(l -> !l.equals(name)).ifPresent(order::add);
        status.nodes().stream().filter(n -> n.view().isPresent() && !n.name().equals(name) && !order.contains(n.name())).forEach(n -> order.add(n.name()));
        if (order.isEmpty()) {
            throw ClusterException.refused("no live member of " + layout.dir() + " other than " + name + " answers; the membership cannot be changed");
        }
        List<String> problems = new ArrayList<>();
        for (String via : order) {
            try {
                return client().changeMember(via, status.node(via).endpoints().orElseThrow().api(), name, op, reason);
            } catch (ClusterException e) {
                if (e.kind() != ClusterException.Kind.FAILED) {
                    throw e;
                }
                problems.add(e.getMessage());
            }
        }
        throw ClusterException.failed("no member could " + op + " " + name + ": " + String.join("; ", problems));
    }

    /**
     * {@code cluster down}: every node the host agent runs is stopped (SIGTERM, SIGKILL after its
     * stop timeout), all at once; then the agent. An agent that is not running is started first if
     * nodes it recorded still run, so that they are adopted and stopped too. Nothing recorded is
     * left running; running it again finds nothing to do.
     */
    public List<Orchestrator.Stopped> down() {
        List<Orchestrator.Stopped> ended = new ArrayList<>();
        HostAgentClient a = agentClient();
        if (!a.agentRunning() && !anyRecordedNodeRuns()) {
            for (String n : state().nodes()) {
                ended.add(new Orchestrator.Stopped(n, 0, Orchestrator.Stopped.Outcome.NOT_RUNNING, Duration.ZERO));
            }
        } else {
            ensureAgent();
            Map<String, CompletableFuture<Orchestrator.Stopped>> stopping = new LinkedHashMap<>();
            for (NodeHandle h : await(a.list())) {
                stopping.put(h.name(), a.stop(h.name()));
            }
            for (String n : state().nodes()) {
                if (!stopping.containsKey(n)) {
                    ended.add(new Orchestrator.Stopped(n, 0, Orchestrator.Stopped.Outcome.NOT_RUNNING, Duration.ZERO));
                }
            }
            stopping.forEach((n, f) -> ended.add(await(f)));
        }
        AgentProcess.stop(layout).ifPresent(pid -> progress.accept("host agent stopped (pid " + pid + ")"));
        if (ProcessLauncher.runsAsRoot()) {
            CpuGroup.removeIfEmpty(layout.dir());
        }
        return ended;
    }

    /** Whether state.json records a node whose process still runs (the agent died and left it). */
    private boolean anyRecordedNodeRuns() {
        try {
            return HostState.load(layout.state()).nodes().stream().anyMatch(e -> e.process()
                    .flatMap(p -> NodeProcesses.live(p, layout.config(e.spec().name()))).isPresent());
        } catch (IllegalArgumentException e) {
            throw ClusterException.failed(e.getMessage());
        }
    }

    /** Whether this process runs as root (then nodes get a raised priority and share one CPU group). */
    public static boolean runsAsRoot() {
        return ProcessLauncher.runsAsRoot();
    }

    public static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ClusterException.failed("interrupted");
        }
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
            client = null;
        }
        if (agent != null) {
            agent.close();
            agent = null;
        }
    }
}
