package io.x0tta6bl4.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.JwtSvidIssuer;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.TrustBundle;
import io.x0tta6bl4.monitor.DetectorSettings;
import io.x0tta6bl4.orchestration.ClusterException;
import io.x0tta6bl4.orchestration.ClusterState;
import io.x0tta6bl4.orchestration.ClusterStatus;
import io.x0tta6bl4.orchestration.ClusterToken;
import io.x0tta6bl4.orchestration.HostLayout;
import io.x0tta6bl4.orchestration.LocalCluster;
import io.x0tta6bl4.orchestration.NodeLaunch;
import io.x0tta6bl4.orchestration.Orchestrator;
import io.x0tta6bl4.orchestration.NodeClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Scenario 1 of the demo, on real node processes: a dashboard reads the mesh through the
 * zero-trust API. A 3-node cluster is brought up in the demo's directory (its bootstrap policy
 * lets {@code app/*} and {@code node/*} read, nothing else); the dashboard gets a JWT-SVID and
 * reads {@code /api/network/status}; requests without a valid token are answered 401 and a valid
 * token for a principal the policy does not know is answered 403; and the audit trail of those
 * calls is read back from the ledger. The cluster is always brought down, whatever happens.
 *
 * <p>Everything printed is what the node answered; the times are measured around each request
 * (TLS handshake, token verification, policy decision and the audit entry's Raft commit included).
 */
final class DemoScenarioOne {
    static final int NODES = 3;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintWriter out;
    private final String domain;
    private final Path clusterDir;

    /** What one request got: status, body, and how long it took. */
    private record Reply(int status, String body, double millis) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("the node answered HTTP " + status + " with a body that is not JSON: " + body, e);
            }
        }
    }

    DemoScenarioOne(PrintWriter out, String domain, Path clusterDir) {
        this.out = out;
        this.domain = domain;
        this.clusterDir = clusterDir;
    }

    /**
     * Runs the scenario. {@code otherCa} is a CA of the same trust domain that the cluster does not
     * trust (the demo's scenario-4 CA): a token it signs must be refused.
     */
    void run(CertificateAuthority otherCa) {
        out.println();
        out.println("Scenario 1: a dashboard reads the mesh through the zero-trust API (" + NODES + " node processes on loopback)");
        long t0 = System.nanoTime();
        // The nodes run in their own session, so a Ctrl-C does not reach them: end them on the way out.
        Thread cleanup = new Thread(() -> ClusterCommand.downQuietly(clusterDir));
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            walkthrough(otherCa);
        } finally {
            down();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
        out.printf(Locale.ROOT, "   scenarios 1 and 5 took %.1f s%n", (System.nanoTime() - t0) / 1e9);
        out.flush();
    }

    private void walkthrough(CertificateAuthority otherCa) {
        long t = System.nanoTime();
        LocalCluster.Settings settings = new LocalCluster.Settings(NODES, domain, DetectorSettings.Kind.CONSECUTIVE_MISSES,
                LocalCluster.Settings.defaults(NODES).svidTtl(), LocalCluster.JoinPace.SEQUENTIAL);
        ClusterStatus status;
        int port;
        java.util.Map<String, Integer> ports = new java.util.LinkedHashMap<>();
        // The host agent ends the nodes if this process dies without its clean-up (--exit-with).
        try (LocalCluster cluster = LocalCluster.up(clusterDir, settings, NodeLaunch.current(), LocalCluster.READY_TIMEOUT,
                Optional.of(ProcessHandle.current().pid()), line -> {
                    out.println("     | " + line.strip());
                    out.flush();
                })) {
            status = cluster.status();
            port = cluster.endpoints(status.leader().orElseThrow(() -> new IllegalStateException("the demo's cluster has no leader"))).api();
            for (ClusterStatus.NodeStatus n : status.nodes()) {
                ports.put(n.name(), cluster.endpoints(n.name()).api());
            }
        } catch (ClusterException e) {
            throw new IllegalStateException("the demo's cluster did not come up: " + e.getMessage(), e);
        }
        String leader = status.leader().orElseThrow();
        DemoCommand.line(out, "cluster up: " + NODES + " nodes alive, leader " + leader + ", default policy in the ledger", millis(t));

        HostLayout layout = new HostLayout(clusterDir);
        CertificateAuthority ca = CertificateAuthority.load(layout.ca());
        String targetName = leader;
        try (HttpClient http = HttpClient.newBuilder().sslContext(NodeClient.trusting(TrustBundle.load(layout.bundle()).x509Root()))
                .connectTimeout(REQUEST_TIMEOUT).build()) {
            JwtSvidIssuer issuer = ca.jwtIssuer(new SecureRandom());
            SpiffeId dashboard = SpiffeId.app(domain, "demo-dashboard");
            t = System.nanoTime();
            String token = issuer.issue(dashboard, List.of(ClusterToken.AUDIENCE), Duration.ofMinutes(5), Instant.now());
            DemoCommand.line(out, "the dashboard's JWT-SVID issued (audience " + ClusterToken.AUDIENCE + ", 5 min)", millis(t));
            out.println("     sub " + dashboard);

            Reply network = get(http, port, "/api/network/status", Optional.of(token));
            DemoCommand.line(out, "GET /api/network/status on " + targetName + " (127.0.0.1:" + port + ") with it: HTTP " + network.status(),
                    network.millis());
            expect(network, 200);
            out.println(indent(network.json().toPrettyString(), "     "));
            if (!network.json().path("status").asText().equals("healthy")) {
                out.println("     (not healthy: at this instant " + targetName + " does not see every link alive; GET /api/nodes says which,"
                        + " and the node logs say why)");
            }
            long from = network.json().path("ledger_size").asLong();

            out.println("   What the API refuses");
            refused(get(http, port, "/api/network/status", Optional.empty()), "no Authorization header", 401);
            refused(get(http, port, "/api/network/status", Optional.of(issuer.issue(dashboard, List.of("billing"), Duration.ofMinutes(5),
                    Instant.now()))), "a token for audience 'billing'", 401);
            refused(get(http, port, "/api/network/status", Optional.of(issuer.issue(dashboard, List.of(ClusterToken.AUDIENCE), Duration.ofMinutes(5),
                    Instant.now().minus(Duration.ofMinutes(15))))), "a token that expired 10 min ago", 401);
            refused(get(http, port, "/api/network/status", Optional.of(otherCa.jwtIssuer(new SecureRandom()).issue(dashboard,
                    List.of(ClusterToken.AUDIENCE), Duration.ofMinutes(5), Instant.now()))), "a token signed by another CA", 401);
            SpiffeId intruder = new SpiffeId(domain, "/ops/intruder");
            refused(get(http, port, "/api/network/status", Optional.of(issuer.issue(intruder, List.of(ClusterToken.AUDIENCE), Duration.ofMinutes(5),
                    Instant.now()))), "a valid token for " + intruder.path() + " (not app/*, not node/*)", 403);

            auditTrail(http, port, token, from, dashboard, intruder);
            new DemoScenarioFive(out, domain, layout, http, issuer, ports).run();
        }
    }

    /**
     * Reads the AUDIT entries written since {@code from} with the dashboard's token. The node
     * answers each request after its audit entry is committed on a majority; a replica applies a
     * committed entry a moment later, so the read is repeated (up to 5 s) until both appear.
     */
    private void auditTrail(HttpClient http, int port, String token, long from, SpiffeId dashboard, SpiffeId intruder) {
        String path = "/api/ledger?type=AUDIT&from=" + from;
        out.println("   The audit trail: GET " + path + " with the dashboard's token");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Reply page;
        List<JsonNode> entries;
        while (true) {
            page = get(http, port, path, Optional.of(token));
            expect(page, 200);
            entries = new ArrayList<>();
            page.json().path("entries").forEach(entries::add);
            boolean success = entries.stream().anyMatch(e -> e.path("actor").asText().equals(dashboard.toString()) && e.path("status").asText().equals("SUCCESS"));
            boolean denied = entries.stream().anyMatch(e -> e.path("actor").asText().equals(intruder.toString()) && e.path("status").asText().equals("DENIED"));
            if (success && denied) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the audit entries of the demo's requests did not appear in the ledger within 5 s: " + page.body());
            }
            pause(Duration.ofMillis(200));
        }
        DemoCommand.line(out, "HTTP " + page.status() + ", " + entries.size() + " AUDIT entries since entry " + from, page.millis());
        out.printf(Locale.ROOT, "     %-5s %-50s %-19s %-20s %-8s %s%n", "SEQ", "ACTOR", "ACTION", "RESOURCE", "STATUS", "RULE");
        for (JsonNode e : entries) {
            out.printf(Locale.ROOT, "     %-5d %-50s %-19s %-20s %-8s %s%n", e.path("seq").asLong(), e.path("actor").asText(), e.path("action").asText(),
                    e.path("resource").asText(), e.path("status").asText(), e.path("payload").path("rule").asText());
        }
        out.println("     (the 401s are not there: a request whose token does not verify names no one to record as the actor)");
    }

    private void refused(Reply r, String what, int expected) {
        expect(r, expected);
        DemoCommand.line(out, "  " + what + ": HTTP " + r.status(), r.millis());
        out.println("       " + r.body().strip());
    }

    private static void expect(Reply r, int status) {
        if (r.status() != status) {
            throw new IllegalStateException("expected HTTP " + status + ", the node answered " + r.status() + ": " + r.body());
        }
    }

    private Reply get(HttpClient http, int port, String pathAndQuery, Optional<String> token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + pathAndQuery)).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json").GET();
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), millis(t0));
        } catch (IOException e) {
            throw new IllegalStateException("GET " + pathAndQuery + " on 127.0.0.1:" + port + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void down() {
        long t = System.nanoTime();
        if (!java.nio.file.Files.exists(clusterDir.resolve(ClusterState.FILE))) {
            return;
        }
        try (LocalCluster cluster = LocalCluster.open(clusterDir, line -> {})) {
            List<Orchestrator.Stopped> ended = cluster.down();
            long stopped = ended.stream().filter(e -> e.outcome() != Orchestrator.Stopped.Outcome.NOT_RUNNING).count();
            DemoCommand.line(out, "cluster down: " + stopped + " node processes ended", millis(t));
            out.println("     their logs: " + clusterDir + "/node-*/node.log");
        } catch (ClusterException e) {
            out.println("   cluster down failed: " + e.getMessage());
        }
    }

    private static double millis(long since) {
        return (System.nanoTime() - since) / 1e6;
    }

    private static String indent(String text, String prefix) {
        return prefix + text.replace("\n", "\n" + prefix);
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
