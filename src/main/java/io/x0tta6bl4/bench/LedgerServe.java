package io.x0tta6bl4.bench;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.TrustBundle;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.RaftLedger;
import io.x0tta6bl4.ledger.RaftLedgerConfig;
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
    @Option(names = "--peer", required = true, description = "A replica as NAME=HOST:PORT; repeat for each, this one included.") List<String> peerSpecs;
    @Option(names = "--write", defaultValue = "0", description = "Entries to append once ready (default 0).") int write;
    @Option(names = "--ack-log", description = "Where to record each acknowledged append (with --write).") Path ackLog;
    @Option(names = "--snapshot-every", defaultValue = "10000", description = "Raft log entries between snapshots (default ${DEFAULT-VALUE}).") long snapshotEvery;
    @Option(names = "--log-segment-kib", defaultValue = "8192", description = "Raft log segment size in KiB; segments below a snapshot are purged (default ${DEFAULT-VALUE}).") long segmentKib;

    private String trustDomain;

    @Override
    public void run() {
        List<RaftLedgerConfig.Peer> peers = new ArrayList<>();
        for (String p : peerSpecs) {
            peers.add(parsePeer(p));
        }
        CertificateAuthority ca = CertificateAuthority.load(caDir);
        NodeCredentials node = NodeCredentials.load(ca.nodeDir(name));
        TrustBundle bundle = ca.bundle();
        trustDomain = bundle.trustDomain();
        RaftLedgerConfig config;
        try {
            config = RaftLedgerConfig.of(name, data, peers, node, bundle, InstantSource.system()).withSnapshotEvery(snapshotEvery)
                    .withLogSegmentBytes(segmentKib * 1024);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--peer/--name/--snapshot-every: " + e.getMessage());
        }
        RaftLedger ledger = RaftLedger.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ledger.close();
            stopped.countDown();
        }));
        PrintWriter out = spec.commandLine().getOut();
        try {
            String leader = ledger.ready().get(60, TimeUnit.SECONDS);
            out.println(name + " ready; leader " + leader);
            out.flush();
            if (write > 0) {
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

    static RaftLedgerConfig.Peer parsePeer(String spec) {
        int eq = spec.indexOf('=');
        int colon = spec.lastIndexOf(':');
        if (eq < 1 || colon < eq + 2 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("--peer " + spec + ": expected NAME=HOST:PORT, e.g. node-1=127.0.0.1:7101");
        }
        try {
            return new RaftLedgerConfig.Peer(spec.substring(0, eq), spec.substring(eq + 1, colon), Integer.parseInt(spec.substring(colon + 1)), true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--peer " + spec + ": " + e.getMessage());
        }
    }
}
