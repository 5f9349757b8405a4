package io.x0tta6bl4.bench;

import io.x0tta6bl4.monitor.PeerState;
import io.x0tta6bl4.orchestration.ClusterException;
import io.x0tta6bl4.orchestration.ClusterStatus;
import io.x0tta6bl4.orchestration.LocalCluster;
import io.x0tta6bl4.monitor.NodeView;
import io.x0tta6bl4.orchestration.ProcessState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The false-positive soak of issue 4: a healthy cluster under CPU load must not suspect anyone.
 *
 * <p>This process starts {@code burners} platform threads that spin on arithmetic (by default one
 * per core, so the nodes compete with them for every core), then asks every node for its view
 * every {@link #POLL} for the whole duration. Any change to suspect or down, decided after the
 * soak began, about a node whose process is still running, is a false positive. A node process
 * that exits is reported separately: the soak is then void, not passed. Polls a node did not
 * answer in time are counted (a node starved enough to miss its API deadline is worth knowing
 * about, but it is not a detector's verdict), and so are the 403s of a node whose ledger does not
 * hold the policy yet (a joiner, for its first seconds). Each poll is one audited request per node.
 *
 * <p>With {@code joinNode}, one node is added ({@link LocalCluster#addNode}) a third of the way in,
 * while the burners run, and the soak goes on watching: a joining node is not judged by anyone
 * until it has answered a run of probes (its peers show it as {@code joining}), so no verdict
 * about it can be right while it runs, and every suspect or down about a live node, the joiner
 * included, still counts as false.
 */
public final class Soak {
    static final Duration POLL = Duration.ofMillis(250);
    private static final Duration REPORT_EVERY = Duration.ofMinutes(1);
    private static final int SHOWN = 20;

    private final LocalCluster cluster;
    private final Consumer<String> progress;

    /** A detector verdict against a live node: who decided it, and the change with its evidence. */
    public record FalsePositive(String observer, NodeView.Change change) {}

    /**
     * @param exited         nodes whose process exited during the soak (the soak is void)
     * @param unanswered     polls each node did not answer in time
     * @param meanCpuPercent machine-wide CPU use over the soak, from /proc/stat (-1 where there is none)
     */
    public record Report(Duration duration, int burners, long polls, List<FalsePositive> falsePositives, List<String> exited,
                         Map<String, Integer> unanswered, double meanCpuPercent, Optional<Joined> joined, Optional<String> joinFailure) {
        public Report {
            falsePositives = List.copyOf(falsePositives);
            exited = List.copyOf(exited);
            unanswered = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(unanswered));
        }

        public boolean passed() {
            return falsePositives.isEmpty() && exited.isEmpty() && joinFailure.isEmpty();
        }
    }

    /** The node added during the soak: when (from the soak's start), how long add-node took, its role then. */
    public record Joined(String name, Duration at, Duration took, String role) {}

    public Soak(LocalCluster cluster, Consumer<String> progress) {
        this.cluster = cluster;
        this.progress = progress;
    }

    public Report run(Duration duration, int burners, Duration settleTimeout, boolean joinNode) {
        if (burners < 0) {
            throw ClusterException.usage("--cpu-burners must be 0 or more, got " + burners);
        }
        cluster.awaitHealthy(settleTimeout);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < burners; i++) {
            threads.add(Thread.ofPlatform().daemon().name("cpu-burner-" + i).start(() -> burn(stop)));
        }
        progress.accept("soak: " + burners + " CPU burner thread" + (burners == 1 ? "" : "s") + " on " + Runtime.getRuntime().availableProcessors()
                + " cores; watching " + cluster.nodes().size() + " nodes for " + format(duration));
        try {
            return watch(duration, burners, joinNode, settleTimeout);
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                try {
                    t.join(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private Report watch(Duration duration, int burners, boolean joinNode, Duration settleTimeout) {
        Instant start = Instant.now();
        long startNanos = System.nanoTime();
        java.util.concurrent.atomic.AtomicReference<Joined> joined = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<String> joinFailure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread joiner = null;
        if (joinNode) {
            joiner = Thread.ofVirtual().name("soak-join").start(() -> {
                LocalCluster.sleep(duration.dividedBy(3));
                long t0 = System.nanoTime();
                try {
                    LocalCluster.Added a = cluster.addNode(duration.multipliedBy(2).dividedBy(3).plus(settleTimeout));
                    joined.set(new Joined(a.handle().name(), Duration.ofNanos(t0 - startNanos), Duration.ofNanos(System.nanoTime() - t0), a.role()));
                    progress.accept("  " + a.handle().name() + " joined: role " + a.role() + ", seen alive by every member after "
                            + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
                } catch (RuntimeException e) {
                    joinFailure.set(e.getMessage());
                    progress.accept("  add-node during the soak failed: " + e.getMessage());
                }
            });
        }
        Instant end = start.plus(duration);
        Instant nextReport = start.plus(REPORT_EVERY);
        Set<String> seen = new HashSet<>();
        List<FalsePositive> falsePositives = new ArrayList<>();
        List<String> exited = new ArrayList<>();
        Map<String, Integer> unanswered = new LinkedHashMap<>();
        long polls = 0;
        Optional<long[]> cpuAtStart = cpuTicks();
        while (Instant.now().isBefore(end)) {
            ClusterStatus status = cluster.status();
            polls++;
            for (ClusterStatus.NodeStatus node : status.nodes()) {
                if (node.process() == ProcessState.NOT_STARTED) {
                    continue; // a joiner the host agent is still enrolling
                }
                if (!node.process().live()) {
                    if (!exited.contains(node.name())) {
                        exited.add(node.name());
                        progress.accept("  " + node.name() + "'s process " + node.process().wire() + " during the soak; see " + cluster.layout().log(node.name()));
                    }
                    continue;
                }
                if (node.refused().filter(r -> !r.policyPending()).isPresent()) {
                    throw ClusterException.failed(node.name() + " " + node.refused().get().explain() + "; the soak cannot read its detector");
                }
                if (node.view().isEmpty()) {
                    unanswered.merge(node.name(), 1, Integer::sum);
                    continue;
                }
                for (NodeView.Change c : node.view().get().changes()) {
                    if ((c.to() == PeerState.SUSPECT || c.to() == PeerState.DOWN) && c.at().isAfter(start) && runs(status, c.peer())
                            && seen.add(node.name() + "|" + c.peer() + "|" + c.at() + "|" + c.to())) {
                        falsePositives.add(new FalsePositive(node.name(), c));
                        if (falsePositives.size() <= SHOWN) {
                            progress.accept("  FALSE POSITIVE: " + node.name() + " marked " + c.peer() + " " + NodeView.wire(c.to()) + " at " + c.at()
                                    + " (" + c.evidence() + ")" + (falsePositives.size() == SHOWN ? "; further ones are counted, not shown" : ""));
                        }
                    }
                }
            }
            if (!Instant.now().isBefore(nextReport)) {
                double cpu = cpuPercent(cpuAtStart, cpuTicks());
                progress.accept(String.format(java.util.Locale.ROOT, "  %s of %s: %d false positives, machine cpu %s",
                        format(Duration.between(start, Instant.now())), format(duration), falsePositives.size(),
                        cpu < 0 ? "unknown" : String.format(java.util.Locale.ROOT, "%.0f%%", cpu)));
                nextReport = nextReport.plus(REPORT_EVERY);
            }
            LocalCluster.sleep(POLL);
        }
        if (joiner != null) {
            try {
                joiner.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return new Report(Duration.between(start, Instant.now()), burners, polls, falsePositives, exited, unanswered,
                cpuPercent(cpuAtStart, cpuTicks()), Optional.ofNullable(joined.get()), Optional.ofNullable(joinFailure.get()));
    }

    /** Busy and total CPU ticks of the whole machine since boot (the first line of /proc/stat), where there is one. */
    static Optional<long[]> cpuTicks() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII).getFirst();
            String[] f = first.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return Optional.of(new long[] {total - idle, total});
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Machine-wide CPU use between two samples, in percent of all cores; -1 if unknown. */
    static double cpuPercent(Optional<long[]> from, Optional<long[]> to) {
        if (from.isEmpty() || to.isEmpty() || to.get()[1] <= from.get()[1]) {
            return -1;
        }
        return 100.0 * (to.get()[0] - from.get()[0]) / (to.get()[1] - from.get()[1]);
    }

    private static boolean runs(ClusterStatus status, String node) {
        return status.nodes().stream().anyMatch(n -> n.name().equals(node) && n.process().live());
    }

    /** Spins until told to stop; the result is published so the JIT cannot drop the loop. */
    private static void burn(AtomicBoolean stop) {
        long x = System.nanoTime() | 1;
        while (!stop.get()) {
            for (int i = 0; i < 100_000; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
            }
            if (x == 0) {
                stop.set(true);
            }
        }
    }

    static String format(Duration d) {
        long s = d.toSeconds();
        return s >= 60 ? (s / 60) + " min" + (s % 60 == 0 ? "" : " " + (s % 60) + " s") : s + " s";
    }
}
