package io.x0tta6bl4.orchestration;

import io.x0tta6bl4.monitor.NodeView;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.x0tta6bl4.monitor.PeerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code cluster} command on real node processes ({@code x0tta6bl4 node run}) on loopback:
 * up, status, a kill seen by every survivor, a restart seen by everyone, the harness, down.
 */
@Timeout(180)
class LocalClusterTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;
    @RegisterExtension final NodeThreadDumps dumps = new NodeThreadDumps(() -> dir);

    @AfterEach
    void nothingLeftRunning() {
        if (!Files.exists(dir.resolve(ClusterState.FILE))) {
            return;
        }
        ClusterState s = ClusterState.load(dir);
        try (LocalCluster c = LocalCluster.open(dir, line -> {})) {
            c.down();
        } finally {
            // A backstop in case down itself failed: nothing this test started survives it.
            s.nodes().forEach(n -> n.process().flatMap(p -> NodeProcesses.live(p, s.config(n.name()))).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    private static ClusterCommandTest.Run cli(String... args) {
        return ClusterCommandTest.cli(args);
    }

    private JsonNode status() throws Exception {
        ClusterCommandTest.Run r = cli("cluster", "status", "--dir", dir.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        return JsonReader.MAPPER.readTree(r.out());
    }

    /** Each live node's own view, asked directly. */
    private Map<String, NodeView> views(List<String> names) {
        ClusterState s = ClusterState.load(dir);
        Map<String, Integer> ports = new LinkedHashMap<>();
        names.forEach(n -> ports.put(n, s.node(n).apiPort()));
        Map<String, NodeView> views = new LinkedHashMap<>();
        try (NodeClient client = NodeClient.forCa(s.caDir(), Duration.ofSeconds(1))) {
            client.views(ports).forEach((n, a) -> {
                if (a instanceof NodeClient.Answer.Seen seen) {
                    views.put(n, seen.view());
                }
            });
        }
        return views;
    }

    /** {@code GET /api/network/status} on {@code node}, with the cluster's own token, as an operator would call it. */
    private JsonNode networkStatus(ClusterState state, String node) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .sslContext(NodeClient.trusting(io.x0tta6bl4.identity.TrustBundle.load(state.caDir()).x509Root())).build();
        java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("https://127.0.0.1:" + state.node(node).apiPort() + "/api/network/status"))
                .header("Authorization", "Bearer " + ClusterToken.fromCa(state.caDir()).get()).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JsonReader.MAPPER.readTree(r.body());
    }

    @Test
    void upKillRestartAndDownOnRealNodes() throws Exception {
        ClusterCommandTest.Run up = cli("cluster", "up", "--nodes", "3", "--dir", dir.toString(), "--timeout", "90s");
        assertThat(up.exit()).as(up.err()).isZero();
        assertThat(up.err()).contains("node-1 started (pid", "waiting for 3 nodes to see each other alive", "all 3 nodes see each other alive");
        assertThat(up.out()).contains("NODE", "PID", "API", "PEER", "RAFT", "STATE", "LEADER");

        JsonNode s = status();
        String leader = s.get("leader").asText();
        assertThat(leader).matches("node-[123]");
        assertThat(s.get("nodes")).hasSize(3).allSatisfy(n -> {
            assertThat(n.get("state").asText()).isEqualTo("alive");
            assertThat(n.get("process").asText()).isEqualTo("running");
            assertThat(n.get("pid").asLong()).isPositive();
            assertThat(n.get("api_port").asInt()).isPositive();
        });
        ClusterState state = ClusterState.load(dir);
        views(state.names()).forEach((name, v) -> assertThat(v.pid()).as("the recorded pid is " + name + "'s own")
                .isEqualTo(state.node(name).process().orElseThrow().pid()));
        Path groupDir = null;
        if (LocalCluster.runsAsRoot()) {
            for (String name : state.names()) {
                long pid = state.node(name).process().orElseThrow().pid();
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                assertThat(Integer.parseInt(fields[16])).as(name + " runs at the nodes' priority").isEqualTo(LocalCluster.NODE_NICE);
            }
            CpuGroup.Found group = CpuGroup.find(dir, 3);
            if (group.group().isPresent()) {
                groupDir = group.group().get().dir();
                List<String> members = Files.readAllLines(group.group().get().dir().resolve("cgroup.procs"));
                assertThat(members).as("every node in the cluster's one CPU group")
                        .containsAll(state.names().stream().map(n -> Long.toString(state.node(n).process().orElseThrow().pid())).toList());
            }
        }
        JsonNode healthy = networkStatus(state, leader);
        assertThat(healthy.get("status").asText()).isEqualTo("healthy");
        assertThat(healthy.get("nodes_alive").asInt()).isEqualTo(3);

        ClusterCommandTest.Run twice = cli("cluster", "up", "--nodes", "3", "--dir", dir.toString());
        assertThat(twice.exit()).as(twice.err()).isEqualTo(1);
        assertThat(twice.err()).contains("run cluster down --dir " + dir + " first");
        assertThat(cli("cluster", "kill", "node-7", "--dir", dir.toString()).err()).contains("no node 'node-7'", "node-1, node-2, node-3");

        // Kill a follower: every survivor marks it down.
        String victim = state.names().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        List<String> survivors = state.names().stream().filter(n -> !n.equals(victim)).toList();
        Instant killed = Instant.now();
        ClusterCommandTest.Run kill = cli("cluster", "kill", victim, "--dir", dir.toString());
        assertThat(kill.exit()).as(kill.err()).isZero();
        Map<String, Duration> detection = new LinkedHashMap<>();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Map<String, NodeView> v = views(survivors);
            for (String observer : survivors) {
                Optional<NodeView.Change> down = Optional.ofNullable(v.get(observer)).flatMap(x -> x.firstChange(victim, PeerState.DOWN, killed));
                down.ifPresent(c -> detection.putIfAbsent(observer, Duration.between(killed, c.at())));
            }
            return detection.size() == survivors.size();
        });
        System.out.println("kill -9 of " + victim + " detected by " + detection);
        assertThat(detection.values()).allSatisfy(d -> assertThat(d).isPositive().isLessThan(Duration.ofSeconds(1)));
        JsonNode afterKill = status();
        JsonNode victimStatus = afterKill.get("nodes").get(state.names().indexOf(victim));
        assertThat(victimStatus.get("state").asText()).isEqualTo("down");
        assertThat(victimStatus.get("process").asText()).isEqualTo("exited");
        JsonNode degraded = networkStatus(state, leader);
        assertThat(degraded.get("nodes_alive").asInt()).as("the API's live status counts the killed node out").isEqualTo(2);
        assertThat(degraded.get("status").asText()).isEqualTo("degraded");
        assertThat(degraded.get("mesh_health").asDouble()).isLessThan(100.0);

        // Start it again: alive everywhere, its own view included.
        ClusterCommandTest.Run start = cli("cluster", "start", victim, "--dir", dir.toString());
        assertThat(start.exit()).as(start.err()).isZero();
        assertThat(start.out()).startsWith(victim + " started (pid ");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Map<String, NodeView> v = views(state.names());
            return v.size() == 3 && v.entrySet().stream().allMatch(e -> state.names().stream()
                    .allMatch(other -> other.equals(e.getKey()) || e.getValue().stateOf(other).orElse(PeerState.DOWN) == PeerState.ALIVE));
        });
        assertThat(status().get("nodes")).allSatisfy(n -> assertThat(n.get("state").asText()).isEqualTo("alive"));
        assertThat(Files.readString(state.log(victim))).as("the log is appended to").containsPattern("(?s)starting " + victim + ".*starting " + victim);

        // The harness, briefly: figures are printed whether or not the target is met.
        ClusterCommandTest.Run bench = cli("cluster", "bench-detect", "--dir", dir.toString(), "--mode", "pause", "--runs", "2");
        assertThat(bench.exit()).as(bench.err()).isIn(0, 1);
        assertThat(bench.out()).contains("run 1/2", "run 2/2", "SIGSTOP -> down on the leader, 2 runs: p50 ");
        System.out.println(bench.out());

        List<Long> pids = new ArrayList<>();
        ClusterState.load(dir).nodes().forEach(n -> pids.add(n.process().orElseThrow().pid()));
        ClusterCommandTest.Run down = cli("cluster", "down", "--dir", dir.toString());
        assertThat(down.exit()).as(down.err()).isZero();
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid).isFalse());
        if (groupDir != null) {
            assertThat(groupDir).as("the emptied CPU group is removed by down").doesNotExist();
        }
        assertThat(cli("cluster", "down", "--dir", dir.toString()).out()).contains("nothing left running");
    }
}
