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
 * The {@code cluster} command on real node processes ({@code x0tta6bl4 node run}) on loopback,
 * run by a real host agent: up, status, a kill seen by every survivor, a restart seen by
 * everyone, the harness, down.
 */
@Timeout(300)
class LocalClusterTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;
    @RegisterExtension final NodeThreadDumps dumps = new NodeThreadDumps(() -> dir);

    @AfterEach
    void nothingLeftRunning() {
        HostAgentTestSupport.endCluster(dir);
    }

    private static final String ME = Long.toString(ProcessHandle.current().pid());

    private Map<String, NodeHandle> handles() {
        try (LocalCluster c = LocalCluster.open(dir, line -> {})) {
            return c.handles();
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
        Map<String, NodeHandle> h = handles();
        Map<String, Integer> ports = new LinkedHashMap<>();
        names.stream().filter(n -> h.get(n).state().live()).forEach(n -> ports.put(n, h.get(n).requireEndpoints().api()));
        Map<String, NodeView> views = new LinkedHashMap<>();
        try (NodeClient client = NodeClient.forCa(dir.resolve("ca"), Duration.ofSeconds(1))) {
            client.views(ports).forEach((n, a) -> {
                if (a instanceof NodeClient.Answer.Seen seen) {
                    views.put(n, seen.view());
                }
            });
        }
        return views;
    }

    /** {@code GET /api/network/status} on {@code node}, with the cluster's own token, as an operator would call it. */
    private JsonNode networkStatus(String node) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .sslContext(NodeClient.trusting(io.x0tta6bl4.identity.TrustBundle.load(dir.resolve("bundle")).x509Root())).build();
        java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("https://127.0.0.1:" + handles().get(node).requireEndpoints().api() + "/api/network/status"))
                .header("Authorization", "Bearer " + ClusterToken.fromCa(dir.resolve("ca")).get()).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JsonReader.MAPPER.readTree(r.body());
    }

    @Test
    void upKillRestartAndDownOnRealNodes() throws Exception {
        ClusterCommandTest.Run up = cli("cluster", "up", "--nodes", "3", "--dir", dir.toString(), "--timeout", "180s", "--exit-with", ME);
        assertThat(up.exit()).as(up.err()).isZero();
        assertThat(up.err()).contains("host agent started (pid", "node-1 started (pid", "waiting for 3 nodes to see each other alive",
                "all 3 nodes see each other alive", "3 voters");
        assertThat(up.out()).contains("NODE", "PID", "API", "PEER", "RAFT", "STATE", "LEADER", "MEMBER");

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
        Map<String, NodeHandle> started = handles();
        views(state.nodes()).forEach((name, v) -> assertThat(v.pid()).as("the agent's pid is " + name + "'s own")
                .isEqualTo(started.get(name).pid()));
        Path groupDir = null;
        if (LocalCluster.runsAsRoot()) {
            for (String name : state.nodes()) {
                long pid = started.get(name).pid();
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                assertThat(Integer.parseInt(fields[16])).as(name + " runs at the nodes' priority").isEqualTo(ProcessLauncher.NODE_NICE);
            }
            CpuGroup.Found group = CpuGroup.find(dir, 3);
            if (group.group().isPresent()) {
                groupDir = group.group().get().dir();
                List<String> members = Files.readAllLines(group.group().get().dir().resolve("cgroup.procs"));
                assertThat(members).as("every node in the cluster's one CPU group")
                        .containsAll(state.nodes().stream().map(n -> Long.toString(started.get(n).pid())).toList());
            }
        }
        JsonNode healthy = networkStatus(leader);
        assertThat(healthy.get("status").asText()).isEqualTo("healthy");
        assertThat(healthy.get("nodes_alive").asInt()).isEqualTo(3);

        ClusterCommandTest.Run twice = cli("cluster", "up", "--nodes", "3", "--dir", dir.toString(), "--exit-with", ME);
        assertThat(twice.exit()).as(twice.err()).isEqualTo(1);
        assertThat(twice.err()).contains("run cluster down --dir " + dir + " first");
        assertThat(cli("cluster", "kill", "node-7", "--dir", dir.toString()).err()).contains("no node 'node-7'", "node-1, node-2, node-3");

        // Kill a follower: every survivor marks it down.
        String victim = state.nodes().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        List<String> survivors = state.nodes().stream().filter(n -> !n.equals(victim)).toList();
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
        JsonNode victimStatus = afterKill.get("nodes").get(state.nodes().indexOf(victim));
        assertThat(victimStatus.get("state").asText()).isEqualTo("down");
        assertThat(victimStatus.get("process").asText()).isEqualTo("exited");
        JsonNode degraded = networkStatus(leader);
        assertThat(degraded.get("nodes_alive").asInt()).as("the API's live status counts the killed node out").isEqualTo(2);
        assertThat(degraded.get("status").asText()).isEqualTo("degraded");
        assertThat(degraded.get("mesh_health").asDouble()).isLessThan(100.0);

        // Start it again: alive everywhere, its own view included.
        ClusterCommandTest.Run start = cli("cluster", "start", victim, "--dir", dir.toString());
        assertThat(start.exit()).as(start.err()).isZero();
        assertThat(start.out()).startsWith(victim + " started (pid ");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Map<String, NodeView> v = views(state.nodes());
            return v.size() == 3 && v.entrySet().stream().allMatch(e -> state.nodes().stream()
                    .allMatch(other -> other.equals(e.getKey()) || e.getValue().stateOf(other).orElse(PeerState.DOWN) == PeerState.ALIVE));
        });
        assertThat(status().get("nodes")).allSatisfy(n -> assertThat(n.get("state").asText()).isEqualTo("alive"));
        assertThat(Files.readString(state.log(victim))).as("the log is appended to").containsPattern("(?s)starting " + victim + ".*starting " + victim);

        // The harness, briefly: figures are printed whether or not the target is met.
        ClusterCommandTest.Run bench = cli("cluster", "bench-detect", "--dir", dir.toString(), "--mode", "pause", "--runs", "2");
        assertThat(bench.exit()).as(bench.err()).isIn(0, 1);
        assertThat(bench.out()).contains("run 1/2", "run 2/2", "SIGSTOP -> down on the leader, 2 runs: p50 ");
        System.out.println(bench.out());

        List<Long> pids = new ArrayList<>(HostAgentTestSupport.recordedPids(dir));
        ClusterCommandTest.Run down = cli("cluster", "down", "--dir", dir.toString());
        assertThat(down.exit()).as(down.err()).isZero();
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid).isFalse());
        if (groupDir != null) {
            assertThat(groupDir).as("the emptied CPU group is removed by down").doesNotExist();
        }
        assertThat(cli("cluster", "down", "--dir", dir.toString()).out()).contains("nothing left running");
    }
}
