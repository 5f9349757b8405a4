package io.x0tta6bl4.node;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.policy.Policy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
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
    private final Map<String, NodeRuntime> runtimes = new LinkedHashMap<>();
    private final String extra;
    final HttpClient https;
    private final SecureRandom random = new SecureRandom();

    TestMesh(Path dir, int n) throws Exception {
        this(dir, n, "");
    }

    /** @param extra YAML every node.yaml gets besides the basics (a {@code load:} section, say) */
    TestMesh(Path dir, int n, String extra) throws Exception {
        this.dir = dir;
        this.extra = extra;
        ca = CertificateAuthority.init(dir.resolve("ca"), DOMAIN, Instant.now(), random);
        Files.writeString(dir.resolve("policy.yaml"), Policy.defaultDocument(DOMAIN));
        for (int i = 1; i <= n; i++) {
            ca.issueNode("node-" + i, Duration.ofHours(1), Instant.now(), random);
        }
        // node-1 forms the mesh on ports the kernel picks; the others join through its Raft listener.
        configure("node-1", "join: {bootstrap: true}\n");
        start("node-1");
        String seed = "node-1@127.0.0.1:" + agents.get("node-1").raftPort();
        List<String> others = new ArrayList<>();
        for (int i = 2; i <= n; i++) {
            configure("node-" + i, "join: {seeds: [\"" + seed + "\"]}\n");
            others.add("node-" + i);
        }
        others.parallelStream().forEach(this::start);
        https = HttpClient.newBuilder().sslContext(io.x0tta6bl4.orchestration.NodeClient.trusting(ca.bundle().x509Root())).connectTimeout(Duration.ofSeconds(2)).build();
    }

    /** Enrols and starts a new node that joins through every running member's Raft listener. */
    void add(String name) throws IOException {
        ca.issueNode(name, Duration.ofHours(1), Instant.now(), random);
        List<String> seeds = new ArrayList<>();
        synchronized (agents) {
            agents.values().forEach(a -> seeds.add("\"" + a.name() + "@127.0.0.1:" + a.raftPort() + "\""));
        }
        configure(name, "join: {seeds: [" + String.join(", ", seeds) + "]}\n");
        start(name);
    }

    /** Writes {@code name}'s node.yaml: the CA directory's bundle and credentials, free ports, {@code join}. */
    private void configure(String name, String join) throws IOException {
        String y = "name: " + name + "\ntrust_domain: " + DOMAIN + "\ndata_dir: data\nca_dir: ../ca\napi: {bootstrap_policy: ../policy.yaml}\n" + join + extra;
        Path file = dir.resolve(name).resolve("node.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, y);
        configs.put(name, NodeConfigLoader.load(file));
    }

    void start(String name) {
        NodeRuntime runtime = NodeRuntime.system();
        NodeAgent a;
        try {
            a = NodeAgent.start(configs.get(name), runtime);
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
        synchronized (agents) {
            agents.put(name, a);
            runtimes.put(name, runtime);
        }
    }

    void stop(String name) {
        agents.remove(name).close();
        runtimes.remove(name).close();
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

    /** POST {@code body} (JSON) to {@code path} on {@code node}'s API. */
    HttpResponse<String> post(String node, String path, String body, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + agents.get(node).apiPort() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return https.send(b.build(), HttpResponse.BodyHandlers.ofString());
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

    @Override
    public void close() {
        agents.values().forEach(NodeAgent::close);
        agents.clear();
        runtimes.values().forEach(NodeRuntime::close);
        runtimes.clear();
    }
}
