package io.x0tta6bl4.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.SvidTls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the peer listener does with requests a member's {@link PeerClient} never sends, written
 * byte by byte over a mutual-TLS connection: each gets a clear status with a JSON code, and a
 * request that could carry another one inside it closes the connection.
 */
class PeerServerRequestsTest {
    private static final String DOMAIN = "mesh.test";
    @TempDir static Path dir;
    static CertificateAuthority ca;
    static NodeCredentials one;
    static NodeCredentials two;
    private static final List<SpiffeId> MEMBERS = List.of(SpiffeId.node(DOMAIN, "node-1"), SpiffeId.node(DOMAIN, "node-2"));
    private static final String PROBE_ONLY_FOR_NODE_3 = "/peer/v1/for-node-3";

    private final List<SvidTls.Refusal> refusals = new CopyOnWriteArrayList<>();
    private PeerServer server;

    @BeforeAll
    static void issue() {
        SecureRandom random = new SecureRandom();
        Instant now = Instant.now();
        ca = CertificateAuthority.init(dir.resolve("ca"), DOMAIN, now, random);
        one = ca.issueNode("node-1", Duration.ofHours(1), now, random);
        two = ca.issueNode("node-2", Duration.ofHours(1), now, random);
    }

    @BeforeEach
    void serve() {
        server = PeerServer.start("127.0.0.1", 0, two, ca.bundle(), InstantSource.system(), MEMBERS::contains, refusals::add, List.of(
                new PeerRoute(PeerServer.PROBE_PATH, MEMBERS::contains,
                        caller -> PeerRoute.Reply.json(("{\"caller\":\"" + caller + "\"}").getBytes(StandardCharsets.UTF_8))),
                new PeerRoute(PROBE_ONLY_FOR_NODE_3, SpiffeId.node(DOMAIN, "node-3")::equals, caller -> PeerRoute.Reply.json("{}".getBytes(StandardCharsets.UTF_8)))));
    }

    @AfterEach
    void close() {
        server.close();
    }

    /** A TLS connection as node-1, which node-2's listener admits. */
    private SSLSocket connect() throws IOException {
        SSLContext context = SvidTls.sslContext(one, SvidTls.trustManager(ca.bundle(), InstantSource.system(), SpiffeId.node(DOMAIN, "node-2")::equals,
                r -> {}));
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.port());
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    private record Response(int status, String head, String body) {
        boolean closes() {
            return head.toLowerCase(Locale.ROOT).contains("\r\nconnection: close\r\n");
        }
    }

    private static void send(SSLSocket s, String request) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static Response read(SSLSocket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("the listener closed the connection before a whole response head: " + head);
            }
            head.write(c);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        Matcher length = Pattern.compile("(?i)\r\ncontent-length: (\\d+)\r\n").matcher(h);
        byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
        return new Response(Integer.parseInt(h.substring(9, 12)), h, new String(body, StandardCharsets.UTF_8));
    }

    private static Response exchange(SSLSocket s, String request) throws IOException {
        send(s, request);
        return read(s);
    }

    private static void assertClosedAfter(SSLSocket s) throws IOException {
        assertThat(s.getInputStream().read()).as("the listener closed the connection").isEqualTo(-1);
    }

    @Test
    void aProbeIsAnsweredAgainAndAgainOnOneConnectionAndAQueryIsIgnored() throws IOException {
        try (SSLSocket s = connect()) {
            for (String path : List.of(PeerServer.PROBE_PATH, PeerServer.PROBE_PATH + "?x=1", PeerServer.PROBE_PATH)) {
                Response r = exchange(s, "GET " + path + " HTTP/1.1\r\nHost: node-2\r\n\r\n");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.head()).containsIgnoringCase("Content-Type: application/json");
                assertThat(r.body()).isEqualTo("{\"caller\":\"spiffe://mesh.test/node/node-1\"}");
                assertThat(r.closes()).isFalse();
            }
        }
        assertThat(refusals).isEmpty();
    }

    @Test
    void anUnknownPathIs404AndTheConnectionStaysUsable() throws IOException {
        try (SSLSocket s = connect()) {
            Response r = exchange(s, "GET /peer/v1/nothing HTTP/1.1\r\nHost: node-2\r\n\r\n");
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.body()).contains("\"code\":\"NOT_FOUND\"");
            assertThat(exchange(s, "GET " + PeerServer.PROBE_PATH + " HTTP/1.1\r\nHost: node-2\r\n\r\n").status()).isEqualTo(200);
        }
    }

    @Test
    void aRouteTheCallerIsNotAllowedIs403NamingTheCaller() throws IOException {
        try (SSLSocket s = connect()) {
            Response r = exchange(s, "GET " + PROBE_ONLY_FOR_NODE_3 + " HTTP/1.1\r\nHost: node-2\r\n\r\n");
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.body()).isEqualTo("{\"code\":\"FORBIDDEN\",\"message\":\"spiffe://mesh.test/node/node-1 may not call " + PROBE_ONLY_FOR_NODE_3 + "\"}");
        }
    }

    @Test
    void aMethodOtherThanGetIs405AndTheConnectionIsClosed() throws IOException {
        try (SSLSocket s = connect()) {
            Response r = exchange(s, "POST " + PeerServer.PROBE_PATH + " HTTP/1.1\r\nHost: node-2\r\nContent-Length: 0\r\n\r\n");
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.body()).contains("\"code\":\"METHOD_NOT_ALLOWED\"");
            assertThat(r.closes()).isTrue();
            assertClosedAfter(s);
        }
    }

    @Test
    void aRequestWithABodyIsRefusedSoThatNoRequestCanHideInsideAnother() throws IOException {
        for (String header : List.of("Content-Length: 49", "Transfer-Encoding: chunked")) {
            try (SSLSocket s = connect()) {
                Response r = exchange(s, "GET " + PeerServer.PROBE_PATH + " HTTP/1.1\r\nHost: node-2\r\n" + header + "\r\n\r\n"
                        + "GET /peer/v1/for-node-3 HTTP/1.1\r\nHost: node-2\r\n\r\n");
                assertThat(r.status()).as(header).isEqualTo(400);
                assertThat(r.body()).contains("\"code\":\"BODY_NOT_ALLOWED\"");
                assertClosedAfter(s);
            }
        }
    }

    @Test
    void oversizedRequestHeadsAreRefusedWith414Or431() throws IOException {
        try (SSLSocket s = connect()) {
            Response r = exchange(s, "GET /peer/" + "a".repeat(PeerServer.MAX_LINE) + " HTTP/1.1\r\n\r\n");
            assertThat(r.status()).isEqualTo(414);
            assertClosedAfter(s);
        }
        try (SSLSocket s = connect()) {
            Response r = exchange(s, "GET " + PeerServer.PROBE_PATH + " HTTP/1.1\r\n" + "X-A: b\r\n".repeat(PeerServer.MAX_HEADERS + 1) + "\r\n");
            assertThat(r.status()).isEqualTo(431);
            assertClosedAfter(s);
        }
        try (SSLSocket s = connect()) {
            Response r = exchange(s, "GET " + PeerServer.PROBE_PATH + " HTTP/1.1\r\nX-A: " + "b".repeat(PeerServer.MAX_HEADER_BYTES) + "\r\n\r\n");
            assertThat(r.status()).isEqualTo(431);
            assertThat(r.body()).contains("\"code\":\"HEADERS_TOO_LARGE\"");
        }
    }

    @Test
    void aMalformedRequestLineIs400AndAnotherHttpVersionIs505() throws IOException {
        try (SSLSocket s = connect()) {
            assertThat(exchange(s, "GET\r\n\r\n").status()).isEqualTo(400);
        }
        try (SSLSocket s = connect()) {
            assertThat(exchange(s, "GET " + PeerServer.PROBE_PATH + " HTTP/1.0\r\n\r\n").status()).isEqualTo(505);
        }
        try (SSLSocket s = connect()) {
            assertThat(exchange(s, "GET " + PeerServer.PROBE_PATH + " HTTP/1.1\r\nno colon here\r\n\r\n").status()).isEqualTo(400);
        }
    }

    @Test
    void aClientWithoutACertificateGetsNoAnswer() throws Exception {
        SSLContext anonymous = SSLContext.getInstance("TLSv1.3");
        anonymous.init(null, new javax.net.ssl.TrustManager[] {SvidTls.trustManager(ca.bundle(), InstantSource.system(),
                SpiffeId.node(DOMAIN, "node-2")::equals, r -> {})}, null);
        try (SSLSocket s = (SSLSocket) anonymous.getSocketFactory().createSocket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            // TLS 1.3 finishes the client's side of the handshake before the server has checked
            // the client's (absent) certificate; the refusal arrives with the first read.
            assertThatThrownBy(() -> {
                s.startHandshake();
                send(s, "GET " + PeerServer.PROBE_PATH + " HTTP/1.1\r\nHost: node-2\r\n\r\n");
                read(s);
            }).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aHeldWatchIsAnswered410WhenTheListenerCloses() throws Exception {
        try (SSLSocket s = connect()) {
            send(s, "GET " + PeerServer.WATCH_PATH + " HTTP/1.1\r\nHost: node-2\r\n\r\n");
            // The watch is held; closing the listener answers it at once.
            Thread closer = Thread.ofPlatform().start(server::close);
            Response r = read(s);
            closer.join();
            assertThat(r.status()).isEqualTo(410);
            assertClosedAfter(s);
        }
    }
}
