package io.x0tta6bl4.bench;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.TrustBundle;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.RaftLedger;
import io.x0tta6bl4.ledger.RaftLedgerConfig;
import io.x0tta6bl4.ledger.Replica;
import io.x0tta6bl4.ledger.Submission;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs one ledger replica as its own process until SIGTERM. With {@code --write N} it also
 * appends N entries and records every acknowledged one, as {@code seq<TAB>writer:n}, in
 * {@code --ack-log}: the multi-process crash test uses this to check that nothing acknowledged is
 * lost. (The full node agent, {@code node run}, arrives in a later step.)
 */
@Command(name = "serve", description = "Run one ledger replica in this process until SIGTERM (optionally writing a load).")
public final class LedgerServe implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = "--ca", required = true, description = "CA directory (the node must be enrolled in it).") Path caDir;
    @Option(names = "--name", required = true, description = "This replica's node name.") String name;
    @Option(names = "--data", required = true, description = "This replica's data directory.") Path data;
    @Option(names = "--bootstrap", description = "Form a new group with this replica as its only voter (first start only).") boolean bootstrap;
    @Option(names = "--join", description = "A replica of the group to join through, as NAME@HOST:PORT; repeat for more (first start only).") List<String> seeds;
    @Option(names = "--port", defaultValue = "0", description = "Raft port; 0 (default) picks a free one the first time and keeps it.") int port;
    @Option(names = "--voters", defaultValue = "1", description = "With --write: wait until the group has this many voters before writing (default ${DEFAULT-VALUE}).") int voters;
    @Option(names = "--write", defaultValue = "0", description = "Entries to append once ready (default 0).") int write;
    @Option(names = "--ack-log", description = "Where to record each acknowledged append (with --write).") Path ackLog;
    @Option(names = "--snapshot-every", defaultValue = "10000", description = "Raft log entries between snapshots (default ${DEFAULT-VALUE}).") long snapshotEvery;
    @Option(names = "--log-segment-kib", defaultValue = "8192", description = "Raft log segment size in KiB; segments below a snapshot are purged (default ${DEFAULT-VALUE}).") long segmentKib;

    private String trustDomain;

    @Override
    public void run() {
        if (bootstrap && seeds != null && !seeds.isEmpty()) {
            throw new IllegalArgumentException("give either --bootstrap (a new group) or --join NAME@HOST:PORT (a running one), not both");
        }
        if (!bootstrap && (seeds == null || seeds.isEmpty()) && !java.nio.file.Files.isDirectory(data.resolve("raft"))) {
            throw new IllegalArgumentException("--data " + data + " holds no replica yet: give --bootstrap (a new group) or --join NAME@HOST:PORT (a running one)");
        }
        RaftLedgerConfig.Start start;
        if (bootstrap || seeds == null || seeds.isEmpty()) {
            start = new RaftLedgerConfig.Start.Bootstrap(); // an existing replica ignores how it first started
        } else {
            List<Replica> replicas = new ArrayList<>();
            for (String seed : seeds) {
                try {
                    replicas.add(Replica.parse(seed));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--join: " + e.getMessage());
                }
            }
            start = new RaftLedgerConfig.Start.Join(replicas);
        }
        CertificateAuthority ca = CertificateAuthority.load(caDir);
        NodeCredentials node = NodeCredentials.load(ca.nodeDir(name));
        TrustBundle bundle = ca.bundle();
        trustDomain = bundle.trustDomain();
        RaftLedgerConfig config;
        try {
            config = RaftLedgerConfig.of(name, data, start, node, bundle, InstantSource.system()).withAddress(RaftLedgerConfig.LOOPBACK, port)
                    .withSnapshotEvery(snapshotEvery).withLogSegmentBytes(segmentKib * 1024);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--port/--name/--snapshot-every: " + e.getMessage());
        }
        RaftLedger ledger = RaftLedger.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ledger.close();
            stopped.countDown();
        }));
        PrintWriter out = spec.commandLine().getOut();
        try {
            out.println(name + " listening on raft port " + ledger.port());
            out.flush();
            if (!ledger.group().contains(name)) {
                // Joined through a seed: nothing else adds this replica, so it asks the leader itself.
                ledger.addSelf(true).get(60, TimeUnit.SECONDS);
            }
            String leader = ledger.ready().get(60, TimeUnit.SECONDS);
            out.println(name + " ready; leader " + leader);
            out.flush();
            if (write > 0) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (ledger.group().voters().size() < voters && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                writeLoad(ledger, out);
            }
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException(name + " failed: " + e.getMessage(), e);
        }
    }

    private void writeLoad(RaftLedger ledger, PrintWriter out) throws IOException, InterruptedException {
        if (ackLog == null) {
            throw new IllegalArgumentException("--write needs --ack-log FILE");
        }
        SpiffeId actor = SpiffeId.node(trustDomain, name);
        Semaphore inFlight = new Semaphore(32);
        AtomicInteger acked = new AtomicInteger();
        try (BufferedWriter log = Files.newBufferedWriter(ackLog, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (int n = 0; n < write; n++) {
                inFlight.acquire();
                String marker = name + ":" + n;
                ledger.append(new Submission(EntryType.AUDIT, actor, "LOAD", "ledger/load", "SUCCESS", "{\"marker\":\"" + marker + "\"}"))
                        .whenComplete((seq, e) -> {
                            inFlight.release();
                            if (e == null) {
                                synchronized (log) {
                                    try {
                                        log.write(seq + "\t" + marker + "\n");
                                        log.flush();
                                    } catch (IOException io) {
                                        throw new java.io.UncheckedIOException(io);
                                    }
                                }
                                acked.incrementAndGet();
                            }
                        });
            }
            inFlight.acquire(32);
        }
        out.println(name + " wrote " + acked.get() + " acknowledged entries");
        out.flush();
    }
}
