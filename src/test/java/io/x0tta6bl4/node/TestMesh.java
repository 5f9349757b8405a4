package io.x0tta6bl4.node;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.policy.Policy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * N real node agents in this JVM on loopback (real TLS listeners, real Raft, real probes), with
 * the default policy of {@code cluster up} as bootstrap policy, and an HTTPS client that trusts
 * their CA. Close it to stop every agent.
 */
final class TestMesh implements AutoCloseable {
    static final String DOMAIN = "mesh.test";
    final Path dir;
    final CertificateAuthority ca;
    final Map<String, NodeAgent> agents = new LinkedHashMap<>();
    final Map<String, NodeConfig> configs = new LinkedHashMap<>();
    final HttpClient https;
    private final SecureRandom random = new SecureRandom();

    TestMesh(Path dir, int n) throws Exception {
        this.dir = dir;
        ca = CertificateAuthority.init(dir.resolve("ca"), DOMAIN, Instant.now(), random);
        Files.writeString(dir.resolve("policy.yaml"), Policy.defaultDocument(DOMAIN));
        List<Integer> free = freePorts(3 * n);
        List<int[]> ports = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ca.issueNode("node-" + i, Duration.ofHours(1), Instant.now(), random);
            ports.add(new int[] {free.get(3 * i - 3), free.get(3 * i - 2), free.get(3 * i - 1)});
        }
        for (int i = 1; i <= n; i++) {
            StringBuilder y = new StringBuilder("name: node-" + i + "\ntrust_domain: " + DOMAIN + "\ndata_dir: data\nca_dir: ../ca\n"
                    + "api: {bootstrap_policy: ../policy.yaml}\n");
            int[] p = ports.get(i - 1);
            y.append("ports: {api: ").append(p[0]).append(", peer: ").append(p[1]).append(", raft: ").append(p[2]).append("}\npeers:\n");
            for (int j = 1; j <= n; j++) {
                if (j != i) {
                    int[] q = ports.get(j - 1);
                    y.append("  - {name: node-").append(j).append(", host: 127.0.0.1, peer_port: ").append(q[1]).append(", raft_port: ").append(q[2]).append("}\n");
                }
            }
            Path file = dir.resolve("node-" + i).resolve("node.yaml");
            Files.createDirectories(file.getParent());
            Files.writeString(file, y);
            configs.put("node-" + i, NodeConfigLoader.load(file));
        }
        configs.keySet().parallelStream().forEach(this::start);
        https = HttpClient.newBuilder().sslContext(io.x0tta6bl4.orchestration.NodeClient.trusting(ca.bundle().x509Root())).connectTimeout(Duration.ofSeconds(2)).build();
    }

    void start(String name) {
        NodeAgent a = NodeAgent.start(configs.get(name), InstantSource.system(), System::nanoTime);
        synchronized (agents) {
            agents.put(name, a);
        }
    }

    void stop(String name) {
        agents.remove(name).close();
    }

    /** A token for {@code subject} (a path under the trust domain, e.g. {@code app/test}). */
    String token(String subject, List<String> audience, Duration ttl, Instant now) {
        return ca.jwtIssuer(random).issue(SpiffeId.parse("spiffe://" + DOMAIN + "/" + subject), audience, ttl, now);
    }

    String token(String subject) {
        return token(subject, List.of("x0tta6bl4"), Duration.ofHours(1), Instant.now());
    }

    /** GET {@code path} on {@code node}'s API, with {@code authorization} as the header when not null. */
    HttpResponse<String> get(String node, String path, String authorization) throws IOException, InterruptedException {
        return send(node, "GET", path, authorization);
    }

    /** {@code method} (GET, HEAD, POST, ...) {@code path} on {@code node}'s API, without a body. */
    HttpResponse<String> send(String node, String method, String path, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + agents.get(node).apiPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return https.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Distinct ports: all sockets stay bound until every port is known (one after another, the kernel may hand out the same port twice). */
    private static List<Integer> freePorts(int count) throws IOException {
        List<ServerSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                open.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return open.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : open) {
                s.close();
            }
        }
    }

    @Override
    public void close() {
        agents.values().forEach(NodeAgent::close);
        agents.clear();
    }
}
