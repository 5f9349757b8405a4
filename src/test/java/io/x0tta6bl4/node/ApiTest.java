package io.x0tta6bl4.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.x0tta6bl4.api.Endpoint;
import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.LedgerEntry;
import io.x0tta6bl4.ledger.LedgerQuery;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Scenario 1 against three real node agents on loopback: bearer tokens, the default policy from
 * the ledger, live status, and the audit entry that is committed before the answer leaves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP = "spiffe://mesh.test/app/dashboard";
    private Path dir;
    private TestMesh mesh;
    private String token;

    @BeforeAll
    void cluster() throws Exception {
        dir = Files.createTempDirectory("api-test");
        mesh = new TestMesh(dir, 3);
        token = mesh.token("app/dashboard");
        healthy();
    }

    /** Every node serves the bootstrap policy (once its fold has seen the leader's POLICY_CHANGE entry) and sees the others alive. */
    private void healthy() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String node : List.of("node-1", "node-2", "node-3")) {
                HttpResponse<String> r = get(node, "/api/network/status", token);
                assertThat(r.statusCode()).as(node + ": " + r.body()).isEqualTo(200);
                assertThat(JSON.readTree(r.body()).get("status").asText()).isEqualTo("healthy");
            }
        });
    }

    @AfterAll
    void stop() throws Exception {
        mesh.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private HttpResponse<String> get(String node, String path, String bearer) throws Exception {
        return mesh.get(node, path, bearer == null ? null : "Bearer " + bearer);
    }

    private List<LedgerEntry> audits(String node) {
        return mesh.agents.get(node).ledger().query(LedgerQuery.all(0, 10_000).withType(EntryType.AUDIT));
    }

    /** The ledger leader: it replies to an append only after applying it, so it holds every committed entry. */
    private String leader() {
        return mesh.agents.values().stream().filter(a -> a.ledger().isLeader()).findFirst().orElseThrow().name();
    }

    private static Set<String> fields(JsonNode o) {
        Set<String> names = new TreeSet<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void statusHasExactlyTheDocumentedFieldsWithLiveValuesAndItsAuditEntryIsCommittedBeforeTheAnswer() throws Exception {
        String leader = leader();
        String server = leader.equals("node-2") ? "node-3" : "node-2"; // a follower: its entry travels to the leader
        HttpResponse<String> r = get(server, "/api/network/status", token);
        // No waiting: the entry must already be committed, so the leader (which replies to an append
        // only after applying it) already holds it.
        List<LedgerEntry> after = audits(leader);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode s = JSON.readTree(r.body());
        assertThat(fields(s)).containsExactlyInAnyOrder("status", "nodes", "nodes_alive", "latency_ms", "mesh_health", "leader", "ledger_size", "timestamp");
        assertThat(s.get("status").asText()).isEqualTo("healthy");
        assertThat(s.get("nodes").asInt()).isEqualTo(3);
        assertThat(s.get("nodes_alive").asInt()).isEqualTo(3);
        assertThat(s.get("mesh_health").asDouble()).isEqualTo(100.0);
        assertThat(s.get("latency_ms").asDouble()).as("a mean of real round trips").isPositive().isLessThan(1000.0);
        assertThat(s.get("leader").asText()).isEqualTo(leader);
        assertThat(s.get("ledger_size").asLong()).isPositive();
        assertThat(Instant.parse(s.get("timestamp").asText())).isBetween(Instant.now().minusSeconds(10), Instant.now());

        LedgerEntry mine = after.getLast();
        assertThat(mine.submission().actor().toString()).isEqualTo(APP);
        assertThat(mine.submission().action()).isEqualTo("GET_NETWORK_STATUS");
        assertThat(mine.submission().resource()).isEqualTo("/api/network/status");
        assertThat(mine.submission().status()).isEqualTo("SUCCESS");
        assertThat(JSON.readTree(mine.submission().payload()).get("node").asText()).isEqualTo(server);

        HttpResponse<String> again = get(leader, "/api/network/status", token);
        assertThat(JSON.readTree(again.body()).get("ledger_size").asLong()).as("live: the first call's audit entry is counted")
                .isGreaterThan(s.get("ledger_size").asLong());
    }

    @Test
    void everyKindOfBadTokenIs401WithItsReasonNoStackTraceAndNothingLedgered() throws Exception {
        Instant now = Instant.now();
        String good = mesh.token("app/dashboard");
        char last = good.charAt(good.length() - 1);
        String badSignature = good.substring(0, good.length() - 1) + (last == 'A' ? 'B' : 'A');
        CertificateAuthority other = CertificateAuthority.init(dir.resolve("other-ca"), "other.test", now, new SecureRandom());
        String foreign = other.jwtIssuer(new SecureRandom()).issue(io.x0tta6bl4.identity.SpiffeId.parse("spiffe://other.test/app/dashboard"),
                List.of("x0tta6bl4"), Duration.ofHours(1), now);
        record Case(String header, String reason) {}
        List<Case> cases = List.of(
                new Case(null, "missing"),
                new Case("Basic dXNlcjpwYXNz", "malformed"),
                new Case("Bearer ", "malformed"),
                new Case("Bearer not-a-token", "malformed"),
                new Case("Bearer " + mesh.token("app/dashboard", List.of("x0tta6bl4"), Duration.ofMinutes(5), now.minus(Duration.ofHours(1))), "expired"),
                new Case("Bearer " + mesh.token("app/dashboard", List.of("x0tta6bl4"), Duration.ofMinutes(5), now.plus(Duration.ofHours(1))), "not_yet_valid"),
                new Case("Bearer " + mesh.token("app/dashboard", List.of("billing"), Duration.ofMinutes(5), now), "wrong_audience"),
                new Case("Bearer " + badSignature, "bad_signature"),
                new Case("Bearer " + foreign, "unknown_key"));
        int before = audits(leader()).size();
        List<String> seen = new ArrayList<>();
        for (Case c : cases) {
            HttpResponse<String> r = mesh.get("node-1", "/api/network/status", c.header());
            assertThat(r.statusCode()).as(c.reason()).isEqualTo(401);
            assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer error=\"invalid_token\"");
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("error").asText()).isEqualTo("invalid_token");
            seen.add(body.get("reason").asText());
            assertThat(body.get("message").asText()).isNotBlank().as("the reason is not repeated").doesNotStartWith(body.get("reason").asText() + ":");
            assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("at io.");
        }
        assertThat(seen).containsExactlyElementsOf(cases.stream().map(Case::reason).toList());
        assertThat(audits(leader())).as("a request without a valid token names no actor and is not audited").hasSize(before);
    }

    @Test
    void aValidTokenThePolicyDoesNotAllowIs403AndItsDeniedEntryIsLedgered() throws Exception {
        String intruder = mesh.token("ops/intruder");
        HttpResponse<String> r = get("node-3", "/api/ledger", intruder);
        List<LedgerEntry> after = audits(leader());

        assertThat(r.statusCode()).isEqualTo(403);
        JsonNode body = JSON.readTree(r.body());
        assertThat(fields(body)).containsExactlyInAnyOrder("error", "rule", "reason");
        assertThat(body.get("error").asText()).isEqualTo("access_denied");
        assertThat(body.get("rule").asText()).isEqualTo("default-deny");
        assertThat(body.get("reason").asText()).contains("spiffe://mesh.test/ops/intruder");
        LedgerEntry denied = after.getLast();
        assertThat(denied.submission().actor().toString()).isEqualTo("spiffe://mesh.test/ops/intruder");
        assertThat(denied.submission().action()).isEqualTo("LIST_LEDGER");
        assertThat(denied.submission().status()).isEqualTo("DENIED");
        assertThat(JSON.readTree(denied.submission().payload()).get("reason").asText()).contains("ops/intruder");
    }

    @Test
    void nodesLedgerAndPolicyRoutesAnswerWithLiveDataAndClearErrors() throws Exception {
        JsonNode nodes = JSON.readTree(get("node-1", "/api/nodes", token).body()).get("nodes");
        assertThat(nodes).hasSize(3);
        JsonNode self = nodes.get(0);
        assertThat(fields(self)).containsExactlyInAnyOrder("name", "spiffe_id", "state", "self", "last_probe", "load");
        assertThat(self.get("name").asText()).isEqualTo("node-1");
        assertThat(self.get("self").asBoolean()).isTrue();
        JsonNode two = JSON.readTree(get("node-1", "/api/nodes/node-2", token).body());
        assertThat(two.get("spiffe_id").asText()).isEqualTo("spiffe://mesh.test/node/node-2");
        assertThat(two.get("state").asText()).isEqualTo("alive");
        assertThat(two.get("last_probe").get("rtt_ms").asDouble()).isPositive();
        assertThat(two.get("load").get("heap_percent").asDouble()).isBetween(0.0, 100.0);

        HttpResponse<String> spoof = get("node-1", "/api/nodes/evil%E2%80%AEtxt.exe", token);
        assertThat(spoof.statusCode()).isEqualTo(404);
        assertThat(spoof.body()).as("a bidi override from the path is not echoed").doesNotContain("\u202e").contains("evil?txt.exe");

        HttpResponse<String> nobody = get("node-1", "/api/nodes/node-9", token);
        assertThat(nobody.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(nobody.body()).get("error").asText()).isEqualTo("not_found");
        assertThat(audits(leader()).getLast().submission().status()).as("an allowed request that failed is audited ERROR").isEqualTo("ERROR");

        HttpResponse<String> badLimit = get("node-1", "/api/ledger?limit=lots", token);
        assertThat(badLimit.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badLimit.body()).get("message").asText()).startsWith("limit:");
        HttpResponse<String> badType = get("node-1", "/api/ledger?type=GOSSIP", token);
        assertThat(JSON.readTree(badType.body()).get("message").asText()).contains("AUDIT");

        JsonNode page = JSON.readTree(get("node-1", "/api/ledger?type=AUDIT&actor=" + APP + "&limit=2", token).body());
        assertThat(page.get("entries")).hasSize(2);
        for (JsonNode e : page.get("entries")) {
            assertThat(e.get("type").asText()).isEqualTo("AUDIT");
            assertThat(e.get("actor").asText()).isEqualTo(APP);
        }
        assertThat(page.get("next").asLong()).isGreaterThan(page.get("entries").get(1).get("seq").asLong());

        JsonNode entry = JSON.readTree(get("node-1", "/api/ledger/0", token).body());
        assertThat(entry.get("entry").get("seq").asLong()).isZero();
        assertThat(entry.get("proof").get("verified").asBoolean()).isTrue();
        assertThat(get("node-1", "/api/ledger/99999999", token).statusCode()).isEqualTo(404);
        assertThat(get("node-1", "/api/ledger/-1", token).statusCode()).isEqualTo(400);

        JsonNode checkpoint = JSON.readTree(get("node-1", "/api/ledger/checkpoint", token).body());
        assertThat(checkpoint.get("head").get("tree_size").asLong()).isPositive();

        JsonNode policy = JSON.readTree(get("node-1", "/api/policy", token).body());
        assertThat(policy.get("version").asLong()).isEqualTo(1);
        assertThat(policy.get("document").asText()).contains("spiffe://mesh.test/app/*");
        assertThat(policy.get("rules")).isNotEmpty();
    }

    @Test
    void theOpenApiDocumentListsExactlyTheRoutesAndBodiesTheServerHas() throws Exception {
        HttpResponse<String> r = get("node-1", "/api/openapi.json", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = JSON.readTree(r.body());
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        Set<String> documented = new TreeSet<>();
        doc.get("paths").properties().forEach(p -> p.getValue().fieldNames().forEachRemaining(m -> documented.add(m.toUpperCase(java.util.Locale.ROOT) + " " + p.getKey())));
        Set<String> routed = new TreeSet<>();
        Endpoint.PUBLIC_PATHS.forEach(p -> routed.add("GET " + p));
        for (Endpoint e : Endpoint.values()) {
            routed.add(e.method() + " " + e.path());
        }
        assertThat(documented).isEqualTo(routed);
        for (Endpoint e : Endpoint.values()) {
            JsonNode op = doc.get("paths").get(e.path()).get(e.method().name().toLowerCase());
            assertThat(op.get("x-policy").get("resource").asText()).as(e + " documents its policy resource").isEqualTo(e.resource());
            assertThat(op.get("x-policy").get("action").asText()).as(e + " documents its policy action").isEqualTo(e.action());
            JsonNode body = op.path("requestBody").path("content").path("application/json").path("schema");
            assertThat(!body.isMissingNode()).as(e + ": a documented body iff the route takes one").isEqualTo(e.body().takesBody());
            if (e.body().takesBody()) {
                JsonNode schema = doc.at("/components/schemas/" + body.get("$ref").asText().substring("#/components/schemas/".length()));
                assertThat(schema.get("additionalProperties").asBoolean(true)).as(e + ": no other fields").isFalse();
                assertThat(fields(schema.get("properties"))).isEqualTo(new TreeSet<>(e.body().fields().stream().map(f -> f.name()).toList()));
                Set<String> required = new TreeSet<>();
                schema.get("required").forEach(n -> required.add(n.asText()));
                assertThat(required).isEqualTo(new TreeSet<>(e.body().fields().stream().filter(f -> f.required()).map(f -> f.name()).toList()));
                for (var f : e.body().fields()) {
                    List<String> allowed = new ArrayList<>();
                    JsonNode property = schema.get("properties").get(f.name());
                    property.path("enum").forEach(n -> allowed.add(n.asText()));
                    assertThat(allowed).as(e + "." + f.name() + " enum").isEqualTo(f.allowed());
                    assertThat(property.get("type").asText()).as(e + "." + f.name() + " type").isEqualTo(f.type().jsonName());
                    if (f.type() != io.x0tta6bl4.api.BodySchema.Type.INTEGER) {
                        assertThat(property.get("maxLength").asInt()).as(e + "." + f.name() + " maxLength").isEqualTo(f.maxLength());
                    }
                }
            }
        }
        for (Iterator<String> it = documented.iterator(); it.hasNext(); ) {
            String route = it.next();
            String path = route.substring(route.indexOf(' ') + 1);
            if (!route.startsWith("GET ")) {
                continue;
            }
            JsonNode op = doc.get("paths").get(path).get("get");
            String concrete = path.replace("{name}", "node-2").replace("{seq}", "0").replace("{id}", "0000000000000000");
            HttpResponse<String> answer = get("node-1", concrete, token);
            // No proposal exists here: its route answers, with the API's 404.
            assertThat(answer.statusCode()).as(path + " is routed and answers").isEqualTo(path.contains("{id}") ? 404 : 200);
            boolean protectedRoute = op.has("security");
            assertThat(protectedRoute).as(path + ": documented security matches the server").isEqualTo(!Endpoint.PUBLIC_PATHS.contains(path));
            if (protectedRoute) {
                assertThat(get("node-1", concrete, null).statusCode()).as(path + " without a token").isEqualTo(401);
            }
        }
        HttpResponse<String> unknown = get("node-1", "/api/v1/node", token);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("error").asText()).isEqualTo("not_found");
    }

    /** A change of membership: the policy decides first, then the body, then the membership; nothing is written on a refusal. */
    @Test
    void aMembershipChangeIsRefusedByThePolicyThenByItsBodyThenByTheMembershipAndNothingChanges() throws Exception {
        String operator = mesh.token("operator/test");
        long before = mesh.agents.get(leader()).ledger().query(LedgerQuery.all(0, 10_000).withType(EntryType.MEMBERSHIP)).size();
        HttpResponse<String> noToken = mesh.post("node-1", "/api/members/node-2", "{\"op\":\"fence\"}", null);
        assertThat(noToken.statusCode()).isEqualTo(401);
        HttpResponse<String> app = mesh.post("node-1", "/api/members/node-2", "{\"op\":\"fence\"}", "Bearer " + token);
        assertThat(app.statusCode()).as("app/* may read the membership, not change it").isEqualTo(403);
        assertThat(JSON.readTree(app.body()).get("error").asText()).isEqualTo("access_denied");
        for (String[] bad : List.of(new String[] {"{\"op\":\"explode\"}", "op: 'explode' is not one of fence, readmit, leave, promote, demote"},
                new String[] {"{\"reason\":\"x\"}", "op: is missing"}, new String[] {"{\"op\":\"fence\",\"force\":true}", "force: unknown field"},
                new String[] {"{\"op\":3}", "op: must be a string"}, new String[] {"[1]", "the body must be a JSON object"},
                new String[] {"{\"op\":\"fence\"} {}", "not valid JSON"}, new String[] {"", "needs a JSON body"},
                new String[] {"{\"op\":\"fence\",\"op\":\"leave\"}", "not valid JSON"})) {
            HttpResponse<String> r = mesh.post("node-1", "/api/members/node-2", bad[0], "Bearer " + operator);
            assertThat(r.statusCode()).as(bad[0]).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("message").asText()).as(bad[0]).contains(bad[1]);
        }
        HttpResponse<String> huge = mesh.post("node-1", "/api/members/node-2", "{\"op\":\"fence\",\"reason\":\"" + "x".repeat(20_000) + "\"}",
                "Bearer " + operator);
        assertThat(huge.statusCode()).isEqualTo(413);
        HttpResponse<String> unknown = mesh.post("node-1", "/api/members/node-9", "{\"op\":\"fence\"}", "Bearer " + operator);
        assertThat(unknown.statusCode()).isEqualTo(404);
        HttpResponse<String> badName = mesh.post("node-1", "/api/members/Node_9", "{\"op\":\"fence\"}", "Bearer " + operator);
        assertThat(badName.statusCode()).isEqualTo(400);
        HttpResponse<String> conflict = mesh.post("node-1", "/api/members/node-2", "{\"op\":\"readmit\"}", "Bearer " + operator);
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(conflict.body()).get("message").asText()).isEqualTo("node-2 is not fenced");
        assertThat(mesh.agents.get(leader()).ledger().query(LedgerQuery.all(0, 10_000).withType(EntryType.MEMBERSHIP)))
                .as("no membership entry was written").hasSize((int) before);
        JsonNode members = JSON.readTree(get("node-1", "/api/members", token).body());
        assertThat(members.get("members")).hasSize(3).allSatisfy(m -> assertThat(m.get("status").asText()).isEqualTo("active"));
        assertThat(members.get("next_name").asText()).isEqualTo("node-4");
        assertThat(members.get("raft").get("voters")).hasSize(3);
    }

    @Test
    void aWrongMethodOnARouteIs405WithAllowAndAnUnknownPathIs404NeitherAudited() throws Exception {
        String leader = leader();
        int before = audits(leader).size();
        for (String[] call : List.of(new String[] {"POST", "/api/network/status"}, new String[] {"DELETE", "/api/nodes/node-2"},
                new String[] {"PUT", "/api/ledger/0"}, new String[] {"HEAD", "/health"}, new String[] {"POST", "/api/openapi.json"},
                new String[] {"GET", "/api/members/node-2"})) {
            HttpResponse<String> r = mesh.send("node-1", call[0], call[1], "Bearer " + token);
            assertThat(r.statusCode()).as(call[0] + " " + call[1]).isEqualTo(405);
            assertThat(r.headers().firstValue("Allow")).as(call[0] + " " + call[1]).contains(call[1].startsWith("/api/members/") ? "POST" : "GET");
            if (!call[0].equals("HEAD")) {
                JsonNode body = JSON.readTree(r.body());
                assertThat(body.get("error").asText()).isEqualTo("method_not_allowed");
                assertThat(body.get("message").asText()).contains(call[0], call[1], call[1].startsWith("/api/members/") ? "POST" : "GET");
            }
        }
        HttpResponse<String> nowhere = mesh.send("node-1", "POST", "/api/nodes/node-2/extra", "Bearer " + token);
        assertThat(nowhere.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(nowhere.body()).get("error").asText()).isEqualTo("not_found");
        assertThat(audits(leader)).as("a request no route serves is not an audited action").hasSize(before);
    }

    /**
     * Destructive, so it puts the mesh back as it found it: no other test depends on running
     * before or after it.
     */
    @Test
    void whenNodesStopTheStatusShowsItAtOnceAndWithoutALedgerMajorityARequestIs503WithNoData() throws Exception {
        try {
            mesh.stop("node-3");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode s = JSON.readTree(get("node-1", "/api/network/status", token).body());
                assertThat(s.get("nodes_alive").asInt()).isEqualTo(2);
                assertThat(s.get("status").asText()).isEqualTo("degraded");
                assertThat(s.get("mesh_health").asDouble()).isLessThan(100.0);
            });
            mesh.stop("node-2"); // node-1 is alone: the ledger cannot commit
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> r = get("node-1", "/api/network/status", token);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                assertThat(r.headers().firstValue("Retry-After")).contains("2");
                JsonNode body = JSON.readTree(r.body());
                assertThat(fields(body)).containsExactly("error", "message");
                assertThat(body.get("error").asText()).isEqualTo("audit_unavailable");
                assertThat(r.body()).doesNotContain("Exception", "ratis", "\tat ");
            });
        } finally {
            for (String n : List.of("node-2", "node-3")) {
                if (!mesh.agents.containsKey(n)) {
                    mesh.start(n);
                }
            }
            healthy();
        }
    }
}
