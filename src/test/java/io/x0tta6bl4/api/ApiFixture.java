package io.x0tta6bl4.api;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.JwtSvidVerifier;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.Ledger;
import io.x0tta6bl4.monitor.RequestStats;
import io.x0tta6bl4.orchestration.NodeClient;
import io.x0tta6bl4.policy.Policy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** One node's API server on loopback, with a CA, the default policy and an HTTPS client that trusts the CA. */
final class ApiFixture implements AutoCloseable {
    static final String DOMAIN = "mesh.test";
    final CertificateAuthority ca;
    final NodeCredentials node;
    private final SecureRandom random = new SecureRandom();
    private final HttpClient http;
    private ApiServer server;
    /** The API listener's connection limit, read for each new connection. */
    final java.util.concurrent.atomic.AtomicInteger maxConnections = new java.util.concurrent.atomic.AtomicInteger(Integer.MAX_VALUE);

    ApiFixture(Path dir) throws Exception {
        ca = CertificateAuthority.init(dir.resolve("ca"), DOMAIN, Instant.now(), random);
        node = ca.issueNode("node-1", Duration.ofHours(1), Instant.now(), random);
        http = HttpClient.newBuilder().sslContext(NodeClient.trusting(ca.bundle().x509Root())).build();
    }

    void start(MeshView mesh, Ledger ledger, Supplier<byte[]> metrics, Duration auditTimeout) {
        Policy policy = Policy.defaultPolicy(DOMAIN);
        server = ApiServer.start("127.0.0.1", 0, new ApiServer.Wiring("node-1", node, new JwtSvidVerifier(ca.bundle(), InstantSource.system()),
                "x0tta6bl4", mesh, ledger, () -> Optional.of(policy), governance(ledger), new ApiServer.Content(metrics, "text/plain"), InstantSource.system(),
                auditTimeout, maxConnections::get), new RequestStats(Duration.ofSeconds(10), 10), System::nanoTime);
    }

    /** The governance fold over {@code ledger}, written to as a node writes to it. */
    private GovernanceView governance(Ledger ledger) {
        io.x0tta6bl4.governance.GovernanceFold fold = new io.x0tta6bl4.governance.GovernanceFold(new io.x0tta6bl4.governance.VoteCheck(ca.bundle()));
        io.x0tta6bl4.ledger.Folded<io.x0tta6bl4.governance.Governance> folded = io.x0tta6bl4.ledger.Folded.follow("governance", ledger, fold);
        return new GovernanceView() {
            @Override
            public io.x0tta6bl4.governance.Governance state() {
                return folded.state();
            }

            @Override
            public io.x0tta6bl4.governance.GovernanceFold fold() {
                return fold;
            }

            @Override
            public java.util.Map<io.x0tta6bl4.governance.ConfigKey, String> inForce() {
                return java.util.Map.of();
            }

            @Override
            public Instant now() {
                return Instant.now();
            }

            @Override
            public Written write(io.x0tta6bl4.ledger.Submission entry) {
                try {
                    long seq = ledger.append(entry).get();
                    io.x0tta6bl4.governance.Governance after = folded.awaitFolded(seq).get();
                    return new Written(seq, after, after.refusal(seq).map(io.x0tta6bl4.governance.Governance.Refusal::reason));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    /** A token for {@code app/ops}, which the default policy lets read everything. */
    String token() {
        return ca.jwtIssuer(random).issue(SpiffeId.parse("spiffe://" + DOMAIN + "/app/ops"), List.of("x0tta6bl4"), Duration.ofMinutes(5), Instant.now());
    }

    /** A token for {@code operator/alice}, whom the default policy lets do anything. */
    String operatorToken() {
        return ca.jwtIssuer(random).issue(SpiffeId.parse("spiffe://" + DOMAIN + "/operator/alice"), List.of("x0tta6bl4"), Duration.ofMinutes(5),
                Instant.now());
    }

    HttpResponse<String> post(String path, String json, String token) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + path)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
