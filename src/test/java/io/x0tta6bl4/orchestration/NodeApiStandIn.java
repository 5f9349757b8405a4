package io.x0tta6bl4.orchestration;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.x0tta6bl4.identity.JwtSvidClaims;
import io.x0tta6bl4.identity.JwtSvidVerifier;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SvidTls;
import io.x0tta6bl4.identity.TokenRejectedException;
import io.x0tta6bl4.identity.TrustBundle;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;

/**
 * An in-process stand-in for one node's API, enough for the cluster's client: {@code GET /api/node}
 * over TLS 1.3 with the node's real X.509-SVID, and the bearer token checked as the node checks
 * it (ML-DSA-65 signature against the trust bundle, expiry, audience), answering 401 with the
 * node's JSON when it does not verify. What a verified caller gets is up to the {@link Responder}.
 */
final class NodeApiStandIn implements AutoCloseable {
    /** What the node answers a caller whose token verified. */
    interface Responder {
        Response answer(JwtSvidClaims caller);
    }

    record Response(int status, String body, Duration delay) {
        static Response ok(String body) {
            return new Response(200, body, Duration.ZERO);
        }

        /** The node's 403 while its ledger holds no policy yet. */
        static Response policyPending() {
            return new Response(403, "{\"error\":\"access_denied\",\"rule\":\"default-deny\",\"reason\":\"" + io.x0tta6bl4.policy.Decision.NO_POLICY + "\"}",
                    Duration.ZERO);
        }
    }

    private final HttpsServer server;
    /** The subjects of the verified tokens, in order. */
    final List<JwtSvidClaims> callers = new CopyOnWriteArrayList<>();

    private NodeApiStandIn(HttpsServer server) {
        this.server = server;
    }

    /** Serves on {@code port} (0 for any free port). */
    static NodeApiStandIn start(NodeCredentials node, TrustBundle bundle, String audience, int port, Responder responder) throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLSv1.3");
        ssl.init(SvidTls.keyManagers(node), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        JwtSvidVerifier verifier = new JwtSvidVerifier(bundle, InstantSource.system());
        NodeApiStandIn standIn = new NodeApiStandIn(server);
        server.createContext(NodeClient.VIEW_PATH, exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !auth.startsWith("Bearer ")) {
                send(exchange, new Response(401, "{\"error\":\"invalid_token\",\"reason\":\"missing\",\"message\":\"no Authorization header\"}", Duration.ZERO));
                return;
            }
            JwtSvidClaims claims;
            try {
                claims = verifier.verify(auth.substring("Bearer ".length()), audience);
            } catch (TokenRejectedException e) {
                send(exchange, new Response(401, "{\"error\":\"invalid_token\",\"reason\":\"" + e.reason().code() + "\",\"message\":"
                        + JsonReader.MAPPER.writeValueAsString(e.getMessage()) + "}", Duration.ZERO));
                return;
            }
            standIn.callers.add(claims);
            send(exchange, responder.answer(claims));
        });
        server.start();
        return standIn;
    }

    private static void send(HttpExchange exchange, Response r) throws IOException {
        try {
            Thread.sleep(r.delay());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(r.status(), bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
