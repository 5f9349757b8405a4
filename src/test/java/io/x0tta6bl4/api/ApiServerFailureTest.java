package io.x0tta6bl4.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.JwtSvidVerifier;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.InMemoryLedger;
import io.x0tta6bl4.ledger.LedgerEntry;
import io.x0tta6bl4.ledger.LedgerQuery;
import io.x0tta6bl4.monitor.RequestStats;
import io.x0tta6bl4.policy.Policy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A handler that fails, even with an {@link Error}, is answered in the API's JSON, never with a
 * framework page or a stack trace, and its audit entry says ERROR; a public route that fails is
 * answered the same way by the server's last-resort handler.
 */
class ApiServerFailureTest {
    private static final String DOMAIN = "mesh.test";
    @TempDir Path dir;

    /** A mesh whose status throws an Error and whose node list throws a runtime exception. */
    private static final MeshView BROKEN = new MeshView() {
        @Override
        public NetworkStatus networkStatus() {
            throw new StackOverflowError("deep in the monitor");
        }

        @Override
        public List<NodeStatus> nodes() {
            throw new IllegalStateException("secret internal detail");
        }

        @Override
        public byte[] observerView() {
            return "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    };

    @Test
    void aFailingHandlerIsAJson500WithoutInternalsAndItsAuditEntrySaysError() throws Exception {
        SecureRandom random = new SecureRandom();
        CertificateAuthority ca = CertificateAuthority.init(dir.resolve("ca"), DOMAIN, Instant.now(), random);
        NodeCredentials node = ca.issueNode("node-1", Duration.ofHours(1), Instant.now(), random);
        try (InMemoryLedger ledger = InMemoryLedger.open(ca.bundle(), node, InstantSource.system(), random)) {
            Policy policy = Policy.defaultPolicy(DOMAIN);
            ApiServer.Wiring wiring = new ApiServer.Wiring("node-1", node, new JwtSvidVerifier(ca.bundle(), InstantSource.system()), "x0tta6bl4",
                    BROKEN, ledger, () -> Optional.of(policy), new ApiServer.Content(() -> {
                        throw new AssertionError("metrics registry in a bad state");
                    }, "text/plain"), InstantSource.system(),
                    Duration.ofSeconds(5));
            try (ApiServer server = ApiServer.start("127.0.0.1", 0, wiring, new RequestStats(Duration.ofSeconds(10), 10), new AtomicInteger(),
                    System::nanoTime)) {
                String token = ca.jwtIssuer(random).issue(SpiffeId.parse("spiffe://" + DOMAIN + "/app/ops"), List.of("x0tta6bl4"),
                        Duration.ofMinutes(5), Instant.now());
                HttpClient http = HttpClient.newBuilder().sslContext(trusting(ca)).build();
                for (String path : List.of("/api/network/status", "/api/nodes", "/metrics")) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + path))
                            .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(path).isEqualTo(500);
                    assertThat(r.headers().firstValue("Content-Type")).as(path).contains("application/json");
                    JsonNode body = new ObjectMapper().readTree(r.body());
                    assertThat(body.get("error").asText()).isEqualTo("internal_error");
                    assertThat(body.get("message").asText()).contains(path, "log");
                    assertThat(r.body()).doesNotContain("deep in the monitor", "secret internal detail", "bad state", "\tat ", "Error", "Exception");
                }
                List<LedgerEntry> audits = ledger.query(LedgerQuery.all(0, 100).withType(EntryType.AUDIT));
                assertThat(audits).extracting(e -> e.submission().resource() + " " + e.submission().status())
                        .containsExactly("/api/network/status ERROR", "/api/nodes ERROR");
            }
        }
    }

    private static SSLContext trusting(CertificateAuthority ca) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", ca.bundle().x509Root());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
