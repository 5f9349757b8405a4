package io.x0tta6bl4.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.x0tta6bl4.ledger.InMemoryLedger;
import io.x0tta6bl4.orchestration.NodeClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code api.max_connections} as the listener applies it: connections over the limit are refused, and a new limit applies to the next connection. */
class ConnectionLimitTest {
    @TempDir Path dir;

    /** A TLS connection that has been served one {@code GET /health}, so the listener counts it, and stays open (keep-alive). */
    private static SSLSocket open(SSLSocketFactory f, int port) throws IOException {
        SSLSocket s = (SSLSocket) f.createSocket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    /** Sends {@code GET /health} and returns the whole answer (status line, headers and body). */
    private static String health(SSLSocket s) throws IOException {
        s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int contentLength = -1;
        int headerEnd = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            got.write(b);
            String text = got.toString(StandardCharsets.US_ASCII);
            if (headerEnd < 0 && text.endsWith("\r\n\r\n")) {
                headerEnd = text.length();
                for (String line : text.split("\r\n")) {
                    if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                        contentLength = Integer.parseInt(line.substring(15).trim());
                    }
                }
            }
            if (headerEnd >= 0 && contentLength >= 0 && got.size() >= headerEnd + contentLength) {
                break;
            }
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    @Test
    void connectionsOverTheLimitAreRefusedAndANewLimitAppliesToTheNextConnection() throws Exception {
        try (ApiFixture api = new ApiFixture(dir);
             InMemoryLedger ledger = InMemoryLedger.open(api.ca.bundle(), api.node, InstantSource.system(), new SecureRandom())) {
            api.maxConnections.set(2);
            // /health touches no mesh state: a mesh that has none will do.
            MeshView none = new OneNodeMesh() {
                @Override
                public NetworkStatus networkStatus() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public List<NodeStatus> nodes() {
                    return List.of();
                }
            };
            api.start(none, ledger, () -> new byte[0], Duration.ofSeconds(5));
            SSLSocketFactory f = NodeClient.trusting(api.ca.bundle().x509Root()).getSocketFactory();
            List<SSLSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    SSLSocket s = open(f, api.port());
                    assertThat(health(s)).startsWith("HTTP/1.1 200");
                    held.add(s);
                }
                try (SSLSocket third = open(f, api.port())) {
                    String refused = health(third);
                    assertThat(refused).startsWith("HTTP/1.1 503").contains("\"error\":\"too_many_connections\"", "at most 2 API connections");
                    assertThat(third.getInputStream().read()).as("and closed").isEqualTo(-1);
                }
                // One of the two goes away: its place is free again.
                held.removeFirst().close();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    try (SSLSocket s = open(f, api.port())) {
                        assertThat(health(s)).startsWith("HTTP/1.1 200");
                    }
                });
                // A higher limit: the next connections are served while the others stay open.
                api.maxConnections.set(4);
                for (int i = 0; i < 3; i++) {
                    SSLSocket s = open(f, api.port());
                    assertThat(health(s)).as("connection " + (i + 2) + " under a limit of 4").startsWith("HTTP/1.1 200");
                    held.add(s);
                }
                try (SSLSocket fifth = open(f, api.port())) {
                    assertThat(health(fifth)).startsWith("HTTP/1.1 503");
                }
            } finally {
                for (SSLSocket s : held) {
                    s.close();
                }
            }
        }
    }
}
