package io.x0tta6bl4.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.x0tta6bl4.cli.Main;
import io.x0tta6bl4.identity.CertificateAuthority;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code cluster} command's input errors and process handling, with stand-in processes
 * ({@code tail -f}, which has the node's config path on its command line) instead of nodes, so
 * these run in a second. Signals are real: kill, stop, pause, resume and down act on the stand-ins.
 */
class ClusterCommandTest {
    @TempDir Path dir;
    private final List<Process> started = new ArrayList<>();

    record Run(int exit, String out, String err) {}

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    private final List<NodeApiStandIn> apis = new ArrayList<>();

    @AfterEach
    void killStandIns() {
        started.forEach(Process::destroyForcibly); // SIGKILL ends a paused process too
        apis.forEach(NodeApiStandIn::close);
        CpuGroup.removeIfEmpty(dir); // a start as root made one; its node is gone without a cluster down
    }

    /**
     * Stand-ins whose API is served in this process ({@link NodeApiStandIn}, on free ports, with
     * each node's real SVID), checking the cluster's token for the node's {@code audience} and
     * answering a caller whose token verifies as {@code responder} says for that node and call.
     */
    private ClusterState withApis(int n, java.util.function.UnaryOperator<String> audience,
                                  java.util.function.BiFunction<String, Integer, NodeApiStandIn.Response> responder)
            throws Exception {
        ClusterState s = standIns(n, true);
        CertificateAuthority ca = CertificateAuthority.load(dir.resolve("ca"));
        List<Integer> ports = FreePorts.pick(n);
        List<ClusterState.NodeRecord> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ClusterState.NodeRecord r = s.nodes().get(i);
            java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
            apis.add(NodeApiStandIn.start(ca.issueNode(r.name(), Duration.ofHours(1), Instant.now(), new SecureRandom()), ca.bundle(), audience.apply(r.name()),
                    ports.get(i), caller -> responder.apply(r.name(), calls.incrementAndGet())));
            nodes.add(new ClusterState.NodeRecord(r.name(), ports.get(i), r.peerPort(), r.raftPort(), r.voter(), r.process()));
        }
        ClusterState state = new ClusterState(s.dir(), s.trustDomain(), s.created(), s.launch(), nodes);
        state.save();
        return state;
    }

    /** A view in which {@code self} sees every other of the {@code n} nodes alive and names node-1 leader. */
    private static String healthyView(String self, int n) {
        StringBuilder peers = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            if (!self.equals("node-" + i)) {
                peers.append(peers.isEmpty() ? "" : ",").append("{\"name\":\"node-").append(i).append("\",\"state\":\"alive\"}");
            }
        }
        return "{\"name\":\"" + self + "\",\"leader\":\"node-1\",\"ledger_size\":3,\"peers\":[" + peers + "],\"changes\":[]}";
    }

    @Test
    void aNodeThatRefusesTheClustersTokenIsReportedByNameAndReason() throws Exception {
        // node-1 verifies tokens for another audience (a real 401 from the verifier); node-2's policy denies the cluster.
        withApis(2, node -> node.equals("node-1") ? "billing" : ClusterToken.AUDIENCE,
                (node, call) -> new NodeApiStandIn.Response(403, "{\"error\":\"access_denied\",\"rule\":\"default-deny\",\"reason\":"
                        + "\"no rule allows spiffe://x0tta6bl4.local/app/x0tta6bl4-cluster to read nodes\"}", Duration.ZERO));

        Run table = cli("cluster", "status", "--dir", dir.toString());
        assertThat(table.exit()).as(table.err()).isZero();
        assertThat(table.out())
                .contains("node-1 refused the cluster's token: HTTP 401 invalid_token (wrong_audience): token is for [x0tta6bl4], not 'billing'\n")
                .contains("node-2 refused the cluster's token: HTTP 403 access_denied, rule default-deny: no rule allows "
                        + "spiffe://x0tta6bl4.local/app/x0tta6bl4-cluster to read nodes\n")
                .as("a node that answers is alive, refusal or not").containsPattern("node-1 +\\d+ +running .* alive ");
        JsonNode json = JsonReader.MAPPER.readTree(cli("cluster", "status", "--dir", dir.toString(), "--json").out());
        assertThat(json.get("nodes").get(0).get("refused").asText()).startsWith("refused the cluster's token: HTTP 401 invalid_token (wrong_audience)");
        assertThat(json.get("nodes").get(0).get("answering").asBoolean()).isFalse();
        assertThat(json.get("nodes").get(0).has("no_answer")).isFalse();

        // Waiting for a cluster that refuses the token would be in vain: the soak stops at once and says why.
        long t0 = System.nanoTime();
        Run soak = cli("cluster", "soak", "--dir", dir.toString(), "--minutes", "0.1");
        assertThat(soak.exit()).as(soak.err()).isEqualTo(3);
        assertThat(soak.err()).contains("failed: node-1 refused the cluster's token: HTTP 401 invalid_token (wrong_audience)")
                .contains("the cluster's token is a JWT-SVID from " + dir.resolve("ca") + " for spiffe://x0tta6bl4.local/app/x0tta6bl4-cluster, audience x0tta6bl4");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void waitingForAClusterTreatsTheNoPolicyYet403AsNotReadyAndSaysSo() throws Exception {
        // Each node answers 403 "no policy is in the ledger yet" to its first four requests, as a real node does until the leader ledgers one.
        withApis(2, node -> ClusterToken.AUDIENCE, (node, call) -> call <= 4 ? NodeApiStandIn.Response.policyPending()
                : NodeApiStandIn.Response.ok(healthyView(node, 2)));
        List<String> progress = new ArrayList<>();
        try (LocalCluster c = LocalCluster.open(dir, progress::add)) {
            ClusterStatus ready = c.awaitHealthy(Duration.ofSeconds(30));
            assertThat(ready.healthy()).isTrue();
        }
        assertThat(progress).anyMatch(l -> l.equals("  waiting for the policy to be installed: 2/2 nodes answer 403 (default-deny)"
                + " until the ledger's leader has ledgered policy.yaml"));
        assertThat(progress).anyMatch(l -> l.contains("0/2 answering (2 more waiting for the policy to be installed)"));
        assertThat(apis).allSatisfy(a -> assertThat(a.callers).allSatisfy(c -> assertThat(c.subject().toString())
                .isEqualTo("spiffe://x0tta6bl4.local/app/x0tta6bl4-cluster")));
    }

    /** A cluster.json for {@code n} nodes, each "running" as a tail -f of its node.yaml. */
    private ClusterState standIns(int n, boolean withCa) throws IOException {
        ClusterState s = ClusterStatusTest.cluster(n);
        List<ClusterState.NodeRecord> nodes = new ArrayList<>();
        for (ClusterState.NodeRecord r : s.nodes()) {
            Path yaml = dir.resolve(r.name()).resolve("node.yaml");
            Files.createDirectories(yaml.getParent());
            Files.writeString(yaml, "name: " + r.name() + "\n");
            Process p = new ProcessBuilder("tail", "-f", "/dev/null", yaml.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            started.add(p);
            nodes.add(r.withProcess(new ClusterState.NodeProcess(p.pid(), p.toHandle().info().startInstant().orElseThrow())));
        }
        ClusterState state = new ClusterState(dir.toAbsolutePath(), s.trustDomain(), s.created(), s.launch(), nodes);
        state.save();
        if (withCa) {
            CertificateAuthority.init(dir.resolve("ca"), "x0tta6bl4.local", Instant.now(), new SecureRandom());
        }
        return state;
    }

    private static long pid(ClusterState s, String name) {
        return s.node(name).process().orElseThrow().pid();
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void statusOnADirectoryWithoutAClusterSaysHowToMakeOne() {
        Run r = cli("cluster", "status", "--dir", dir.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: no cluster in " + dir).contains("run cluster up --nodes N --dir " + dir);
        Run missing = cli("cluster", "kill", "node-1", "--dir", dir.resolve("nowhere").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains(dir.resolve("nowhere") + " does not exist");
    }

    @Test
    void anUnknownNodeIsAUsageErrorNamingTheValidOnes() throws Exception {
        standIns(2, false);
        for (String cmd : List.of("kill", "stop", "start", "pause", "resume")) {
            Run r = cli("cluster", cmd, "node-9", "--dir", dir.toString());
            assertThat(r.exit()).as(cmd + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).as(cmd).contains("no node 'node-9'").contains("the nodes are node-1, node-2");
        }
    }

    @Test
    void upIsRefusedWhileTheRecordedProcessesRun() throws Exception {
        standIns(2, false);
        Run r = cli("cluster", "up", "--nodes", "2", "--dir", dir.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("refused: " + dir + " already runs a cluster: node-1 (pid ")
                .contains("run cluster down --dir " + dir + " first");
    }

    @Test
    void upChecksItsArguments() throws Exception {
        assertThat(cli("cluster", "up", "--nodes", "0", "--dir", dir.resolve("a").toString()).err()).contains("--nodes: a cluster has 1..64 nodes, got 0");
        Run detector = cli("cluster", "up", "--nodes", "3", "--detector", "gut-feeling", "--dir", dir.resolve("b").toString());
        assertThat(detector.exit()).isEqualTo(2);
        assertThat(detector.err()).contains("--detector: 'gut-feeling' is not a detector; use consecutive-misses or phi-accrual");
        Run domain = cli("cluster", "up", "--trust-domain", "Not A Domain", "--dir", dir.resolve("c").toString());
        assertThat(domain.exit()).isEqualTo(2);
        assertThat(domain.err()).contains("--trust-domain:");
        Files.writeString(dir.resolve("d.txt"), "x");
        Run notEmpty = cli("cluster", "up", "--nodes", "1", "--dir", dir.toString());
        assertThat(notEmpty.exit()).isEqualTo(2);
        assertThat(notEmpty.err()).contains(dir + " is not empty and holds no cluster.json; choose a new or empty --dir");
        assertThat(Files.list(dir).toList()).containsExactly(dir.resolve("d.txt"));
    }

    @Test
    void killPauseResumeStopAndDownSignalTheRecordedProcesses() throws Exception {
        ClusterState s = standIns(3, true);
        Run pause = cli("cluster", "pause", "node-1", "--dir", dir.toString());
        assertThat(pause.exit()).as(pause.err()).isZero();
        assertThat(pause.out()).startsWith("node-1 paused (SIGSTOP to pid " + pid(s, "node-1") + ")");
        try (LocalCluster c = LocalCluster.open(dir, line -> {})) {
            assertThat(c.processState("node-1")).isEqualTo(ProcessState.PAUSED);
        }
        assertThat(cli("cluster", "pause", "node-1", "--dir", dir.toString()).exit()).as("already paused").isEqualTo(1);

        Run status = cli("cluster", "status", "--dir", dir.toString(), "--json");
        assertThat(status.exit()).as(status.err()).isZero();
        JsonNode json = JsonReader.MAPPER.readTree(status.out());
        assertThat(json.get("leader").isNull()).isTrue();
        assertThat(json.get("nodes")).hasSize(3);
        JsonNode n1 = json.get("nodes").get(0);
        assertThat(n1.get("name").asText()).isEqualTo("node-1");
        assertThat(n1.get("pid").asLong()).isEqualTo(pid(s, "node-1"));
        assertThat(n1.get("process").asText()).isEqualTo("paused");
        assertThat(n1.get("state").asText()).as("running but nobody answers: unknown").isEqualTo("unknown");
        assertThat(n1.get("api_port").asInt()).isEqualTo(s.node("node-1").apiPort());
        assertThat(n1.has("peer_port") && n1.has("raft_port") && n1.has("seen_by")).isTrue();
        assertThat(json.get("nodes").get(1).get("no_answer").asText()).isEqualTo("connection refused");

        assertThat(cli("cluster", "resume", "node-1", "--dir", dir.toString()).out()).startsWith("node-1 resumed (SIGCONT");
        assertThat(cli("cluster", "resume", "node-1", "--dir", dir.toString()).exit()).as("not paused").isEqualTo(1);

        Run kill = cli("cluster", "kill", "node-2", "--dir", dir.toString());
        assertThat(kill.exit()).as(kill.err()).isZero();
        assertThat(kill.out()).isEqualTo("node-2 killed (SIGKILL to pid " + pid(s, "node-2") + ")\n");
        assertThat(alive(pid(s, "node-2"))).isFalse();
        Run again = cli("cluster", "kill", "node-2", "--dir", dir.toString());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("node-2 is not running (pid " + pid(s, "node-2") + " has exited); start it with cluster start node-2 --dir " + dir);

        Run stop = cli("cluster", "stop", "node-3", "--dir", dir.toString());
        assertThat(stop.exit()).as(stop.err()).isZero();
        assertThat(stop.out()).startsWith("node-3 stopped (SIGTERM to pid " + pid(s, "node-3") + "; exited after ");

        Run table = cli("cluster", "status", "--dir", dir.toString());
        assertThat(table.out()).contains("NODE", "PID", "API", "PEER", "RAFT", "STATE").containsPattern("node-2 +\\d+ +exited .* down ");

        Run down = cli("cluster", "down", "--dir", dir.toString());
        assertThat(down.exit()).as(down.err()).isZero();
        assertThat(down.out()).contains("node-1 stopped (pid " + pid(s, "node-1")).contains("node-2 was not running")
                .contains("nothing left running in " + dir);
        for (String n : s.names()) {
            assertThat(alive(pid(s, n))).as(n).isFalse();
        }
        Run twice = cli("cluster", "down", "--dir", dir.toString());
        assertThat(twice.exit()).isZero();
        assertThat(twice.out()).contains("node-1 was not running", "node-2 was not running", "node-3 was not running");
    }

    @Test
    void aPidThatNoLongerBelongsToTheNodeIsNeverSignalled() throws Exception {
        ClusterState s = standIns(1, false);
        long pid = pid(s, "node-1");
        // As if the node had died and the system had given its pid to another process an hour later.
        ClusterState.NodeProcess wrong = new ClusterState.NodeProcess(pid, s.node("node-1").process().orElseThrow().started().minusSeconds(3600));
        s.with(s.node("node-1").withProcess(wrong)).save();
        Run kill = cli("cluster", "kill", "node-1", "--dir", dir.toString());
        assertThat(kill.exit()).isEqualTo(1);
        assertThat(kill.err()).contains("node-1 is not running");
        assertThat(cli("cluster", "down", "--dir", dir.toString()).out()).contains("node-1 was not running");
        assertThat(alive(pid)).as("the other process is untouched").isTrue();
    }

    @Test
    void startReportsANodeThatExitsAtOnceWithTheEndOfItsLog() throws Exception {
        ClusterState s = standIns(1, true);
        cli("cluster", "kill", "node-1", "--dir", dir.toString());
        // A launch whose "java" fails at once, as a node with a bad config would.
        Path fake = dir.resolve("fake-java");
        Files.writeString(fake, "#!/bin/sh\necho \"node.yaml:3: ports.api: must be a port number 1..65535, got 0\"\nexit 2\n");
        fake.toFile().setExecutable(true);
        ClusterState.Launch launch = new ClusterState.Launch(fake, List.of(), "cp", "Main", List.of("node", "run", "--config"));
        new ClusterState(s.dir(), s.trustDomain(), s.created(), launch, ClusterState.load(dir).nodes()).save();

        Run start = cli("cluster", "start", "node-1", "--dir", dir.toString(), "--timeout", "10s");
        assertThat(start.exit()).as(start.err()).isEqualTo(3);
        assertThat(start.err()).contains("node-1 started (pid").contains("failed: node-1 exited before it answered; the end of "
                + dir.resolve("node-1/node.log")).contains("ports.api: must be a port number");
        assertThat(Files.readString(dir.resolve("node-1/node.log"))).startsWith("--- x0tta6bl4 cluster: starting node-1 at ");
        await().atMost(Duration.ofSeconds(5)).until(() -> !alive(ClusterState.load(dir).node("node-1").process().orElseThrow().pid()));
        assertThat(ClusterState.load(dir).node("node-1").process()).isNotEqualTo(Optional.of(s.node("node-1").process().orElseThrow()));
    }
}
