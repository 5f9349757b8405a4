package io.x0tta6bl4.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.x0tta6bl4.bench.DetectionBench;
import io.x0tta6bl4.bench.Soak;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalCluster}, the {@code cluster} command and the harnesses end to end, through a real
 * host agent, with {@link StandInNode} processes instead of nodes: quick, and apart from the real
 * node. LocalClusterTest runs the real one.
 */
@Timeout(300)
class LocalClusterStandInTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;
    private LocalCluster cluster;
    private final List<String> progress = java.util.Collections.synchronizedList(new ArrayList<>());
    private static final Optional<Long> ME = Optional.of(ProcessHandle.current().pid());

    @AfterEach
    void down() throws Exception {
        progress.forEach(System.out::println);
        if (cluster != null) {
            cluster.close();
        }
        if (Files.exists(new HostLayout(dir).agentLog())) {
            System.out.println("--- agent.log\n" + Files.readString(new HostLayout(dir).agentLog()));
        }
        if (Files.exists(dir.resolve(ClusterState.FILE))) {
            try (LocalCluster c = LocalCluster.open(dir, line -> {})) {
                c.down();
            } finally {
                HostAgentTestSupport.recordedPids(dir).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            }
        }
    }

    private LocalCluster up(int nodes, NodeLaunch launch, Duration timeout) {
        return LocalCluster.up(dir, LocalCluster.Settings.defaults(nodes), launch, timeout, ME, progress::add);
    }

    private static ClusterCommandTest.Run cli(String... args) {
        return ClusterCommandTest.cli(args);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void upStatusBenchesSoakWithAJoinerAddNodeAndDown() throws Exception {
        cluster = up(3, HostAgentTestSupport.standIn(), Duration.ofSeconds(120));
        assertThat(progress).anyMatch(l -> l.startsWith("host agent started (pid ")).anyMatch(l -> l.startsWith("node-3 started (pid "))
                .anyMatch(l -> l.startsWith("all 3 nodes see each other alive; leader node-1, 3 voters"));
        assertThat(Files.readString(dir.resolve("node-3/node.yaml"))).contains("seeds: [\"node-1@127.0.0.1:", "\"node-2@127.0.0.1:");
        ClusterStatus status = cluster.status();
        assertThat(status.healthy()).isTrue();
        assertThat(status.leader()).contains("node-1");
        for (ClusterStatus.NodeStatus n : status.nodes()) {
            assertThat(n.view().orElseThrow().pid()).as("the agent's pid is the node's own").isEqualTo(n.handle().orElseThrow().pid());
        }
        assertThat(Files.readString(dir.resolve("cluster.json"))).doesNotContain("pid", "port");

        ClusterCommandTest.Run twice = cli("cluster", "up", "--nodes", "3", "--dir", dir.toString());
        assertThat(twice.exit()).as(twice.err()).isEqualTo(1);
        assertThat(twice.err()).contains(dir + " already runs a cluster: node-1 (pid ").contains("run cluster down --dir " + dir + " first");

        DetectionBench.Report kill = new DetectionBench(cluster, progress::add).run(DetectionBench.Mode.KILL, 2, Duration.ofSeconds(5),
                Duration.ofSeconds(60), Duration.ZERO, run -> progress.add("kill run " + run));
        assertThat(kill.runs()).extracting(DetectionBench.Run::victim).containsExactly("node-2", "node-3");
        assertThat(kill.missed()).isZero();
        assertThat(kill.times()).allSatisfy(t -> assertThat(t).isPositive().isLessThan(Duration.ofSeconds(2)));
        DetectionBench.Report pause = new DetectionBench(cluster, progress::add).run(DetectionBench.Mode.PAUSE, 1, Duration.ofSeconds(5),
                Duration.ofSeconds(60), Duration.ZERO, run -> progress.add("pause run " + run));
        assertThat(pause.missed()).isZero();
        cluster.awaitHealthy(Duration.ofSeconds(60));

        Soak.Report soak = new Soak(cluster, progress::add).run(Duration.ofSeconds(6), 1, Duration.ofSeconds(60), true);
        assertThat(soak.passed()).as(soak.toString()).isTrue();
        assertThat(soak.joined()).hasValueSatisfying(j -> {
            assertThat(j.name()).isEqualTo("node-4");
            assertThat(j.role()).isEqualTo("voter");
        });
        assertThat(cluster.nodes()).containsExactly("node-1", "node-2", "node-3", "node-4");

        ClusterCommandTest.Run add = cli("cluster", "add-node", "--dir", dir.toString());
        assertThat(add.exit()).as(add.err()).isZero();
        assertThat(add.out()).startsWith("node-5 added (pid ").contains("), role voter, ledger 0 entries, seen alive by every member");
        ClusterCommandTest.Run sixth = cli("cluster", "add-node", "--dir", dir.toString());
        assertThat(sixth.exit()).as(sixth.err()).isZero();
        assertThat(sixth.out()).startsWith("node-6 added (pid ").contains("role listener");

        ClusterCommandTest.Run kill3 = cli("cluster", "kill", "node-3", "--dir", dir.toString());
        assertThat(kill3.exit()).as(kill3.err()).isZero();
        assertThat(kill3.out()).matches("node-3 killed \\(SIGKILL to pid \\d+ at \\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\)\\n");
        JsonNode json = JsonReader.MAPPER.readTree(cli("cluster", "status", "--dir", dir.toString(), "--json").out());
        assertThat(json.get("nodes")).hasSize(6);
        JsonNode n3 = json.get("nodes").get(2);
        assertThat(n3.get("process").asText()).isEqualTo("exited");
        assertThat(n3.get("api_port").asInt()).as("what it published last").isPositive();
        assertThat(json.get("nodes").get(5).get("role").asText()).isEqualTo("listener");
        assertThat(json.get("nodes").get(0).get("role").asText()).isEqualTo("leader");
        ClusterCommandTest.Run start = cli("cluster", "start", "node-3", "--dir", dir.toString());
        assertThat(start.exit()).as(start.err()).isZero();
        assertThat(start.out()).startsWith("node-3 started (pid ").endsWith("seen alive by every running node\n");
        ClusterCommandTest.Run table = cli("cluster", "status", "--dir", dir.toString());
        assertThat(table.out()).contains("NODE", "PID", "PROCESS", "API", "PEER", "RAFT", "STATE", "ROLE", "MEMBER", "SEEN BY")
                .containsPattern("node-1 +\\d+ +running +\\d+ +\\d+ +\\d+ +alive +LEADER +active +5 alive")
                .containsPattern("node-6 +\\d+ +running .* listener +active ");

        List<Long> pids = HostAgentTestSupport.recordedPids(dir);
        long agentPid = AgentRecord.read(new HostLayout(dir).agentRecord()).orElseThrow().pid();
        ClusterCommandTest.Run down = cli("cluster", "down", "--dir", dir.toString());
        assertThat(down.exit()).as(down.err()).isZero();
        assertThat(down.out()).contains("node-1 stopped (pid ", "node-6 stopped (pid ", "nothing left running in " + dir);
        assertThat(pids).allSatisfy(pid -> assertThat(alive(pid)).as("pid " + pid).isFalse());
        assertThat(alive(agentPid)).as("the host agent").isFalse();
        ClusterCommandTest.Run again = cli("cluster", "down", "--dir", dir.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).contains("node-1 was not running", "nothing left running");
        assertThat(new HostLayout(dir).agentRecord()).as("down does not start an agent for nothing").doesNotExist();
        ClusterCommandTest.Run after = cli("cluster", "status", "--dir", dir.toString());
        assertThat(after.exit()).as(after.err()).isZero();
        assertThat(after.out()).containsPattern("node-1 +\\d+ +exited ");
        assertThat(new HostLayout(dir).agentRecord()).as("looking does not start an agent").doesNotExist();
    }

    @Test
    void parallelJoinersAndTheNoPolicyYet403IsNotReadyAndSaidSo() {
        cluster = LocalCluster.up(dir, LocalCluster.Settings.defaults(3).withPace(LocalCluster.JoinPace.PARALLEL),
                HostAgentTestSupport.standIn("-Dstandin.noPolicyMillis=6000"), Duration.ofSeconds(120), ME, progress::add);
        assertThat(progress).anyMatch(l -> l.matches("  waiting for the policy to be installed: [1-3]/3 nodes answer 403 \\(default-deny\\)"
                + " until the ledger's leader has ledgered policy.yaml"));
        assertThat(progress).as("node-2 and node-3 start together, once node-1 answers")
                .noneMatch(l -> l.startsWith("node-2 answers; waiting for the other nodes"));
        assertThat(cluster.status().healthy()).isTrue();
    }

    @Test
    void anUpThatTimesOutSaysWhoSeesWhatAndLeavesTheProcessesRunning() {
        // Parallel joiners, so that the wait that times out is the last one, for the whole cluster.
        assertThatThrownBy(() -> LocalCluster.up(dir, LocalCluster.Settings.defaults(2).withPace(LocalCluster.JoinPace.PARALLEL),
                HostAgentTestSupport.standIn(), Duration.ofMillis(1), ME, progress::add))
                .isInstanceOfSatisfying(ClusterException.class, e -> assertThat(e.kind()).isEqualTo(ClusterException.Kind.FAILED))
                .hasMessageContaining("the cluster was not ready within 0 s:")
                .hasMessageContaining("  node-1: ").hasMessageContaining("  node-2: ")
                .hasMessageContaining("the processes are still running; read the logs (" + dir.toAbsolutePath() + "/node-*/node.log), then run cluster down --dir");
        try (LocalCluster c = LocalCluster.open(dir, line -> {})) {
            Map<String, NodeHandle> h = c.handles();
            assertThat(h.get("node-1").state().live()).isTrue();
            assertThat(h.get("node-2").state().live()).isTrue();
        }
    }

    @Test
    void aNodeThatRefusesTheClustersTokenIsReportedByNameAndReasonAtOnce() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> up(2, HostAgentTestSupport.standIn("-Dstandin.audience=billing"), Duration.ofSeconds(120)))
                .isInstanceOfSatisfying(ClusterException.class, e -> assertThat(e.kind()).isEqualTo(ClusterException.Kind.FAILED))
                .hasMessageContaining("node-1 refused the cluster's token: HTTP 401 invalid_token (wrong_audience): token is for [x0tta6bl4], not 'billing'")
                .hasMessageContaining("the cluster's token is a JWT-SVID from " + dir.resolve("ca")
                        + " for spiffe://x0tta6bl4.local/operator/x0tta6bl4-cluster, audience x0tta6bl4");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("waiting would not change it").isLessThan(Duration.ofSeconds(60));
        ClusterCommandTest.Run table = cli("cluster", "status", "--dir", dir.toString());
        assertThat(table.exit()).as(table.err()).isZero();
        assertThat(table.out()).contains("node-1 refused the cluster's token: HTTP 401 invalid_token (wrong_audience)")
                .as("a node that answers is alive, refusal or not").containsPattern("node-1 +\\d+ +running .* alive ");
    }
}
