package io.x0tta6bl4.api;

import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerResponse;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SvidTls;
import io.x0tta6bl4.monitor.RequestStats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The node's HTTPS API listener. It presents the node's X.509-SVID (which names 127.0.0.1 and
 * localhost, so {@code curl --cacert ca/root.crt} works) and asks for no client certificate.
 *
 * <p>Routes of this step: {@code GET /metrics} (Prometheus text format) and
 * {@code GET /api/v1/node} (this node's view of the mesh, JSON). Neither takes a token yet;
 * bearer tokens and the deny-by-default policy come with the API step. Every request is counted
 * in {@code requests} (latency, 5xx as errors) and in {@code inFlight} (the load sampler's queue
 * length); unknown paths get a JSON 404 with a stable code.
 */
public final class ApiServer implements AutoCloseable {
    /** What the API serves; each supplier is called per request. */
    public record Content(Supplier<byte[]> metrics, String metricsContentType, Supplier<byte[]> nodeView) {}

    private final WebServer server;

    private ApiServer(WebServer server) {
        this.server = server;
    }

    public static ApiServer start(String host, int port, NodeCredentials self, Content content, RequestStats requests, AtomicInteger inFlight,
                                  LongSupplier nanoTime) {
        WebServer server = WebServer.builder()
                .host(host)
                .port(port)
                .tls(tls(self))
                // Without TCP_NODELAY a response written in two pieces waits for the client's delayed
                // ACK: every answer took ~45 ms instead of ~1 ms, longer than the probe deadline.
                .connectionOptions(o -> o.tcpNoDelay(true))
                .shutdownGracePeriod(Duration.ofMillis(500))
                .routing(r -> r
                        .addFilter((chain, req, res) -> {
                            long start = nanoTime.getAsLong();
                            inFlight.incrementAndGet();
                            try {
                                chain.proceed();
                            } finally {
                                inFlight.decrementAndGet();
                                long end = nanoTime.getAsLong();
                                requests.record(end, end - start, res.status().code() >= 500);
                            }
                        })
                        .get("/metrics", (req, res) -> {
                            res.header(HeaderNames.CONTENT_TYPE, content.metricsContentType());
                            res.send(content.metrics().get());
                        })
                        .get("/api/v1/node", (req, res) -> json(res, Status.OK_200, content.nodeView().get()))
                        .any((req, res) -> json(res, Status.NOT_FOUND_404, ("{\"code\":\"NOT_FOUND\",\"message\":\"no route " + req.prologue().method().text()
                                + " " + req.path().path().replaceAll("[\"\\\\\\p{Cntrl}]", "?") + "\"}").getBytes(StandardCharsets.UTF_8))))
                .build();
        server.start();
        return new ApiServer(server);
    }

    private static void json(ServerResponse res, Status status, byte[] body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body);
    }

    private static Tls tls(NodeCredentials self) {
        return Tls.builder().sslContext(SvidTls.sslContext(self, null)).enabledProtocols(List.of("TLSv1.3")).clientAuth(TlsClientAuth.NONE).build();
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
