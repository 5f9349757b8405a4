package io.x0tta6bl4.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.TrustBundle;
import io.x0tta6bl4.orchestration.ClusterException;
import io.x0tta6bl4.orchestration.ClusterStatus;
import io.x0tta6bl4.orchestration.ClusterToken;
import io.x0tta6bl4.orchestration.LocalCluster;
import io.x0tta6bl4.orchestration.NodeClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The emergency-proposal harness of issue 13: how long from a RECOVERY proposal's entry to the
 * entry that decides it, when every live node votes on its own (node.RecoveryVotes) and voting
 * closes early? Each run proposes a recovery of {@code target} through a node other than the
 * target; the nodes' detectors answer (NO for a live target, so nothing is restarted and the
 * runs can follow each other), and the leader writes the CLOSE as soon as the last eligible vote
 * is folded.
 *
 * <p>The time is the ledger's: the CLOSE entry's timestamp minus the PROPOSAL entry's, both
 * stamped by the leader when it orders them (milliseconds). It spans the proposal's commit, every
 * node's fold, signature and vote, the votes' commit and the leader's fold of them; it leaves out
 * the CLOSE's own commit, one more Raft round, and includes the proposal's, which is one too.
 */
public final class RecoveryBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final Duration TARGET = Duration.ofMillis(50);
    /**
     * How often a run asks for its proposal's state. Each answer is an audited API request, so a
     * ledger entry of its own: polling faster would load the very Raft group being timed. The
     * time measured is the ledger's, so the polling does not round it.
     */
    static final Duration POLL = Duration.ofMillis(100);

    public record Run(int number, String proposal, String outcome, int votes, Duration decided) {}

    public record Report(List<Run> runs, int undecided) {
        public Optional<Duration> percentile(double p) {
            return Percentiles.nearestRank(runs.stream().map(Run::decided).sorted().toList(), p);
        }

        public boolean metTarget() {
            return undecided == 0 && percentile(0.99).map(d -> d.compareTo(TARGET) <= 0).orElse(false);
        }
    }

    private final LocalCluster cluster;
    private final Consumer<String> progress;
    private final HttpClient http;

    public RecoveryBench(LocalCluster cluster, Consumer<String> progress) {
        this.cluster = cluster;
        this.progress = progress;
        this.http = HttpClient.newBuilder().sslContext(NodeClient.trusting(TrustBundle.load(cluster.layout().bundle()).x509Root()))
                .connectTimeout(Duration.ofSeconds(3)).build();
    }

    public Report run(String target, int runs, Consumer<Run> each) {
        ClusterStatus status = cluster.awaitHealthy(LocalCluster.READY_TIMEOUT);
        if (!cluster.nodes().contains(target)) {
            throw ClusterException.usage("--target: '" + target + "' is not a node of " + cluster.dir() + " " + cluster.nodes());
        }
        String via = status.leader().filter(l -> !l.equals(target))
                .orElseGet(() -> cluster.nodes().stream().filter(n -> !n.equals(target)).findFirst().orElseThrow());
        int port = cluster.endpoints(via).api();
        ClusterToken token = ClusterToken.as(cluster.layout().ca(), SpiffeId.node(cluster.state().trustDomain(), via));
        progress.accept("proposing " + runs + " recoveries of " + target + " through " + via + " (127.0.0.1:" + port + ")");
        List<Run> done = new ArrayList<>();
        int undecided = 0;
        for (int i = 1; i <= runs; i++) {
            ObjectNode body = JSON.createObjectNode().put("type", "RECOVERY").put("title", "bench run " + i + ": restart " + target);
            body.putObject("payload").put("node", target).put("action", "restart");
            String id = call(token, port, "POST", "/api/proposals", body.toString()).get("id").asText();
            JsonNode p = awaitDecided(token, port, id, Duration.ofSeconds(10));
            Optional<Instant> proposed = at(p, "PROPOSED");
            Optional<Instant> closed = at(p, "CLOSE");
            if (proposed.isEmpty() || closed.isEmpty()) {
                undecided++;
                progress.accept("run " + i + ": proposal " + id + " not decided within 10 s (" + p.get("state").asText() + ")");
                continue;
            }
            Run r = new Run(i, id, p.get("state").asText(), p.get("votes").size(), Duration.between(proposed.get(), closed.get()));
            done.add(r);
            each.accept(r);
        }
        return new Report(List.copyOf(done), undecided);
    }

    private static Optional<Instant> at(JsonNode p, String what) {
        for (JsonNode e : p.get("timeline")) {
            if (e.get("what").asText().equals(what)) {
                return Optional.of(Instant.parse(e.get("at").asText()));
            }
        }
        return Optional.empty();
    }

    private JsonNode awaitDecided(ClusterToken token, int port, String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode p = call(token, port, "GET", "/api/proposals/" + id, null);
            if (!p.get("state").asText().equals("ACTIVE") || System.nanoTime() - deadline > 0) {
                return p;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterException(ClusterException.Kind.FAILED, "interrupted", e);
            }
        }
    }

    private JsonNode call(ClusterToken token, int port, String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token.get());
        b = body == null ? b.GET() : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new ClusterException(ClusterException.Kind.FAILED, method + " " + path + ": " + r.statusCode() + " " + r.body(), null);
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new ClusterException(ClusterException.Kind.FAILED, method + " " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException(ClusterException.Kind.FAILED, "interrupted", e);
        }
    }
}
