package io.x0tta6bl4.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.governance.Choice;
import io.x0tta6bl4.governance.Vote;
import io.x0tta6bl4.identity.CredentialFileException;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.NodeName;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.TrustBundle;
import io.x0tta6bl4.orchestration.ClusterException;
import io.x0tta6bl4.orchestration.ClusterStatus;
import io.x0tta6bl4.orchestration.ClusterToken;
import io.x0tta6bl4.orchestration.HostLayout;
import io.x0tta6bl4.orchestration.LocalCluster;
import io.x0tta6bl4.orchestration.NodeClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code x0tta6bl4 dao ...}: proposals and signed votes on a local cluster, through the API of
 * any live node (the leader first). {@code --as NODE} acts as that node: its token's subject is
 * the node, and a vote is signed with the node's ML-DSA-65 key from {@code DIR/NODE/credentials}.
 * Results go to stdout, progress to stderr.
 */
@Command(name = "dao", mixinStandardHelpOptions = true, description = "Governance of a local cluster: proposals, signed quadratic votes, their outcome.",
        subcommands = {DaoCommand.Propose.class, DaoCommand.VoteCommand.class, DaoCommand.Show.class, DaoCommand.ListCommand.class,
                DaoCommand.Watch.class})
final class DaoCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private DaoCommand() {}

    /** A command on a running cluster's API. */
    abstract static class OnDao extends ClusterCommand.ClusterTask {
        @Option(names = "--dir", required = true, description = "The cluster's directory (made by cluster up).") Path dir;

        /** Read once per command: the bundle, a client trusting its root, and the live nodes' API ports (the leader first). */
        private TrustBundle bundle;
        private HttpClient http;
        private Map<String, Integer> apis;

        private TrustBundle bundle() {
            if (bundle == null) {
                bundle = TrustBundle.load(new HostLayout(dir).bundle());
            }
            return bundle;
        }

        /** The live nodes' API ports, the leader first, as the cluster's status has them now. */
        private Map<String, Integer> liveApis() {
            try (LocalCluster cluster = open(dir)) {
                ClusterStatus status = cluster.status();
                Map<String, Integer> out = new LinkedHashMap<>();
                status.leader().flatMap(l -> status.nodes().stream().filter(n -> n.name().equals(l)).findFirst())
                        .flatMap(ClusterStatus.NodeStatus::endpoints).ifPresent(e -> out.put(status.leader().get(), e.api()));
                for (ClusterStatus.NodeStatus n : status.nodes()) {
                    if (n.view().isPresent() && n.endpoints().isPresent()) {
                        out.putIfAbsent(n.name(), n.endpoints().get().api());
                    }
                }
                if (out.isEmpty()) {
                    throw ClusterException.refused("no node of " + dir + " answers; start the cluster with: x0tta6bl4 cluster up --dir " + dir);
                }
                return out;
            }
        }

        Supplier<String> token(Optional<String> as) {
            HostLayout layout = new HostLayout(dir);
            return as.isPresent() ? ClusterToken.as(layout.ca(), SpiffeId.node(bundle().trustDomain(), as.get())) : ClusterToken.fromCa(layout.ca());
        }

        /**
         * Sends {@code method path body} to the first live node that answers; a node that cannot
         * be reached is skipped. The nodes are looked up once; when none of them answers, once more.
         */
        HttpResponse<String> call(Supplier<String> token, String method, String path, String body) {
            if (http == null) {
                http = HttpClient.newBuilder().sslContext(NodeClient.trusting(bundle().x509Root())).connectTimeout(Duration.ofSeconds(3)).build();
            }
            List<String> problems = new ArrayList<>();
            for (int attempt = 0; attempt < 2; attempt++) {
                if (apis == null || attempt > 0) {
                    apis = liveApis();
                }
                for (Map.Entry<String, Integer> node : apis.entrySet()) {
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.getValue() + path)).timeout(TIMEOUT)
                            .header("Accept", "application/json").header("Authorization", "Bearer " + token.get());
                    b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                            : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
                    try {
                        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                    } catch (IOException e) {
                        problems.add(node.getKey() + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw ClusterException.failed(method + " " + path + ": interrupted");
                    }
                }
            }
            throw ClusterException.failed("no node answered " + method + " " + path + ": " + String.join("; ", problems));
        }

        /** The body of a 2xx answer, or the node's error as the right kind of failure. */
        JsonNode answer(HttpResponse<String> r, String what) {
            JsonNode body;
            try {
                body = JSON.readTree(r.body());
            } catch (IOException e) {
                throw ClusterException.failed(what + ": the node answered HTTP " + r.statusCode() + " with something that is not JSON");
            }
            if (r.statusCode() / 100 == 2) {
                return body;
            }
            String message = "HTTP " + r.statusCode() + " " + Text.clean(body.path("error").asText()) + ": "
                    + Text.clean(body.path("message").asText(body.path("reason").asText()));
            throw switch (r.statusCode()) {
                case 400, 404 -> ClusterException.usage(what + ": " + message);
                case 401, 403, 409 -> ClusterException.refused(what + ": " + message);
                default -> ClusterException.failed(what + ": " + message);
            };
        }
    }

    /** Terminal-safe text: whatever a node or a voter wrote, without control characters. */
    static final class Text {
        private Text() {}

        static String clean(String s) {
            return s == null ? "" : s.replaceAll("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]", "?");
        }
    }

    @Command(name = "propose", mixinStandardHelpOptions = true, description = {"Make a proposal as a node.",
            "Example: dao propose --dir D --as node-1 --type config --set governance.voting_period=1h --title \"...\" --voting-period 30s --execution-delay 5s"})
    static final class Propose extends OnDao {
        @Option(names = "--as", required = true, description = "The proposing node, e.g. node-1.") String as;
        @Option(names = "--type", required = true, description = "config, policy, scaling, recovery or rollback.") String type;
        @Option(names = "--title", required = true) String title;
        @Option(names = "--description", defaultValue = "") String description;
        @Option(names = "--set", description = "KEY=VALUE of the runtime config (config), repeatable; GET /api/config lists the keys.") List<String> set = new ArrayList<>();
        @Option(names = "--policy-file", description = "The new policy document (policy).") Path policyFile;
        @Option(names = "--rolls-back", description = "The executed proposal whose changes to undo (rollback).") String rollsBack;
        @Option(names = "--nodes", description = "The number of nodes the mesh should run (scaling), 3 to 16.") Integer nodes;
        @Option(names = "--node", description = "The member to recover (recovery): the host agent restarts it if the others' detectors hold it down.") String node;
        @Option(names = "--voting-period", description = "e.g. 30s; default: governance.voting_period.") String votingPeriod;
        @Option(names = "--execution-delay", description = "e.g. 5s; default: governance.execution_delay.") String executionDelay;
        @Option(names = "--impact-window", description = "How long the load is compared before and after the execution, e.g. 30s; default: governance.impact_window.") String impactWindow;
        @Option(names = "--json", description = "Print the node's JSON answer.") boolean json;

        @Override
        int execute() {
            NodeName.check(as);
            ObjectNode body = JSON.createObjectNode();
            ObjectNode payload = JSON.createObjectNode();
            switch (type.toLowerCase(Locale.ROOT)) {
                case "config", "config_update" -> {
                    body.put("type", "CONFIG_UPDATE");
                    if (set.isEmpty()) {
                        throw new Main.UsageProblem("--type config needs at least one --set KEY=VALUE, e.g. --set governance.voting_period=1h");
                    }
                    ObjectNode values = payload.putObject("set");
                    for (String kv : set) {
                        int eq = kv.indexOf('=');
                        if (eq <= 0) {
                            throw new Main.UsageProblem("--set '" + Text.clean(kv) + "': write KEY=VALUE, e.g. governance.voting_period=1h");
                        }
                        values.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
                    }
                }
                case "policy", "policy_update" -> {
                    body.put("type", "POLICY_UPDATE");
                    if (policyFile == null) {
                        throw new Main.UsageProblem("--type policy needs --policy-file FILE");
                    }
                    try {
                        payload.put("document", Files.readString(policyFile));
                    } catch (IOException e) {
                        throw new Main.UsageProblem("--policy-file " + policyFile + ": cannot read it: " + e.getMessage());
                    }
                }
                case "scaling", "resource_scaling" -> {
                    body.put("type", "RESOURCE_SCALING");
                    if (nodes == null) {
                        throw new Main.UsageProblem("--type scaling needs --nodes N, the number of nodes the mesh should run");
                    }
                    payload.put("nodes", nodes);
                }
                case "recovery" -> {
                    body.put("type", "RECOVERY");
                    if (node == null) {
                        throw new Main.UsageProblem("--type recovery needs --node NAME, the member to restart");
                    }
                    payload.put("node", node).put("action", "restart");
                }
                case "rollback" -> {
                    body.put("type", "ROLLBACK");
                    if (rollsBack == null) {
                        throw new Main.UsageProblem("--type rollback needs --rolls-back PROPOSAL_ID");
                    }
                    payload.put("proposal", rollsBack);
                }
                default -> throw new Main.UsageProblem("--type '" + Text.clean(type) + "' is not one of config, policy, scaling, recovery, rollback");
            }
            body.put("title", title).put("description", description);
            body.set("payload", payload);
            if (votingPeriod != null) {
                body.put("voting_period", votingPeriod);
            }
            if (executionDelay != null) {
                body.put("execution_delay", executionDelay);
            }
            if (impactWindow != null) {
                body.put("impact_window", impactWindow);
            }
            JsonNode p = answer(call(token(Optional.of(as)), "POST", "/api/proposals", body.toString()), "propose");
            if (json) {
                out().println(p.toPrettyString());
            } else {
                out().println("proposal " + p.get("id").asText() + " " + p.get("state").asText() + ": " + Text.clean(p.get("title").asText()));
                out().println("  voting until " + p.get("deadline").asText() + ", then a delay of " + p.get("rules").get("execution_delay_ms").asLong()
                        + " ms; eligible: " + String.join(", ", names(p.get("eligible"))));
                out().println("  vote with: x0tta6bl4 dao vote --dir " + dir + " --as NODE --proposal " + p.get("id").asText()
                        + " --yes --weight 1..." + p.get("rules").get("max_weight").asInt());
            }
            return Main.OK;
        }
    }

    static List<String> names(JsonNode ids) {
        List<String> out = new ArrayList<>();
        ids.forEach(n -> out.add(Text.clean(n.asText().substring(n.asText().lastIndexOf('/') + 1))));
        return out;
    }

    @Command(name = "vote", mixinStandardHelpOptions = true, description = {"Sign a vote with a node's key and submit it through any live node.",
            "Example: dao vote --dir D --as node-4 --proposal ID --yes --weight 3 --rationale \"...\""})
    static final class VoteCommand extends OnDao {
        @Option(names = "--as", required = true, description = "The voting node: its key in DIR/NODE/credentials signs the vote.") String as;
        @Option(names = "--proposal", required = true) String proposal;
        @ArgGroup(exclusive = true, multiplicity = "1") ChoiceGroup choice;
        @Option(names = "--weight", required = true, description = "A whole number >= 1; it costs weight² of the voter's credits.") int weight;
        @Option(names = "--rationale", defaultValue = "") String rationale;
        @Option(names = "--json", description = "Print the node's JSON answer.") boolean json;

        static final class ChoiceGroup {
            @Option(names = "--yes") boolean yes;
            @Option(names = "--no") boolean no;
            @Option(names = "--abstain") boolean abstain;

            Choice choice() {
                return yes ? Choice.YES : no ? Choice.NO : Choice.ABSTAIN;
            }
        }

        @Override
        int execute() {
            NodeName.check(as);
            Path credentials = new HostLayout(dir).dir().resolve(as).resolve("credentials");
            NodeCredentials c;
            try {
                c = NodeCredentials.load(credentials);
            } catch (CredentialFileException e) {
                throw new Main.UsageProblem("--as " + as + ": " + e.getMessage());
            }
            Vote.Signed signed;
            try {
                signed = new Vote(proposal, c.id(), choice.choice(), weight, rationale).sign(c, new SecureRandom());
            } catch (IllegalArgumentException e) {
                throw new Main.UsageProblem("--" + e.getMessage());
            }
            JsonNode r = answer(call(token(Optional.of(as)), "POST", "/api/proposals/" + proposal + "/votes", signed.toRequestJson().toString()), "vote");
            if (json) {
                out().println(r.toPrettyString());
            } else {
                JsonNode t = r.get("proposal").get("tally");
                out().println(as + " voted " + choice.choice() + " with weight " + weight + " (cost " + weight * weight + ") on " + proposal
                        + " (ledger entry " + r.get("seq").asLong() + "); " + tallyLine(t));
            }
            return Main.OK;
        }
    }

    static String tallyLine(JsonNode t) {
        return String.format(Locale.ROOT, "YES %d vs NO %d power (%s): %.2f %% approval, participation %d/%d = %.0f %%", t.get("yes").asLong(),
                t.get("no").asLong(), t.get("mode").asText(), t.get("approval").asDouble(), t.get("voted").asInt(), t.get("eligible").asInt(),
                t.get("participation").asDouble());
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One proposal: state, tally, votes with rationale, its ledger timeline.")
    static final class Show extends OnDao {
        @Parameters(index = "0", paramLabel = "ID") String id;
        @Option(names = "--json") boolean json;

        @Override
        int execute() {
            JsonNode p = answer(call(token(Optional.empty()), "GET", "/api/proposals/" + id, null), "show " + id);
            if (json) {
                out().println(p.toPrettyString());
                return Main.OK;
            }
            print(out(), p);
            return Main.OK;
        }
    }

    static void print(java.io.PrintWriter out, JsonNode p) {
        JsonNode r = p.get("rules");
        out.println("proposal " + p.get("id").asText() + "  " + p.get("type").asText() + "  " + p.get("state").asText());
        out.println("  " + Text.clean(p.get("title").asText()) + (p.get("description").asText().isEmpty() ? "" : ": " + Text.clean(p.get("description").asText())));
        out.println("  payload " + Text.clean(p.get("payload").toString()));
        out.println("  proposer " + Text.clean(p.get("proposer").asText()) + ", made " + p.get("created_at").asText() + ", voting until "
                + p.get("deadline").asText() + (p.get("eta").isNull() ? "" : ", executes from " + p.get("eta").asText()));
        out.println(String.format(Locale.ROOT, "  needs participation > %s %% and approval > %s %%; %d credits per voter; tally %s",
                plain(r.get("min_participation").asDouble()), plain(r.get("min_approval").asDouble()), r.get("credits").asInt(), r.get("tally_mode").asText()));
        String line = "+" + "-".repeat(84) + "+";
        out.println("  " + line);
        for (JsonNode v : p.get("votes")) {
            String who = Text.clean(v.get("voter").asText().substring(v.get("voter").asText().lastIndexOf('/') + 1));
            String text = String.format(Locale.ROOT, "%-8s %-7s weight %d (cost %d) %s", who, v.get("choice").asText(), v.get("weight").asInt(),
                    v.get("cost").asInt(), Text.clean(v.get("rationale").asText()));
            out.println("  | " + pad(text, 82) + " |");
        }
        out.println("  " + line);
        out.println("  | " + pad(tallyLine(p.get("tally")), 82) + " |");
        out.println("  " + line);
        for (JsonNode e : p.get("timeline")) {
            out.println("  #" + e.get("seq").asLong() + " " + e.get("at").asText() + " " + e.get("what").asText() + " by "
                    + Text.clean(e.get("actor").asText()) + ": " + Text.clean(e.get("summary").asText()));
        }
        if (!p.get("detail").isNull()) {
            out.println("  detail " + Text.clean(p.get("detail").toString()));
        }
    }

    static String pad(String s, int width) {
        return s.length() >= width ? s.substring(0, width) : s + " ".repeat(width - s.length());
    }

    static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every proposal, newest first.")
    static final class ListCommand extends OnDao {
        @Option(names = "--state", description = "Only proposals in this state, e.g. ACTIVE.") String state;
        @Option(names = "--json") boolean json;

        @Override
        int execute() {
            JsonNode r = answer(call(token(Optional.empty()), "GET", "/api/proposals" + (state == null ? "" : "?state="
                    + java.net.URLEncoder.encode(state, java.nio.charset.StandardCharsets.UTF_8)), null), "list");
            if (json) {
                out().println(r.toPrettyString());
                return Main.OK;
            }
            for (JsonNode p : r.get("proposals")) {
                out().println(p.get("id").asText() + "  " + pad(p.get("state").asText(), 16) + pad(p.get("type").asText(), 14) + " "
                        + Text.clean(p.get("title").asText()) + "  [" + tallyLine(p.get("tally")) + "]");
            }
            return Main.OK;
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true, description = "Follow a proposal until it is final: each new vote and state, as it happens.")
    static final class Watch extends OnDao {
        @Parameters(index = "0", paramLabel = "ID") String id;
        @Option(names = "--timeout", defaultValue = "10m", description = "Give up after this long (exit 3); default ${DEFAULT-VALUE}.") Duration timeout;

        @Override
        int execute() {
            long deadline = System.nanoTime() + timeout.toNanos();
            Supplier<String> token = token(Optional.empty());
            int seen = 0;
            while (true) {
                JsonNode p = answer(call(token, "GET", "/api/proposals/" + id, null), "watch " + id);
                JsonNode timeline = p.get("timeline");
                for (int i = seen; i < timeline.size(); i++) {
                    JsonNode e = timeline.get(i);
                    out().println(e.get("at").asText() + " " + e.get("what").asText() + " by " + Text.clean(e.get("actor").asText()) + ": "
                            + Text.clean(e.get("summary").asText()) + (e.get("what").asText().equals("VOTE") ? "  [" + tallyLine(p.get("tally")) + "]" : ""));
                    out().flush();
                }
                seen = timeline.size();
                String state = p.get("state").asText();
                if (List.of("CANCELED", "DEFEATED", "EXPIRED", "EXECUTED", "EXECUTION_FAILED").contains(state)) {
                    out().println("final: " + state);
                    return Main.OK;
                }
                if (System.nanoTime() - deadline > 0) {
                    err().println("failed: " + id + " is still " + state + " after " + timeout.toSeconds() + " s");
                    return Main.FAILED;
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Main.FAILED;
                }
            }
        }
    }
}
