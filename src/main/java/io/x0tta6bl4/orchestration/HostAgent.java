package io.x0tta6bl4.orchestration;

import io.x0tta6bl4.identity.NodeIssuer;
import io.x0tta6bl4.identity.TrustBundle;
import io.x0tta6bl4.policy.Policy;
import io.x0tta6bl4.policy.PolicyException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * The host agent, {@code x0tta6bl4 host run --dir DIR}: one per host, it owns the host's node
 * processes and is the only party on the host that can enrol a node.
 *
 * <p><b>Why a separate process.</b> This is SPIRE's split of a server that holds the roots from
 * an agent on each host. The roots stay in {@code DIR/ca}, which no running process reads; the
 * agent holds only an intermediate issuing key the roots signed for this host
 * ({@code DIR/host/issuer}, {@link NodeIssuer}), so a compromised host can enrol nodes only
 * until its issuer expires, and only nodes. And because the agent, not the command that asked,
 * starts the nodes, any authorised party can ask it over the network: the operator's CLI, and
 * the nodes themselves (a node asking its host to restart a peer), each with its own X.509-SVID,
 * each decided by the cluster's policy ({@link AgentServer}).
 *
 * <p><b>What it does not do.</b> It restarts nothing by itself: a node that exits stays exited
 * until the mesh (or the operator) asks. It holds no state that matters beyond its nodes' specs
 * and processes ({@code DIR/host/state.json}), so killing it loses nothing: the nodes run in
 * their own sessions and keep running, and the next agent adopts them by pid and start instant.
 *
 * <p><b>Lifetime.</b> It runs until SIGTERM, and leaves its nodes running then ({@code cluster
 * down} stops the nodes first, then the agent). With {@code --exit-with PID} it also watches
 * that process, and when it is gone stops every node it runs and exits: a test run that is
 * cancelled, or a harness that dies, leaves no node behind.
 *
 * <p>It is an edge of the system: it reads the wall clock for certificates and logs and a
 * monotonic clock for every deadline.
 */
public final class HostAgent implements AutoCloseable {
    /** How often the {@code --exit-with} process is looked at. */
    static final Duration WATCH_EVERY = Duration.ofMillis(250);

    private final HostLayout layout;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ProcessOrchestrator orchestrator;
    private final AgentServer server;
    private final AgentRecord record;
    private final Consumer<String> log;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean closing;
    /** Set once the exit-with process is gone and the nodes have been stopped. */
    private volatile boolean nodesStopped;

    private HostAgent(HostLayout layout, FileChannel lockChannel, FileLock lock, ProcessOrchestrator orchestrator, AgentServer server,
                      AgentRecord record, Consumer<String> log) {
        this.layout = layout;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.orchestrator = orchestrator;
        this.server = server;
        this.record = record;
        this.log = log;
    }

    /**
     * Starts the agent of the cluster directory {@code dir}: takes its lock (one agent per
     * directory), loads the bundle, this host's issuer and the policy, adopts the nodes of
     * state.json that still run, listens, and publishes agent.json.
     *
     * @param exitWith a process whose end ends the agent, after it has stopped its nodes
     * @throws OrchestratorException {@code CONFLICT} if another agent runs in {@code dir}, or the
     *                               exit-with process does not exist
     * @throws IllegalArgumentException or {@code CredentialFileException} naming the file that is
     *                               missing or wrong
     */
    public static HostAgent start(Path dir, Optional<Long> exitWith, Consumer<String> log) {
        HostLayout layout = new HostLayout(dir);
        Optional<ProcessHandle> watched = exitWith.map(pid -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive).orElseThrow(() ->
                OrchestratorException.conflict("--exit-with " + pid + ": no such process is running")));
        if (!Files.isDirectory(layout.issuer())) {
            throw new IllegalArgumentException(layout.issuer() + " does not exist: no host issuer in " + layout.dir()
                    + "; cluster up makes one (or x0tta6bl4 ca issue-host --dir CA_DIR --name HOST --out " + layout.issuer() + ")");
        }
        FileChannel channel;
        FileLock lock;
        try {
            channel = FileChannel.open(layout.agentLock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
        } catch (IOException e) {
            throw OrchestratorException.failed("cannot open " + layout.agentLock() + ": " + e.getMessage());
        }
        if (lock == null) {
            close(channel);
            String who = AgentRecord.read(layout.agentRecord()).map(r -> " (pid " + r.pid() + ", port " + r.port() + ")").orElse("");
            throw OrchestratorException.conflict("another host agent runs for " + layout.dir() + who + "; it holds " + layout.agentLock());
        }
        try {
            InstantSource clock = InstantSource.system();
            Instant now = clock.instant();
            TrustBundle bundle = TrustBundle.load(layout.bundle());
            NodeIssuer issuer = NodeIssuer.load(layout.issuer(), bundle, now);
            Policy policy = loadPolicy(layout.policy());
            NodeLaunch launch = Files.exists(layout.launch()) ? NodeLaunch.load(layout.launch()) : NodeLaunch.current();
            ProcessOrchestrator orchestrator = ProcessOrchestrator.open(layout, issuer, launch, clock, System::nanoTime, SecureRandom::new, log);
            AgentServer server;
            try {
                server = AgentServer.start(issuer.credentials(), bundle, () -> policy, orchestrator, clock, log);
            } catch (RuntimeException e) {
                orchestrator.close();
                throw e;
            }
            AgentRecord record = AgentRecord.self(server.port());
            record.save(layout.agentRecord());
            log.accept("host agent " + issuer.id() + " for " + layout.dir() + ": https://" + ProcessOrchestrator.HOST + ":" + server.port()
                    + " (pid " + record.pid() + "), policy " + policy + ", issuer valid until " + issuer.notAfter()
                    + watched.map(p -> "; exits with pid " + p.pid()).orElse(""));
            HostAgent agent = new HostAgent(layout, channel, lock, orchestrator, server, record, log);
            watched.ifPresent(agent::exitWith);
            return agent;
        } catch (RuntimeException e) {
            release(lock, channel);
            throw e;
        }
    }

    private static Policy loadPolicy(Path file) {
        String text = AtomicFiles.read(file, "it is the cluster's bootstrap policy, which cluster up writes");
        try {
            return Policy.parse(text, file.toString());
        } catch (PolicyException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The port the agent's API listens on (127.0.0.1). */
    public int port() {
        return server.port();
    }

    /** The agent as an {@link Orchestrator} in this process, without its API: for tests of the agent's own wiring. */
    Orchestrator orchestrator() {
        return orchestrator;
    }

    /**
     * Watches {@code process} on a daemon thread; once it is gone, stops every node (SIGTERM, then
     * SIGKILL after the stop timeout), removes the host's emptied CPU group, and closes the agent.
     */
    private void exitWith(ProcessHandle process) {
        Optional<Instant> started = process.info().startInstant();
        Thread.ofPlatform().daemon().name("exit-with-" + process.pid()).start(() -> {
            while (!closing && process.isAlive() && ProcessHandle.of(process.pid()).flatMap(h -> h.info().startInstant()).equals(started)) {
                try {
                    Thread.sleep(WATCH_EVERY);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (closing) {
                return;
            }
            log.accept("pid " + process.pid() + " has exited (--exit-with): stopping every node, then this agent");
            List<Orchestrator.Stopped> stopped = orchestrator.stopAll();
            stopped.stream().filter(s -> s.outcome() != Orchestrator.Stopped.Outcome.NOT_RUNNING)
                    .forEach(s -> log.accept("  " + s.name() + " " + s.outcome().name().toLowerCase(java.util.Locale.ROOT) + " (pid " + s.pid() + ")"));
            if (ProcessLauncher.runsAsRoot()) {
                CpuGroup.removeIfEmpty(layout.dir());
            }
            nodesStopped = true;
            close();
        });
    }

    /** Blocks until the agent has closed (by {@link #close}, or by its exit-with process ending). */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /**
     * Stops listening, removes agent.json (if it is still this agent's) and releases the lock;
     * the nodes keep running.
     */
    @Override
    public synchronized void close() {
        if (closing && closed.getCount() == 0) {
            return;
        }
        closing = true;
        server.close();
        orchestrator.close();
        try {
            if (AgentRecord.read(layout.agentRecord()).filter(r -> r.pid() == record.pid()).isPresent()) {
                Files.deleteIfExists(layout.agentRecord());
            }
        } catch (IOException | RuntimeException e) {
            log.accept("cannot remove " + layout.agentRecord() + ": " + e.getMessage());
        }
        release(lock, lockChannel);
        log.accept("host agent for " + layout.dir() + " closed" + (nodesStopped ? " after stopping its nodes" : "; its nodes keep running"));
        closed.countDown();
    }

    private static void release(FileLock lock, FileChannel channel) {
        try {
            lock.release();
        } catch (IOException e) {
            // the channel's close releases it too
        }
        close(channel);
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
