package io.x0tta6bl4.orchestration;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.CredentialFileException;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.monitor.DetectorSettings;
import io.x0tta6bl4.monitor.NodeView;
import io.x0tta6bl4.monitor.PeerState;
import io.x0tta6bl4.policy.Decision;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A mesh of node processes on this machine, all on loopback, described by {@code DIR/cluster.json}.
 *
 * <pre>
 * DIR/cluster.json          nodes, ports, pids and start instants, the java command ({@link ClusterState})
 * DIR/cluster.lock          serialises updates of cluster.json by concurrent commands
 * DIR/bin/x0tta6bl4.jar     a copy of the packaged jar the nodes run (when run from it), see {@link NewCluster}
 * DIR/ca/                   the CA, as {@code x0tta6bl4 ca init --dir DIR/ca} makes it, with nodes/&lt;name&gt;/
 * DIR/policy.yaml           the bootstrap policy every node.yaml names; the ledger's leader installs it
 * DIR/node-N/node.yaml      the node's config (docs/node-config.md)
 * DIR/node-N/node.log       its stdout and stderr, appended across restarts
 * DIR/node-N/data/          its ledger and Raft log
 * </pre>
 *
 * Each operation re-reads cluster.json, so several commands (or a command and a test) can act on
 * the same cluster; a process is only signalled after checking it is still the one that was
 * started ({@link NodeProcesses}). Nodes run detached from the terminal (in their own session,
 * via {@code setsid} where it exists), so a Ctrl-C in the shell that ran {@code cluster up} does
 * not reach them; {@code cluster down} ends them.
 *
 * <p>The nodes' API wants a bearer token and a policy that allows it: this class asks with a
 * {@link ClusterToken} minted from DIR/ca, which the policy in DIR/policy.yaml allows to read.
 * Between a node's start and the moment the leader has ledgered that policy, every node answers
 * 403 (deny by default); waiting treats that as "not ready yet". Any other refusal of the token
 * ends the wait at once with the node's reason, since waiting would not change it.
 */
public final class LocalCluster implements Orchestrator, AutoCloseable {
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration VIEW_TIMEOUT = Duration.ofSeconds(1);
    public static final int MAX_NODES = 64;
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(100);
    /** How long a cluster must stay healthy to count as ready. */
    static final Duration STABLE = Duration.ofSeconds(1);
    private static final Object LOCK = new Object();

    private final Path dir;
    private final Consumer<String> progress;
    private NodeClient client;

    /** What {@code cluster up} creates. */
    public record Settings(int nodes, String trustDomain, DetectorSettings.Kind detector, Duration svidTtl) {
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
            return new Settings(nodes, DEFAULT_TRUST_DOMAIN, DetectorSettings.Kind.CONSECUTIVE_MISSES, CertificateAuthority.DEFAULT_SVID_TTL);
        }
    }

    /** How one node ended in {@link #down()}. */
    public record Ended(String node, long pid, Outcome outcome, Duration took) {
        public enum Outcome { STOPPED, KILLED, NOT_RUNNING }
    }

    private LocalCluster(Path dir, Consumer<String> progress) {
        this.dir = dir;
        this.progress = progress;
    }

    /** Opens the cluster in {@code dir}; a usage error when there is none. */
    public static LocalCluster open(Path dir, Consumer<String> progress) {
        Path abs = dir.toAbsolutePath().normalize();
        ClusterState.load(abs);
        return new LocalCluster(abs, progress);
    }

    /**
     * {@code cluster up}: creates a cluster in {@code dir} (which must not exist or be empty), or
     * brings back a stopped one recorded there; starts every node; waits until each sees every
     * other alive and they agree on a leader. On a timeout the processes keep running (so the
     * operator can look at them) and the exception says who sees what.
     */
    public static LocalCluster up(Path dir, Settings settings, ClusterState.Launch launch, Duration timeout, Consumer<String> progress) {
        Path abs = dir.toAbsolutePath().normalize();
        LocalCluster cluster = new LocalCluster(abs, progress);
        if (Files.exists(abs.resolve(ClusterState.FILE))) {
            ClusterState state = ClusterState.load(abs);
            List<String> live = new ArrayList<>();
            for (ClusterState.NodeRecord n : state.nodes()) {
                if (NodeProcesses.state(n, state.config(n.name())).live()) {
                    live.add(n.name() + " (pid " + n.process().orElseThrow().pid() + ")");
                }
            }
            if (!live.isEmpty()) {
                throw ClusterException.refused(dir + " already runs a cluster: " + String.join(", ", live)
                        + "; run cluster down --dir " + dir + " first");
            }
            if (state.nodes().size() != settings.nodes()) {
                throw ClusterException.usage(dir + " holds a stopped " + state.nodes().size() + "-node cluster; bring it back with cluster up --nodes "
                        + state.nodes().size() + " --dir " + dir + ", or choose a new --dir");
            }
            progress.accept("bringing back the stopped " + state.nodes().size() + "-node cluster in " + dir + " (same configs, data and ports)");
        } else {
            NewCluster.create(abs, settings, launch, progress);
        }
        try {
            cluster.startAll();
            cluster.awaitHealthy(timeout);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    /** cluster.json as it is now. */
    public ClusterState state() {
        return ClusterState.load(dir);
    }

    @Override
    public List<String> nodes() {
        return state().names();
    }

    /** The client that asks nodes for their views, trusting this cluster's root, with the cluster's token. */
    public synchronized NodeClient client() {
        if (client == null) {
            try {
                client = NodeClient.forCa(dir.resolve("ca"), VIEW_TIMEOUT);
            } catch (CredentialFileException e) {
                throw ClusterState.noCluster(dir, e.getMessage());
            }
        }
        return client;
    }

    public ProcessState processState(String name) {
        ClusterState s = state();
        return NodeProcesses.state(s.node(name), s.config(name));
    }

    /** The node's live process, or a refusal saying it is not running. */
    public ProcessHandle liveHandle(String name) {
        ClusterState s = state();
        ClusterState.NodeRecord n = s.node(name);
        return n.process().flatMap(p -> NodeProcesses.live(p, s.config(name))).orElseThrow(() -> ClusterException.refused(
                name + " is not running" + n.process().map(p -> " (pid " + p.pid() + " has exited)").orElse(" (never started)")
                        + "; start it with cluster start " + name + " --dir " + dir));
    }

    /** Starts every node that is not running, without waiting for them. */
    public void startAll() {
        for (String name : nodes()) {
            if (!processState(name).live()) {
                launch(name);
            }
        }
    }

    /** Starts a node that is not running (same config, data and ports) and waits until it answers. */
    @Override
    public void start(String name) {
        start(name, START_TIMEOUT);
    }

    /**
     * Starts a node that is not running, then waits (up to {@code timeout} in all) until it answers
     * and every other running node sees it alive.
     */
    public ClusterState.NodeProcess start(String name, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        ClusterState.NodeProcess p = launch(name);
        awaitAnswering(name, timeout);
        awaitSeenAlive(name, deadline, timeout);
        return p;
    }

    private void awaitSeenAlive(String name, Instant deadline, Duration timeout) {
        progress.accept(name + " answers; waiting for the other nodes to see it alive ...");
        while (true) {
            ClusterStatus status = status();
            List<String> notYet = new ArrayList<>();
            for (ClusterStatus.NodeStatus n : status.nodes()) {
                if (!n.name().equals(name) && n.process() == ProcessState.RUNNING
                        && n.view().flatMap(v -> v.stateOf(name)).orElse(PeerState.UNKNOWN) != PeerState.ALIVE) {
                    notYet.add(n.name() + " (" + n.view().flatMap(v -> v.stateOf(name)).map(NodeView::wire).orElse(noView(n.answer())) + ")");
                }
            }
            if (!status.node(name).process().live()) {
                throw exited(name, "after it started answering");
            }
            if (notYet.isEmpty()) {
                return;
            }
            if (!Instant.now().isBefore(deadline)) {
                throw ClusterException.failed(name + " runs and answers, but within " + timeout.toSeconds() + " s not every node saw it alive: "
                        + String.join(", ", notYet) + "; see " + state().log(name));
            }
            sleep(POLL.multipliedBy(2));
        }
    }

    private ClusterState.NodeProcess launch(String name) {
        ClusterState s = state();
        ClusterState.NodeRecord node = s.node(name);
        ProcessState current = NodeProcesses.state(node, s.config(name));
        if (current.live()) {
            throw ClusterException.refused(name + " is already running (pid " + node.process().orElseThrow().pid() + ", " + current.wire() + ")");
        }
        List<String> command = new ArrayList<>();
        detached().ifPresent(command::add);
        command.addAll(prioritized());
        command.addAll(s.launch().command(s.config(name)));
        Path log = s.log(name);
        ProcessBuilder pb = new ProcessBuilder(command).directory(s.nodeDir(name).toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        File devNull = new File("/dev/null");
        if (devNull.exists()) {
            pb.redirectInput(ProcessBuilder.Redirect.from(devNull));
        }
        Instant now = Instant.now();
        try {
            Files.writeString(log, "--- x0tta6bl4 cluster: starting " + name + " at " + now + " ---\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Process process = pb.start();
            ClusterState.NodeProcess p = new ClusterState.NodeProcess(process.pid(), process.toHandle().info().startInstant().orElse(now));
            record(name, p);
            String group = shareCpuGroup(p.pid(), s.nodes().size());
            progress.accept(name + " started (pid " + p.pid() + ", log " + dir.relativize(log) + group + ")");
            return p;
        } catch (IOException e) {
            throw new ClusterException(ClusterException.Kind.FAILED, "cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * As root, moves a node just started into the cluster's one CPU group ({@link CpuGroup}), so
     * that a waking probe thread of one node is not kept waiting behind another node's compiler.
     * Returns a note for the progress line: where it went, or why it runs as before.
     */
    private String shareCpuGroup(long pid, int nodes) {
        if (!runsAsRoot()) {
            return "";
        }
        CpuGroup.Found found = CpuGroup.find(dir, nodes);
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

    /** The nice value node processes run at when this process may raise priority (it runs as root). */
    static final int NODE_NICE = -10;

    /**
     * {@code nice -n -10} when this process runs as root: a node is the mesh's infrastructure, and
     * its failure detector must keep its 50 ms deadlines while other work saturates the machine,
     * as a system daemon would be set up with {@code Nice=} or a CPU weight. Measured: a 5-node
     * cluster with 2 CPU-burning threads on 2 cores gave false SUSPECT/DOWN verdicts at equal
     * priority (docs/benchmarks.md). Without root the nodes run at the caller's priority, and
     * docs/cluster.md says how to give it to them.
     *
     * <p>Where the kernel schedules by session groups (autogroup), this orders a node's threads
     * only within its own session, not against other sessions; giving each node's group the same
     * priority was tried and made the soak worse (docs/cluster.md), so it is not done.
     */
    static List<String> prioritized() {
        Optional<String> nice = executable("/usr/bin/nice", "/bin/nice");
        if (nice.isEmpty() || !runsAsRoot()) {
            return List.of();
        }
        return List.of(nice.get(), "-n", Integer.toString(NODE_NICE));
    }

    /** Whether the effective user id is 0, from {@code /proc/self/status} (false where that does not exist). */
    static boolean runsAsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] ids = line.substring(4).trim().split("\\s+");
                    return ids.length > 1 && ids[1].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** {@code setsid}, so that the node has its own session and the terminal's signals do not reach it. */
    private static Optional<String> detached() {
        return executable("/usr/bin/setsid", "/bin/setsid");
    }

    /** The first of {@code paths} that is an executable file. */
    private static Optional<String> executable(String... paths) {
        return Stream.of(paths).filter(p -> Files.isExecutable(Path.of(p))).findFirst();
    }

    private void record(String name, ClusterState.NodeProcess p) {
        synchronized (LOCK) {
            try (FileChannel ch = FileChannel.open(dir.resolve("cluster.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = ch.lock();
                try {
                    ClusterState s = state();
                    s.with(s.node(name).withProcess(p)).save();
                } finally {
                    lock.release();
                }
            } catch (IOException e) {
                throw new ClusterException(ClusterException.Kind.FAILED, "cannot lock " + dir.resolve("cluster.lock") + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Waits until the node answers its API with its view; fails early, with the end of its log, if
     * its process exits, and at once if it refuses the cluster's token for any reason but a policy
     * it does not have yet.
     */
    public void awaitAnswering(String name, Duration timeout) {
        ClusterState.NodeRecord node = state().node(name);
        Instant deadline = Instant.now().plus(timeout);
        NodeClient.Answer last = new NodeClient.Answer.NoAnswer("not asked yet");
        boolean toldPending = false;
        while (Instant.now().isBefore(deadline)) {
            if (!processState(name).live()) {
                throw exited(name, "before it answered");
            }
            last = client().view(name, node.apiPort());
            switch (last) {
                case NodeClient.Answer.Seen seen -> {
                    return;
                }
                case NodeClient.Answer.Refused r when r.policyPending() -> {
                    if (!toldPending) {
                        progress.accept(name + " answers; waiting for the policy to be installed (403 " + Decision.DEFAULT_DENY
                                + " until its ledger holds one) ...");
                        toldPending = true;
                    }
                }
                case NodeClient.Answer.Refused r -> throw refusedToken(name, r);
                case NodeClient.Answer.NoAnswer no -> { }
            }
            sleep(POLL);
        }
        throw ClusterException.failed(name + " did not " + (last instanceof NodeClient.Answer.Refused ? "show its view" : "answer") + " on 127.0.0.1:"
                + node.apiPort() + " within " + timeout.toSeconds() + " s (" + noView(last) + "); it is still running; see " + state().log(name));
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
                ? "the cluster's token is a JWT-SVID from " + dir.resolve("ca") + " for " + subject + ", audience " + ClusterToken.AUDIENCE
                        + "; the node must trust that CA (ca_dir) and expect that audience (api.audience) in " + state().config(name)
                : "the policy in the ledger does not let " + subject + " read nodes; GET /api/policy shows it (" + dir.resolve(NewCluster.POLICY) + " is the one up installed)";
        return ClusterException.failed(name + " " + r.explain() + "\n  " + hint + "; see " + state().log(name));
    }

    private ClusterException exited(String name, String when) {
        Path log = state().log(name);
        List<String> tail = NodeProcesses.tail(log, 8);
        return ClusterException.failed(name + " exited " + when + "; the end of " + log + ":"
                + (tail.isEmpty() ? " (empty)" : "\n    " + String.join("\n    ", tail)));
    }

    /** Every node's process state and view, put together ({@link ClusterStatus}). */
    public ClusterStatus status() {
        ClusterState s = state();
        Map<String, ProcessState> processes = new LinkedHashMap<>();
        Map<String, Integer> ask = new LinkedHashMap<>();
        for (ClusterState.NodeRecord n : s.nodes()) {
            ProcessState p = NodeProcesses.state(n, s.config(n.name()));
            processes.put(n.name(), p);
            if (p == ProcessState.RUNNING) {
                ask.put(n.name(), n.apiPort());
            }
        }
        Map<String, NodeClient.Answer> answers = new LinkedHashMap<>(client().views(ask));
        processes.forEach((name, p) -> answers.putIfAbsent(name, new NodeClient.Answer.NoAnswer("process " + p.wire())));
        return ClusterStatus.aggregate(s, processes, answers);
    }

    /**
     * Waits until the cluster is {@link ClusterStatus#healthy()} and stays so for {@link #STABLE}
     * (a cluster that is still warming up can look healthy for one poll between two false
     * suspicions), showing progress; fails with who sees what on a timeout.
     */
    public ClusterStatus awaitHealthy(Duration timeout) {
        int n = state().nodes().size();
        progress.accept((n == 1 ? "waiting for the node to answer and know its leader" : "waiting for " + n + " nodes to see each other alive and agree on a leader")
                + " (timeout " + timeout.toSeconds() + " s) ...");
        Instant deadline = Instant.now().plus(timeout);
        String last = "";
        Instant lastShown = Instant.MIN;
        Instant healthySince = null;
        boolean toldPolicy = false;
        while (true) {
            ClusterStatus status = status();
            for (ClusterStatus.NodeStatus node : status.nodes()) {
                if (!node.process().live()) {
                    boolean others = status.nodes().stream().anyMatch(o -> o.process().live());
                    throw exited(node.name(), "before the cluster was ready" + (others ? " (the other nodes are still running; cluster down --dir "
                            + dir + " ends them)" : ""));
                }
            }
            failOnRefusal(status);
            long pending = pendingPolicy(status);
            if (pending > 0 && !toldPolicy) {
                progress.accept("  waiting for the policy to be installed: " + pending + "/" + n + " nodes answer 403 (" + Decision.DEFAULT_DENY
                        + ") until the ledger's leader has ledgered " + NewCluster.POLICY);
                toldPolicy = true;
            }
            Instant now = Instant.now();
            if (!status.healthy()) {
                healthySince = null;
            } else if (healthySince == null) {
                healthySince = now;
            }
            if (healthySince != null && !now.isBefore(healthySince.plus(STABLE))) {
                progress.accept((n == 1 ? "the node answers" : "all " + n + " nodes see each other alive") + "; leader " + status.leader().orElseThrow());
                return status;
            }
            // Progress when something changed, at most every 2 s: a warming cluster flaps.
            String summary = summary(status);
            if (!summary.equals(last) && !now.isBefore(lastShown.plusSeconds(2))) {
                progress.accept("  " + summary);
                last = summary;
                lastShown = now;
            }
            if (!now.isBefore(deadline)) {
                boolean noPolicy = pendingPolicy(status) > 0;
                throw ClusterException.failed("the cluster was not ready within " + timeout.toSeconds() + " s:\n" + describe(status)
                        + (noPolicy ? "\nno policy is in the ledger yet: the leader installs the one named by api.bootstrap_policy in node.yaml ("
                                + dir.resolve(NewCluster.POLICY) + "); its log says why it did not" : "")
                        + "\nthe processes are still running; read the logs (" + dir + "/node-*/node.log), then run cluster down --dir " + dir);
            }
            sleep(POLL.multipliedBy(2));
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
                .allMatch(o -> o.name().equals(s.name())
                        || s.view().get().stateOf(o.name()).orElse(PeerState.DOWN) == PeerState.ALIVE))
                .count();
        return answering + "/" + n + " answering" + (pending == 0 ? "" : " (" + pending + " more waiting for the policy to be installed)")
                + ", " + seeingAll + "/" + n + " see every other node alive, leader "
                + status.leader().orElse("not agreed yet");
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
                    b.append("sees ").append(peers.isEmpty() ? "no peers" : String.join(", ", peers))
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

    /** SIGKILL, after checking the pid is still this node's process; returns the pid. */
    @Override
    public void kill(String name) {
        killNode(name);
    }

    public long killNode(String name) {
        ProcessHandle h = liveHandle(name);
        h.destroyForcibly();
        if (!NodeProcesses.awaitExit(h, KILL_TIMEOUT)) {
            throw ClusterException.failed(name + " (pid " + h.pid() + ") still runs " + KILL_TIMEOUT.toSeconds() + " s after SIGKILL");
        }
        return h.pid();
    }

    /** SIGTERM (after SIGCONT if paused) and a wait of up to {@link #STOP_TIMEOUT}; returns how long it took. */
    @Override
    public void stop(String name) {
        stopNode(name);
    }

    public Duration stopNode(String name) {
        ProcessHandle h = liveHandle(name);
        long t0 = System.nanoTime();
        terminate(name, h);
        if (!NodeProcesses.awaitExit(h, STOP_TIMEOUT)) {
            throw ClusterException.failed(name + " (pid " + h.pid() + ") did not exit within " + STOP_TIMEOUT.toSeconds()
                    + " s after SIGTERM; it is still running; cluster kill " + name + " --dir " + dir + " ends it");
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    private void terminate(String name, ProcessHandle h) {
        if (processState(name) == ProcessState.PAUSED) {
            // A stopped process keeps SIGTERM pending until it is continued.
            NodeProcesses.signal(h.pid(), "CONT");
        }
        h.destroy();
    }

    /** SIGSTOP: the process stays, silent; only timeouts can tell its peers. Returns the pid. */
    public long pause(String name) {
        ProcessHandle h = liveHandle(name);
        if (processState(name) == ProcessState.PAUSED) {
            throw ClusterException.refused(name + " is already paused; cluster resume " + name + " --dir " + dir + " continues it");
        }
        NodeProcesses.signal(h.pid(), "STOP");
        NodeProcesses.awaitStopped(h.pid(), true);
        return h.pid();
    }

    /**
     * Sends SIGSTOP or SIGCONT to a process already checked with {@link #liveHandle}, without
     * waiting for the kernel to show it stopped: for a harness that times what follows the signal.
     */
    public static void signal(ProcessHandle handle, String signal) {
        NodeProcesses.signal(handle.pid(), signal);
    }

    /** Waits up to {@code timeout} for a process to exit; true if it did. */
    public static boolean awaitExit(ProcessHandle handle, Duration timeout) {
        return NodeProcesses.awaitExit(handle, timeout);
    }

    /** SIGCONT to a paused node. Returns the pid. */
    public long resume(String name) {
        ProcessHandle h = liveHandle(name);
        if (processState(name) != ProcessState.PAUSED) {
            throw ClusterException.refused(name + " is not paused (pid " + h.pid() + " is running)");
        }
        NodeProcesses.signal(h.pid(), "CONT");
        NodeProcesses.awaitStopped(h.pid(), false);
        return h.pid();
    }

    /**
     * {@code cluster down}: SIGTERM to every live node at once, up to {@link #STOP_TIMEOUT} for all
     * of them to exit, then SIGKILL to the rest. Nothing recorded is left running; running it again
     * finds nothing to do.
     */
    public List<Ended> down() {
        ClusterState s = state();
        Map<String, ProcessHandle> live = new LinkedHashMap<>();
        List<Ended> ended = new ArrayList<>();
        for (ClusterState.NodeRecord n : s.nodes()) {
            Optional<ProcessHandle> h = n.process().flatMap(p -> NodeProcesses.live(p, s.config(n.name())));
            if (h.isPresent()) {
                live.put(n.name(), h.get());
            }
        }
        long t0 = System.nanoTime();
        live.forEach(this::terminate);
        Instant deadline = Instant.now().plus(STOP_TIMEOUT);
        for (ClusterState.NodeRecord n : s.nodes()) {
            ProcessHandle h = live.get(n.name());
            if (h == null) {
                ended.add(new Ended(n.name(), n.process().map(ClusterState.NodeProcess::pid).orElse(0L), Ended.Outcome.NOT_RUNNING, Duration.ZERO));
                continue;
            }
            Duration left = Duration.between(Instant.now(), deadline);
            if (NodeProcesses.awaitExit(h, left.isNegative() ? Duration.ZERO : left)) {
                ended.add(new Ended(n.name(), h.pid(), Ended.Outcome.STOPPED, Duration.ofNanos(System.nanoTime() - t0)));
            } else {
                h.destroyForcibly();
                if (!NodeProcesses.awaitExit(h, KILL_TIMEOUT)) {
                    throw ClusterException.failed(n.name() + " (pid " + h.pid() + ") still runs after SIGTERM and SIGKILL");
                }
                ended.add(new Ended(n.name(), h.pid(), Ended.Outcome.KILLED, Duration.ofNanos(System.nanoTime() - t0)));
            }
        }
        if (runsAsRoot()) {
            CpuGroup.removeIfEmpty(dir);
        }
        return ended;
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
    }
}
