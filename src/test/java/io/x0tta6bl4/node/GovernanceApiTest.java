package io.x0tta6bl4.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.governance.Choice;
import io.x0tta6bl4.governance.Vote;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.LedgerQuery;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The DAO through the API of three real node agents: a CONFIG_UPDATE is proposed, voted with
 * signed votes relayed through different nodes, closed, queued and executed by the leader, and
 * then every node's {@code /api/config} shows the new value; bad proposals and forged or second
 * votes are refused and write nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GovernanceApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SecureRandom random = new SecureRandom();
    private Path dir;
    private TestMesh mesh;
    private String node1;

    @BeforeAll
    void cluster() throws Exception {
        dir = Files.createTempDirectory("governance-api-test");
        mesh = new TestMesh(dir, 3);
        node1 = "Bearer " + mesh.token("node/node-1");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String node : List.of("node-1", "node-2", "node-3")) {
                HttpResponse<String> r = mesh.get(node, "/api/config", node1);
                assertThat(r.statusCode()).as(node + ": " + r.body()).isEqualTo(200);
                HttpResponse<String> m = mesh.get(node, "/api/members", node1);
                assertThat(JSON.readTree(m.body()).get("members").size()).isEqualTo(3);
            }
        });
    }

    @AfterAll
    void stop() {
        mesh.close();
    }

    private NodeCredentials credentials(String name) {
        return NodeCredentials.load(mesh.ca.nodeDir(name));
    }

    private String voteBody(Vote.Signed v) {
        return v.toRequestJson().toString();
    }

    private Vote.Signed signed(String proposal, String voter, Choice choice, int weight, String rationale) {
        NodeCredentials c = credentials(voter);
        return new Vote(proposal, c.id(), choice, weight, rationale).sign(c, random);
    }

    private long entries(EntryType type) {
        return mesh.agents.get("node-1").ledger().query(LedgerQuery.all(0, 10_000).withType(type)).size();
    }

    @Test
    void aConfigUpdatePassesAndEveryNodeAppliesItOnceAndBadVotesChangeNothing() throws Exception {
        HttpResponse<String> made = mesh.post("node-2", "/api/proposals", """
                {"type": "CONFIG_UPDATE", "title": "Longer voting", "description": "a day is too short for us",
                 "payload": {"set": {"governance.voting_period": "48h"}}, "voting_period": "60s", "execution_delay": "1s"}""", node1);
        assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        JsonNode p = JSON.readTree(made.body());
        String id = p.get("id").asText();
        assertThat(p.get("state").asText()).isEqualTo("ACTIVE");
        assertThat(p.get("eligible")).hasSize(3);
        assertThat(p.get("payload").toString()).isEqualTo("{\"set\":{\"governance.voting_period\":\"172800000ms\"}}");

        // A forged vote (node-2's ballot signed with node-3's key) and a vote over budget: refused, nothing written.
        long votesBefore = entries(EntryType.VOTE);
        Vote ballot = new Vote(id, credentials("node-2").id(), Choice.YES, 3, "");
        Vote.Signed forged = new Vote.Signed(ballot, credentials("node-3").keys().signing().sign(ballot.toBeSigned(), random),
                credentials("node-2").identity());
        HttpResponse<String> f = mesh.post("node-1", "/api/proposals/" + id + "/votes", voteBody(forged), node1);
        assertThat(f.statusCode()).as(f.body()).isEqualTo(409);
        assertThat(JSON.readTree(f.body()).get("message").asText()).contains("signature does not verify");
        HttpResponse<String> heavy = mesh.post("node-1", "/api/proposals/" + id + "/votes", voteBody(signed(id, "node-2", Choice.YES, 4, "")), node1);
        assertThat(heavy.statusCode()).as(heavy.body()).isEqualTo(409);
        assertThat(JSON.readTree(heavy.body()).get("message").asText()).contains("costs 16 credits");
        HttpResponse<String> nan = mesh.post("node-1", "/api/proposals/" + id + "/votes",
                voteBody(signed(id, "node-2", Choice.YES, 1, "")).replace("\"weight\":1", "\"weight\":\"NaN\""), node1);
        assertThat(nan.statusCode()).as(nan.body()).isEqualTo(400);
        assertThat(JSON.readTree(nan.body()).get("message").asText()).contains("weight");
        assertThat(entries(EntryType.VOTE)).isEqualTo(votesBefore);

        // Three signed votes, relayed through three different nodes.
        HttpResponse<String> v1 = mesh.post("node-1", "/api/proposals/" + id + "/votes", voteBody(signed(id, "node-1", Choice.YES, 2, "more time")), node1);
        assertThat(v1.statusCode()).as(v1.body()).isEqualTo(200);
        HttpResponse<String> again = mesh.post("node-3", "/api/proposals/" + id + "/votes", voteBody(signed(id, "node-1", Choice.NO, 1, "")), node1);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        assertThat(JSON.readTree(again.body()).get("message").asText()).contains("already voted");
        assertThat(mesh.post("node-2", "/api/proposals/" + id + "/votes", voteBody(signed(id, "node-2", Choice.YES, 3, "")), node1).statusCode())
                .isEqualTo(200);
        HttpResponse<String> last = mesh.post("node-3", "/api/proposals/" + id + "/votes", voteBody(signed(id, "node-3", Choice.NO, 1, "")), node1);
        assertThat(last.statusCode()).as(last.body()).isEqualTo(200);

        // Everyone voted: 4 + 9 vs 1 = 92.9 %, so the leader closes early, queues, and executes after 1 s.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String node : List.of("node-1", "node-2", "node-3")) {
                JsonNode c = JSON.readTree(mesh.get(node, "/api/config", node1).body()).get("keys").get("governance.voting_period");
                assertThat(c.get("value").asText()).as(node).isEqualTo("172800000ms");
                assertThat(c.get("proposal").asText()).isEqualTo(id);
            }
        });
        JsonNode done = JSON.readTree(mesh.get("node-3", "/api/proposals/" + id, node1).body());
        assertThat(done.get("state").asText()).isEqualTo("EXECUTED");
        assertThat(done.get("tally").get("yes").asLong()).isEqualTo(13);
        assertThat(done.get("tally").get("no").asLong()).isEqualTo(1);
        List<String> timeline = done.get("timeline").findValuesAsText("what");
        assertThat(timeline).containsExactly("PROPOSED", "VOTE", "VOTE", "VOTE", "CLOSE", "QUEUE", "EXECUTE");
        long executes = mesh.agents.get("node-1").ledger().query(LedgerQuery.all(0, 10_000).withType(EntryType.PROPOSAL_RESULT)).stream()
                .filter(e -> e.submission().action().equals("EXECUTE") && e.submission().resource().equals(id)).count();
        assertThat(executes).as("one EXECUTE entry").isEqualTo(1);
        // A proposal made after the change gets the new default voting period.
        HttpResponse<String> next = mesh.post("node-1", "/api/proposals", """
                {"type": "CONFIG_UPDATE", "title": "credits", "payload": {"set": {"governance.credits": "16"}}}""", node1);
        assertThat(JSON.readTree(next.body()).get("rules").get("voting_period_ms").asLong()).isEqualTo(172_800_000L);
    }

    /** Proposes {@code key=value} with a short vote, has all three nodes vote YES, and waits until every node's config shows it. */
    private void pass(String key, String value) throws Exception {
        pass(java.util.Map.of(key, value));
    }

    /** Proposes the values of {@code set} in one CONFIG_UPDATE, passes it, and waits until every node shows each of them in force. */
    private void pass(java.util.Map<String, String> set) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("type", "CONFIG_UPDATE").put("title", "set " + set.keySet()).put("voting_period", "60s")
                .put("execution_delay", "0s");
        ObjectNode values = body.putObject("payload").putObject("set");
        set.forEach(values::put);
        HttpResponse<String> made = mesh.post("node-1", "/api/proposals", body.toString(), node1);
        assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        String id = JSON.readTree(made.body()).get("id").asText();
        for (String voter : List.of("node-1", "node-2", "node-3")) {
            HttpResponse<String> v = mesh.post("node-1", "/api/proposals/" + id + "/votes", voteBody(signed(id, voter, Choice.YES, 3, "")), node1);
            assertThat(v.statusCode()).as(v.body()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String node : List.of("node-1", "node-2", "node-3")) {
                JsonNode keys = JSON.readTree(mesh.get(node, "/api/config", node1).body()).get("keys");
                set.forEach((key, value) -> assertThat(keys.get(key).get("value").asText()).as(node + " " + key).isEqualTo(value));
            }
        });
    }

    @Test
    void votedProbeSettingsAndLoadLinesAreWhatEveryNodesProberAndAlertsFollow() throws Exception {
        JsonNode before = JSON.readTree(mesh.get("node-2", "/api/config", node1).body()).get("keys");
        assertThat(before.get("probe.interval").get("source").asText()).as("no proposal yet: node.yaml's").isEqualTo("node");
        assertThat(before.get("load.memory_percent").get("value").asText()).isEqualTo("85");
        long alerts = entries(EntryType.LOAD_ALERT);

        pass(java.util.Map.of("probe.interval", "300ms", "probe.timeout", "200ms"));
        for (String node : List.of("node-1", "node-2", "node-3")) {
            assertThat(mesh.agents.get(node).probeSettings().interval()).as(node + "'s prober").isEqualTo(Duration.ofMillis(300));
        }
        // A memory line every machine crosses, with no sustain: each node's alerts follow it from their next sample.
        pass(java.util.Map.of("load.memory_percent", "1", "load.sustain", "0ms"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(mesh.agents.get("node-1").ledger()
                .query(LedgerQuery.all(0, 10_000).withType(EntryType.LOAD_ALERT)).stream().skip(alerts)
                .filter(e -> e.submission().action().equals("HIGH_MEMORY_USAGE") && e.submission().status().equals("RAISED"))
                .map(e -> e.submission().actor().toString()).distinct()).hasSize(3));
        pass(java.util.Map.of("probe.interval", "100ms", "probe.timeout", "50ms", "load.memory_percent", "85", "load.sustain", "5000ms"));
    }

    @Test
    void aVotedConnectionLimitIsWhatEveryNodesListenerEnforces() throws Exception {
        pass("api.max_connections", "2");
        int port = mesh.agents.get("node-3").apiPort();
        javax.net.ssl.SSLSocketFactory f = io.x0tta6bl4.orchestration.NodeClient.trusting(mesh.ca.bundle().x509Root()).getSocketFactory();
        List<javax.net.ssl.SSLSocket> held = new java.util.ArrayList<>();
        try {
            // The test's own HTTP client may hold one connection to node-3; two more sockets fill any remaining place.
            String answer = "";
            for (int i = 0; i < 3 && !answer.startsWith("HTTP/1.1 503"); i++) {
                javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) f.createSocket("127.0.0.1", port);
                s.setSoTimeout(10_000);
                held.add(s);
                s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                byte[] buf = new byte[4096];
                int n = s.getInputStream().read(buf);
                answer = n <= 0 ? "" : new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
            }
            assertThat(answer).as("a connection over the voted limit").startsWith("HTTP/1.1 503").contains("too_many_connections", "at most 2");
        } finally {
            for (javax.net.ssl.SSLSocket s : held) {
                s.close();
            }
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(mesh.get("node-3", "/api/config", node1).statusCode()).isEqualTo(200));
        pass("api.max_connections", "10000");
    }

    /** One GET /health on a new TLS connection to {@code port}; true if it was answered 200. */
    private boolean healthOnNewConnection(javax.net.ssl.SSLSocketFactory f, int port) {
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) f.createSocket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] buf = new byte[64];
            int n = s.getInputStream().read(buf);
            return n > 0 && new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void aChangeThatRaisesTheErrorRateIsMeasuredAndARollbackOfItIsProposed() throws Exception {
        javax.net.ssl.SSLSocketFactory f = io.x0tta6bl4.orchestration.NodeClient.trusting(mesh.ca.bundle().x509Root()).getSocketFactory();
        int port = mesh.agents.get("node-2").apiPort();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong ok = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
        List<Thread> load = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            load.add(Thread.ofPlatform().daemon().start(() -> {
                while (!stop.get()) {
                    (healthOnNewConnection(f, port) ? ok : refused).incrementAndGet();
                }
            }));
        }
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() >= 50);
            // One connection per node: node-2's load, three connections at a time, is mostly refused from the execution on.
            ObjectNode body = JSON.createObjectNode().put("type", "CONFIG_UPDATE").put("title", "one connection").put("voting_period", "60s")
                    .put("execution_delay", "0s").put("impact_window", "10s");
            body.putObject("payload").putObject("set").put("api.max_connections", "1");
            HttpResponse<String> made = mesh.post("node-1", "/api/proposals", body.toString(), node1);
            assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
            String id = JSON.readTree(made.body()).get("id").asText();
            assertThat(JSON.readTree(made.body()).get("rules").get("impact_window_ms").asLong()).isEqualTo(10_000);
            for (String voter : List.of("node-1", "node-2", "node-3")) {
                HttpResponse<String> v = mesh.post("node-1", "/api/proposals/" + id + "/votes", voteBody(signed(id, voter, Choice.YES, 3, "")), node1);
                assertThat(v.statusCode()).as(v.body()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> assertThat(JSON.readTree(mesh.get("node-1", "/api/proposals/" + id, node1).body())
                    .path("detail").path("impact").isObject()).isTrue());
            JsonNode impact = JSON.readTree(mesh.get("node-1", "/api/proposals/" + id, node1).body()).get("detail").get("impact");
            assertThat(refused.get()).as("the load saw refusals").isPositive();
            assertThat(impact.get("harmful").asBoolean()).as(impact.toString()).isTrue();
            assertThat(impact.get("error_rate_rise_points").asDouble()).isGreaterThan(0.5);
            assertThat(impact.get("after").get("error_rate_percent").asDouble()).isGreaterThan(impact.get("before").get("error_rate_percent").asDouble());
            assertThat(impact.get("rollback").asText()).isEqualTo("proposed");
            assertThat(entries(EntryType.IMPACT)).isPositive();
            // The rollback it raised: ACTIVE, about this proposal, on its terms.
            JsonNode active = JSON.readTree(mesh.get("node-1", "/api/proposals?state=ACTIVE", node1).body()).get("proposals");
            JsonNode rollback = null;
            for (JsonNode p : active) {
                if (p.get("type").asText().equals("ROLLBACK") && p.get("title").asText().startsWith("Roll back " + id)) {
                    rollback = p;
                }
            }
            assertThat(rollback).as(active.toString()).isNotNull();
            stop.set(true);
            String rb = rollback.get("id").asText();
            for (String voter : List.of("node-1", "node-2", "node-3")) {
                HttpResponse<String> v = mesh.post("node-1", "/api/proposals/" + rb + "/votes", voteBody(signed(rb, voter, Choice.YES, 3, "")), node1);
                assertThat(v.statusCode()).as(v.body()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(JSON.readTree(mesh.get("node-1", "/api/config", node1).body())
                    .get("keys").get("api.max_connections").get("value").asText()).isNotEqualTo("1"));
        } finally {
            stop.set(true);
            for (Thread t : load) {
                t.join(10_000);
            }
        }
    }

    /** Proposes a POLICY_UPDATE of {@code document}, has all three nodes vote YES, and waits until it is final. */
    private JsonNode policyUpdate(String document) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("type", "POLICY_UPDATE").put("title", "policy").put("voting_period", "60s")
                .put("execution_delay", "0s");
        body.putObject("payload").put("document", document);
        HttpResponse<String> made = mesh.post("node-2", "/api/proposals", body.toString(), node1);
        assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        String id = JSON.readTree(made.body()).get("id").asText();
        for (String voter : List.of("node-1", "node-2", "node-3")) {
            HttpResponse<String> v = mesh.post("node-3", "/api/proposals/" + id + "/votes", voteBody(signed(id, voter, Choice.YES, 3, "")), node1);
            assertThat(v.statusCode()).as(v.body()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> List.of("EXECUTED", "EXECUTION_FAILED")
                .contains(JSON.readTree(mesh.get("node-1", "/api/proposals/" + id, node1).body()).get("state").asText()));
        return JSON.readTree(mesh.get("node-1", "/api/proposals/" + id, node1).body());
    }

    @Test
    void aPolicyUpdateIsInstalledOnEveryNodeAndOneThatIsNotNewerFails() throws Exception {
        String v2 = io.x0tta6bl4.policy.Policy.defaultDocument(TestMesh.DOMAIN).replace("version: 1", "version: 2");
        JsonNode done = policyUpdate(v2);
        assertThat(done.get("state").asText()).isEqualTo("EXECUTED");
        assertThat(done.get("detail").get("policy_version").asInt()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (String node : List.of("node-1", "node-2", "node-3")) {
                assertThat(JSON.readTree(mesh.get(node, "/api/policy", node1).body()).get("version").asInt()).as(node).isEqualTo(2);
            }
        });
        // The same version again passes the vote but cannot execute: the policy in force stays.
        JsonNode again = policyUpdate(v2);
        assertThat(again.get("state").asText()).isEqualTo("EXECUTION_FAILED");
        assertThat(again.get("detail").get("error").asText()).contains("policy version 2 is not above version 2 in force");
        assertThat(JSON.readTree(mesh.get("node-1", "/api/policy", node1).body()).get("version").asInt()).isEqualTo(2);
    }

    @Test
    void aBadProposalIsRefusedNamingTheFieldAndNothingIsWritten() throws Exception {
        long before = entries(EntryType.PROPOSAL);
        for (String[] bad : List.of(
                new String[] {"{\"type\":\"CONFIG_UPDATE\",\"title\":\"x\",\"payload\":{\"set\":{\"api.max_conections\":\"5\"}}}", "payload.set.api.max_conections"},
                new String[] {"{\"type\":\"CONFIG_UPDATE\",\"title\":\"x\",\"payload\":{\"set\":{\"governance.credits\":\"0\"}}}", "payload.set.governance.credits"},
                new String[] {"{\"type\":\"POLICY_UPDATE\",\"title\":\"x\",\"payload\":{\"document\":\"rules: [\"}}", "payload.document"},
                new String[] {"{\"type\":\"CONFIG_UPDATE\",\"title\":\"x\",\"payload\":\"nope\"}", "payload: must be a JSON object"},
                new String[] {"{\"type\":\"VOTE\",\"title\":\"x\",\"payload\":{}}", "type: 'VOTE' is not one of"},
                new String[] {"{\"type\":\"CONFIG_UPDATE\",\"title\":\"x\",\"payload\":{\"set\":{\"governance.credits\":\"5\"}},\"voting_period\":\"soon\"}",
                        "voting_period: 'soon' is not a duration"})) {
            HttpResponse<String> r = mesh.post("node-1", "/api/proposals", bad[0], node1);
            assertThat(r.statusCode()).as(bad[0] + " -> " + r.body()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("message").asText()).as(bad[0]).contains(bad[1]);
        }
        HttpResponse<String> app = mesh.post("node-1", "/api/proposals", "{\"type\":\"CONFIG_UPDATE\",\"title\":\"x\",\"payload\":{\"set\":{\"governance.credits\":\"5\"}}}",
                "Bearer " + mesh.token("app/dashboard"));
        assertThat(app.statusCode()).as("app/* may read governance, not propose").isEqualTo(403);
        assertThat(entries(EntryType.PROPOSAL)).isEqualTo(before);
        HttpResponse<String> none = mesh.post("node-1", "/api/proposals/0000000000000000/votes", voteBody(signed("0000000000000000", "node-1", Choice.YES, 1, "")), node1);
        assertThat(none.statusCode()).isEqualTo(404);
    }
}
