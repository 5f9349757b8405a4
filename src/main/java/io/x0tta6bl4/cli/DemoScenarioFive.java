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
 * the Raft leader executes it after its delay, and every node's {@code /api/config} shows it; a forged vote is refused and a second proposal is
 * defeated. Every figure printed is what the nodes answered.
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
        String proposer = nodes.get(0);
        ObjectNode body = JSON.createObjectNode().put("type", "CONFIG_UPDATE").put("title", "Increase max connections to 50000")
                .put("description", "10000 is too few for the peak").put("voting_period", "30s").put("execution_delay", "2s");
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
