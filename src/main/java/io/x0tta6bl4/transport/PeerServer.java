package io.x0tta6bl4.transport;

import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.x0tta6bl4.identity.IdentityVerificationException;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.SvidTls;
import io.x0tta6bl4.identity.TrustBundle;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * This node's peer listener: HTTP/2 (or HTTP/1.1) over mutual TLS 1.3, on its own port. A
 * connection is accepted only from a certificate chain of the trust bundle's CA whose SPIFFE ID
 * passes {@code members}; every refusal goes to {@code refused} (the node makes it a ledger
 * security event). A handler learns the caller's verified SPIFFE ID. Who may connect can change
 * while the listener runs ({@code admitted} is asked at every handshake), so members that join are
 * let in and fenced ones are shut out without a restart.
 *
 * <p>Routes are the caller's ({@link PeerRoute}: path, who may call, the answer), plus one the
 * listener serves itself: {@code GET /peer/v1/watch} is held open and answered 204 after
 * {@link #WATCH_HOLD}, or 410 as soon as this listener starts to close. A peer keeps one such
 * request out at all times ({@code monitor.PeerWatch}): when this process dies, the kernel closes
 * that connection, and the peer learns it at once instead of at its next probe. A caller a route
 * does not allow is answered 403.
 */
public final class PeerServer implements AutoCloseable {
    public static final String PROBE_PATH = "/peer/v1/probe";
    public static final String WATCH_PATH = "/peer/v1/watch";
    /** How long a watch request is held before it is answered 204 (and the watcher asks again). */
    public static final Duration WATCH_HOLD = Duration.ofSeconds(20);

    private final WebServer server;
    private final CountDownLatch closing = new CountDownLatch(1);

    private PeerServer(WebServer server) {
        this.server = server;
    }

    /**
     * Starts listening on {@code host:port} (port 0 picks a free one; see {@link #port()}).
     *
     * @param admitted who may open a connection at all (asked at each handshake)
     * @param routes   the routes besides the watch
     */
    public static PeerServer start(String host, int port, NodeCredentials self, TrustBundle bundle, InstantSource clock,
                                   Predicate<SpiffeId> admitted, Consumer<SvidTls.Refusal> refused, List<PeerRoute> routes) {
        Tls tls = PeerTls.server(self, bundle, clock, admitted, refused);
        PeerServer[] holder = new PeerServer[1];
        WebServer server = WebServer.builder()
                .host(host)
                .port(port)
                .tls(tls)
                // Without TCP_NODELAY a response written in two pieces waits for the client's delayed
                // ACK: every answer took ~45 ms instead of ~1 ms, longer than the probe deadline.
                .connectionOptions(o -> o.tcpNoDelay(true))
                .shutdownGracePeriod(Duration.ofMillis(500))
                .routing(r -> {
                    for (PeerRoute route : routes) {
                        r.get(route.path(), (req, res) -> serve(req, res, route));
                    }
                    r.get(WATCH_PATH, (req, res) -> holder[0].watch(req, res));
                })
                .build();
        holder[0] = new PeerServer(server);
        server.start();
        if (!server.isRunning() || server.port() <= 0) {
            // Helidon logs a listener that could not bind and carries on; a node without its peer
            // listener would look alive to no one, so the start fails here instead.
            server.stop();
            throw new IllegalStateException("the peer listener cannot listen on " + host + ":" + port + " (is the port in use by another process?)");
        }
        return holder[0];
    }

    private static void serve(ServerRequest req, ServerResponse res, PeerRoute route) throws InterruptedException {
        Optional<SpiffeId> caller = caller(req);
        if (caller.isEmpty()) {
            // Cannot happen while the listener requires client certificates; refuse rather than guess.
            res.status(Status.UNAUTHORIZED_401).send();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        if (!route.callers().test(caller.get())) {
            res.status(Status.FORBIDDEN_403).send("{\"code\":\"FORBIDDEN\",\"message\":\"" + caller.get() + " may not call " + route.path() + "\"}");
            return;
        }
        PeerRoute.Reply reply = route.handler().handle(caller.get());
        res.status(Status.create(reply.status()));
        res.send(reply.body());
    }

    /** The answer of a node that is not ready to be probed yet: 503, which the prober counts as a bad answer. */
    public static final PeerRoute.Reply STARTING = new PeerRoute.Reply(503,
            "{\"code\":\"STARTING\",\"message\":\"this node is still starting\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    private void watch(ServerRequest req, ServerResponse res) throws InterruptedException {
        if (caller(req).isEmpty()) {
            res.status(Status.UNAUTHORIZED_401).send();
            return;
        }
        boolean stopping = closing.await(WATCH_HOLD.toMillis(), TimeUnit.MILLISECONDS);
        res.status(stopping ? Status.GONE_410 : Status.NO_CONTENT_204).send();
    }

    /**
     * The client's SPIFFE ID, read from the TLS session. The handshake's trust manager validated
     * the chain and the membership; doing the PKIX validation again on every probe would repeat it
     * ten times a second per peer.
     */
    private static Optional<SpiffeId> caller(ServerRequest req) {
        Optional<Certificate[]> certs = req.remotePeer().tlsCertificates();
        if (certs.isEmpty() || certs.get().length == 0 || !(certs.get()[0] instanceof X509Certificate leaf)) {
            return Optional.empty();
        }
        try {
            return Optional.of(SvidTls.acceptedPeer(leaf));
        } catch (IdentityVerificationException e) {
            return Optional.empty();
        }
    }

    public int port() {
        return server.port();
    }

    /** Ends every held watch with 410 (so the watchers probe this node at once), then stops. */
    @Override
    public void close() {
        closing.countDown();
        server.stop();
    }
}
