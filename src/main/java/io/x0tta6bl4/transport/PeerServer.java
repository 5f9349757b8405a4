package io.x0tta6bl4.transport;

import io.x0tta6bl4.identity.IdentityVerificationException;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.SvidTls;
import io.x0tta6bl4.identity.TrustBundle;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's peer listener: HTTP/1.1 over mutual TLS 1.3, on its own port, GET only. A
 * connection is accepted only from a certificate chain of the trust bundle's CA whose SPIFFE ID
 * passes {@code admitted}; every refusal goes to {@code refused} (the node makes it a ledger
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
 *
 * <p><b>Platform threads, one per connection, not Helidon.</b> Probes are answered within a
 * 50 ms deadline, so the listener's threads must get a core within it. Helidon 4.5 serves every
 * connection on a virtual thread (hard-wired in its {@code ExecutorsFactory}), and their carriers,
 * one per core, also run every API request of the node. On a 2-core machine with both cores busy
 * and a node joining, probes missed their deadline. In 3-minute soaks with a join
 * (docs/cluster.md, "Joining and false verdicts"), the cluster's probes timed out 521 and 760
 * times and peers wrote 44 and 61 false verdicts; with this listener they timed out 50, 67 and 60
 * times, and no false verdict was written. A peer listener has a few connections per member
 * (probe, watch), so a thread each is cheap; {@link #MAX_CONNECTIONS} bounds them.
 *
 * <p>What it accepts is deliberately narrow: a request line of at most {@link #MAX_LINE} bytes,
 * at most {@link #MAX_HEADERS} header lines in {@link #MAX_HEADER_BYTES} bytes, no body (a
 * Content-Length other than 0 or any Transfer-Encoding is refused with 400 and the connection
 * closed, so no request can hide inside another), GET only (405). A handshake must finish within
 * {@link #HANDSHAKE_TIMEOUT}, and a connection that sends nothing for {@link #IDLE_TIMEOUT} is
 * closed.
 */
public final class PeerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerServer.class);
    public static final String PROBE_PATH = "/peer/v1/probe";
    public static final String WATCH_PATH = "/peer/v1/watch";
    /** How long a watch request is held before it is answered 204 (and the watcher asks again). */
    public static final Duration WATCH_HOLD = Duration.ofSeconds(20);
    /** Connections open at once; more are closed as soon as they are accepted. */
    static final int MAX_CONNECTIONS = 256;
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
    /** A member probes every 100 ms and renews its watch every {@link #WATCH_HOLD}; a connection silent this long is gone. */
    static final Duration IDLE_TIMEOUT = WATCH_HOLD.plusSeconds(40);
    static final int MAX_LINE = 4096;
    static final int MAX_HEADERS = 64;
    static final int MAX_HEADER_BYTES = 16384;
    /** How long {@link #close} lets connections end by themselves (a held watch answers 410 at once). */
    private static final Duration GRACE = Duration.ofMillis(500);

    /** The answer of a node that is not ready to be probed yet: 503, which the prober counts as a bad answer. */
    public static final PeerRoute.Reply STARTING = new PeerRoute.Reply(503,
            "{\"code\":\"STARTING\",\"message\":\"this node is still starting\"}".getBytes(StandardCharsets.UTF_8));

    private final SSLServerSocket socket;
    private final Predicate<SpiffeId> admitted;
    private final Map<String, PeerRoute> routes;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicInteger serial = new AtomicInteger();

    /** One accepted connection and the thread that serves it. */
    private static final class Connection {
        final SSLSocket socket;
        volatile Thread thread;

        Connection(SSLSocket socket) {
            this.socket = socket;
        }
    }

    private PeerServer(SSLServerSocket socket, Predicate<SpiffeId> admitted, Map<String, PeerRoute> routes) {
        this.socket = socket;
        this.admitted = admitted;
        this.routes = routes;
    }

    /**
     * Starts listening on {@code host:port} (port 0 picks a free one; see {@link #port()}).
     *
     * @param admitted who may open a connection at all (asked at each handshake)
     * @param routes   the routes besides the watch
     */
    public static PeerServer start(String host, int port, NodeCredentials self, TrustBundle bundle, InstantSource clock,
                                   Predicate<SpiffeId> admitted, Consumer<SvidTls.Refusal> refused, List<PeerRoute> routes) {
        Map<String, PeerRoute> byPath = new HashMap<>();
        for (PeerRoute r : routes) {
            if (r.path().equals(WATCH_PATH) || byPath.putIfAbsent(r.path(), r) != null) {
                throw new IllegalArgumentException("peer route " + r.path() + " is given twice");
            }
        }
        SSLContext context = PeerTls.context(self, bundle, clock, admitted, refused);
        SSLServerSocket listening;
        try {
            listening = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
            listening.setEnabledProtocols(new String[] {PeerTls.PROTOCOL});
            listening.setNeedClientAuth(true);
            listening.bind(new InetSocketAddress(InetAddress.getByName(host), port), 128);
        } catch (BindException e) {
            throw new IllegalStateException("the peer listener cannot listen on " + host + ":" + port + " (is the port in use by another process?)", e);
        } catch (IOException e) {
            throw new IllegalStateException("the peer listener cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        PeerServer server = new PeerServer(listening, admitted, Map.copyOf(byPath));
        Thread.ofPlatform().name("peer-listener").daemon().start(server::acceptAll);
        return server;
    }

    private void acceptAll() {
        while (!socket.isClosed()) {
            SSLSocket s;
            try {
                s = (SSLSocket) socket.accept();
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
                // Out of file descriptors, typically: wait a moment (or for the close) rather than spin.
                LOG.warn("the peer listener could not accept a connection: {}", e.getMessage());
                if (awaitClosing(Duration.ofMillis(50))) {
                    return;
                }
                continue;
            }
            if (connections.size() >= MAX_CONNECTIONS) {
                LOG.warn("the peer listener holds {} connections already; one from {} is closed", MAX_CONNECTIONS, s.getInetAddress().getHostAddress());
                closeQuietly(s);
                continue;
            }
            Connection c = new Connection(s);
            connections.add(c);
            c.thread = Thread.ofPlatform().name("peer-conn-" + serial.incrementAndGet()).daemon().start(() -> {
                try {
                    serve(c);
                } finally {
                    connections.remove(c);
                    closeQuietly(s);
                }
            });
        }
    }

    private void serve(Connection c) {
        SSLSocket s = c.socket;
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout((int) HANDSHAKE_TIMEOUT.toMillis());
            s.startHandshake();
            Optional<SpiffeId> caller = caller(s);
            if (caller.isEmpty()) {
                // Cannot happen while the listener requires client certificates; refuse rather than guess.
                return;
            }
            s.setSoTimeout((int) IDLE_TIMEOUT.toMillis());
            InputStream in = new BufferedInputStream(s.getInputStream(), 8192);
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 8192);
            while (true) {
                Request r = Request.read(in);
                if (r == null) {
                    return;
                }
                if (r.refusal() != null) {
                    write(out, r.refusal(), true);
                    return;
                }
                write(out, answer(r.path(), caller.get()), r.close());
                if (r.close() || closing.getCount() == 0) {
                    return;
                }
            }
        } catch (IOException e) {
            // The caller went away, its handshake failed (refused() has been told), or it idled out.
            LOG.debug("peer connection from {} ended: {}", s.getInetAddress().getHostAddress(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private PeerRoute.Reply answer(String path, SpiffeId caller) throws InterruptedException {
        if (path.equals(WATCH_PATH)) {
            return watch(caller);
        }
        PeerRoute route = routes.get(path);
        if (route == null) {
            return error(404, "NOT_FOUND", "no peer route has this path");
        }
        if (!route.callers().test(caller)) {
            return error(403, "FORBIDDEN", caller + " may not call " + route.path());
        }
        return route.handler().handle(caller);
    }

    private PeerRoute.Reply watch(SpiffeId caller) throws InterruptedException {
        if (!admitted.test(caller)) {
            // Admitted at its handshake, fenced since: its kept-alive connection gets nothing more.
            return new PeerRoute.Reply(403, new byte[0]);
        }
        boolean stopping = closing.await(WATCH_HOLD.toMillis(), TimeUnit.MILLISECONDS);
        return new PeerRoute.Reply(stopping ? 410 : 204, new byte[0]);
    }

    private static PeerRoute.Reply error(int status, String code, String message) {
        // The message holds SPIFFE IDs and route paths only, neither of which contains a quote or a backslash.
        return new PeerRoute.Reply(status, ("{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static void write(OutputStream out, PeerRoute.Reply reply, boolean close) throws IOException {
        int status = reply.status();
        StringBuilder head = new StringBuilder(128).append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        if (status != 204) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(reply.body().length).append("\r\n");
        }
        if (close) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        if (status != 204) {
            out.write(reply.body());
        }
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 410 -> "Gone";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status";
        };
    }

    /**
     * One request head: the path (query removed) and whether the caller asked to close, or the
     * refusal to send before closing.
     */
    record Request(String path, boolean close, PeerRoute.Reply refusal) {
        static Request refused(int status, String code, String message) {
            return new Request("", true, error(status, code, message));
        }

        /** The next request on the connection, or null when the caller closed it between requests. */
        static Request read(InputStream in) throws IOException {
            String line;
            try {
                line = Line.read(in, MAX_LINE);
            } catch (Line.TooLong e) {
                return refused(414, "REQUEST_LINE_TOO_LONG", "the request line is longer than " + MAX_LINE + " bytes");
            }
            if (line == null) {
                return null;
            }
            String[] parts = line.split(" ", -1);
            if (parts.length != 3 || !parts[1].startsWith("/")) {
                return refused(400, "BAD_REQUEST", "the request line is not METHOD /path HTTP/1.1");
            }
            if (!parts[2].equals("HTTP/1.1")) {
                return refused(505, "HTTP_VERSION", "only HTTP/1.1 is served here");
            }
            boolean close = false;
            int headers = 0;
            int bytes = 0;
            while (true) {
                String h;
                try {
                    h = Line.read(in, MAX_HEADER_BYTES - bytes);
                } catch (Line.TooLong e) {
                    return refused(431, "HEADERS_TOO_LARGE", "more than " + MAX_HEADER_BYTES + " bytes of header lines");
                }
                if (h == null) {
                    throw new SocketException("the connection closed inside a request head");
                }
                if (++headers > MAX_HEADERS) {
                    return refused(431, "HEADERS_TOO_LARGE", "more than " + MAX_HEADERS + " header lines");
                }
                if (h.isEmpty()) {
                    break;
                }
                bytes += h.length() + 2;
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    return refused(400, "BAD_REQUEST", "a header line has no name");
                }
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
                if (name.equals("transfer-encoding") || (name.equals("content-length") && !value.equals("0"))) {
                    return refused(400, "BODY_NOT_ALLOWED", "peer requests have no body");
                }
                if (name.equals("connection") && value.contains("close")) {
                    close = true;
                }
            }
            if (!parts[0].equals("GET")) {
                return refused(405, "METHOD_NOT_ALLOWED", "peer routes answer GET only");
            }
            int query = parts[1].indexOf('?');
            return new Request(query < 0 ? parts[1] : parts[1].substring(0, query), close, null);
        }
    }

    /** Reads CRLF-terminated (or LF-terminated) lines of ASCII with a length limit. */
    private static final class Line {
        /** The line is longer than the limit; the rest of it is not read. */
        static final class TooLong extends IOException {
            private static final long serialVersionUID = 1L;

            TooLong() {
                super("line too long");
            }
        }

        /** The line without its terminator; null at end of stream before any byte. */
        static String read(InputStream in, int limit) throws IOException {
            StringBuilder b = new StringBuilder(64);
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    int n = b.length();
                    if (n > 0 && b.charAt(n - 1) == '\r') {
                        b.setLength(n - 1);
                    }
                    return b.toString();
                }
                if (b.length() >= limit) {
                    throw new TooLong();
                }
                b.append((char) c);
            }
            if (b.isEmpty()) {
                return null;
            }
            throw new SocketException("the connection closed inside a line");
        }
    }

    /**
     * The client's SPIFFE ID, read from the TLS session. The handshake's trust manager validated
     * the chain and the membership; doing the PKIX validation again on every probe would repeat it
     * ten times a second per peer.
     */
    private static Optional<SpiffeId> caller(SSLSocket s) {
        Certificate[] certs;
        try {
            certs = s.getSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
        if (certs.length == 0 || !(certs[0] instanceof X509Certificate leaf)) {
            return Optional.empty();
        }
        try {
            return Optional.of(SvidTls.acceptedPeer(leaf));
        } catch (IdentityVerificationException e) {
            return Optional.empty();
        }
    }

    public int port() {
        return socket.getLocalPort();
    }

    private boolean awaitClosing(Duration d) {
        try {
            return closing.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /**
     * Ends every held watch with 410 (so the watchers probe this node at once) and stops
     * accepting; a connection ends after its next answer, and those still open after
     * {@code GRACE} (idle keep-alive connections) are closed.
     */
    @Override
    public void close() {
        closing.countDown();
        closeQuietly(socket);
        long deadline = System.nanoTime() + GRACE.toNanos();
        for (Connection c : connections) {
            Thread t = c.thread;
            long left = deadline - System.nanoTime();
            if (t != null && left > 0) {
                try {
                    t.join(Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        connections.forEach(c -> closeQuietly(c.socket));
    }
}
