package io.x0tta6bl4.bench;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.Checkpoint;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.LocalGroup;
import io.x0tta6bl4.ledger.RaftLedger;
import io.x0tta6bl4.ledger.RaftLedgerConfig;
import io.x0tta6bl4.ledger.Submission;
import io.x0tta6bl4.ledger.TreeHead;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A replicated ledger group in this process on loopback (real Raft over gRPC in mutual TLS, real
 * SQLite files, real signatures) and a closed-loop load on it: {@code clients} virtual threads
 * each append one entry, wait for its commit, and append the next, spread over all replicas.
 * Reports committed entries per second and the commit latency each client saw.
 */
@Command(name = "bench", description = "Run an in-process replicated ledger on loopback and measure committed appends/s and commit latency.")
public final class LedgerBench implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = "--replicas", defaultValue = "3", description = "Voting replicas, 1..5 (default ${DEFAULT-VALUE}).") int replicas;
    @Option(names = "--entries", defaultValue = "100000", description = "Entries to commit after warm-up (default ${DEFAULT-VALUE}).") int entries;
    @Option(names = "--clients", defaultValue = "512", description = "Concurrent appenders (default ${DEFAULT-VALUE}).") int clients;
    @Option(names = "--dir", required = true, description = "Empty or new directory; each replica's data stays in DIR/node-N.") Path dir;

    private static final String DOMAIN = "bench.x0tta6bl4.local";

    @Override
    public void run() {
        if (replicas < 1 || replicas > RaftLedgerConfig.MAX_VOTERS) {
            throw new IllegalArgumentException("--replicas " + replicas + ": a ledger group has 1.." + RaftLedgerConfig.MAX_VOTERS + " voters");
        }
        if (entries < 1 || clients < 1) {
            throw new IllegalArgumentException("--entries and --clients must be positive");
        }
        if (Files.exists(dir.resolve("ca"))) {
            throw new IllegalArgumentException("--dir " + dir + ": already holds a bench run; choose an empty directory");
        }
        PrintWriter out = spec.commandLine().getOut();
        SecureRandom random = new SecureRandom();
        CertificateAuthority ca = CertificateAuthority.init(dir.resolve("ca"), DOMAIN, Instant.now(), random);
        List<NodeCredentials> nodes = new ArrayList<>();
        for (int i = 1; i <= replicas; i++) {
            nodes.add(ca.issueNode("node-" + i, Duration.ofHours(2), Instant.now(), random));
        }
        List<RaftLedger> group = new ArrayList<>();
        try {
            group.addAll(LocalGroup.start(nodes, dir, ca.bundle(), InstantSource.system(), c -> c, Duration.ofSeconds(60)));
            out.printf("ledger bench: %d replicas on %s (Raft over gRPC, mutual TLS with SVIDs), %d concurrent clients%n",
                    replicas, group.stream().map(r -> r.self().address()).toList(), clients);
            out.println("  leader: " + group.getFirst().leader().orElse("?"));
            int warmup = Math.min(20_000, Math.max(1_000, entries / 5));
            double warmSeconds = load(group, warmup, 0, null);
            out.printf(Locale.ROOT, "  warm-up: %,d entries in %.2f s (not counted)%n", warmup, warmSeconds);
            long[] latencies = new long[entries];
            double seconds = load(group, entries, warmup, latencies);
            if (!failures.isEmpty()) {
                long failed = failures.values().stream().mapToLong(Long::longValue).sum();
                failures.forEach((reason, n) -> out.printf(Locale.ROOT, "  %,d appends failed: %s%n", n, reason));
                throw new IllegalStateException(failed + " appends did not commit; no throughput is reported for this run");
            }
            Arrays.sort(latencies);
            out.printf(Locale.ROOT, "  %,d entries committed in %.2f s: %,.0f entries/s%n", entries, seconds, entries / seconds);
            out.printf(Locale.ROOT, "  commit latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    pct(latencies, 0.50), pct(latencies, 0.99), latencies[latencies.length - 1] / 1e6);
            converge(group, out);
        } catch (Exception e) {
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("bench failed: " + e.getMessage(), e);
        } finally {
            group.parallelStream().forEach(RaftLedger::close);
        }
        out.println("data: " + dir + "/node-N; check one with: x0tta6bl4 ledger verify --data " + dir.resolve("node-1"));
    }

    /** Appends that did not commit, by reason; a run with any is reported as failed, not measured. */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> failures = new java.util.concurrent.ConcurrentHashMap<>();

    /** Closed loop: each client appends, waits for the commit, repeats; returns elapsed seconds. */
    private double load(List<RaftLedger> group, int count, int offset, long[] latencies) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        SpiffeId[] actors = new SpiffeId[16];
        for (int i = 0; i < actors.length; i++) {
            actors[i] = SpiffeId.app(DOMAIN, "client-" + i);
        }
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                pool.execute(() -> {
                    long i;
                    while ((i = next.getAndIncrement()) < count) {
                        Submission s = new Submission(EntryType.AUDIT, actors[(int) (i % actors.length)], "GET_NETWORK_STATUS",
                                "/api/network/status", "SUCCESS", "{\"request\":" + (offset + i) + "}");
                        long t0 = System.nanoTime();
                        try {
                            group.get((int) (i % group.size())).append(s).join();
                        } catch (java.util.concurrent.CompletionException e) {
                            String reason = e.getCause() == null ? e.toString() : e.getCause().getMessage();
                            failures.merge(reason == null ? e.toString() : reason, 1L, Long::sum);
                            continue;
                        }
                        if (latencies != null) {
                            latencies[(int) i] = System.nanoTime() - t0;
                        }
                    }
                });
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static void converge(List<RaftLedger> group, PrintWriter out) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        TreeHead head = group.getFirst().head();
        while (System.nanoTime() < deadline) {
            head = group.stream().map(RaftLedger::head).max((a, b) -> Long.compare(a.size(), b.size())).orElseThrow();
            TreeHead target = head;
            if (group.stream().allMatch(r -> r.head().equals(target))) {
                break;
            }
            Thread.sleep(50);
        }
        for (int i = 0; i < group.size(); i++) {
            TreeHead h = group.get(i).head();
            out.printf(Locale.ROOT, "  node-%d: size %,d root %s%s%n", i + 1, h.size(), h.rootHex(), h.equals(head) ? "" : "  (behind or different!)");
        }
        Thread.sleep(1500); // one checkpoint round
        Checkpoint c = group.getFirst().latestCheckpoint().orElse(null);
        out.println(c == null ? "  no checkpoint yet" : String.format(Locale.ROOT, "  checkpoint: size %,d cosigned by %s", c.head().size(),
                c.cosignatures().stream().map(x -> x.signer().substring(x.signer().lastIndexOf('/') + 1)).toList()));
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}
