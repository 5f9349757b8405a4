package io.x0tta6bl4.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.x0tta6bl4.bench.DetectionBench;
import io.x0tta6bl4.bench.Soak;
import io.x0tta6bl4.identity.JwtSvidVerifier;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SvidTls;
import io.x0tta6bl4.identity.TokenRejectedException;
import io.x0tta6bl4.identity.TrustBundle;
import io.x0tta6bl4.node.NodeConfig;
import io.x0tta6bl4.node.NodeConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalCluster} and the detection harness end to end, with stand-in node processes
 * ({@link Node}): each reads its node.yaml and credentials, serves the documented view over
 * HTTPS with its SVID to a caller whose bearer token verifies (401 otherwise), answers 403 as if
 * it had no policy yet for its first two seconds, and judges its peers by echo probes on their peer
 * ports (every 100 ms, a 50 ms deadline, 2 misses suspect, 3 down). They let the orchestration be
 * tested apart from the real node, quickly; LocalClusterTest runs the real one.
 */
@Timeout(120)
class LocalClusterStandInTest {
    @TempDir Path dir;
    private LocalCluster cluster;
    private final List<String> progress = java.util.Collections.synchronizedList(new ArrayList<>());

    private static ClusterState.Launch standIn() {
        ClusterState.Launch real = ClusterState.Launch.current();
        List<String> options = new ArrayList<>(real.jvmOptions());
        // A small serial-GC heap instead of the nodes' ZGC heap settings.
        options.removeIf(o -> o.startsWith("-Xm") || o.startsWith("-XX:SoftMaxHeapSize") || o.startsWith("-XX:Z") || o.equals("-XX:+UseZGC"));
        options.addAll(0, List.of("-XX:+UseSerialGC", "-Xmx64m"));
        options.add("-XX:TieredStopAtLevel=1");
        return new ClusterState.Launch(real.java(), options, real.classPath(), Node.class.getName(), real.arguments());
    }

    @AfterEach
    void down() {
        progress.forEach(System.out::println);
        if (cluster != null) {
            cluster.close();
        }
        if (java.nio.file.Files.exists(dir.resolve(ClusterState.FILE))) {
            try (LocalCluster c = LocalCluster.open(dir, line -> {})) {
                c.down();
            }
        }
    }

    @Test
    void anUpThatTimesOutSaysWhoSeesWhatAndLeavesTheProcessesRunning() {
        assertThatThrownBy(() -> LocalCluster.up(dir, LocalCluster.Settings.defaults(2), standIn(), Duration.ofMillis(1), progress::add))
                .isInstanceOfSatisfying(ClusterException.class, e -> assertThat(e.kind()).isEqualTo(ClusterException.Kind.FAILED))
                .hasMessageContaining("the cluster was not ready within 0 s:")
                .hasMessageContaining("  node-1: ").hasMessageContaining("  node-2: ")
                .hasMessageContaining("the processes are still running; read the logs (" + dir.toAbsolutePath() + "/node-*/node.log), then run cluster down --dir");
        try (LocalCluster c = LocalCluster.open(dir, line -> {})) {
            assertThat(c.processState("node-1").live()).isTrue();
            assertThat(c.processState("node-2").live()).isTrue();
        }
    }

    @Test
    void upKillStartBenchAndDown() throws Exception {
        cluster = LocalCluster.up(dir, LocalCluster.Settings.defaults(3), standIn(), Duration.ofSeconds(60), progress::add);
        assertThat(progress).anyMatch(l -> l.startsWith("node-3 started (pid ")).anyMatch(l -> l.startsWith("all 3 nodes see each other alive"))
                .anyMatch(l -> l.contains("waiting for the policy to be installed"));
        // Every node's config names the cluster's policy file, which parses as the default policy.
        assertThat(java.nio.file.Files.readString(dir.resolve("policy.yaml"))).isEqualTo(io.x0tta6bl4.policy.Policy.defaultDocument("x0tta6bl4.local"));
        NodeConfig config = NodeConfigLoader.load(dir.resolve("node-2").resolve("node.yaml"));
        assertThat(config.api().audience()).isEqualTo(ClusterToken.AUDIENCE);
        assertThat(config.api().bootstrapPolicy()).hasValueSatisfying(p -> assertThat(p.source())
                .isEqualTo(io.x0tta6bl4.policy.Policy.defaultDocument("x0tta6bl4.local")));
        ClusterStatus status = cluster.status();
        assertThat(status.healthy()).isTrue();
        assertThat(status.leader()).contains("node-1");
        for (ClusterStatus.NodeStatus n : status.nodes()) {
            assertThat(n.view().orElseThrow().pid()).as("the recorded pid is the node's own").isEqualTo(n.node().process().orElseThrow().pid());
        }

        DetectionBench.Report kill = new DetectionBench(cluster, progress::add).run(DetectionBench.Mode.KILL, 2, Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ZERO, run -> progress.add("kill run " + run));
        assertThat(kill.runs()).extracting(DetectionBench.Run::victim).containsExactly("node-2", "node-3");
        assertThat(kill.missed()).isZero();
        assertThat(kill.times()).allSatisfy(t -> assertThat(t).isPositive().isLessThan(Duration.ofSeconds(2)));

        DetectionBench.Report pause = new DetectionBench(cluster, progress::add).run(DetectionBench.Mode.PAUSE, 1, Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ZERO, run -> progress.add("pause run " + run));
        assertThat(pause.missed()).isZero();
        assertThat(cluster.status().healthy()).isTrue();

        Soak.Report soak = new Soak(cluster, progress::add).run(Duration.ofSeconds(2), 1, Duration.ofSeconds(30));
        assertThat(soak.passed()).as(soak.toString()).isTrue();
        assertThat(soak.polls()).isPositive();

        List<Long> pids = cluster.state().nodes().stream().map(n -> n.process().orElseThrow().pid()).toList();
        assertThat(cluster.down()).extracting(LocalCluster.Ended::outcome).containsOnly(LocalCluster.Ended.Outcome.STOPPED);
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse());
    }

    /** A stand-in node: the documented view over HTTPS, and a crude but honest failure detector. */
    public static final class Node {
        /** How long a stand-in answers 403 "no policy" after its start, as a real node does until the leader ledgers one. */
        static final Duration NO_POLICY_FOR = Duration.ofSeconds(2);
        private final NodeConfig config;
        private final Instant started = Instant.now();
        private final Map<String, String> states = new LinkedHashMap<>();
        private final Map<String, Integer> misses = new LinkedHashMap<>();
        private final Deque<ObjectNode> changes = new ArrayDeque<>();

        /** The other nodes as cluster.json records them (node.yaml no longer lists peers: the ledger's membership does). */
        private final List<ClusterState.NodeRecord> peers;

        Node(NodeConfig config) {
            this.config = config;
            this.peers = ClusterState.load(config.source().toAbsolutePath().getParent().getParent()).nodes().stream()
                    .filter(n -> !n.name().equals(config.name())).toList();
            peers.forEach(p -> {
                states.put(p.name(), "alive");
                misses.put(p.name(), 0);
            });
        }

        public static void main(String[] args) throws Exception {
            NodeConfig config = NodeConfigLoader.load(Path.of(args[args.length - 1]));
            new Node(config).run(NodeCredentials.load(config.credentialsDir()));
        }

        void run(NodeCredentials creds) throws Exception {
            InetAddress lo = InetAddress.getLoopbackAddress();
            ServerSocket peer = new ServerSocket(config.ports().peer(), 50, lo);
            Thread.ofPlatform().daemon().start(() -> echo(peer));
            SSLContext ssl = SSLContext.getInstance("TLSv1.3");
            ssl.init(SvidTls.keyManagers(creds), null, null);
            HttpsServer api = HttpsServer.create(new InetSocketAddress(lo, config.ports().api()), 50);
            api.setHttpsConfigurator(new HttpsConfigurator(ssl));
            JwtSvidVerifier verifier = new JwtSvidVerifier(TrustBundle.load(config.bundleDir()), InstantSource.system());
            api.createContext(NodeClient.VIEW_PATH, exchange -> {
                String auth = exchange.getRequestHeaders().getFirst("Authorization");
                int status = 200;
                String body;
                try {
                    if (auth == null || !auth.startsWith("Bearer ")) {
                        throw new TokenRejectedException(TokenRejectedException.Reason.MALFORMED, "no bearer token");
                    }
                    verifier.verify(auth.substring("Bearer ".length()), config.api().audience());
                    if (Instant.now().isBefore(started.plus(NO_POLICY_FOR))) {
                        status = 403;
                        body = "{\"error\":\"access_denied\",\"rule\":\"default-deny\",\"reason\":\"" + io.x0tta6bl4.policy.Decision.NO_POLICY + "\"}";
                    } else {
                        body = view();
                    }
                } catch (TokenRejectedException e) {
                    status = 401;
                    body = JsonReader.MAPPER.createObjectNode().put("error", "invalid_token").put("reason", e.reason().code())
                            .put("message", e.getMessage()).toString();
                }
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            });
            api.start();
            ScheduledExecutorService probes = Executors.newScheduledThreadPool(Math.max(1, peers.size()));
            for (ClusterState.NodeRecord p : peers) {
                probes.scheduleAtFixedRate(() -> probe(p), 100, 100, TimeUnit.MILLISECONDS);
            }
            System.out.println(config.name() + " ready");
            Thread.currentThread().join();
        }

        private static void echo(ServerSocket server) {
            while (true) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s; InputStream in = s.getInputStream()) {
                            int b;
                            while ((b = in.read()) >= 0) {
                                s.getOutputStream().write(b);
                            }
                        } catch (IOException ignored) {
                            // the prober went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void probe(ClusterState.NodeRecord p) {
            boolean ok;
            String failure = "timeout";
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", p.peerPort()), 50);
                s.setSoTimeout(50);
                s.getOutputStream().write(1);
                ok = s.getInputStream().read() == 1;
            } catch (java.net.ConnectException e) {
                ok = false;
                failure = "refused";
            } catch (IOException e) {
                ok = false;
            }
            synchronized (this) {
                int m = ok ? 0 : misses.get(p.name()) + 1;
                misses.put(p.name(), m);
                String next = m >= 3 ? "down" : m >= 2 ? "suspect" : "alive";
                String now = states.get(p.name());
                if (!next.equals(now) && !(now.equals("down") && next.equals("suspect"))) {
                    ObjectNode c = JsonReader.MAPPER.createObjectNode();
                    c.put("peer", p.name()).put("from", now).put("to", next).put("at", Instant.now().toString())
                            .put("evidence", ok ? "probe answered" : m + " consecutive misses (" + failure + ")");
                    changes.addLast(c);
                    if (changes.size() > 100) {
                        changes.removeFirst();
                    }
                    states.put(p.name(), next);
                }
            }
        }

        private synchronized String view() {
            ObjectNode v = JsonReader.MAPPER.createObjectNode();
            v.put("name", config.name());
            v.put("id", "spiffe://" + config.trustDomain() + "/node/" + config.name());
            v.put("pid", ProcessHandle.current().pid());
            String leader = config.name();
            for (ClusterState.NodeRecord p : peers) {
                if (p.voter() && states.get(p.name()).equals("alive") && p.name().compareTo(leader) < 0) {
                    leader = p.name();
                }
            }
            v.put("leader", leader);
            v.put("ledger_size", 0);
            ArrayNode peers = v.putArray("peers");
            states.forEach((name, state) -> peers.addObject().put("name", name).put("state", state));
            v.putArray("changes").addAll(changes);
            return v.toString();
        }
    }
}
