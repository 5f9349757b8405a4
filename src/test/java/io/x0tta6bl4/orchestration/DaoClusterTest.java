package io.x0tta6bl4.orchestration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 5 on real node processes through the {@code dao} command: a CONFIG_UPDATE that passes
 * with signed votes and is executed once even though the leader is killed while it waits out its
 * delay; a defeated and an expired proposal; a second vote refused; a RECOVERY of a live node
 * defeated by the nodes' own detectors, and one of the killed leader that passes and restarts it;
 * a RESOURCE_SCALING from five nodes to six.
 */
@Timeout(300)
class DaoClusterTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;
    @RegisterExtension final NodeThreadDumps dumps = new NodeThreadDumps(() -> dir);
    private static final String ME = Long.toString(ProcessHandle.current().pid());

    @AfterEach
    void nothingLeftRunning() {
        HostAgentTestSupport.endCluster(dir);
    }

    private ClusterCommandTest.Run dao(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "dao";
        all[1] = args[0];
        all[2] = "--dir=" + dir;
        System.arraycopy(args, 1, all, 3, args.length - 1);
        return ClusterCommandTest.cli(all);
    }

    private String propose(String as, String set, String period, String delay) {
        ClusterCommandTest.Run r = dao("propose", "--as", as, "--type", "config", "--set", set, "--title", "set " + set, "--voting-period", period,
                "--execution-delay", delay, "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        try {
            return JsonReader.MAPPER.readTree(r.out()).get("id").asText();
        } catch (java.io.IOException e) {
            throw new AssertionError(r.out(), e);
        }
    }

    private void vote(String id, String as, String choice, int weight) {
        ClusterCommandTest.Run r = dao("vote", "--as", as, "--proposal", id, "--" + choice, "--weight", Integer.toString(weight), "--rationale", as + " says " + choice);
        assertThat(r.exit()).as(r.err()).isZero();
    }

    private JsonNode show(String id) throws Exception {
        ClusterCommandTest.Run r = dao("show", id, "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        return JsonReader.MAPPER.readTree(r.out());
    }

    private String watch(String id) {
        ClusterCommandTest.Run r = dao("watch", id, "--timeout", "90s");
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out();
    }

    @Test
    void aProposalPassesAndExecutesOnceThoughTheLeaderIsKilledWhileItIsQueued() throws Exception {
        ClusterCommandTest.Run up = ClusterCommandTest.cli("cluster", "up", "--nodes", "3", "--dir", dir.toString(), "--timeout", "180s", "--exit-with", ME);
        assertThat(up.exit()).as(up.err()).isZero();

        // A recovery of a live node: node-1's and node-2's detectors hold node-3 alive, and their own votes defeat it.
        String healthy = recovery("node-3");
        assertThat(watch(healthy)).contains("final: DEFEATED");
        JsonNode defeatedRecovery = show(healthy);
        assertThat(defeatedRecovery.get("votes").findValuesAsText("choice")).containsOnly("NO").hasSize(2);
        assertThat(defeatedRecovery.get("votes").findValuesAsText("rationale")).allSatisfy(r -> assertThat(r).endsWith("holds node-3 alive"));

        String id = propose("node-1", "governance.credits=16", "60s", "10s");
        vote(id, "node-1", "yes", 2);
        ClusterCommandTest.Run twice = dao("vote", "--as", "node-1", "--proposal", id, "--no", "--weight", "1");
        assertThat(twice.exit()).as("a second vote is refused").isEqualTo(1);
        assertThat(twice.err()).contains("already voted");
        vote(id, "node-2", "yes", 3);
        vote(id, "node-3", "no", 1);

        // All three voted (4 + 9 vs 1): closed early and queued for 10 s. Kill the leader while it waits.
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode p = show(id);
        while (!p.get("state").asText().equals("QUEUED") && System.nanoTime() < until) {
            Thread.sleep(100);
            p = show(id);
        }
        assertThat(p.get("state").asText()).isEqualTo("QUEUED");
        String leader;
        try (LocalCluster c = LocalCluster.open(dir, line -> {})) {
            leader = c.status().leader().orElseThrow();
        }
        assertThat(ClusterCommandTest.cli("cluster", "kill", leader, "--dir", dir.toString()).exit()).isZero();

        String watched = watch(id);
        assertThat(watched).contains("final: EXECUTED");
        JsonNode done = show(id);
        assertThat(done.get("tally").get("yes").asLong()).isEqualTo(13);
        assertThat(done.get("tally").get("no").asLong()).isEqualTo(1);
        assertThat(done.get("timeline").findValuesAsText("what")).containsExactly("PROPOSED", "VOTE", "VOTE", "VOTE", "CLOSE", "QUEUE", "EXECUTE");
        // The new leader executed it, once: a single EXECUTE entry in the ledger.
        JsonNode executeBy = done.get("timeline").get(6).get("actor");
        assertThat(executeBy.asText()).doesNotEndWith("/" + leader);
        assertThat(executes(id)).isEqualTo(1);
        // The runtime config carries the new default, set by that proposal.
        ClusterCommandTest.Run next = dao("propose", "--as", "node-2", "--type", "config", "--set", "governance.voting_period=1h", "--title", "t", "--json");
        assertThat(JsonReader.MAPPER.readTree(next.out()).get("rules").get("credits").asInt()).as(next.err()).isEqualTo(16);

        // Defeated: every voter says no, so it closes at once.
        String defeated = propose("node-2", "governance.min_approval=50", "60s", "0s");
        String alive = leader.equals("node-3") ? "node-2" : "node-3";
        vote(defeated, alive, "no", 3);
        // Expired: nobody votes within its 2 s.
        String expired = propose("node-2", "governance.min_approval=60", "2s", "0s");
        // The killed node cannot vote; the other live one says no too: 2 of 3 = 66.7 % participation, NO all.
        String other = java.util.List.of("node-1", "node-2", "node-3").stream().filter(n -> !n.equals(leader) && !n.equals(alive)).findFirst().orElseThrow();
        vote(defeated, other, "no", 1);
        assertThat(watch(expired)).contains("final: EXPIRED");
        assertThat(watch(defeated)).contains("final: DEFEATED");

        // The killed leader: both live nodes' detectors hold it down, so its recovery passes and the host agent starts it again.
        long until2 = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String restart = null;
        while (System.nanoTime() < until2) {
            restart = recovery(leader);
            if (dao("watch", restart, "--timeout", "30s").out().contains("final: EXECUTED")) {
                break;
            }
            Thread.sleep(200);
        }
        JsonNode recovered = show(restart);
        assertThat(recovered.get("state").asText()).isEqualTo("EXECUTED");
        assertThat(recovered.get("votes").findValuesAsText("choice")).containsOnly("YES").hasSize(2);
        assertThat(recovered.get("detail").get("node").asText()).isEqualTo(leader);
        try (LocalCluster c = LocalCluster.open(dir, line -> {})) {
            assertThat(c.handles().get(leader).pid()).as("the host agent started it again").isEqualTo(recovered.get("detail").get("pid").asLong());
            assertThat(c.handles().get(leader).state().live()).isTrue();
            c.awaitHealthy(Duration.ofSeconds(90));
        }
    }

    @Test
    void aScalingProposalToSixNodesStartsASixthThatJoins() throws Exception {
        ClusterCommandTest.Run up = ClusterCommandTest.cli("cluster", "up", "--nodes", "5", "--dir", dir.toString(), "--timeout", "240s", "--exit-with", ME);
        assertThat(up.exit()).as(up.err()).isZero();
        ClusterCommandTest.Run bad = dao("propose", "--as", "node-1", "--type", "scaling", "--nodes", "40", "--title", "too many");
        assertThat(bad.exit()).as("out of bounds: a bad request, nothing stored").isEqualTo(2);
        assertThat(bad.err()).contains("payload.nodes: 40 is out of bounds");

        ClusterCommandTest.Run made = dao("propose", "--as", "node-2", "--type", "scaling", "--nodes", "6", "--title", "grow to six",
                "--voting-period", "60s", "--execution-delay", "0s", "--json");
        assertThat(made.exit()).as(made.err()).isZero();
        String id = JsonReader.MAPPER.readTree(made.out()).get("id").asText();
        for (String n : java.util.List.of("node-1", "node-2", "node-3", "node-4")) {
            vote(id, n, "yes", 1);
        }
        ClusterCommandTest.Run watched = dao("watch", id, "--timeout", "240s");
        assertThat(watched.exit()).as(watched.err()).isZero();
        assertThat(watched.out()).contains("final: EXECUTED");
        JsonNode detail = show(id).get("detail");
        assertThat(detail.get("nodes_before").asInt()).isEqualTo(5);
        assertThat(detail.get("nodes_after").asInt()).isEqualTo(6);
        assertThat(detail.get("started").get(0).asText()).isEqualTo("node-6");

        // node-6 is the cluster's: listed in cluster.json, running under the host agent, and seen alive by every member.
        try (LocalCluster c = LocalCluster.open(dir, line -> {})) {
            assertThat(c.state().nodes()).contains("node-6");
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            ClusterStatus s = c.status();
            while (!s.healthy() && System.nanoTime() < until) {
                Thread.sleep(500);
                s = c.status();
            }
            assertThat(s.nodes()).extracting(ClusterStatus.NodeStatus::name).contains("node-6");
            assertThat(s.healthy()).as("every node alive in every view, one leader").isTrue();
        }
    }

    private String recovery(String node) throws Exception {
        ClusterCommandTest.Run r = dao("propose", "--as", "node-1", "--type", "recovery", "--node", node, "--title", "restart " + node, "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        return JsonReader.MAPPER.readTree(r.out()).get("id").asText();
    }

    private long executes(String id) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(NodeClient.trusting(io.x0tta6bl4.identity.TrustBundle.load(dir.resolve("bundle")).x509Root())).build();
        try (LocalCluster c = LocalCluster.open(dir, line -> {})) {
            ClusterStatus s = c.status();
            String node = s.leader().orElseThrow();
            int port = s.node(node).endpoints().orElseThrow().api();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/api/ledger?type=PROPOSAL_RESULT&limit=1000"))
                    .header("Authorization", "Bearer " + ClusterToken.fromCa(dir.resolve("ca")).get()).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            long n = 0;
            for (JsonNode e : JsonReader.MAPPER.readTree(r.body()).get("entries")) {
                if (e.get("action").asText().equals("EXECUTE") && e.get("resource").asText().equals(id)) {
                    n++;
                }
            }
            return n;
        }
    }
}
