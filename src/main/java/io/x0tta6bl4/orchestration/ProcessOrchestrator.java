package io.x0tta6bl4.orchestration;

import io.x0tta6bl4.identity.CredentialFileException;
import io.x0tta6bl4.identity.IdentityVerificationException;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.NodeIssuer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The host agent's {@link Orchestrator}: nodes as processes of this machine.
 *
 * <p><b>What it owns.</b> Every node it spawns gets a folder in the cluster directory
 * ({@link HostLayout}): credentials enrolled with this host's intermediate issuing key
 * ({@link NodeIssuer#issueNode}; the CA's roots are never read here), a node.yaml of version 2
 * ({@link NodeYaml}), its data and its log. The record of what it started, {@code
 * DIR/host/state.json} ({@link HostState}), is written before a process starts (the spec: intent
 * first) and after (its pid and start instant), so an agent killed at any point and started again
 * adopts every node that still runs ({@link #open}) and loses none.
 *
 * <p><b>When a node counts as started.</b> When it answers {@code GET /health} over TLS (its SVID,
 * checked against the bundle's root and the host name 127.0.0.1) on the API port it published in
 * {@code data/endpoints.json}, and that file names the process this agent started (pid and start
 * instant: a file from an earlier run names another). A process that exits first fails the spawn
 * at once with the end of its log. Deadlines are read from a monotonic clock.
 *
 * <p><b>Concurrency.</b> Operations on different nodes run in parallel, each on a virtual thread.
 * On one node, the steps that change its process (launch, signals) are serialised by the node's
 * lock; the wait for a started node to answer holds no lock, so a {@code stop} or {@code kill}
 * can always end a node that is still starting (its spawn then fails, saying it exited).
 *
 * <p>It restarts nothing by itself: a node that exits stays exited until someone asks.
 */
final class ProcessOrchestrator implements Orchestrator, AutoCloseable {
    /** How long a started node has to answer: a JVM with a Raft replica on a loaded 2-core machine takes seconds, several at once longer. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** How long a node has to exit after SIGTERM before it is sent SIGKILL. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(3);
    /** Nodes listen on loopback; a host with other addresses would say so here. */
    static final String HOST = "127.0.0.1";

    private final HostLayout layout;
    private final NodeIssuer issuer;
    private final NodeLaunch launch;
    private final List<String> hostOptions;
    private final InstantSource clock;
    private final LongSupplier nanoTime;
    private final Supplier<SecureRandom> random;
    private final Consumer<String> log;
    private final HttpClient health;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Object lock = new Object();
    /** Guarded by {@link #lock}; insertion order is spawn order. */
    private final Map<String, Node> nodes = new LinkedHashMap<>();

    /** One node: its spec, its last process, and the lock that serialises changes to that process. */
    private static final class Node {
        final NodeSpec spec;
        final ReentrantLock op = new ReentrantLock();
        /** Guarded by the orchestrator's lock. */
        Optional<NodeProcess> process;

        Node(NodeSpec spec, Optional<NodeProcess> process) {
            this.spec = spec;
            this.process = process;
        }
    }

    private ProcessOrchestrator(HostLayout layout, NodeIssuer issuer, NodeLaunch launch, InstantSource clock, LongSupplier nanoTime,
                                Supplier<SecureRandom> random, Consumer<String> log) {
        this.layout = layout;
        this.issuer = issuer;
        this.launch = launch;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.random = random;
        this.log = log;
        this.hostOptions = NativeLibrary.sqliteOptions(layout.nativeLibraries());
        this.health = HttpClient.newBuilder().sslContext(NodeClient.trusting(issuer.bundle().x509Root())).connectTimeout(HEALTH_TIMEOUT).build();
    }

    /**
     * The orchestrator of the host in {@code layout}: reads state.json and adopts every recorded
     * node whose process still runs (pid, start instant and command line, {@link NodeProcesses#live});
     * the others are listed as exited. An entry that never got a process (the agent died between
     * writing the spec and starting it) is dropped, so the name can be spawned again.
     */
    static ProcessOrchestrator open(HostLayout layout, NodeIssuer issuer, NodeLaunch launch, InstantSource clock, LongSupplier nanoTime,
                                    Supplier<SecureRandom> random, Consumer<String> log) {
        ProcessOrchestrator o = new ProcessOrchestrator(layout, issuer, launch, clock, nanoTime, random, log);
        HostState state = HostState.load(layout.state());
        synchronized (o.lock) {
            for (HostState.Entry e : state.nodes()) {
                if (e.process().isEmpty()) {
                    log.accept(e.spec().name() + " was recorded but never started; forgotten");
                    continue;
                }
                o.nodes.put(e.spec().name(), new Node(e.spec(), e.process()));
                NodeProcess p = e.process().get();
                ProcessState s = NodeProcesses.state(e.process(), layout.config(e.spec().name()));
                log.accept(s.live() ? "adopted " + e.spec().name() + " (pid " + p.pid() + ", started " + p.started() + ", " + s.wire() + ")"
                        : e.spec().name() + " (pid " + p.pid() + ") has exited; listed as exited, not restarted");
            }
            o.save();
        }
        return o;
    }

    private void save() {
        synchronized (lock) {
            List<HostState.Entry> entries = new ArrayList<>();
            nodes.values().forEach(n -> entries.add(new HostState.Entry(n.spec, n.process)));
            new HostState(entries).save(layout.state());
        }
    }

    private <T> CompletableFuture<T> async(Supplier<T> body) {
        return CompletableFuture.supplyAsync(body, executor);
    }

    @Override
    public CompletableFuture<NodeHandle> spawn(NodeSpec spec) {
        return async(() -> doSpawn(spec));
    }

    private NodeHandle doSpawn(NodeSpec spec) {
        Node n = new Node(spec, Optional.empty());
        synchronized (lock) {
            Node known = nodes.get(spec.name());
            if (known != null) {
                throw OrchestratorException.conflict(spec.name() + " is already on this host (" + stateOf(known).wire()
                        + "); restart it with its own spec, or spawn another name");
            }
            nodes.put(spec.name(), n);
            save();
        }
        NodeProcess started;
        n.op.lock();
        try {
            enrol(spec);
            writeConfig(spec);
            started = launch(n);
        } catch (RuntimeException e) {
            synchronized (lock) {
                if (n.process.isEmpty()) {
                    nodes.remove(spec.name());
                    save();
                }
            }
            throw e;
        } finally {
            n.op.unlock();
        }
        return awaitAnswering(n, started);
    }

    /**
     * Credentials for the node: issued by this host unless its folder already holds valid ones
     * (a spawn that failed after enrolling, tried again), which are reused after checking them
     * against the bundle.
     */
    private void enrol(NodeSpec spec) {
        Path dir = layout.credentials(spec.name());
        Instant now = clock.instant();
        if (Files.isRegularFile(dir.resolve("svid.crt"))) {
            try {
                NodeCredentials c = NodeCredentials.load(dir);
                if (issuer.bundle().verifySvid(c.svidChain(), now).equals(c.id()) && c.id().path().equals("/node/" + spec.name())) {
                    return;
                }
            } catch (CredentialFileException | IdentityVerificationException e) {
                throw OrchestratorException.conflict(dir + " holds credentials that cannot be used (" + e.getMessage()
                        + "); remove the folder " + layout.nodeDir(spec.name()) + " or spawn another name");
            }
        }
        try {
            issuer.issueNode(spec.name(), spec.svidTtl(), now, random.get(), dir);
        } catch (IllegalArgumentException e) {
            throw OrchestratorException.badRequest("svid_ttl_seconds", e.getMessage());
        } catch (CredentialFileException e) {
            throw OrchestratorException.failed("cannot enrol " + spec.name() + ": " + e.getMessage());
        }
        log.accept("enrolled " + spec.name() + " as spiffe://" + issuer.bundle().trustDomain() + "/node/" + spec.name() + " (issuer " + issuer.id()
                + ", valid " + spec.svidTtl().toHours() + " h)");
    }

    private void writeConfig(NodeSpec spec) {
        try {
            Files.createDirectories(layout.data(spec.name()));
            Files.writeString(layout.config(spec.name()), NodeYaml.write(spec, issuer.bundle().trustDomain(), HOST), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw OrchestratorException.failed("cannot write " + layout.config(spec.name()) + ": " + e.getMessage());
        }
    }

    /** Starts the node's process and records it; the caller holds the node's lock. */
    private NodeProcess launch(Node n) {
        String name = n.spec.name();
        Instant now = clock.instant();
        Process process;
        try {
            process = ProcessLauncher.start(launch.command(hostOptions, layout.config(name)), true, layout.nodeDir(name), layout.log(name),
                    "x0tta6bl4 host: starting " + name + " at " + now);
        } catch (IOException e) {
            throw OrchestratorException.failed("cannot start " + name + " (" + launch.java() + "): " + e.getMessage());
        }
        NodeProcess p = ProcessLauncher.identity(process, now);
        int count;
        synchronized (lock) {
            n.process = Optional.of(p);
            save();
            count = nodes.size();
        }
        log.accept(name + " started (pid " + p.pid() + ", log " + layout.dir().relativize(layout.log(name)) + shareCpuGroup(p.pid(), count) + ")");
        return p;
    }

    /**
     * As root, moves a node just started into the host's one CPU group ({@link CpuGroup}), so that
     * a waking probe thread of one node is not kept waiting behind another node's compiler.
     * Returns a note for the log: where it went, or why it runs as before.
     */
    private String shareCpuGroup(long pid, int nodes) {
        if (!ProcessLauncher.runsAsRoot()) {
            return "";
        }
        CpuGroup.Found found = CpuGroup.find(layout.dir(), nodes);
        if (found.group().isEmpty()) {
            return "; not grouped: " + found.reason();
        }
        try {
            found.group().get().add(pid);
            return ", CPU group " + found.group().get().dir().getFileName();
        } catch (IOException e) {
            return "; not grouped: cannot join " + found.group().get().dir() + ": " + e.getMessage();
        }
    }

    /** Waits, holding no lock, until the started process answers on the endpoints it published. */
    private NodeHandle awaitAnswering(Node n, NodeProcess p) {
        String name = n.spec.name();
        Path config = layout.config(name);
        long deadline = nanoTime.getAsLong() + START_TIMEOUT.toNanos();
        String waiting = "it has not published " + layout.dir().relativize(layout.endpoints(name)) + " yet";
        while (true) {
            if (NodeProcesses.live(p, config).isEmpty()) {
                throw exited(name, p, "before it answered");
            }
            Optional<NodeEndpoints.Published> published;
            try {
                published = NodeEndpoints.read(layout.endpoints(name)).filter(e -> e.by(p));
            } catch (IllegalArgumentException e) {
                throw OrchestratorException.failed(name + " published endpoints that cannot be read: " + e.getMessage());
            }
            if (published.isPresent()) {
                NodeEndpoints e = published.get().endpoints();
                Optional<String> problem = healthProblem(e);
                if (problem.isEmpty()) {
                    log.accept(name + " answers on https://" + e.host() + ":" + e.api() + " (peer " + e.peer() + ", raft " + e.raft() + ")");
                    return handle(n);
                }
                waiting = "GET https://" + e.host() + ":" + e.api() + "/health: " + problem.get();
            }
            if (nanoTime.getAsLong() - deadline > 0) {
                throw OrchestratorException.failed(name + " did not answer within " + START_TIMEOUT.toSeconds() + " s (" + waiting
                        + "); it is still running as pid " + p.pid() + "; see " + layout.log(name));
            }
            pause(POLL);
        }
    }

    /** Empty when {@code GET /health} answers 200; otherwise what it did. */
    private Optional<String> healthProblem(NodeEndpoints e) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("https://" + e.host() + ":" + e.api() + "/health")).timeout(HEALTH_TIMEOUT).GET().build();
        try {
            HttpResponse<Void> r = health.send(req, HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200 ? Optional.empty() : Optional.of("HTTP " + r.statusCode());
        } catch (IOException ex) {
            return Optional.of(ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage()));
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw OrchestratorException.failed("interrupted while waiting for " + e + " to answer");
        }
    }

    private OrchestratorException exited(String name, NodeProcess p, String when) {
        Path log = layout.log(name);
        List<String> tail = NodeProcesses.tail(log, 12);
        return OrchestratorException.failed(name + " (pid " + p.pid() + ") exited " + when + "; the end of " + log + ":"
                + (tail.isEmpty() ? " (empty)" : "\n    " + String.join("\n    ", tail)));
    }

    @Override
    public CompletableFuture<Stopped> stop(String name) {
        return async(() -> withLock(name, this::doStop));
    }

    private Stopped doStop(Node n) {
        Optional<ProcessHandle> h = liveHandle(n);
        long lastPid = processOf(n).map(NodeProcess::pid).orElse(0L);
        if (h.isEmpty()) {
            return new Stopped(n.spec.name(), lastPid, Stopped.Outcome.NOT_RUNNING, Duration.ZERO);
        }
        long t0 = nanoTime.getAsLong();
        terminate(h.get());
        if (NodeProcesses.awaitExit(h.get(), STOP_TIMEOUT)) {
            log.accept(n.spec.name() + " stopped (pid " + lastPid + ")");
            return new Stopped(n.spec.name(), lastPid, Stopped.Outcome.STOPPED, Duration.ofNanos(nanoTime.getAsLong() - t0));
        }
        h.get().destroyForcibly();
        if (!NodeProcesses.awaitExit(h.get(), KILL_TIMEOUT)) {
            throw OrchestratorException.failed(n.spec.name() + " (pid " + lastPid + ") still runs after SIGTERM and, " + STOP_TIMEOUT.toSeconds()
                    + " s later, SIGKILL");
        }
        log.accept(n.spec.name() + " killed (pid " + lastPid + " did not exit within " + STOP_TIMEOUT.toSeconds() + " s of SIGTERM)");
        return new Stopped(n.spec.name(), lastPid, Stopped.Outcome.KILLED, Duration.ofNanos(nanoTime.getAsLong() - t0));
    }

    /** SIGTERM, after SIGCONT if the process is stopped: a stopped process keeps SIGTERM pending until it is continued. */
    private static void terminate(ProcessHandle h) {
        if (NodeProcesses.paused(h.pid())) {
            NodeProcesses.signal(h.pid(), "CONT");
        }
        h.destroy();
    }

    @Override
    public CompletableFuture<Signalled> kill(String name) {
        return async(() -> withLock(name, n -> {
            ProcessHandle h = requireLive(n);
            Instant signalled = clock.instant();
            h.destroyForcibly();
            if (!NodeProcesses.awaitExit(h, KILL_TIMEOUT)) {
                throw OrchestratorException.failed(name + " (pid " + h.pid() + ") still runs " + KILL_TIMEOUT.toSeconds() + " s after SIGKILL");
            }
            log.accept(name + " killed (SIGKILL to pid " + h.pid() + " at " + signalled + ")");
            return new Signalled(name, h.pid(), signalled);
        }));
    }

    @Override
    public CompletableFuture<Signalled> pause(String name) {
        return async(() -> withLock(name, n -> {
            ProcessHandle h = requireLive(n);
            if (NodeProcesses.paused(h.pid())) {
                throw OrchestratorException.conflict(name + " is already paused (pid " + h.pid() + "); resume continues it");
            }
            Instant signalled = clock.instant();
            NodeProcesses.signal(h.pid(), "STOP");
            NodeProcesses.awaitStopped(h.pid(), true);
            log.accept(name + " paused (SIGSTOP to pid " + h.pid() + ")");
            return new Signalled(name, h.pid(), signalled);
        }));
    }

    @Override
    public CompletableFuture<Signalled> resume(String name) {
        return async(() -> withLock(name, n -> {
            ProcessHandle h = requireLive(n);
            if (!NodeProcesses.paused(h.pid())) {
                throw OrchestratorException.conflict(name + " is not paused (pid " + h.pid() + " is running)");
            }
            Instant signalled = clock.instant();
            NodeProcesses.signal(h.pid(), "CONT");
            NodeProcesses.awaitStopped(h.pid(), false);
            log.accept(name + " resumed (SIGCONT to pid " + h.pid() + ")");
            return new Signalled(name, h.pid(), signalled);
        }));
    }

    @Override
    public CompletableFuture<NodeHandle> restart(String name) {
        return async(() -> {
            Node n = node(name);
            NodeProcess started;
            n.op.lock();
            try {
                if (liveHandle(n).isPresent()) {
                    doStop(n);
                }
                enrol(n.spec);
                writeConfig(n.spec);
                started = launch(n);
            } finally {
                n.op.unlock();
            }
            return awaitAnswering(n, started);
        });
    }

    @Override
    public CompletableFuture<List<NodeHandle>> list() {
        return async(() -> {
            List<Node> all;
            synchronized (lock) {
                all = List.copyOf(nodes.values());
            }
            return all.stream().filter(n -> processOf(n).isPresent()).map(this::handle).toList();
        });
    }

    /**
     * Stops every running node at once: SIGTERM to all, up to {@link #STOP_TIMEOUT} for all of
     * them, then SIGKILL to the rest. For an agent whose {@code --exit-with} process is gone.
     */
    List<Stopped> stopAll() {
        List<CompletableFuture<Stopped>> all = new ArrayList<>();
        List<Node> known;
        synchronized (lock) {
            known = List.copyOf(nodes.values());
        }
        for (Node n : known) {
            all.add(async(() -> withLock(n.spec.name(), this::doStop)));
        }
        List<Stopped> out = new ArrayList<>();
        for (CompletableFuture<Stopped> f : all) {
            try {
                out.add(f.join());
            } catch (RuntimeException e) {
                log.accept("stopping: " + OrchestratorException.unwrap(e).getMessage());
            }
        }
        return out;
    }

    private NodeHandle handle(Node n) {
        NodeProcess proc = processOf(n).orElseThrow(() -> OrchestratorException.conflict(n.spec.name() + " is being enrolled; it has no process yet"));
        return handle(layout, n.spec, proc);
    }

    /** A node's handle from its recorded process: the operating system's word on it, and what it published. */
    static NodeHandle handle(HostLayout layout, NodeSpec spec, NodeProcess proc) {
        ProcessState state = NodeProcesses.state(Optional.of(proc), layout.config(spec.name()));
        Optional<NodeEndpoints> endpoints;
        try {
            endpoints = NodeEndpoints.read(layout.endpoints(spec.name()))
                    .filter(e -> !state.live() || e.by(proc))
                    .map(NodeEndpoints.Published::endpoints);
        } catch (IllegalArgumentException e) {
            endpoints = Optional.empty();
        }
        return new NodeHandle(spec.name(), proc.pid(), proc.started(), state, endpoints, spec);
    }

    /**
     * What a host agent would list, read from state.json and the process table without one: for
     * a command that only looks ({@code cluster status}) and must not start an agent to do so.
     */
    static List<NodeHandle> recorded(HostLayout layout) {
        return HostState.load(layout.state()).nodes().stream().filter(e -> e.process().isPresent())
                .map(e -> handle(layout, e.spec(), e.process().get())).toList();
    }

    private Optional<NodeProcess> processOf(Node n) {
        synchronized (lock) {
            return n.process;
        }
    }

    private Optional<ProcessHandle> liveHandle(Node n) {
        return processOf(n).flatMap(p -> NodeProcesses.live(p, layout.config(n.spec.name())));
    }

    private ProcessHandle requireLive(Node n) {
        return liveHandle(n).orElseThrow(() -> OrchestratorException.conflict(n.spec.name() + " is not running"
                + processOf(n).map(p -> " (pid " + p.pid() + " has exited)").orElse("") + "; restart starts it"));
    }

    private Node node(String name) {
        synchronized (lock) {
            Node n = nodes.get(name);
            if (n == null || n.process.isEmpty()) {
                throw OrchestratorException.unknown(name, String.join(", ", nodes.keySet()));
            }
            return n;
        }
    }

    private <T> T withLock(String name, java.util.function.Function<Node, T> body) {
        Node n = node(name);
        n.op.lock();
        try {
            return body.apply(n);
        } finally {
            n.op.unlock();
        }
    }

    private ProcessState stateOf(Node n) {
        return NodeProcesses.state(processOf(n), layout.config(n.spec.name()));
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw OrchestratorException.failed("interrupted");
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        health.close();
    }
}
