package io.x0tta6bl4.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.governance.Choice;
import io.x0tta6bl4.governance.Vote;
import io.x0tta6bl4.identity.JwtSvidIssuer;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.orchestration.ClusterToken;
import io.x0tta6bl4.orchestration.HostLayout;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scenario 5 of the demo, on the node processes of scenario 1: the nodes decide the source's
 * example change ({@code api.max_connections} from 10000 to 50000) by a signed quadratic vote,
 * the Raft leader executes it after its delay, and every node's {@code /api/config} shows it, then
 * its impact on a light load; a forged vote is refused and a second proposal is defeated; a
 * third (one connection per node) does harm, the leader's impact watch proposes its rollback,
 * and the nodes pass it. Every figure printed is what the nodes answered.
 */
final class DemoScenarioFive {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private final PrintWriter out;
    private final String domain;
    private final HostLayout layout;
    private final HttpClient http;
    private final JwtSvidIssuer issuer;
    private final Map<String, Integer> ports;
    private final SecureRandom random = new SecureRandom();

    private record Reply(int status, JsonNode body, double millis) {}

    DemoScenarioFive(PrintWriter out, String domain, HostLayout layout, HttpClient http, JwtSvidIssuer issuer, Map<String, Integer> ports) {
        this.out = out;
        this.domain = domain;
        this.layout = layout;
        this.http = http;
        this.issuer = issuer;
        this.ports = ports;
    }

    void run() {
        out.println();
        out.println("Scenario 5: the nodes decide a change by a signed quadratic vote (DAO)");
        List<String> nodes = List.copyOf(ports.keySet());
        try (Load load = new Load(nodes)) {
            run(nodes, load);
        }
    }

    /**
     * A light load on every node's API while the scenario runs, so the impact watch has something
     * to measure: two threads, each a GET /health on a new TLS connection every 25 ms, round robin
     * over the nodes. A new connection per request is what a connection limit acts on.
     */
    private final class Load implements AutoCloseable {
        final java.util.concurrent.atomic.AtomicLong ok = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        private final List<Thread> threads = new java.util.ArrayList<>();

        Load(List<String> nodes) {
            javax.net.ssl.SSLSocketFactory f = io.x0tta6bl4.orchestration.NodeClient.trusting(
                    io.x0tta6bl4.identity.TrustBundle.load(layout.bundle()).x509Root()).getSocketFactory();
            for (int t = 0; t < 2; t++) {
                int first = t;
                threads.add(Thread.ofPlatform().daemon().name("demo-load-" + t).start(() -> {
                    for (long i = first; !stop.get(); i++) {
                        (health(f, ports.get(nodes.get((int) (i % nodes.size())))) ? ok : refused).incrementAndGet();
                        try {
                            Thread.sleep(25);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
        }

        private static boolean health(javax.net.ssl.SSLSocketFactory f, int port) {
            try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) f.createSocket("127.0.0.1", port)) {
                s.setSoTimeout(5_000);
                s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                byte[] buf = new byte[16];
                int n = s.getInputStream().read(buf);
                return n > 0 && new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void close() {
            stop.set(true);
            for (Thread t : threads) {
                try {
                    t.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** The IMPACT the leader wrote for proposal {@code id}, waited for, printed. */
    private JsonNode impact(String node, String id, Duration within) {
        long t0 = System.nanoTime();
        long deadline = t0 + within.toNanos();
        while (true) {
            Reply r = send(node, "GET", "/api/proposals/" + id, null);
            expect(r, 200);
            JsonNode i = r.body().path("detail").path("impact");
            if (i.isObject()) {
                JsonNode b = i.get("before");
                JsonNode a = i.get("after");
                DemoCommand.line(out, "impact of " + id + " (IMPACT entry, " + i.get("window_ms").asLong() / 1000 + " s before vs after the execution, all nodes):",
                        millis(t0));
                out.printf(Locale.ROOT, "       throughput %7.1f -> %7.1f req/s   error rate %6.2f -> %6.2f %%   (%+.2f points)%n",
                        b.get("requests_per_second").asDouble(), a.get("requests_per_second").asDouble(), b.get("error_rate_percent").asDouble(),
                        a.get("error_rate_percent").asDouble(), i.get("error_rate_rise_points").asDouble());
                out.printf(Locale.ROOT, "       p50 %6.2f -> %6.2f ms   p99 %6.2f -> %6.2f ms   cpu %3.0f -> %3.0f %%   rollback: %s%n",
                        b.get("latency_p50_ms").asDouble(), a.get("latency_p50_ms").asDouble(), b.get("latency_p99_ms").asDouble(),
                        a.get("latency_p99_ms").asDouble(), b.get("cpu_percent").asDouble(), a.get("cpu_percent").asDouble(), i.get("rollback").asText());
                return i;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no IMPACT for proposal " + id + " within " + within.toSeconds() + " s");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private void run(List<String> nodes, Load load) {
        String proposer = nodes.get(0);
        ObjectNode body = JSON.createObjectNode().put("type", "CONFIG_UPDATE").put("title", "Increase max connections to 50000")
                .put("description", "10000 is too few for the peak").put("voting_period", "30s").put("execution_delay", "2s")
                .put("impact_window", "10s");
        body.putObject("payload").putObject("set").put("api.max_connections", "50000");
        Reply made = send(proposer, "POST", "/api/proposals", body.toString());
        expect(made, 201);
        String id = made.body().get("id").asText();
        DemoCommand.line(out, proposer + " proposes \"" + made.body().get("title").asText() + "\": proposal " + id, made.millis());
        out.println("     CONFIG_UPDATE api.max_connections=50000 (the API listener's limit, 10000 until now); voting 30 s (closes early");
        out.println("     once settled), then a 2 s execution delay;");
        out.println("     eligible: the " + made.body().get("eligible").size() + " Raft voters; passes with participation > "
                + DaoCommand.plain(made.body().get("rules").get("min_participation").asDouble()) + " % and approval > "
                + DaoCommand.plain(made.body().get("rules").get("min_approval").asDouble()) + " %; a vote of weight w costs w² of 10 credits");

        int[] weights = {2, 3, 1};
        Choice[] choices = {Choice.YES, Choice.YES, Choice.NO};
        String[] why = {"the peak needs it", "strongly agree: we drop clients every evening", "memory: 50000 connections cost heap"};
        Reply last = null;
        for (int i = 0; i < nodes.size() && i < 3; i++) {
            if (i == 2) {
                forged(id, nodes.get(2), nodes.get(1));
            }
            String voter = nodes.get(i);
            String relay = nodes.get((i + 1) % nodes.size());
            Vote.Signed v = signed(id, voter, choices[i], weights[i], why[i]);
            last = send(relay, "POST", "/api/proposals/" + id + "/votes", voteBody(v));
            expect(last, 200);
            DemoCommand.line(out, String.format(Locale.ROOT, "%s votes %s, weight %d (cost %d), signed with its ML-DSA-65 key, relayed by %s", voter,
                    choices[i], weights[i], weights[i] * weights[i], relay), last.millis());
            out.println("       \"" + why[i] + "\"");
        }
        long t0 = System.nanoTime();
        JsonNode p = waitFor(proposer, id, "EXECUTED", Duration.ofSeconds(40));
        DemoCommand.line(out, "the leader closed it early, queued it, executed it after 2 s", millis(t0));
        out.println("     every node's API listener now admits up to 50000 connections at once (a connection over the limit gets 503)");
        JsonNode t = p.get("tally");
        String line = "+" + "-".repeat(66) + "+";
        out.println("     " + line);
        for (JsonNode v : p.get("votes")) {
            String who = v.get("voter").asText().substring(v.get("voter").asText().lastIndexOf('/') + 1);
            out.println("     | " + DaoCommand.pad(String.format(Locale.ROOT, "%-7s %-4s weight %d  power %d", who, v.get("choice").asText(), v.get("weight").asInt(),
                    v.get("weight").asInt() * v.get("weight").asInt()), 64) + " |");
        }
        out.println("     " + line);
        out.println("     | " + DaoCommand.pad(String.format(Locale.ROOT, "YES %d vs NO %d power (seed: weight²) = %.2f %% approval", t.get("yes").asLong(),
                t.get("no").asLong(), t.get("approval").asDouble()), 64) + " |");
        out.println("     | " + DaoCommand.pad(String.format(Locale.ROOT, "participation %d/%d = %.0f %%   ->  %s", t.get("voted").asInt(), t.get("eligible").asInt(),
                t.get("participation").asDouble(), p.get("state").asText()), 64) + " |");
        out.println("     " + line);
        for (JsonNode e : p.get("timeline")) {
            if (!e.get("what").asText().equals("VOTE")) {
                out.println("     ledger entry " + e.get("seq").asLong() + "  " + e.get("at").asText() + "  " + e.get("what").asText() + " by "
                        + e.get("actor").asText().substring(e.get("actor").asText().lastIndexOf('/') + 1));
            }
        }
        for (String n : nodes) {
            Reply c = send(n, "GET", "/api/config", null);
            expect(c, 200);
            JsonNode k = c.body().get("keys").get("api.max_connections");
            DemoCommand.line(out, "GET /api/config on " + n + ": api.max_connections = " + k.get("value").asText() + " (set by " + k.get("proposal").asText() + ")",
                    c.millis());
        }
        impact(proposer, id, Duration.ofSeconds(40));

        ObjectNode second = JSON.createObjectNode().put("type", "CONFIG_UPDATE").put("title", "Cut the voting period to 1 s").put("voting_period", "30s")
                .put("execution_delay", "0s");
        second.putObject("payload").putObject("set").put("governance.voting_period", "1s");
        Reply made2 = send(nodes.get(1), "POST", "/api/proposals", second.toString());
        expect(made2, 201);
        String id2 = made2.body().get("id").asText();
        DemoCommand.line(out, nodes.get(1) + " proposes \"Cut the voting period to 1 s\": proposal " + id2, made2.millis());
        for (String voter : nodes) {
            Reply r = send(voter, "POST", "/api/proposals/" + id2 + "/votes", voteBody(signed(id2, voter, Choice.NO, 1, "too short to react")));
            if (r.status() == 409 && r.body().path("message").asText().contains("DEFEATED")) {
                break;
            }
            expect(r, 200);
            DemoCommand.line(out, voter + " votes NO, weight 1", r.millis());
        }
        t0 = System.nanoTime();
        JsonNode d = waitFor(nodes.get(1), id2, "DEFEATED", Duration.ofSeconds(40));
        DemoCommand.line(out, String.format(Locale.ROOT, "defeated: YES %d vs NO %d, participation %.0f %%; nothing changed", d.get("tally").get("yes").asLong(),
                d.get("tally").get("no").asLong(), d.get("tally").get("participation").asDouble()), millis(t0));

        // A change that does harm: one connection per node. The demo's own client keeps the one it has; the load's new ones get 503.
        ObjectNode third = JSON.createObjectNode().put("type", "CONFIG_UPDATE").put("title", "Limit each node to 1 API connection")
                .put("description", "maintenance: shed load").put("voting_period", "30s").put("execution_delay", "0s").put("impact_window", "10s");
        third.putObject("payload").putObject("set").put("api.max_connections", "1");
        Reply made3 = send(nodes.get(2), "POST", "/api/proposals", third.toString());
        expect(made3, 201);
        String id3 = made3.body().get("id").asText();
        DemoCommand.line(out, nodes.get(2) + " proposes \"Limit each node to 1 API connection\": proposal " + id3, made3.millis());
        for (String voter : nodes) {
            Reply r = send(voter, "POST", "/api/proposals/" + id3 + "/votes", voteBody(signed(id3, voter, Choice.YES, 1, "")));
            expect(r, 200);
        }
        t0 = System.nanoTime();
        waitFor(nodes.get(2), id3, "EXECUTED", Duration.ofSeconds(40));
        long refusedBefore = load.refused.get();
        DemoCommand.line(out, "all " + nodes.size() + " voted YES; executed: api.max_connections = 1 on every node", millis(t0));
        JsonNode harm = impact(nodes.get(2), id3, Duration.ofSeconds(40));
        out.println("       the demo's load meanwhile: " + (load.refused.get() - refusedBefore) + " new connections refused with 503 too_many_connections");
        if (!harm.get("harmful").asBoolean()) {
            throw new IllegalStateException("the impact watch did not find the connection limit harmful: " + harm);
        }
        String rb = null;
        t0 = System.nanoTime();
        while (rb == null) {
            Reply list = send(nodes.get(0), "GET", "/api/proposals?state=ACTIVE", null);
            expect(list, 200);
            for (JsonNode x : list.body().get("proposals")) {
                if (x.get("type").asText().equals("ROLLBACK") && x.get("title").asText().startsWith("Roll back " + id3)) {
                    rb = x.get("id").asText();
                    DemoCommand.line(out, "the leader proposed " + rb + ": \"" + x.get("title").asText() + "\"", millis(t0));
                }
            }
            if (rb == null && millis(t0) > 20_000) {
                throw new IllegalStateException("no ROLLBACK proposal of " + id3 + " is open");
            }
            if (rb == null) {
                try {
                    Thread.sleep(100); // each look is an audited request, a ledger entry of its own
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        }
        for (String voter : nodes) {
            Reply r = send(voter, "POST", "/api/proposals/" + rb + "/votes", voteBody(signed(rb, voter, Choice.YES, 1, "the error rate says so")));
            expect(r, 200);
        }
        t0 = System.nanoTime();
        waitFor(nodes.get(0), rb, "EXECUTED", Duration.ofSeconds(40));
        DemoCommand.line(out, "all voted YES; rollback executed", millis(t0));
        for (String n : nodes) {
            Reply c = send(n, "GET", "/api/config", null);
            expect(c, 200);
            JsonNode k = c.body().get("keys").get("api.max_connections");
            DemoCommand.line(out, "GET /api/config on " + n + ": api.max_connections = " + k.get("value").asText() + " again (the setting of "
                    + k.get("proposal").asText() + ", restored by " + rb + ")", c.millis());
        }
        out.println("   follow a proposal yourself: ./x0tta6bl4 cluster up --nodes 3 --dir /tmp/mesh, then ./x0tta6bl4 dao propose --dir /tmp/mesh --as node-1 ...");
        out.println("   (docs/governance.md)");
    }

    /** {@code voter}'s ballot signed with {@code signer}'s key, carrying {@code voter}'s identity document: refused, nothing written. */
    private void forged(String id, String voter, String signer) {
        Vote ballot = new Vote(id, SpiffeId.node(domain, voter), Choice.NO, 3, "");
        Vote.Signed forged = new Vote.Signed(ballot, credentials(signer).keys().signing().sign(ballot.toBeSigned(), random), credentials(voter).identity());
        Reply refused = send(signer, "POST", "/api/proposals/" + id + "/votes", voteBody(forged));
        expect(refused, 409);
        DemoCommand.line(out, "  refused: " + voter + "'s ballot signed with " + signer + "'s key: HTTP 409", refused.millis());
        out.println("       " + refused.body().get("message").asText());
    }

    private JsonNode waitFor(String node, String id, String state, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            Reply r = send(node, "GET", "/api/proposals/" + id, null);
            expect(r, 200);
            if (r.body().get("state").asText().equals(state)) {
                return r.body();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("proposal " + id + " is " + r.body().get("state").asText() + ", not " + state + ", after "
                        + within.toSeconds() + " s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private NodeCredentials credentials(String node) {
        return NodeCredentials.load(layout.dir().resolve(node).resolve("credentials"));
    }

    private Vote.Signed signed(String id, String voter, Choice choice, int weight, String rationale) {
        NodeCredentials c = credentials(voter);
        return new Vote(id, c.id(), choice, weight, rationale).sign(c, random);
    }

    private static String voteBody(Vote.Signed v) {
        return v.toRequestJson().toString();
    }

    /** A request as {@code node} itself (its token), to {@code node}'s API. */
    private Reply send(String node, String method, String path, String body) {
        String token = issuer.issue(SpiffeId.node(domain, node), List.of(ClusterToken.AUDIENCE), Duration.ofMinutes(5), Instant.now());
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + ports.get(node) + path)).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json").header("Authorization", "Bearer " + token);
        b = body == null ? b.GET() : b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), JSON.readTree(r.body()), millis(t0));
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " on " + node + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void expect(Reply r, int status) {
        if (r.status() != status) {
            throw new IllegalStateException("expected HTTP " + status + ", the node answered " + r.status() + ": " + r.body());
        }
    }

    private static double millis(long since) {
        return (System.nanoTime() - since) / 1e6;
    }
}
