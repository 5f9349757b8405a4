package io.x0tta6bl4.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SvidTls;
import io.x0tta6bl4.orchestration.ClusterException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load harness against a TLS listener that answers /health and demands the token on the status route. */
class ApiLoadTest {
    @TempDir Path dir;
    private HttpsServer server;
    private CertificateAuthority ca;
    private final AtomicInteger health = new AtomicInteger();
    private final AtomicInteger status = new AtomicInteger();
    private final List<String> tokens = new CopyOnWriteArrayList<>();

    @BeforeEach
    void serve() throws Exception {
        SecureRandom random = new SecureRandom();
        ca = CertificateAuthority.init(dir.resolve("ca"), "mesh.test", Instant.now(), random);
        NodeCredentials node = ca.issueNode("node-1", Duration.ofHours(1), Instant.now(), random);
        SSLContext ssl = SSLContext.getInstance("TLSv1.3");
        ssl.init(SvidTls.keyManagers(node), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext(ApiLoad.HEALTH, e -> {
            health.incrementAndGet();
            send(e, 200, "{\"status\":\"up\"}");
        });
        server.createContext(ApiLoad.STATUS, e -> {
            String auth = e.getRequestHeaders().getFirst("Authorization");
            if (!"Bearer good".equals(auth)) {
                send(e, 401, "{\"error\":\"invalid_token\"}");
                return;
            }
            tokens.add(auth);
            status.incrementAndGet();
            send(e, 200, "{\"status\":\"healthy\"}");
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void send(HttpExchange e, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        e.getResponseHeaders().add("Content-Type", "application/json");
        e.sendResponseHeaders(code, b.length);
        e.getResponseBody().write(b);
        e.close();
    }

    private ApiLoad load(String token) {
        return new ApiLoad("127.0.0.1", server.getAddress().getPort(), ca.bundle().x509Root(), () -> token, line -> {});
    }

    @Test
    void bothEndpointsAreLoadedInTurnAndEveryAnswerIsCounted() {
        ApiLoad.Report r = load("good").run(new ApiLoad.Plan(4, Duration.ZERO, Duration.ofMillis(300), 2));
        assertThat(r.health().requests()).isPositive().isEqualTo(health.get());
        assertThat(r.status().requests()).isPositive().isEqualTo(status.get());
        assertThat(r.health().failures() + r.status().failures()).isZero();
        assertThat(tokens).as("the status requests carried the token").allMatch("Bearer good"::equals);
        assertThat(r.status().p50()).isPositive().isLessThanOrEqualTo(r.status().p99());
        assertThat(r.status().p99()).isLessThanOrEqualTo(r.status().max());
        assertThat(r.ratio()).isEqualTo(r.status().perSecond() / r.health().perSecond());
    }

    @Test
    void aRefusedTokenIsAFailureNotAFastAnswer() {
        assertThatThrownBy(() -> load("bad").run(new ApiLoad.Plan(2, Duration.ZERO, Duration.ofMillis(200), 1)))
                .isInstanceOf(ClusterException.class)
                .hasMessageContaining(ApiLoad.STATUS + ": no request succeeded");
    }

    @Test
    void aPlanWithoutLoadIsRefused() {
        assertThatThrownBy(() -> new ApiLoad.Plan(0, Duration.ZERO, Duration.ofSeconds(1), 1)).isInstanceOf(ClusterException.class)
                .hasMessageContaining("concurrency >= 1");
    }
}
