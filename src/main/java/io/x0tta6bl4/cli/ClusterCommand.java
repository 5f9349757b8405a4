package io.x0tta6bl4.cli;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.monitor.DetectorSettings;
import io.x0tta6bl4.monitor.PeerState;
import io.x0tta6bl4.bench.ApiLoad;
import io.x0tta6bl4.orchestration.ClusterException;
import io.x0tta6bl4.orchestration.ClusterToken;
import io.x0tta6bl4.orchestration.ClusterState;
import io.x0tta6bl4.orchestration.ClusterStatus;
import io.x0tta6bl4.bench.DetectionBench;
import io.x0tta6bl4.orchestration.LocalCluster;
import io.x0tta6bl4.orchestration.NodeClient;
import io.x0tta6bl4.orchestration.NodeEndpoints;
import io.x0tta6bl4.orchestration.NodeHandle;
import io.x0tta6bl4.orchestration.NodeLaunch;
import io.x0tta6bl4.monitor.NodeView;
import io.x0tta6bl4.orchestration.Orchestrator;
import io.x0tta6bl4.bench.Soak;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code x0tta6bl4 cluster ...}: a mesh of node processes on this machine ({@link LocalCluster}),
 * run by the directory's host agent ({@code x0tta6bl4 host run}), which these commands start when
 * none runs. Progress goes to stderr, results (tables, JSON, benchmark figures) to stdout.
 */
@Command(name = "cluster", description = "A local mesh: node processes on loopback, run by a host agent, managed from one directory.",
        mixinStandardHelpOptions = true,
        subcommands = {ClusterCommand.Up.class, ClusterCommand.Status.class, ClusterCommand.Kill.class, ClusterCommand.Stop.class,
                ClusterCommand.Start.class, ClusterCommand.Pause.class, ClusterCommand.Resume.class, ClusterCommand.Down.class,
                ClusterCommand.AddNode.class, ClusterCommand.RemoveNode.class, ClusterCommand.Fence.class, ClusterCommand.Readmit.class,
                ClusterCommand.BenchDetect.class, ClusterCommand.SoakCommand.class, ClusterCommand.BenchApi.class, ClusterCommand.BenchRecovery.class})
final class ClusterCommand {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    /** The exit codes of Main for a {@link ClusterException}; each command's body runs through here. */
    abstract static class ClusterTask implements Callable<Integer> {
        @Spec CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        void progress(String line) {
            err().println(line);
            err().flush();
        }

        @Override
        public final Integer call() {
            try {
                return execute();
            } catch (ClusterException e) {
                switch (e.kind()) {
                    case USAGE -> throw new Main.UsageProblem(e.getMessage());
                    case REFUSED -> throw new Main.Refused(e.getMessage());
                    case FAILED -> {
                        err().println("failed: " + e.getMessage());
                        return Main.FAILED;
                    }
                }
                throw e;
            } finally {
                out().flush();
            }
        }

        abstract int execute();

        LocalCluster open(Path dir) {
            return LocalCluster.open(dir, this::progress);
        }
    }

    /** A command on one existing cluster. */
    abstract static class OnCluster extends ClusterTask {
        @Option(names = "--dir", required = true, description = "The cluster's directory (made by cluster up).") Path dir;
    }

    /** A command on one node of an existing cluster. */
    abstract static class OnNode extends OnCluster {
        @Parameters(index = "0", paramLabel = "NODE", description = "Node name, e.g. node-3.") String node;

        @Override
        final int execute() {
            try (LocalCluster cluster = open(dir)) {
                cluster.state().node(node);
                return on(cluster);
            }
        }

        abstract int on(LocalCluster cluster);
    }

    @Command(name = "up", mixinStandardHelpOptions = true, description = {
            "Create and start a cluster; wait until every node sees every other alive, a leader is agreed and min(N,5) nodes vote.",
            "Makes the CA (DIR/ca), the trust bundle, a host issuer and the operator's SVID, starts the host agent",
            "(log in DIR/host/agent.log), which enrols and starts one process per node (log in DIR/node-N/node.log).",
            "node-1 forms the mesh, the others join it. On a directory whose cluster is stopped, starts it again."})
    static final class Up extends ClusterTask {
        @Option(names = "--nodes", defaultValue = "5", description = "Number of nodes, node-1 ... node-N (default ${DEFAULT-VALUE}; the first 5 vote in the ledger's Raft group).") int nodes;
        @Option(names = "--dir", required = true, description = "A new or empty directory for the cluster.") Path dir;
        @Option(names = "--trust-domain", defaultValue = LocalCluster.Settings.DEFAULT_TRUST_DOMAIN, description = "Trust domain (default ${DEFAULT-VALUE}).") String trustDomain;
        @Option(names = "--detector", defaultValue = "consecutive-misses", description = "consecutive-misses (default) or phi-accrual.") String detector;
        @Option(names = "--timeout", defaultValue = "240s", description = {"How long to wait for the cluster to be ready, the nodes' starts",
                "included (default ${DEFAULT-VALUE})."}) Duration timeout;
        @Option(names = "--join", defaultValue = "sequential", description = {"How joiners start: sequential (each once the previous one is seen alive;",
                "default, gentle on a small machine) or parallel (all at once)."}) String join;
        @Option(names = "--exit-with", paramLabel = "PID", description = {"End the host agent and every node it runs when process PID exits",
                "(for tests and harnesses: a cancelled run leaves nothing behind)."}) Long exitWith;

        @Override
        int execute() {
            LocalCluster.Settings settings = new LocalCluster.Settings(nodes, trustDomain, detector(detector),
                    LocalCluster.Settings.defaults(nodes).svidTtl(), pace(join));
            try (LocalCluster cluster = LocalCluster.up(dir, settings, NodeLaunch.current(), timeout, Optional.ofNullable(exitWith), this::progress)) {
                table(out(), cluster.status());
                out().println("next: x0tta6bl4 cluster status --dir " + dir + "   |   x0tta6bl4 cluster down --dir " + dir);
                return Main.OK;
            }
        }
    }

    static LocalCluster.JoinPace pace(String name) {
        return switch (name) {
            case "sequential" -> LocalCluster.JoinPace.SEQUENTIAL;
            case "parallel" -> LocalCluster.JoinPace.PARALLEL;
            default -> throw new Main.UsageProblem("--join: '" + name + "' is not sequential or parallel");
        };
    }

    static DetectorSettings.Kind detector(String name) {
        for (DetectorSettings.Kind k : DetectorSettings.Kind.values()) {
            if (k.configName().equals(name)) {
                return k;
            }
        }
        throw new Main.UsageProblem("--detector: '" + name + "' is not a detector; use consecutive-misses or phi-accrual");
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = {"Each node's process, ports and state as the live nodes see it.",
            "A node's state is the worst one reported by a majority of the nodes that answered (docs/cluster.md)."})
    static final class Status extends OnCluster {
        @Option(names = "--json", description = "JSON: {\"nodes\":[{\"name\",\"pid\",\"state\",\"api_port\",...,\"seen_by\"}],\"leader\"}.") boolean json;

        @Override
        int execute() {
            try (LocalCluster cluster = open(dir)) {
                ClusterStatus status = cluster.status();
                if (json) {
                    out().println(json(status).toPrettyString());
                } else {
                    table(out(), status);
                }
                return Main.OK;
            }
        }
    }

    @Command(name = "kill", mixinStandardHelpOptions = true, description = "SIGKILL a node (a crash), through the host agent. Its peers see connections refused.")
    static final class Kill extends OnNode {
        @Override
        int on(LocalCluster cluster) {
            Orchestrator.Signalled s = cluster.kill(node);
            out().println(node + " killed (SIGKILL to pid " + s.pid() + " at " + CLOCK.format(s.signalled()) + ")");
            return Main.OK;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "SIGTERM a node through the host agent; SIGKILL if it has not exited after 10 s.")
    static final class Stop extends OnNode {
        @Override
        int on(LocalCluster cluster) {
            Orchestrator.Stopped s = cluster.stop(node);
            switch (s.outcome()) {
                case STOPPED -> out().printf(Locale.ROOT, "%s stopped (SIGTERM to pid %d; exited after %.2f s)%n", node, s.pid(), s.took().toNanos() / 1e9);
                case KILLED -> out().printf(Locale.ROOT, "%s killed (pid %d did not exit within 10 s of SIGTERM)%n", node, s.pid());
                case NOT_RUNNING -> out().println(node + " was not running");
            }
            return Main.OK;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = {"Start a node again through the host agent (same spec, credentials and data); its log is appended to.",
            "Waits until it answers and every other running node sees it alive."})
    static final class Start extends OnNode {
        @Option(names = "--timeout", defaultValue = "60s", description = "How long to wait for that (default ${DEFAULT-VALUE}).") Duration timeout;

        @Override
        int on(LocalCluster cluster) {
            NodeHandle h = cluster.start(node, timeout);
            out().println(node + " started (pid " + h.pid() + "), answering on 127.0.0.1:" + h.requireEndpoints().api()
                    + ", seen alive by every running node");
            return Main.OK;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "SIGSTOP a node: it stays, silent, so only probe timeouts can tell. Undo with cluster resume.")
    static final class Pause extends OnNode {
        @Override
        int on(LocalCluster cluster) {
            long pid = cluster.pause(node).pid();
            out().println(node + " paused (SIGSTOP to pid " + pid + "); cluster resume " + node + " --dir " + dir + " continues it");
            return Main.OK;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "SIGCONT a paused node.")
    static final class Resume extends OnNode {
        @Override
        int on(LocalCluster cluster) {
            long pid = cluster.resume(node).pid();
            out().println(node + " resumed (SIGCONT to pid " + pid + ")");
            return Main.OK;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = {"Stop every node (SIGTERM, SIGKILL any still running after 10 s), then the host agent.",
            "Nothing is left running. Idempotent."})
    static final class Down extends OnCluster {
        @Override
        int execute() {
            try (LocalCluster cluster = open(dir)) {
                down(cluster, out());
                return Main.OK;
            }
        }
    }

    static void down(LocalCluster cluster, PrintWriter out) {
        for (Orchestrator.Stopped e : cluster.down()) {
            switch (e.outcome()) {
                case STOPPED -> out.printf(Locale.ROOT, "%s stopped (pid %d, %.2f s)%n", e.name(), e.pid(), e.took().toNanos() / 1e9);
                case KILLED -> out.printf(Locale.ROOT, "%s killed (pid %d did not exit within 10 s of SIGTERM)%n", e.name(), e.pid());
                case NOT_RUNNING -> out.println(e.name() + " was not running");
            }
        }
        out.println("nothing left running in " + cluster.dir());
    }

    @Command(name = "add-node", mixinStandardHelpOptions = true, description = {
            "Enrol and start the next free node name (node-6 after node-5, never a retired name) through the host agent,",
            "seeded with every member's Raft address; return once every member sees it alive and its ledger has caught up."})
    static final class AddNode extends OnCluster {
        @Option(names = "--timeout", defaultValue = "120s", description = "How long to wait for that (default ${DEFAULT-VALUE}).") Duration timeout;

        @Override
        int execute() {
            try (LocalCluster cluster = open(dir)) {
                LocalCluster.Added a = cluster.addNode(timeout);
                NodeEndpoints e = a.handle().requireEndpoints();
                out().println(a.handle().name() + " added (pid " + a.handle().pid() + ", api " + e.api() + ", peer " + e.peer() + ", raft " + e.raft()
                        + "), role " + a.role() + ", ledger " + a.ledgerSize() + " entries, seen alive by every member");
                return Main.OK;
            }
        }
    }

    @Command(name = "remove-node", mixinStandardHelpOptions = true, description = {
            "Take a node out of the mesh: a live member writes its LEAVE; once no member lists it, it is stopped through the",
            "host agent. A voter that leaves is replaced by a listener. Its name is never used again."})
    static final class RemoveNode extends OnNode {
        @Option(names = "--timeout", defaultValue = "120s", description = "How long to wait until no member lists it (default ${DEFAULT-VALUE}).") Duration timeout;

        @Override
        int on(LocalCluster cluster) {
            Orchestrator.Stopped s = cluster.removeNode(node, timeout);
            out().println(node + " removed: it left the membership, no member lists it, and it was "
                    + (s.outcome() == Orchestrator.Stopped.Outcome.NOT_RUNNING ? "not running" : "stopped (pid " + s.pid() + ")"));
            return Main.OK;
        }
    }

    @Command(name = "fence", mixinStandardHelpOptions = true, description = {
            "Fence a member: it stays running but is out of the mesh (not probed, out of the Raft group).",
            "A fenced voter's slot goes to a caught-up listener, which the ledger's leader promotes on its own."})
    static final class Fence extends OnNode {
        @Option(names = "--reason", defaultValue = "fenced by the operator (cluster fence)", description = "Recorded with the entry.") String reason;

        @Override
        int on(LocalCluster cluster) {
            out().println(outcome("fenced", cluster.changeMember(node, "fence", reason)));
            return Main.OK;
        }
    }

    @Command(name = "readmit", mixinStandardHelpOptions = true, description = "Readmit a fenced member: it is probed again and rejoins the Raft group.")
    static final class Readmit extends OnNode {
        @Option(names = "--reason", defaultValue = "readmitted by the operator (cluster readmit)", description = "Recorded with the entry.") String reason;

        @Override
        int on(LocalCluster cluster) {
            out().println(outcome("readmitted", cluster.changeMember(node, "readmit", reason)));
            return Main.OK;
        }
    }

    static String outcome(String what, NodeClient.MemberChange c) {
        return c.member().name() + " " + what + " (ledger entry " + c.seq() + (c.applied() ? "" : ", not applied") + "): now " + c.member().status()
                + " " + c.member().role() + c.member().reason().map(r -> ", reason: " + r).orElse("");
    }

    /** Options shared by the harnesses: an existing cluster, or a fresh one in a temporary directory. */
    abstract static class Harness extends ClusterTask {
        @Option(names = "--dir", description = "A running cluster. Without it, a --nodes cluster is brought up in a temporary directory and down afterwards.") Path dir;
        @Option(names = "--nodes", defaultValue = "5", description = "Nodes of the temporary cluster (default ${DEFAULT-VALUE}).") int nodes;
        @Option(names = "--detector", defaultValue = "consecutive-misses", description = "Detector of the temporary cluster (default ${DEFAULT-VALUE}).") String detector;

        int withCluster(Function<LocalCluster, Integer> body) {
            if (dir != null) {
                try (LocalCluster cluster = open(dir)) {
                    return body.apply(cluster);
                }
            }
            Path temp;
            try {
                temp = Files.createTempDirectory("x0tta6bl4-cluster-");
            } catch (IOException e) {
                throw new ClusterException(ClusterException.Kind.FAILED, "cannot create a temporary directory: " + e.getMessage(), e);
            }
            LocalCluster.Settings settings = new LocalCluster.Settings(nodes, LocalCluster.Settings.DEFAULT_TRUST_DOMAIN, detector(detector),
                    LocalCluster.Settings.defaults(nodes).svidTtl(), LocalCluster.JoinPace.SEQUENTIAL);
            progress("bringing up a " + nodes + "-node cluster in " + temp);
            // The nodes run in their own session, so a Ctrl-C does not reach them: end them on the way out. Should this
            // process be killed outright, the host agent ends them when it sees this process gone (--exit-with).
            Thread cleanup = new Thread(() -> downQuietly(temp));
            Runtime.getRuntime().addShutdownHook(cleanup);
            try (LocalCluster cluster = LocalCluster.up(temp, settings, NodeLaunch.current(), LocalCluster.READY_TIMEOUT,
                    Optional.of(ProcessHandle.current().pid()), this::progress)) {
                return body.apply(cluster);
            } finally {
                downQuietly(temp);
                progress("the cluster in " + temp + " is down; its logs stay there");
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs anyway
                }
            }
        }
    }

    /** Brings down the cluster in {@code dir}, if there is one; problems go to stderr. For cleanup on the way out. */
    static void downQuietly(Path dir) {
        if (Files.exists(dir.resolve(ClusterState.FILE))) {
            try (LocalCluster c = LocalCluster.open(dir, line -> {})) {
                c.down();
            } catch (ClusterException e) {
                System.err.println("cleanup of " + dir + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "bench-detect", mixinStandardHelpOptions = true, description = {
            "Measure failure detection: kill -9 or SIGSTOP a follower, time until the leader marks it down.",
            "Detection time = the leader's change timestamp minus the signal's. Exit 1 if the p99 misses the target",
            "(kill 150 ms, pause 350 ms)."})
    static final class BenchDetect extends Harness {
        @Option(names = "--mode", defaultValue = "kill", description = "kill (SIGKILL) or pause (SIGSTOP) (default ${DEFAULT-VALUE}).") String mode;
        @Option(names = "--runs", defaultValue = "20", description = "Runs (default ${DEFAULT-VALUE}).") int runs;
        @Option(names = "--detection-timeout", defaultValue = "5s", description = "A run not detected within this is a miss (default ${DEFAULT-VALUE}).") Duration detectionTimeout;
        @Option(names = "--settle-timeout", defaultValue = "60s", description = "Wait for a healthy cluster between runs (default ${DEFAULT-VALUE}).") Duration settleTimeout;
        @Option(names = "--cool-down", defaultValue = "3s", description = {"Pause after the restored node is seen alive, before the next run:",
                "a restarted JVM compiles for its first seconds (default ${DEFAULT-VALUE})."}) Duration coolDown;

        @Override
        int execute() {
            DetectionBench.Mode m = switch (mode) {
                case "kill" -> DetectionBench.Mode.KILL;
                case "pause" -> DetectionBench.Mode.PAUSE;
                default -> throw new Main.UsageProblem("--mode: '" + mode + "' is not kill or pause");
            };
            if (runs < 1) {
                throw new Main.UsageProblem("--runs: at least 1, got " + runs);
            }
            return withCluster(cluster -> {
                DetectionBench.Report r = new DetectionBench(cluster, this::progress).run(m, runs, detectionTimeout, settleTimeout, coolDown,
                        run -> printRun(out(), run, runs, m));
                return summary(r);
            });
        }

        private int summary(DetectionBench.Report r) {
            PrintWriter out = out();
            String what = r.mode() == DetectionBench.Mode.KILL ? "kill -9" : "SIGSTOP";
            out.printf(Locale.ROOT, "%s -> down on the leader, %d runs: p50 %s, p99 %s, max %s%n", what, r.runs().size(),
                    ms(r.percentile(0.50)), ms(r.percentile(0.99)), ms(r.max()));
            if (r.runs().size() < 100) {
                out.println("(nearest-rank percentiles: with " + r.runs().size() + " runs the p99 is the slowest run)");
            }
            if (r.missed() > 0) {
                out.println(r.missed() + " run(s) not detected within " + detectionTimeout.toMillis() + " ms");
            }
            String target = "p99 <= " + r.mode().target().toMillis() + " ms";
            out.flush();
            if (r.metTarget()) {
                out.println("target " + target + ": met");
                return Main.OK;
            }
            err().println("target missed: " + target + ", measured p99 " + ms(r.percentile(0.99))
                    + (r.missed() > 0 ? " with " + r.missed() + " undetected run(s)" : ""));
            return Main.REFUSED;
        }
    }

    static void printRun(PrintWriter out, DetectionBench.Run run, int runs, DetectionBench.Mode mode) {
        String width = Integer.toString(Integer.toString(runs).length());
        out.printf(Locale.ROOT, "run %" + width + "d/%d  %s %-8s at %s  leader %-8s  %s%n", run.number(), runs, mode.signal(), run.victim(),
                CLOCK.format(run.signalled()), run.leader(),
                run.detected().map(c -> "down after " + ms(run.detectionTime()) + "  (" + c.evidence() + ")").orElse("NOT DETECTED"));
        out.flush();
    }

    @Command(name = "bench-api", mixinStandardHelpOptions = true, description = {
            "Load one node's API: GET /api/network/status with a valid token (verified, authorized by the policy,",
            "audited in the ledger before the answer) against GET /health on the same listener, in alternating",
            "phases of one run. Exit 1 if the status throughput is below 0.8 x /health's or its p99 above 10 ms."})
    static final class BenchApi extends Harness {
        static final double TARGET_RATIO = 0.8;
        static final Duration TARGET_P99 = Duration.ofMillis(10);
        @Option(names = "--node", description = "The node to load (default: the ledger leader).") String node;
        @Option(names = "--concurrency", defaultValue = "16", description = "Client connections, each sending back to back (default ${DEFAULT-VALUE}).") int concurrency;
        @Option(names = "--phase", defaultValue = "5s", description = "Length of one phase of one endpoint (default ${DEFAULT-VALUE}).") Duration phase;
        @Option(names = "--rounds", defaultValue = "3", description = "Rounds of /health then status (default ${DEFAULT-VALUE}).") int rounds;
        @Option(names = "--warm-up", defaultValue = "5s", description = "Unmeasured load on each endpoint first (default ${DEFAULT-VALUE}).") Duration warmUp;

        @Override
        int execute() {
            if (concurrency < 1 || concurrency > 1024) {
                throw new Main.UsageProblem("--concurrency: 1..1024, got " + concurrency);
            }
            if (rounds < 1) {
                throw new Main.UsageProblem("--rounds: at least 1, got " + rounds);
            }
            if (!phase.isPositive() || warmUp.isNegative()) {
                throw new Main.UsageProblem("--phase must be positive and --warm-up not negative, got " + phase + " and " + warmUp);
            }
            return withCluster(cluster -> {
                ClusterStatus status = cluster.awaitHealthy(LocalCluster.READY_TIMEOUT);
                String target = node != null ? node : status.leader().orElseThrow(() -> new ClusterException(ClusterException.Kind.FAILED, "the cluster in " + cluster.dir() + " has no ledger leader", null));
                if (!cluster.nodes().contains(target)) {
                    throw new Main.UsageProblem("--node: '" + target + "' is not a node of " + cluster.dir() + " " + cluster.nodes());
                }
                int port = cluster.endpoints(target).api();
                progress(String.format(Locale.ROOT, "loading %s (%s, 127.0.0.1:%d) with %d connections: %d rounds of %s /health then %s status",
                        target, status.leader().filter(target::equals).map(l -> "the leader").orElse("a follower"), port, concurrency, rounds,
                        phase, phase));
                ApiLoad load = new ApiLoad("127.0.0.1", port, io.x0tta6bl4.identity.TrustBundle.load(cluster.layout().bundle()).x509Root(),
                        ClusterToken.fromCa(cluster.layout().ca()), this::progress);
                ApiLoad.Report r = load.run(new ApiLoad.Plan(concurrency, warmUp, phase, rounds));
                PrintWriter out = out();
                out.println(r.health());
                out.println(r.status());
                boolean met = r.ratio() >= TARGET_RATIO && r.status().p99().compareTo(TARGET_P99) <= 0;
                out.printf(Locale.ROOT, "ratio status/health %.3f (target >= %.1f), status p99 %.2f ms (target <= %d ms): %s%n", r.ratio(), TARGET_RATIO,
                        r.status().p99().toNanos() / 1e6, TARGET_P99.toMillis(), met ? "met" : "missed");
                out.flush();
                return met ? Main.OK : Main.REFUSED;
            });
        }
    }

    @Command(name = "bench-recovery", mixinStandardHelpOptions = true, description = {
            "Time emergency proposals: RECOVERY proposals of a live node, each voted by every other node on its own",
            "(NO: their detectors hold it alive), closed early by the leader. Time = the CLOSE entry's ledger",
            "timestamp minus the PROPOSAL's. Exit 1 if the p99 is above 50 ms."})
    static final class BenchRecovery extends Harness {
        @Option(names = "--runs", defaultValue = "50", description = "Proposals, one after the other (default ${DEFAULT-VALUE}).") int runs;
        @Option(names = "--target", description = "The node the recoveries are about (default: the last node).") String target;

        @Override
        int execute() {
            if (runs < 1) {
                throw new Main.UsageProblem("--runs: at least 1, got " + runs);
            }
            return withCluster(cluster -> {
                String t = target != null ? target : cluster.nodes().getLast();
                PrintWriter out = out();
                io.x0tta6bl4.bench.RecoveryBench.Report r = new io.x0tta6bl4.bench.RecoveryBench(cluster, this::progress).run(t, runs, run -> {
                    out.printf(Locale.ROOT, "run %2d/%d  proposal %s  %-8s  %d votes  decided after %d ms%n", run.number(), runs, run.proposal(),
                            run.outcome(), run.votes(), run.decided().toMillis());
                    out.flush();
                });
                out.printf(Locale.ROOT, "RECOVERY proposal -> decided, %d runs: p50 %s, p99 %s (target <= %d ms): %s%n", r.runs().size(),
                        ms(r.percentile(0.50)), ms(r.percentile(0.99)), io.x0tta6bl4.bench.RecoveryBench.TARGET.toMillis(),
                        r.metTarget() ? "met" : "missed" + (r.undecided() > 0 ? " (" + r.undecided() + " undecided)" : ""));
                out.flush();
                return r.metTarget() ? Main.OK : Main.REFUSED;
            });
        }
    }

    static String ms(Optional<Duration> d) {
        return d.map(x -> String.format(Locale.ROOT, "%.1f ms", x.toNanos() / 1e6)).orElse("n/a");
    }

    @Command(name = "soak", mixinStandardHelpOptions = true, description = {
            "False-positive soak: burn CPU in this process while watching every node's detector.",
            "Exit 1 on any suspect or down of a node whose process is running."})
    static final class SoakCommand extends Harness {
        @Option(names = "--minutes", defaultValue = "10", description = "How long (default ${DEFAULT-VALUE}; fractions allowed, e.g. 0.5).") double minutes;
        @Option(names = "--cpu-burners", description = "Busy-spinning threads (default: one per core).") Integer burners;
        @Option(names = "--join-node", description = {"Add one node (cluster add-node) a third of the way into the soak; its join counts too:",
                "any suspect or down about a live node, the joiner included, is a false verdict."}) boolean joinNode;

        @Override
        int execute() {
            if (!(minutes > 0)) {
                throw new Main.UsageProblem("--minutes: must be more than 0, got " + minutes);
            }
            int threads = burners == null ? Runtime.getRuntime().availableProcessors() : burners;
            Duration duration = Duration.ofMillis(Math.round(minutes * 60_000));
            return withCluster(cluster -> {
                Soak.Report r = new Soak(cluster, this::progress).run(duration, threads, LocalCluster.READY_TIMEOUT, joinNode);
                PrintWriter out = out();
                out.printf(Locale.ROOT, "soak of %d nodes for %.1f min with %d CPU burner(s): %d polls, machine cpu %s%n", cluster.nodes().size(),
                        r.duration().toMillis() / 60_000.0, r.burners(), r.polls(),
                        r.meanCpuPercent() < 0 ? "unknown" : String.format(Locale.ROOT, "%.0f%%", r.meanCpuPercent()));
                r.unanswered().forEach((node, n) -> out.println("  " + node + " did not answer " + n + " of " + r.polls() + " polls within "
                        + LocalCluster.VIEW_TIMEOUT.toMillis() + " ms"));
                r.joined().ifPresent(j -> out.printf(Locale.ROOT, "  %s joined %.1f s into the soak: add-node took %.1f s, role %s%n", j.name(),
                        j.at().toMillis() / 1000.0, j.took().toMillis() / 1000.0, j.role()));
                // Grouped: observer -> peer, how many suspect and down verdicts, first and last.
                Map<String, List<Soak.FalsePositive>> groups = new TreeMap<>();
                r.falsePositives().forEach(f -> groups.computeIfAbsent(f.observer() + " -> " + f.change().peer(), k -> new ArrayList<>()).add(f));
                groups.forEach((pair, list) -> out.printf(Locale.ROOT, "  false positives %s: %d suspect, %d down, first %s, last %s%n", pair,
                        list.stream().filter(f -> f.change().to() == PeerState.SUSPECT).count(),
                        list.stream().filter(f -> f.change().to() == PeerState.DOWN).count(),
                        list.stream().map(f -> f.change().at()).min(java.util.Comparator.naturalOrder()).orElseThrow(),
                        list.stream().map(f -> f.change().at()).max(java.util.Comparator.naturalOrder()).orElseThrow()));
                if (!r.exited().isEmpty()) {
                    err().println("failed: the soak is void: " + String.join(", ", r.exited()) + " exited during it (see their node.log)");
                    return Main.FAILED;
                }
                if (!r.passed()) {
                    err().println("target missed: " + r.falsePositives().size() + " suspect/down verdict(s) against live nodes");
                    return Main.REFUSED;
                }
                out.println("0 false positives: target met");
                return Main.OK;
            });
        }
    }

    static void table(PrintWriter out, ClusterStatus status) {
        out.printf("%-10s %-8s %-8s %-6s %-6s %-6s %-8s %-9s %-8s %s%n", "NODE", "PID", "PROCESS", "API", "PEER", "RAFT", "STATE", "ROLE", "MEMBER",
                "SEEN BY");
        for (ClusterStatus.NodeStatus n : status.nodes()) {
            String role = status.role(n);
            Optional<NodeEndpoints> e = n.endpoints();
            out.printf("%-10s %-8s %-8s %-6s %-6s %-6s %-8s %-9s %-8s %s%n", n.name(),
                    n.handle().map(h -> Long.toString(h.pid())).orElse("-"), n.process().wire(), e.map(x -> "" + x.api()).orElse("-"),
                    e.map(x -> "" + x.peer()).orElse("-"), e.map(x -> "" + x.raft()).orElse("-"),
                    n.state().wire(), role.equals("leader") ? "LEADER" : role, n.membership().map(NodeView.Membership::status).orElse("-"),
                    seenBy(n.seenBy()));
        }
        out.println("leader: " + status.leader().orElse("none agreed"));
        for (ClusterStatus.NodeStatus n : status.nodes()) {
            n.refused().ifPresent(r -> out.println(n.name() + " " + r.explain()));
        }
    }

    private static String seenBy(Map<String, PeerState> seenBy) {
        if (seenBy.isEmpty()) {
            return "-";
        }
        Map<PeerState, Integer> counts = new TreeMap<>();
        seenBy.values().forEach(s -> counts.merge(s, 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        counts.forEach((s, c) -> parts.add(c + " " + NodeView.wire(s)));
        return String.join(", ", parts);
    }

    static ObjectNode json(ClusterStatus status) {
        ObjectNode root = JSON.createObjectNode();
        var nodes = root.putArray("nodes");
        for (ClusterStatus.NodeStatus n : status.nodes()) {
            ObjectNode o = nodes.addObject();
            o.put("name", n.name());
            if (n.handle().isPresent()) {
                o.put("pid", n.handle().get().pid());
            } else {
                o.putNull("pid");
            }
            o.put("process", n.process().wire());
            o.put("state", n.state().wire());
            Optional<NodeEndpoints> e = n.endpoints();
            if (e.isPresent()) {
                o.put("api_port", e.get().api());
                o.put("peer_port", e.get().peer());
                o.put("raft_port", e.get().raft());
            } else {
                o.putNull("api_port");
                o.putNull("peer_port");
                o.putNull("raft_port");
            }
            String role = status.role(n);
            o.put("role", role);
            o.put("voter", n.membership().map(m -> m.role().equals("voter")).orElse(false));
            if (n.membership().isPresent()) {
                o.put("membership", n.membership().get().status());
            } else {
                o.putNull("membership");
            }
            o.put("answering", n.view().isPresent());
            switch (n.answer()) {
                case NodeClient.Answer.Seen s -> {
                    if (s.view().leader().isPresent()) {
                        o.put("sees_leader", s.view().leader().get());
                    } else {
                        o.putNull("sees_leader");
                    }
                    o.put("ledger_size", s.view().ledgerSize());
                }
                case NodeClient.Answer.NoAnswer no -> o.put("no_answer", no.reason());
                case NodeClient.Answer.Refused refused -> o.put("refused", refused.explain());
            }
            ObjectNode seen = o.putObject("seen_by");
            n.seenBy().forEach((observer, s) -> seen.put(observer, NodeView.wire(s)));
        }
        if (status.leader().isPresent()) {
            root.put("leader", status.leader().get());
        } else {
            root.putNull("leader");
        }
        return root;
    }
}
