package io.x0tta6bl4.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.x0tta6bl4.identity.JwtSvidVerifier;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SvidTls;
import io.x0tta6bl4.identity.TokenRejectedException;
import io.x0tta6bl4.identity.TrustBundle;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * A stand-in for a node process, so the host agent and the cluster commands can be tested apart
 * from the real node, quickly. It reads a node.yaml of version 2 (name, trust domain, host, data,
 * bundle and credentials folders, audience), and then behaves as the contract says a node does,
 * in the small:
 *
 * <ul>
 *   <li>binds an HTTPS API (its real X.509-SVID), a peer port and a Raft port, all on port 0, and
 *       once all three are bound writes {@code data/endpoints.json} atomically with its pid and
 *       its JVM's start instant;
 *   <li>{@code GET /health} answers 200 to anyone;
 *   <li>{@code GET /api/node} and {@code GET /api/members} check the bearer token as a node does
 *       (ML-DSA-65 signature against the bundle, expiry, audience: 401 otherwise), answer 403 "no
 *       policy yet" for the first {@code -Dstandin.noPolicyMillis} (default 1000) after its first
 *       start, as a real node does until the leader ledgers one, and then its view and the
 *       membership; started again on the same data folder, it has its policy at once, as a real
 *       node has, whose ledger on disk holds it;
 *   <li>its "membership" is every sibling folder of the cluster directory that holds an
 *       endpoints.json, in name order, the first five voters; it probes each member's peer port
 *       (an echo, every 100 ms, 50 ms deadline), does not judge one until it has answered three
 *       probes in a row (joining), then 2 misses in a row are suspect and 3 down;
 *   <li>it opens an SQLite database in its data folder, as a node's ledger does, so that
 *       sqlite-jdbc loads its native library the way it does in a node;
 *   <li>with {@code -Dstandin.audience=AUD} it expects tokens for that audience instead of its
 *       node.yaml's, as a node configured for another mesh would;
 *   <li>with {@code -Dstandin.failAtStart=TEXT} it prints TEXT and exits 2 at once, as a node with a
 *       bad config does;
 *   <li>SIGTERM ends it (exit 143), SIGKILL kills it.
 * </ul>
 *
 * Membership changes (fence, leave) are not stood in for; the real node's tests cover them.
 */
public final class StandInNode {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final int ADMIT_AFTER = 3;

    private final String name;
    private final String trustDomain;
    private final String host;
    private final Path clusterDir;
    private final Instant started = ProcessHandle.current().info().startInstant().orElseThrow();
    private long noPolicyUntil;
    private final Map<String, Peer> peers = new TreeMap<>(StandInNode::byNumber);
    private final Deque<ObjectNode> changes = new ArrayDeque<>();

    /** What this node believes about one member. */
    private static final class Peer {
        int peerPort;
        long pid;
        int good;
        int misses;
        boolean admitted;
        String state = "joining";
        Instant since = Instant.now();
        Optional<String> lastFailure = Optional.empty();
        int api;
        int raft;
    }

    private StandInNode(String name, String trustDomain, String host, Path clusterDir) {
        this.name = name;
        this.trustDomain = trustDomain;
        this.host = host;
        this.clusterDir = clusterDir;
    }

    public static void main(String[] args) throws Exception {
        String fail = System.getProperty("standin.failAtStart");
        if (fail != null) {
            System.out.println(fail);
            System.exit(2);
        }
        Path config = Path.of(args[args.length - 1]).toAbsolutePath();
        JsonNode y = YAML.readTree(config.toFile());
        Path base = config.getParent();
        String name = y.path("name").asText();
        StandInNode node = new StandInNode(name, y.path("trust_domain").asText(), y.path("host").asText("127.0.0.1"), base.getParent());
        node.run(NodeCredentials.load(base.resolve(y.path("credentials_dir").asText())), TrustBundle.load(base.resolve(y.path("bundle_dir").asText())),
                base.resolve(y.path("data_dir").asText()), System.getProperty("standin.audience", y.path("api").path("audience").asText("x0tta6bl4")));
    }

    private void run(NodeCredentials creds, TrustBundle bundle, Path dataDir, String audience) throws Exception {
        Files.createDirectories(dataDir);
        boolean restarted = Files.exists(dataDir.resolve("standin.db"));
        noPolicyUntil = System.nanoTime() + (restarted ? 0 : Duration.ofMillis(Long.getLong("standin.noPolicyMillis", 1000)).toNanos());
        java.sql.Connection db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("standin.db"));
        db.createStatement().execute("create table if not exists starts (at text)");
        InetAddress lo = InetAddress.getByName(host);
        ServerSocket peer = new ServerSocket(0, 50, lo);
        ServerSocket raft = new ServerSocket(0, 50, lo);
        Thread.ofPlatform().daemon().start(() -> echo(peer));
        Thread.ofPlatform().daemon().start(() -> echo(raft));
        SSLContext ssl = SSLContext.getInstance("TLSv1.3");
        ssl.init(SvidTls.keyManagers(creds), null, null);
        HttpsServer api = HttpsServer.create(new InetSocketAddress(lo, 0), 50);
        api.setHttpsConfigurator(new HttpsConfigurator(ssl));
        api.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        JwtSvidVerifier verifier = new JwtSvidVerifier(bundle, InstantSource.system());
        api.createContext("/health", ex -> send(ex, 200, "{\"status\":\"ok\"}"));
        api.createContext("/api/node", ex -> authorized(ex, verifier, audience, this::view));
        api.createContext("/api/members", ex -> authorized(ex, verifier, audience, this::members));
        api.start();
        ObjectNode e = JsonReader.MAPPER.createObjectNode().put("format", 1).put("name", name).put("pid", ProcessHandle.current().pid())
                .put("started", started.toString()).put("host", host).put("api", api.getAddress().getPort()).put("peer", peer.getLocalPort())
                .put("raft", raft.getLocalPort());
        Path tmp = dataDir.resolve("endpoints.json.tmp");
        Files.writeString(tmp, e.toString());
        Files.move(tmp, dataDir.resolve("endpoints.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        ScheduledExecutorService probes = Executors.newSingleThreadScheduledExecutor();
        probes.scheduleAtFixedRate(this::discover, 0, 300, TimeUnit.MILLISECONDS);
        probes.scheduleAtFixedRate(this::probeAll, 100, 100, TimeUnit.MILLISECONDS);
        System.out.println(name + " ready: api " + api.getAddress().getPort() + " peer " + peer.getLocalPort() + " raft " + raft.getLocalPort());
        Thread.currentThread().join();
    }

    private interface Body {
        String get() throws IOException;
    }

    private void authorized(HttpExchange ex, JwtSvidVerifier verifier, String audience, Body body) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        try {
            if (auth == null || !auth.startsWith("Bearer ")) {
                throw new TokenRejectedException(TokenRejectedException.Reason.MALFORMED, "no bearer token");
            }
            verifier.verify(auth.substring("Bearer ".length()), audience);
        } catch (TokenRejectedException e) {
            send(ex, 401, JsonReader.MAPPER.createObjectNode().put("error", "invalid_token").put("reason", e.reason().code())
                    .put("message", e.getMessage()).toString());
            return;
        }
        if (System.nanoTime() - noPolicyUntil < 0) {
            send(ex, 403, "{\"error\":\"access_denied\",\"rule\":\"default-deny\",\"reason\":\"" + io.x0tta6bl4.policy.Decision.NO_POLICY + "\"}");
            return;
        }
        send(ex, 200, body.get());
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
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

    private static int byNumber(String a, String b) {
        return Long.compare(number(a), number(b)) != 0 ? Long.compare(number(a), number(b)) : a.compareTo(b);
    }

    private static long number(String n) {
        String digits = n.replaceAll("\\D", "");
        return digits.isEmpty() ? 0 : Long.parseLong(digits);
    }

    /** Members are the sibling folders with an endpoints.json; a member that published again (restarted) keeps its state. */
    private void discover() {
        try (Stream<Path> dirs = Files.list(clusterDir)) {
            for (Path d : dirs.toList()) {
                Path f = d.resolve("data").resolve("endpoints.json");
                String member = d.getFileName().toString();
                if (!Files.isRegularFile(f)) {
                    continue;
                }
                JsonNode e = JsonReader.MAPPER.readTree(Files.readString(f));
                synchronized (this) {
                    Peer p = peers.computeIfAbsent(member, k -> new Peer());
                    p.peerPort = e.path("peer").asInt();
                    p.api = e.path("api").asInt();
                    p.raft = e.path("raft").asInt();
                    p.pid = e.path("pid").asLong();
                }
            }
        } catch (IOException | RuntimeException e) {
            // a half-listed directory; the next round sees it whole
        }
    }

    private void probeAll() {
        List<String> names;
        synchronized (this) {
            names = peers.keySet().stream().filter(n -> !n.equals(name)).toList();
        }
        names.forEach(this::probe);
    }

    private void probe(String member) {
        int port;
        synchronized (this) {
            port = peers.get(member).peerPort;
        }
        boolean ok;
        String failure = "timeout";
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 50);
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
            Peer p = peers.get(member);
            if (ok) {
                p.good++;
                p.misses = 0;
                if (!p.admitted && p.good >= ADMIT_AFTER) {
                    p.admitted = true;
                }
            } else {
                p.good = 0;
                p.misses++;
                p.lastFailure = Optional.of(failure);
            }
            if (!p.admitted) {
                return;
            }
            String next = p.misses >= 3 ? "down" : p.misses >= 2 ? "suspect" : "alive";
            if (!next.equals(p.state) && !(p.state.equals("down") && next.equals("suspect"))) {
                ObjectNode c = JsonReader.MAPPER.createObjectNode();
                c.put("peer", member).put("from", p.state).put("to", next).put("at", Instant.now().toString())
                        .put("evidence", ok ? "probe answered" : p.misses + " consecutive misses (" + failure + ")");
                changes.addLast(c);
                if (changes.size() > 100) {
                    changes.removeFirst();
                }
                p.state = next;
                p.since = Instant.now();
            }
        }
    }

    private synchronized String role(String member) {
        int i = 0;
        for (String n : peers.keySet()) {
            if (n.equals(member)) {
                return i < 5 ? "voter" : "listener";
            }
            i++;
        }
        return "voter";
    }

    private synchronized String view() {
        ObjectNode v = JsonReader.MAPPER.createObjectNode();
        v.put("name", name);
        v.put("id", "spiffe://" + trustDomain + "/node/" + name);
        v.put("pid", ProcessHandle.current().pid());
        v.put("started", started.toString());
        String leader = name;
        for (String n : peers.keySet()) {
            if (role(n).equals("voter") && (n.equals(name) || peers.get(n).state.equals("alive")) && byNumber(n, leader) < 0) {
                leader = n;
            }
        }
        v.put("leader", role(leader).equals("voter") ? leader : name);
        v.put("ledger_size", 0);
        v.put("raft_role", leader.equals(name) ? "LEADER" : role(name).equals("voter") ? "FOLLOWER" : "LISTENER");
        v.putObject("membership").put("status", "active").put("role", role(name));
        ArrayNode ps = v.putArray("peers");
        peers.forEach((n, p) -> {
            if (!n.equals(name)) {
                ObjectNode o = ps.addObject().put("name", n).put("state", p.state).put("since", p.since.toString()).put("role", role(n))
                        .put("status", "active");
                p.lastFailure.ifPresentOrElse(f -> o.put("last_failure", f), () -> o.putNull("last_failure"));
                o.putArray("reports_down");
            }
        });
        v.putArray("changes").addAll(changes);
        return v.toString();
    }

    private synchronized String members() {
        ObjectNode m = JsonReader.MAPPER.createObjectNode();
        ArrayNode list = m.putArray("members");
        ArrayNode voters = JsonReader.MAPPER.createArrayNode();
        ArrayNode listeners = JsonReader.MAPPER.createArrayNode();
        long max = 0;
        for (Map.Entry<String, Peer> e : peers.entrySet()) {
            Peer p = e.getValue();
            String r = role(e.getKey());
            list.addObject().put("name", e.getKey()).put("spiffe_id", "spiffe://" + trustDomain + "/node/" + e.getKey()).put("role", r)
                    .put("status", "active").put("host", host).put("api_port", p.api).put("peer_port", p.peerPort).put("raft_port", p.raft)
                    .put("joined_at", 0).put("since", 0).putNull("reason");
            (r.equals("voter") ? voters : listeners).add(e.getKey());
            max = Math.max(max, number(e.getKey()));
        }
        m.put("next_name", "node-" + (max + 1));
        ObjectNode raft = m.putObject("raft");
        raft.set("voters", voters);
        raft.set("listeners", listeners);
        raft.put("changing", false);
        return m.toString();
    }
}
