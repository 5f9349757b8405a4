package io.x0tta6bl4.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.SvidTls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mutual-TLS peer channel between real listeners on loopback. */
class PeerChannelTest {
    private static final String DOMAIN = "mesh.test";
    private static final Duration TIMEOUT = Duration.ofMillis(200);
    @TempDir static Path dir;
    static CertificateAuthority ca;
    static CertificateAuthority foreignCa;
    static NodeCredentials one;
    static NodeCredentials two;
    static NodeCredentials three;
    static NodeCredentials impostor;

    @BeforeAll
    static void issue() {
        SecureRandom random = new SecureRandom();
        Instant now = Instant.now();
        ca = CertificateAuthority.init(dir.resolve("ca"), DOMAIN, now, random);
        one = ca.issueNode("node-1", Duration.ofHours(1), now, random);
        two = ca.issueNode("node-2", Duration.ofHours(1), now, random);
        three = ca.issueNode("node-3", Duration.ofHours(1), now, random);
        foreignCa = CertificateAuthority.init(dir.resolve("foreign"), DOMAIN, now, random);
        impostor = foreignCa.issueNode("node-2", Duration.ofHours(1), now, random);
    }

    private static final List<SpiffeId> MEMBERS = List.of(SpiffeId.node(DOMAIN, "node-1"), SpiffeId.node(DOMAIN, "node-2"));

    private PeerServer serve(NodeCredentials self, List<SvidTls.Refusal> refusals) {
        return PeerServer.start("127.0.0.1", 0, self, ca.bundle(), InstantSource.system(), MEMBERS::contains, refusals::add,
                List.of(new PeerRoute(PeerServer.PROBE_PATH, MEMBERS::contains,
                        caller -> PeerRoute.Reply.json(("{\"caller\":\"" + caller + "\"}").getBytes(StandardCharsets.UTF_8)))));
    }

    private PeerClient client(NodeCredentials self, String peer, int port, List<SvidTls.Refusal> refusals) {
        return PeerClient.create(peer, "127.0.0.1", port, self, ca.bundle(), InstantSource.system(), SpiffeId.node(DOMAIN, peer), TIMEOUT,
                refusals::add);
    }

    private static String chain(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            b.append(t).append(" <- ");
        }
        return b.toString();
    }

    @Test
    void aPortInUseFailsTheStartInsteadOfLeavingANodeWithoutItsListener() throws IOException {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> PeerServer.start("127.0.0.1", taken.getLocalPort(), two, ca.bundle(), InstantSource.system(), MEMBERS::contains,
                    r -> {}, List.of()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the peer listener cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (is the port in use by another process?)");
        }
    }

    @Test
    void aMemberProbesAMemberAndTheServerKnowsWhoAsked() throws Exception {
        List<SvidTls.Refusal> refusals = new CopyOnWriteArrayList<>();
        try (PeerServer server = serve(two, refusals); PeerClient client = client(one, "node-2", server.port(), refusals)) {
            for (int i = 0; i < 3; i++) {
                assertThat(new String(client.probe(), StandardCharsets.UTF_8)).isEqualTo("{\"caller\":\"spiffe://mesh.test/node/node-1\"}");
            }
        }
        assertThat(refusals).isEmpty();
    }

    @Test
    void aWatchIsHeldOpenUntilTheListenerClosesAndThenSaysItIsStopping() throws Exception {
        List<SvidTls.Refusal> refusals = new CopyOnWriteArrayList<>();
        PeerServer server = serve(two, refusals);
        try (PeerClient watcher = PeerClient.create("node-2", "127.0.0.1", server.port(), one, ca.bundle(), InstantSource.system(),
                SpiffeId.node(DOMAIN, "node-2"), PeerServer.WATCH_HOLD.plusSeconds(5), refusals::add)) {
            CompletableFuture<Boolean> watch = CompletableFuture.supplyAsync(() -> {
                try {
                    return watcher.watch();
                } catch (PeerCallException e) {
                    throw new IllegalStateException(e);
                }
            }, runnable -> Thread.ofPlatform().start(runnable));
            assertThatThrownBy(() -> watch.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            server.close();
            assertThat(watch.get(5, TimeUnit.SECONDS)).as("410: the peer is stopping").isTrue();
        } finally {
            server.close();
        }
        assertThat(refusals).isEmpty();
    }

    @Test
    void aWatchOfNothingListeningIsARefusal() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (PeerClient client = client(one, "node-2", port, new CopyOnWriteArrayList<>())) {
            assertThatThrownBy(client::watch).isInstanceOfSatisfying(PeerCallException.class,
                    e -> assertThat(e.kind()).isEqualTo(PeerCallException.Kind.REFUSED));
        }
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedAndReported() {
        List<SvidTls.Refusal> serverSide = new CopyOnWriteArrayList<>();
        List<SvidTls.Refusal> clientSide = new CopyOnWriteArrayList<>();
        try (PeerServer server = serve(one, serverSide);
             // The impostor trusts our (public) root but presents a certificate its own CA issued.
             PeerClient client = PeerClient.create("node-1", "127.0.0.1", server.port(), impostor, ca.bundle(), InstantSource.system(),
                     SpiffeId.node(DOMAIN, "node-1"), TIMEOUT, clientSide::add)) {
            // In TLS 1.3 the client finishes its half of the handshake before the server judges the
            // client certificate, so the client may see the server's abort as a closed connection.
            assertThatThrownBy(client::probe).isInstanceOfSatisfying(PeerCallException.class,
                    e -> assertThat(e.kind()).as(chain(e)).isIn(PeerCallException.Kind.TLS_FAILURE, PeerCallException.Kind.REFUSED));
        }
        assertThat(serverSide).isNotEmpty();
        assertThat(serverSide.getFirst().reason()).isNotBlank();
        assertThat(serverSide.getFirst().remote()).matches("(127\\.0\\.0\\.1|localhost):\\d+");
        assertThat(serverSide.getFirst().leaf()).isNotNull();
    }

    @Test
    void aMemberOfTheCaOutsideTheMembershipIsRefused() {
        List<SvidTls.Refusal> refusals = new CopyOnWriteArrayList<>();
        try (PeerServer server = serve(one, refusals); PeerClient client = client(three, "node-1", server.port(), refusals)) {
            assertThatThrownBy(client::probe).isInstanceOfSatisfying(PeerCallException.class,
                    e -> assertThat(e.kind()).as(chain(e)).isIn(PeerCallException.Kind.TLS_FAILURE, PeerCallException.Kind.REFUSED));
        }
        assertThat(refusals).anySatisfy(r -> assertThat(r.reason()).contains("node-3").contains("not a member"));
    }

    @Test
    void aClientRefusesAServerThatIsNotThePeerItCalled() {
        List<SvidTls.Refusal> refusals = new CopyOnWriteArrayList<>();
        // node-2 listens where node-1 was expected.
        try (PeerServer server = serve(two, refusals); PeerClient client = client(one, "node-1", server.port(), refusals)) {
            assertThatThrownBy(client::probe).isInstanceOfSatisfying(PeerCallException.class,
                    e -> assertThat(e.kind()).as(chain(e)).isEqualTo(PeerCallException.Kind.TLS_FAILURE));
        }
    }

    @Test
    void nothingListeningIsARefusal() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (PeerClient client = client(one, "node-2", port, new CopyOnWriteArrayList<>())) {
            assertThatThrownBy(client::probe).isInstanceOfSatisfying(PeerCallException.class,
                    e -> assertThat(e.kind()).isEqualTo(PeerCallException.Kind.REFUSED));
        }
    }

    @Test
    void aListenerThatNeverAnswersIsATimeout() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             PeerClient client = client(one, "node-2", silent.getLocalPort(), new CopyOnWriteArrayList<>())) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try (Socket s = silent.accept()) {
                    s.getInputStream().readAllBytes();
                } catch (IOException ignored) {
                    // closed by the test
                }
            });
            long start = System.nanoTime();
            assertThatThrownBy(client::probe).isInstanceOfSatisfying(PeerCallException.class,
                    e -> assertThat(e.kind()).as(e.toString()).isEqualTo(PeerCallException.Kind.TIMEOUT));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            acceptor.interrupt();
        }
    }
}
