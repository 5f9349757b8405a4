package io.x0tta6bl4.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.time.ThreadScheduler;
import io.x0tta6bl4.transport.PeerClient;
import io.x0tta6bl4.transport.PeerRoute;
import io.x0tta6bl4.transport.PeerServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer that goes away is probed at once, not at its next due probe. The probe interval here is
 * an hour, so without the watch the peer would stay ALIVE for the whole test.
 */
class PeerWatchTest {
    private static final String DOMAIN = "mesh.test";
    private static final DetectorSettings HOURLY = new DetectorSettings(DetectorSettings.Kind.CONSECUTIVE_MISSES, Duration.ofHours(1),
            Duration.ofMillis(200), 2, 3, 3.0, 8.0, Duration.ofMillis(25), Duration.ofSeconds(1), 1);
    @TempDir static Path dir;
    static CertificateAuthority ca;
    static NodeCredentials one;
    static NodeCredentials two;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final ThreadScheduler scheduler = new ThreadScheduler("test-scheduler", Thread.NORM_PRIORITY, e -> { });
    private final ExecutorService calls = Executors.newCachedThreadPool();

    @BeforeAll
    static void issue() {
        SecureRandom random = new SecureRandom();
        Instant now = Instant.now();
        ca = CertificateAuthority.init(dir.resolve("ca"), DOMAIN, now, random);
        one = ca.issueNode("node-1", Duration.ofHours(1), now, random);
        two = ca.issueNode("node-2", Duration.ofHours(1), now, random);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        scheduler.close();
        calls.shutdownNow();
    }

    private PeerServer serveNodeTwo() {
        PeerServer server = PeerServer.start("127.0.0.1", 0, two, ca.bundle(), InstantSource.system(),
                id -> id.equals(SpiffeId.node(DOMAIN, "node-1")), r -> {},
                List.of(new PeerRoute(PeerServer.PROBE_PATH, caller -> true,
                        caller -> PeerRoute.Reply.json("{\"node\":\"node-2\",\"suspect\":[],\"down\":[]}".getBytes(StandardCharsets.UTF_8)))));
        open.add(server);
        return server;
    }

    private PeerClient client(int port, Duration timeout) {
        PeerClient c = PeerClient.create("node-2", "127.0.0.1", port, one, ca.bundle(), InstantSource.system(), SpiffeId.node(DOMAIN, "node-2"),
                timeout, r -> {});
        open.add(c);
        return c;
    }

    /** node-1's view of node-2: a prober on an hourly schedule and a watch, both through {@code port}. */
    private Prober watchNodeTwo(int port, List<StateChange> changes) {
        FailureDetector detector = new FailureDetector(HOURLY, List.of("node-2"), System.nanoTime());
        Prober prober = new Prober(detector, scheduler, calls, System::nanoTime);
        PeerClient probes = client(port, Prober.SOCKET_TIMEOUT);
        prober.add("node-2", probes::probe);
        prober.addListener(new Prober.Listener() {
                    @Override
                    public void onProbe(String peer, ProbeResult result, Optional<ProbeAnswer> answer) {
                    }

                    @Override
                    public void onChanges(List<StateChange> list) {
                        changes.addAll(list);
                    }
                });
        open.add(prober);
        PeerWatch watch = new PeerWatch(calls, scheduler, Duration.ofSeconds(1), prober::probeNow);
        open.add(watch);
        prober.start();
        PeerClient watches = client(port, PeerServer.WATCH_HOLD.plusSeconds(5));
        watch.add("node-2", watches::watch);
        return prober;
    }

    @Test
    void aPeerWhoseConnectionsAreCutAsAKilledProcessIsMarkedDownWithoutWaitingForItsNextProbe() throws Exception {
        PeerServer server = serveNodeTwo();
        List<StateChange> changes = new CopyOnWriteArrayList<>();
        try (Relay relay = new Relay(server.port())) {
            Prober prober = watchNodeTwo(relay.port(), changes);
            // The first probe (at start) answered, and the watch connection is up.
            await().atMost(Duration.ofSeconds(10)).until(() -> relay.accepted() >= 2 && prober.answers().containsKey("node-2"));

            relay.die();

            await().atMost(Duration.ofSeconds(10)).until(() -> prober.states().get("node-2") == PeerState.DOWN);
        }
        assertThat(changes).extracting(StateChange::to).containsExactly(PeerState.SUSPECT, PeerState.DOWN);
        assertThat(changes.getLast().evidence()).contains("refused");
    }

    @Test
    void aPeerThatStopsGracefullyIsMarkedDownWithoutWaitingForItsNextProbe() {
        PeerServer server = serveNodeTwo();
        List<StateChange> changes = new CopyOnWriteArrayList<>();
        Prober prober = watchNodeTwo(server.port(), changes);
        await().atMost(Duration.ofSeconds(10)).until(() -> prober.answers().containsKey("node-2"));

        server.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> prober.states().get("node-2") == PeerState.DOWN);
        assertThat(changes).extracting(StateChange::to).containsExactly(PeerState.SUSPECT, PeerState.DOWN);
    }

    @Test
    void aWatchThatTimesOutIsABreakAndIsRenewedOnANewConnection() throws Exception {
        PeerServer server = serveNodeTwo();
        List<String> breaks = new CopyOnWriteArrayList<>();
        try (Relay relay = new Relay(server.port())) {
            // Its read timeout is shorter than the hold: as when the peer is paused, the watch times out.
            PeerWatch watch = new PeerWatch(calls, scheduler, Duration.ofMillis(100), breaks::add);
            open.add(watch);
            PeerClient watches = client(relay.port(), Duration.ofMillis(300));
            watch.add("node-2", watches::watch);
            await().atMost(Duration.ofSeconds(10)).until(() -> breaks.size() >= 2 && relay.accepted() >= 2);
            assertThat(breaks).containsOnly("node-2");
        }
    }

    /**
     * A TCP relay in front of a listener. {@link #die} does what the kernel does to a killed
     * process's sockets: it closes the listener, then every open connection.
     */
    private static final class Relay implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final int upstream;
        private volatile int accepted;

        Relay(int upstream) throws IOException {
            this.upstream = upstream;
            Thread.ofPlatform().daemon().start(this::accept);
        }

        int port() {
            return listener.getLocalPort();
        }

        int accepted() {
            return accepted;
        }

        private void accept() {
            while (!listener.isClosed()) {
                try {
                    Socket down = listener.accept();
                    Socket up = new Socket(InetAddress.getLoopbackAddress(), upstream);
                    sockets.add(down);
                    sockets.add(up);
                    accepted++;
                    pump(down, up);
                    pump(up, down);
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void pump(Socket from, Socket to) {
            Thread.ofPlatform().daemon().start(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // one side closed
                }
            });
        }

        void die() throws IOException {
            listener.close();
            for (Socket s : sockets) {
                s.close();
            }
        }

        @Override
        public void close() throws IOException {
            die();
        }
    }
}
