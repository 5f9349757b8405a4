package io.x0tta6bl4.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.x0tta6bl4.identity.CertificateAuthority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three replicas as separate processes on loopback. Each writes a burst and logs every
 * acknowledged append; the leader is killed with SIGKILL in the middle of it and restarted.
 * Afterwards every replica's file verifies, all have the same root, and every acknowledged entry
 * is there with the content that was acknowledged. Snapshots are taken every 100 log entries and
 * log segments are small, so the log is purged while the leader is down and the restarted
 * replica has to install a snapshot from the new leader.
 */
@Timeout(240)
class LedgerCrashTest {
    private static final int WRITES = 2500;
    @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;
    private final Map<String, Process> processes = new HashMap<>();

    @AfterEach
    void killAll() {
        processes.values().forEach(Process::destroyForcibly);
    }

    @Test
    void killingTheLeaderMidBurstLosesNoAcknowledgedEntry() throws Exception {
        CertificateAuthority ca = LedgerFixtures.ca(dir);
        List<String> peers = List.of("node-1", "node-2", "node-3");
        LedgerFixtures.nodes(ca, 3);
        // node-1 forms the group on a port it picks and says which; the others join through it.
        start(ca, "node-1", List.of("--bootstrap"), true);
        int port = await().atMost(Duration.ofSeconds(60)).until(() -> raftPort("node-1"), p -> p > 0);
        start(ca, "node-2", List.of("--join", "node-1@127.0.0.1:" + port), true);
        start(ca, "node-3", List.of("--join", "node-1@127.0.0.1:" + port), true);
        String leader = await().atMost(Duration.ofSeconds(60)).until(() -> leaderSeenBy("node-1"), l -> l != null);
        Path leaderAcks = dir.resolve(leader + ".acks");
        await().atMost(Duration.ofSeconds(60)).until(() -> lines(leaderAcks) >= 300);

        processes.remove(leader).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        int acksBeforeKill = lines(leaderAcks);
        // The survivors elect a new leader and finish their bursts, snapshotting and purging the
        // log past the point where the killed replica stopped.
        for (String p : peers) {
            if (!p.equals(leader)) {
                await().atMost(Duration.ofSeconds(120)).until(() -> output(p).contains("acknowledged entries"));
            }
        }
        start(ca, leader, List.of(), false);
        // Let the restarted replica catch up, then stop everyone gracefully.
        long expected = totalAcks();
        await().atMost(Duration.ofSeconds(60)).until(() -> sizeOf(leader) >= expected);
        for (Process process : processes.values()) {
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        LedgerVerifier.Report first = null;
        for (String p : peers) {
            LedgerVerifier.Report r = LedgerVerifier.verify(dir.resolve(p));
            assertThat(r.problem()).as(p).isEmpty();
            if (first == null) {
                first = r;
            }
            assertThat(r.head()).as("head of " + p).isEqualTo(first.head());
        }
        assertThat(acksBeforeKill).isGreaterThanOrEqualTo(300);
        try (LedgerFiles files = LedgerFiles.open(dir.resolve(leader))) {
            for (String p : peers) {
                for (String line : Files.readAllLines(dir.resolve(p + ".acks"))) {
                    String[] parts = line.split("\t");
                    long seq = Long.parseLong(parts[0]);
                    LedgerEntry e = files.query(LedgerQuery.all(seq, 1)).getFirst();
                    assertThat(e.seq()).isEqualTo(seq);
                    assertThat(e.submission().payload()).as("entry " + seq).contains("\"" + parts[1] + "\"");
                }
            }
        }
        assertThat(output(leader + ".restarted")).as("the restarted replica caught up from a snapshot").contains("installing ledger snapshot");
    }

    private void start(CertificateAuthority ca, String name, List<String> how, boolean write) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseZGC", "-Xmx512m", "--enable-native-access=ALL-UNNAMED",
                // The production logging configuration, not the test one on the class path.
                "-Dlogback.configurationFile=" + getClass().getResource("/logback.xml"),
                "-cp", System.getProperty("java.class.path"), "io.x0tta6bl4.cli.Main",
                "ledger", "serve", "--ca", ca.dir().toString(), "--name", name, "--data", dir.resolve(name).toString(),
                "--snapshot-every", "100", "--log-segment-kib", "64"));
        cmd.addAll(how);
        if (write) {
            cmd.addAll(List.of("--write", Integer.toString(WRITES), "--voters", "3", "--ack-log", dir.resolve(name + ".acks").toString()));
        }
        Path log = dir.resolve(name + (write ? "" : ".restarted") + ".out");
        processes.put(name, new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start());
    }

    private String leaderSeenBy(String name) throws IOException {
        for (String line : output(name).split("\n")) {
            if (line.contains("ready; leader ")) {
                return line.substring(line.indexOf("ready; leader ") + 14).strip();
            }
        }
        return null;
    }

    /** The Raft port {@code name} said it listens on, or 0 before it said so. */
    private int raftPort(String name) throws IOException {
        for (String line : output(name).split("\n")) {
            if (line.contains(" listening on raft port ")) {
                return Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1).strip());
            }
        }
        return 0;
    }

    private String output(String name) throws IOException {
        Path log = dir.resolve(name + ".out");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private int lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    }

    private long totalAcks() throws IOException {
        long n = 0;
        for (String name : List.of("node-1", "node-2", "node-3")) {
            n += lines(dir.resolve(name + ".acks"));
        }
        return n;
    }

    private long sizeOf(String name) {
        try (LedgerFiles files = LedgerFiles.open(dir.resolve(name))) {
            List<LedgerEntry> last;
            long size = 0;
            while (!(last = files.query(LedgerQuery.all(size, LedgerQuery.MAX_LIMIT))).isEmpty()) {
                size = last.getLast().seq() + 1;
            }
            return size;
        } catch (LedgerException e) {
            return 0;
        }
    }
}
