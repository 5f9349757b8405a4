package io.x0tta6bl4.orchestration;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SvidTls;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status client against an in-process HTTPS server that presents a node's real X.509-SVID:
 * it trusts only the cluster's root, checks the host name, and names why a node did not answer.
 */
class NodeClientTest {
    @TempDir Path dir;
    private final Map<String, HttpsServer> servers = new LinkedHashMap<>();

    @AfterEach
    void stopServers() {
        servers.values().forEach(s -> s.stop(0));
    }

    private HttpsServer serve(NodeCredentials node, int status, String body, Duration delay) throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLSv1.3");
        ssl.init(SvidTls.keyManagers(node), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/api/v1/node", exchange -> {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        servers.put(node.id().toString() + servers.size(), server);
        return server;
    }

    @Test
    void readsViewsOverTlsTrustingOnlyTheClusterRootAndSaysWhyANodeDidNotAnswer() throws Exception {
        SecureRandom random = new SecureRandom();
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.init(dir.resolve("ca"), "x0tta6bl4.local", now, random);
        NodeCredentials n1 = ca.issueNode("node-1", Duration.ofHours(1), now, random);
        CertificateAuthority other = CertificateAuthority.init(dir.resolve("other"), "x0tta6bl4.local", now, random);
        NodeCredentials foreign = other.issueNode("node-2", Duration.ofHours(1), now, random);

        int good = serve(n1, 200, NodeViewTest.SAMPLE, Duration.ZERO).getAddress().getPort();
        int foreignPort = serve(foreign, 200, NodeViewTest.SAMPLE.replace("node-1", "node-2"), Duration.ZERO).getAddress().getPort();
        int slow = serve(n1, 200, NodeViewTest.SAMPLE, Duration.ofMillis(1200)).getAddress().getPort();
        int broken = serve(n1, 500, "oops", Duration.ZERO).getAddress().getPort();
        int closed = FreePorts.pick(1).getFirst();

        try (NodeClient client = NodeClient.forCa(ca.dir(), Duration.ofMillis(500))) {
            assertThat(client.view("node-1", good)).isInstanceOfSatisfying(NodeClient.Answer.Seen.class,
                    s -> assertThat(s.view().leader()).contains("node-2"));
            assertThat(client.view("node-3", good)).isEqualTo(new NodeClient.Answer.NoAnswer(
                    "bad answer: port " + good + " is served by 'node-1', not node-3"));
            assertThat(client.view("node-2", foreignPort)).isInstanceOfSatisfying(NodeClient.Answer.NoAnswer.class,
                    n -> assertThat(n.reason()).startsWith("TLS failure"));
            assertThat(client.view("node-1", closed)).isEqualTo(new NodeClient.Answer.NoAnswer("connection refused"));
            assertThat(client.view("node-1", broken)).isEqualTo(new NodeClient.Answer.NoAnswer("bad answer: HTTP 500"));

            Map<String, Integer> ask = new LinkedHashMap<>();
            ask.put("node-1", good);
            ask.put("node-2", foreignPort);
            ask.put("node-3", closed);
            long t0 = System.nanoTime();
            Map<String, NodeClient.Answer> answers = client.views(ask);
            assertThat(answers).containsOnlyKeys("node-1", "node-2", "node-3");
            assertThat(answers.get("node-1")).isInstanceOf(NodeClient.Answer.Seen.class);
            assertThat(answers.get("node-3")).isEqualTo(new NodeClient.Answer.NoAnswer("connection refused"));

            t0 = System.nanoTime();
            assertThat(client.view("node-1", slow)).isEqualTo(new NodeClient.Answer.NoAnswer("no answer within 500 ms"));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2500));
        }
    }
}
