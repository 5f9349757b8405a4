package io.x0tta6bl4.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.LedgerEntry;
import io.x0tta6bl4.ledger.LedgerQuery;
import io.x0tta6bl4.policy.Policy;
import io.x0tta6bl4.transport.PeerCallException;
import io.x0tta6bl4.transport.PeerClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real node agents in this JVM on loopback: real TLS listeners, real Raft, real probes.
 * (The multi-process version, with kill -9, is in the orchestration tests.)
 */
class NodeAgentTest {
    private static final String DOMAIN = TestMesh.DOMAIN;
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;
    private TestMesh mesh;
    private Map<String, NodeAgent> agents;
    private CertificateAuthority ca;
    private String token;

    @AfterEach
    void stop() {
        if (mesh != null) {
            mesh.close();
        }
    }

    private void cluster(int n) throws Exception {
        mesh = new TestMesh(dir, n);
        agents = mesh.agents;
        ca = mesh.ca;
        token = mesh.token("app/test");
    }

    private void start(String name) {
        mesh.start(name);
    }

    private JsonNode view(String name) throws Exception {
        HttpResponse<String> r = mesh.get(name, "/api/node", "Bearer " + token);
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private String stateSeenBy(String observer, String peer) throws Exception {
        for (JsonNode p : view(observer).get("peers")) {
            if (p.get("name").asText().equals(peer)) {
                return p.get("state").asText();
            }
        }
        throw new AssertionError(observer + " does not list " + peer);
    }

    private static JsonNode payload(LedgerEntry e) {
        try {
            return JSON.readTree(e.submission().payload());
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private List<LedgerEntry> entries(String reader, EntryType type) {
        return agents.get(reader).ledger().query(LedgerQuery.all(1, 10_000).withType(type));
    }

    @Test
    void nodesSeeEachOtherAliveAndAStoppedNodeDownAndBackAndEveryChangeIsLedgeredOncePerObserver() throws Exception {
        cluster(3);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String a : agents.keySet()) {
                for (String b : agents.keySet()) {
                    if (!a.equals(b)) {
                        assertThat(stateSeenBy(a, b)).as(a + " sees " + b).isEqualTo("alive");
                    }
                }
            }
            assertThat(view("node-1").get("leader").isTextual()).isTrue();
        });
        JsonNode view = view("node-1");
        assertThat(view.get("id").asText()).isEqualTo("spiffe://mesh.test/node/node-1");
        assertThat(view.get("load").get("heap_percent").asDouble()).isBetween(0.0, 100.0);

        HttpResponse<String> metrics = mesh.get("node-1", "/metrics", null);
        assertThat(metrics.body()).contains("x0tta6bl4_peer_state{peer=\"node-2\",state=\"alive\"} 1.0")
                .contains("x0tta6bl4_probes_total{peer=\"node-3\",result=\"answered\"}")
                .contains("x0tta6bl4_probe_latency_seconds_bucket").contains("x0tta6bl4_ledger_entries").contains("x0tta6bl4_cpu_process_percent");
        HttpResponse<String> missing = mesh.get("node-1", "/nope", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(missing.body()).get("error").asText()).isEqualTo("not_found");

        Instant stopped = Instant.now();
        mesh.stop("node-3");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(stateSeenBy("node-1", "node-3")).isEqualTo("down");
            assertThat(stateSeenBy("node-2", "node-3")).isEqualTo("down");
        });
        String node3 = SpiffeId.node(DOMAIN, "node-3").toString();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            // Only what follows the stop: a verdict before it (a slow start on a loaded machine) is not this test's business.
            List<LedgerEntry> downs = entries("node-1", EntryType.NODE_DOWN).stream().filter(e -> e.submission().resource().equals(node3))
                    .filter(e -> !Instant.parse(payload(e).get("at").asText()).isBefore(stopped)).toList();
            assertThat(downs).extracting(e -> e.submission().actor().toString())
                    .as("one NODE_DOWN per observer, none twice")
                    .containsExactlyInAnyOrder(SpiffeId.node(DOMAIN, "node-1").toString(), SpiffeId.node(DOMAIN, "node-2").toString());
            assertThat(JSON.readTree(downs.getFirst().submission().payload()).get("evidence").asText()).contains("consecutive misses");
        });

        Instant restarted = Instant.now();
        start("node-3");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(stateSeenBy("node-1", "node-3")).isEqualTo("alive");
            assertThat(stateSeenBy("node-2", "node-3")).isEqualTo("alive");
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(entries("node-1", EntryType.NODE_ALIVE).stream()
                .filter(e -> e.submission().resource().equals(node3))
                .filter(e -> !Instant.parse(payload(e).get("at").asText()).isBefore(restarted))
                .filter(e -> e.submission().payload().contains("\"from\":\"down\"")).count()).isEqualTo(2));
    }

    @Test
    void aCertificateFromAnotherCaCannotJoinAndTheRefusalIsALedgeredSecurityEvent() throws Exception {
        cluster(3);
        await().atMost(Duration.ofSeconds(60)).until(() -> agents.get("node-1").ledger().leader().isPresent());
        // The API answers once the leader has ledgered the bootstrap policy and node-1 has folded it.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> view("node-1"));
        CertificateAuthority foreign = CertificateAuthority.init(dir.resolve("foreign-ca"), DOMAIN, Instant.now(), new SecureRandom());
        NodeCredentials impostor = foreign.issueNode("node-2", Duration.ofHours(1), Instant.now(), new SecureRandom());
        // It knows our public root and claims to be node-2, with a certificate its own CA signed.
        try (PeerClient client = PeerClient.create("node-1", "127.0.0.1", agents.get("node-1").peerPort(), impostor, ca.bundle(),
                InstantSource.system(), SpiffeId.node(DOMAIN, "node-1"), Duration.ofSeconds(1), r -> {})) {
            for (int i = 0; i < 20; i++) {
                assertThatThrownBy(client::probe).isInstanceOf(PeerCallException.class);
            }
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<LedgerEntry> events = entries("node-2", EntryType.SECURITY_EVENT);
            assertThat(events).as("twenty refusals within a minute are one entry").hasSize(1);
            LedgerEntry e = events.getFirst();
            assertThat(e.submission().actor().toString()).isEqualTo("spiffe://mesh.test/node/node-1");
            assertThat(e.submission().status()).isEqualTo("REFUSED");
            JsonNode payload = JSON.readTree(e.submission().payload());
            assertThat(payload.get("uri_san").asText()).isEqualTo("spiffe://mesh.test/node/node-2");
            assertThat(payload.get("reason").asText()).isNotBlank();
            assertThat(payload.get("remote").asText()).contains(":");
        });
        // The impostor's attempts did not disturb the real node-2.
        assertThat(stateSeenBy("node-1", "node-2")).isIn("alive", "joining");
    }

    /** A load threshold crossed for its sustain is a LOAD_ALERT entry in the ledger, written by the node it is about. */
    @Test
    void aSustainedCrossingOfALoadThresholdIsALedgeredLoadAlert() throws Exception {
        // Memory in use is always above 0.1 % of the machine's: the alert must be raised within the sustain.
        mesh = new TestMesh(dir, 1, "load: {memory_percent: 0.1, sustain: 300ms}\n");
        agents = mesh.agents;
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<LedgerEntry> alerts = entries("node-1", EntryType.LOAD_ALERT);
            assertThat(alerts).anySatisfy(e -> {
                assertThat(e.submission().action()).isEqualTo("HIGH_MEMORY_USAGE");
                assertThat(e.submission().status()).isEqualTo("RAISED");
                assertThat(e.submission().actor().toString()).isEqualTo("spiffe://mesh.test/node/node-1");
                JsonNode p = payload(e);
                assertThat(p.get("metric").asText()).isEqualTo("memory_percent");
                assertThat(p.get("value").asDouble()).isGreaterThan(0.1);
                assertThat(p.get("sustained_ms").asLong()).isGreaterThanOrEqualTo(300);
            });
            // Only the memory alert: on a loaded machine the default CPU threshold may be crossed (and cleared) too.
            assertThat(alerts).filteredOn(e -> e.submission().action().equals("HIGH_MEMORY_USAGE"))
                    .as("raised once, not once per sample").hasSize(1);
        });
    }
}
