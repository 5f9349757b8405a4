package io.x0tta6bl4.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.x0tta6bl4.governance.Governance;
import io.x0tta6bl4.governance.GovernanceFold;
import io.x0tta6bl4.governance.Proposal;
import io.x0tta6bl4.governance.ProposalState;
import io.x0tta6bl4.governance.ProposalType;
import io.x0tta6bl4.governance.Vote;
import io.x0tta6bl4.identity.JwtSvidVerifier;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SvidTls;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.GroupView;
import io.x0tta6bl4.mesh.Member;
import io.x0tta6bl4.mesh.Membership;
import io.x0tta6bl4.mesh.MembershipFold;
import io.x0tta6bl4.mesh.MembershipOp;
import io.x0tta6bl4.ledger.Ledger;
import io.x0tta6bl4.ledger.LedgerEntry;
import io.x0tta6bl4.ledger.LedgerQuery;
import io.x0tta6bl4.ledger.TreeHead;
import io.x0tta6bl4.monitor.ProbeAnswer;
import io.x0tta6bl4.monitor.RequestStats;
import io.x0tta6bl4.policy.Policy;
import io.x0tta6bl4.policy.RateLimiter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTPS API: TLS 1.3 with the node's X.509-SVID as server certificate (it names
 * 127.0.0.1 and localhost, so {@code curl --cacert ca.pem} works), no client certificate.
 *
 * <p>{@code /health}, {@code /metrics} and {@code /api/openapi.json} are public. Every other route
 * is an {@link Endpoint}: it needs {@code Authorization: Bearer <JWT-SVID>}, is decided by the
 * policy, and is audited in the ledger before it is answered (see {@link Gate}). Errors are JSON
 * with a stable {@code error} code and a {@code message}, never a stack trace. Every request is
 * counted in {@code requests} (latency, 5xx as errors), which the load sampler reads. The routes
 * and their JSON are in docs/api.md and the OpenAPI document.
 */
public final class ApiServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Entries one {@code GET /api/ledger} returns when {@code limit} is not given. */
    static final int DEFAULT_LIMIT = 100;
    /** The most one {@code GET /api/ledger} returns. */
    static final int MAX_LIMIT = 1000;
    static final String OPENAPI_RESOURCE = "openapi.json";
    /** What a 503 asks the client to wait before it tries again, in seconds. */
    static final String RETRY_AFTER_SECONDS = "2";
    /** Every served path and its method, public and protected, with a path parameter matching one segment: what a wrong method gets 405 on. */
    private record Route(Pattern pattern, String method) {}

    private static final List<Route> ROUTES = Stream.concat(Endpoint.PUBLIC_PATHS.stream().map(p -> new Route(routePattern(p), "GET")),
            Arrays.stream(Endpoint.values()).map(e -> new Route(routePattern(e.path()), e.method().name()))).toList();

    /** The methods served on {@code path}, in a stable order; empty when no route matches. */
    static List<String> allowed(String path) {
        return ROUTES.stream().filter(r -> r.pattern().matcher(path).matches()).map(Route::method).distinct().sorted().toList();
    }
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    /** What the API serves besides the mesh and the ledger. */
    public record Content(Supplier<byte[]> metrics, String metricsContentType) {}

    /** Everything a node hands its API. */
    public record Wiring(String node, NodeCredentials credentials, JwtSvidVerifier verifier, String audience, MeshView mesh, Ledger ledger,
                         Supplier<Optional<Policy>> policy, GovernanceView governance, Content content, InstantSource clock, Duration auditTimeout,
                         IntSupplier maxConnections) {}

    private final WebServer server;

    private ApiServer(WebServer server) {
        this.server = server;
    }

    public static ApiServer start(String host, int port, Wiring w, RequestStats requests, LongSupplier nanoTime) {
        Gate gate = new Gate(w.node(), w.verifier(), w.audience(), w.policy(), new RateLimiter(), w.ledger(), w.clock(), w.auditTimeout());
        Map<Endpoint, Gate.Handler> handlers = handlers(w);
        byte[] health = Gate.bytes(JSON.createObjectNode().put("status", "up").put("node", w.node()));
        byte[] openApi = openApi();
        ConnectionLimit limit = new ConnectionLimit(w.maxConnections(), () -> requests.recordFailedUntimed(nanoTime.getAsLong()));
        WebServer server = WebServer.builder()
                .addConnectionSelectors(limit.selectors())
                .host(host)
                .port(port)
                .tls(tls(w.credentials()))
                // Without TCP_NODELAY a response written in two pieces waits for the client's delayed
                // ACK: every answer took ~45 ms instead of ~1 ms.
                .connectionOptions(o -> o.tcpNoDelay(true))
                .shutdownGracePeriod(Duration.ofMillis(500))
                .routing(r -> {
                    r.addFilter((chain, req, res) -> {
                        long start = nanoTime.getAsLong();
                        try {
                            chain.proceed();
                        } finally {
                            long end = nanoTime.getAsLong();
                            requests.record(end, end - start, res.status().code() >= 500);
                        }
                    });
                    r.get("/health", (req, res) -> json(res, 200, health));
                    r.get("/metrics", (req, res) -> {
                        res.header(HeaderNames.CONTENT_TYPE, w.content().metricsContentType());
                        res.send(w.content().metrics().get());
                    });
                    r.get("/api/openapi.json", (req, res) -> json(res, 200, openApi));
                    for (Endpoint e : Endpoint.values()) {
                        Gate.Handler h = handlers.get(e);
                        switch (e.method()) {
                            case GET -> r.get(e.path(), (req, res) -> send(res, gate.serve(e, incoming(req, 0), h)));
                            case POST -> r.post(e.path(), (req, res) -> send(res, gate.serve(e, incoming(req, e.body().maxBytes()), h)));
                        }
                    }
                    r.any((req, res) -> {
                        String path = req.path().path();
                        String method = req.prologue().method().text();
                        List<String> allowed = allowed(path);
                        if (!allowed.isEmpty()) {
                            res.header(HeaderNames.ALLOW, String.join(", ", allowed));
                            send(res, Gate.error(405, "method_not_allowed", null, method + " is not served on " + Gate.resource(path)
                                    + "; this route takes " + String.join(", ", allowed)));
                        } else {
                            send(res, Gate.error(404, "not_found", null, "no route " + method + " " + Gate.resource(path)
                                    + "; the routes are listed at /api/openapi.json"));
                        }
                    });
                    // Whatever escapes a handler (an Error included) is answered in the API's JSON,
                    // never with a framework page or a stack trace; the node's log has the details.
                    r.error(Throwable.class, (req, res, t) -> {
                        LOG.error("{} {} failed", req.prologue().method().text(), Gate.resource(req.path().path()), t);
                        send(res, Gate.internalError(Gate.resource(req.path().path())));
                    });
                })
                .build();
        server.start();
        if (!server.isRunning() || server.port() <= 0) {
            // Helidon logs a listener that could not bind and carries on; fail the node's start instead.
            server.stop();
            throw new IllegalStateException("the API listener cannot listen on " + host + ":" + port + " (is the port in use by another process?)");
        }
        return new ApiServer(server);
    }

    private static Map<Endpoint, Gate.Handler> handlers(Wiring w) {
        MeshView mesh = w.mesh();
        Ledger ledger = w.ledger();
        Map<Endpoint, Gate.Handler> h = new EnumMap<>(Endpoint.class);
        h.put(Endpoint.NETWORK_STATUS, req -> ok(MeshJson.status(mesh.networkStatus())));
        h.put(Endpoint.NODES, req -> {
            ObjectNode o = JSON.createObjectNode();
            ArrayNode list = o.putArray("nodes");
            mesh.nodes().forEach(n -> list.add(MeshJson.node(n)));
            return ok(o);
        });
        h.put(Endpoint.NODE, req -> {
            String name = req.pathParam("name").orElseThrow();
            return ok(MeshJson.node(mesh.node(name).orElseThrow(() -> ApiException.notFound("no member named '" + Gate.resource(name)
                    + "'; GET /api/nodes lists the members"))));
        });
        h.put(Endpoint.NODE_VIEW, req -> new Gate.Reply(200, mesh.nodeView().toJson()));
        h.put(Endpoint.MEMBERS, req -> ok(MeshJson.members(mesh.membership(), mesh.group())));
        h.put(Endpoint.MEMBER_CHANGE, req -> changeMember(mesh, req));
        h.put(Endpoint.LEDGER, req -> ledgerPage(ledger, req));
        h.put(Endpoint.LEDGER_CHECKPOINT, req -> {
            ObjectNode o = JSON.createObjectNode();
            TreeHead head = ledger.head();
            o.putObject("head").put("tree_size", head.size()).put("root", head.rootHex());
            ledger.latestCheckpoint().ifPresentOrElse(c -> o.set("checkpoint", LedgerJson.checkpoint(c)), () -> o.putNull("checkpoint"));
            return ok(o);
        });
        h.put(Endpoint.LEDGER_ENTRY, req -> {
            long seq = parseLong("seq", req.pathParam("seq").orElseThrow(), 0, Long.MAX_VALUE);
            TreeHead head = ledger.head();
            if (seq >= head.size()) {
                throw ApiException.notFound("no entry " + seq + "; the ledger holds " + head.size() + " entries (0 to " + (head.size() - 1) + ")");
            }
            LedgerEntry entry = ledger.entry(seq).orElseThrow(() -> ApiException.notFound("no entry " + seq));
            ObjectNode o = JSON.createObjectNode();
            o.set("entry", LedgerJson.entry(entry));
            o.set("proof", LedgerJson.proof(ledger.inclusionProof(seq, head.size())));
            return ok(o);
        });
        GovernanceView gov = w.governance();
        h.put(Endpoint.PROPOSALS, req -> {
            Optional<ProposalState> state = req.query("state").map(v -> Arrays.stream(ProposalState.values())
                    .filter(x -> x.name().equalsIgnoreCase(v)).findFirst().orElseThrow(() -> ApiException.badRequest("state: '" + Gate.resource(v)
                            + "' is not one of " + Arrays.toString(ProposalState.values()))));
            ObjectNode o = JSON.createObjectNode();
            ArrayNode list = o.putArray("proposals");
            gov.state().list(state).forEach(p -> list.add(GovernanceJson.proposal(p, false)));
            return ok(o);
        });
        h.put(Endpoint.PROPOSE, req -> propose(gov, req));
        h.put(Endpoint.PROPOSAL, req -> {
            String id = req.pathParam("id").orElseThrow();
            return ok(GovernanceJson.proposal(gov.state().proposal(id).orElseThrow(() -> ApiException.notFound("no proposal '" + Gate.resource(id)
                    + "'; GET /api/proposals lists them")), true));
        });
        h.put(Endpoint.VOTE, req -> vote(gov, req));
        h.put(Endpoint.CONFIG, req -> ok(GovernanceJson.config(gov.state().config(), gov.inForce())));
        h.put(Endpoint.POLICY, req -> {
            Policy p = w.policy().get().orElseThrow(() -> ApiException.notFound("no policy is in the ledger yet"));
            ObjectNode o = JSON.createObjectNode();
            o.put("version", p.version());
            o.put("digest", p.digestHex());
            o.put("source_name", p.sourceName());
            o.set("rules", JSON.valueToTree(p.rules()));
            o.put("document", p.source());
            return ok(o);
        });
        return h;
    }

    /**
     * {@code POST /api/members/{name}} {@code {"op":..., "reason":...}}: checked against the
     * membership first (404 for no such member, 409 when it does not fit, nothing written), then
     * written and answered once folded (409 if another change got there first).
     */
    private static Gate.Reply changeMember(MeshView mesh, Gate.ApiRequest req) {
        String name = req.pathParam("name").orElseThrow();
        try {
            io.x0tta6bl4.identity.NodeName.check(name);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("name: " + Gate.resource(e.getMessage()));
        }
        MembershipOp op = MembershipOp.parse(req.body().get("op")).orElseThrow();
        String reason = req.body().getOrDefault("reason", "");
        Membership now = mesh.membership();
        if (now.member(name).isEmpty()) {
            throw ApiException.notFound("no member named '" + name + "'; GET /api/members lists them");
        }
        Optional<String> problem = MembershipFold.check(now, op, name);
        if (problem.isPresent()) {
            throw new ApiException(409, "conflict", problem.get());
        }
        return switch (mesh.changeMembership(req.principal(), op, name, reason)) {
            case MeshView.MembershipOutcome.Applied a -> {
                ObjectNode o = JSON.createObjectNode();
                o.put("seq", a.seq());
                o.put("applied", true);
                o.set("member", MeshJson.member(a.member()));
                yield ok(o);
            }
            case MeshView.MembershipOutcome.Refused r -> {
                ObjectNode o = JSON.createObjectNode().put("error", "conflict").put("message", r.reason()).put("seq", r.seq());
                yield new Gate.Reply(409, Gate.bytes(o));
            }
        };
    }

    /**
     * {@code POST /api/proposals}: the payload is checked against the governance state first (400
     * naming the field, nothing written), then the PROPOSAL entry is written and answered, 201,
     * once folded (409 if the fold refused it after all).
     */
    private static Gate.Reply propose(GovernanceView gov, Gate.ApiRequest req) {
        java.util.Map<String, String> b = req.body();
        ProposalType type = ProposalType.parse(b.get("type")).orElseThrow();
        String title = b.get("title");
        if (title.isBlank()) {
            throw ApiException.badRequest("title: is blank");
        }
        JsonNode payload;
        try {
            payload = JSON.readTree(b.get("payload"));
        } catch (IOException e) {
            throw ApiException.badRequest("payload: " + Gate.resource(e.getMessage()));
        }
        JsonNode canonical;
        try {
            canonical = GovernanceFold.checkPayload(gov.state(), type, payload);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(Gate.printable(e.getMessage()));
        }
        Optional<Duration> period = timing(b, "voting_period");
        Optional<Duration> delay = timing(b, "execution_delay");
        Optional<Duration> window = timing(b, "impact_window");
        GovernanceView.Written w = gov.write(GovernanceFold.propose(req.principal(), type, title, b.getOrDefault("description", ""), canonical,
                period, delay, window));
        if (w.refused().isPresent()) {
            return new Gate.Reply(409, Gate.bytes(JSON.createObjectNode().put("error", "conflict").put("message", Gate.printable(w.refused().get())).put("seq", w.seq())));
        }
        Proposal made = w.after().madeAt(w.seq()).orElseThrow();
        return new Gate.Reply(201, Gate.bytes(GovernanceJson.proposal(made, true)));
    }

    private static Optional<Duration> timing(java.util.Map<String, String> body, String field) {
        String v = body.get(field);
        try {
            return v == null ? Optional.empty() : Optional.of(GovernanceFold.timing(field, v));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(Gate.printable(e.getMessage()));
        }
    }

    /**
     * {@code POST /api/proposals/{id}/votes}: a vote signed by its voter, checked as the fold
     * will check it (404 no proposal, 400 malformed, 409 refused with the reason; nothing written),
     * then written and answered once folded.
     */
    private static Gate.Reply vote(GovernanceView gov, Gate.ApiRequest req) {
        String id = req.pathParam("id").orElseThrow();
        java.util.Map<String, String> b = req.body();
        Vote.Signed v;
        try {
            ObjectNode json = JSON.createObjectNode().put("proposal", id).put("voter", b.get("voter")).put("choice", b.get("choice"))
                    .put("weight", Long.parseLong(b.get("weight"))).put("rationale", b.getOrDefault("rationale", "")).put("signature", b.get("signature"));
            json.set("identity", JSON.readTree(b.get("identity")));
            v = Vote.Signed.fromJson(json);
        } catch (IOException | IllegalArgumentException e) {
            throw ApiException.badRequest(Gate.printable(e.getMessage()));
        }
        Governance g = gov.state();
        if (g.proposal(id).isEmpty()) {
            throw ApiException.notFound("no proposal '" + Gate.resource(id) + "'; GET /api/proposals lists them");
        }
        Optional<String> problem = gov.fold().checkVote(g, v, gov.now());
        if (problem.isPresent()) {
            throw new ApiException(409, "vote_refused", Gate.printable(problem.get()));
        }
        GovernanceView.Written w = gov.write(GovernanceFold.vote(v));
        if (w.refused().isPresent()) {
            return new Gate.Reply(409, Gate.bytes(JSON.createObjectNode().put("error", "vote_refused").put("message", Gate.printable(w.refused().get()))
                    .put("seq", w.seq())));
        }
        ObjectNode o = JSON.createObjectNode().put("seq", w.seq());
        o.set("proposal", GovernanceJson.proposal(w.after().proposal(id).orElseThrow(), false));
        return ok(o);
    }

    /** {@code GET /api/ledger?from=&limit=&type=&actor=}: one page of entries, oldest first. */
    private static Gate.Reply ledgerPage(Ledger ledger, Gate.ApiRequest req) {
        long from = req.query("from").map(v -> parseLong("from", v, 0, Long.MAX_VALUE)).orElse(0L);
        int limit = Math.toIntExact(req.query("limit").map(v -> parseLong("limit", v, 1, MAX_LIMIT)).orElse((long) DEFAULT_LIMIT));
        LedgerQuery q = LedgerQuery.all(from, limit);
        Optional<String> type = req.query("type");
        if (type.isPresent()) {
            q = q.withType(EntryType.parse(type.get().toUpperCase(Locale.ROOT)).orElseThrow(() -> ApiException.badRequest(
                    "type: '" + Gate.resource(type.get()) + "' is not one of " + Arrays.toString(EntryType.values()))));
        }
        Optional<String> actor = req.query("actor");
        if (actor.isPresent()) {
            q = q.withActor(actor.get());
        }
        List<LedgerEntry> entries = ledger.query(q);
        ObjectNode o = JSON.createObjectNode();
        o.put("ledger_size", ledger.head().size());
        ArrayNode list = o.putArray("entries");
        entries.forEach(e -> list.add(LedgerJson.entry(e)));
        if (entries.size() == limit) {
            o.put("next", entries.getLast().seq() + 1);
        } else {
            o.putNull("next");
        }
        return ok(o);
    }

    static long parseLong(String name, String value, long min, long max) {
        long v;
        try {
            v = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + ": '" + Gate.resource(value) + "' is not a whole number");
        }
        if (v < min || v > max) {
            throw ApiException.badRequest(name + ": " + v + " is outside " + min + ".." + max);
        }
        return v;
    }

    private static Gate.Reply ok(JsonNode body) {
        return new Gate.Reply(200, Gate.bytes(body));
    }

    /** {@code /api/nodes/{name}} as a pattern: each {@code {param}} segment matches one path segment, the rest literally. */
    static Pattern routePattern(String path) {
        return Pattern.compile(Arrays.stream(path.split("/", -1))
                .map(segment -> segment.startsWith("{") && segment.endsWith("}") ? "[^/]+" : Pattern.quote(segment))
                .collect(Collectors.joining("/")));
    }

    private static Gate.Incoming incoming(ServerRequest req, int maxBody) {
        Optional<InetAddress> source = req.remotePeer().address() instanceof InetSocketAddress a ? Optional.ofNullable(a.getAddress()) : Optional.empty();
        byte[] body = maxBody > 0 ? body(req, maxBody) : new byte[0];
        Gate.Raw api = new Gate.Raw() {
            @Override
            public Optional<String> pathParam(String name) {
                return req.path().pathParameters().first(name).asOptional();
            }

            @Override
            public Optional<String> query(String name) {
                return req.query().first(name).asOptional();
            }

            @Override
            public byte[] body() {
                return body;
            }
        };
        return new Gate.Incoming(req.headers().first(HeaderNames.AUTHORIZATION), req.path().path(), source, api);
    }

    /**
     * The request's body, read up to the route's limit and one byte more (so the schema can say it
     * was too large without this node buffering whatever a client sends).
     */
    private static byte[] body(ServerRequest req, int max) {
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        try (InputStream in = req.content().inputStream()) {
            return in.readNBytes(max + 1);
        } catch (IOException | RuntimeException e) {
            return new byte[0];
        }
    }

    private static void send(ServerResponse res, Gate.Reply reply) {
        if (reply.status() == 401) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
        } else if (reply.status() == 503) {
            // The ledger needs a leader with a majority; an election takes about a second.
            res.header(HeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        json(res, reply.status(), reply.body());
    }

    private static void json(ServerResponse res, int status, byte[] body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body);
    }

    static byte[] openApi() {
        try (InputStream in = ApiServer.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the OpenAPI document " + OPENAPI_RESOURCE + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Tls tls(NodeCredentials self) {
        return Tls.builder().sslContext(SvidTls.sslContext(self, null)).enabledProtocols(List.of("TLSv1.3")).clientAuth(TlsClientAuth.NONE).build();
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }

    /** The JSON of the mesh records (docs/api.md). */
    static final class MeshJson {
        private MeshJson() {}

        static ObjectNode status(MeshView.NetworkStatus s) {
            ObjectNode o = JSON.createObjectNode();
            o.put("status", s.status().name().toLowerCase(Locale.ROOT));
            o.put("nodes", s.nodes());
            o.put("nodes_alive", s.nodesAlive());
            o.put("latency_ms", round(s.latencyMs()));
            o.put("mesh_health", round(s.meshHealth()));
            s.leader().ifPresentOrElse(l -> o.put("leader", l), () -> o.putNull("leader"));
            o.put("ledger_size", s.ledgerSize());
            o.put("timestamp", s.timestamp().toString());
            return o;
        }

        static ObjectNode node(MeshView.NodeStatus n) {
            ObjectNode o = JSON.createObjectNode();
            o.put("name", n.name());
            o.put("spiffe_id", n.id().toString());
            o.put("state", n.state());
            o.put("self", n.self());
            n.lastProbe().ifPresentOrElse(p -> {
                ObjectNode lp = o.putObject("last_probe");
                lp.put("at", p.at().toString());
                p.roundTripMs().ifPresentOrElse(rt -> lp.put("rtt_ms", round(rt)), () -> lp.putNull("rtt_ms"));
                p.failure().ifPresentOrElse(f -> lp.put("failure", f), () -> lp.putNull("failure"));
            }, () -> o.putNull("last_probe"));
            n.load().ifPresentOrElse(l -> o.set("load", ProbeAnswer.loadJson(l)), () -> o.putNull("load"));
            return o;
        }

        static ObjectNode member(Member m) {
            ObjectNode o = JSON.createObjectNode();
            o.put("name", m.name());
            o.put("spiffe_id", m.id().toString());
            o.put("role", m.role().name().toLowerCase(Locale.ROOT));
            o.put("status", m.status().name().toLowerCase(Locale.ROOT));
            o.put("host", m.endpoints().host());
            o.put("api_port", m.endpoints().api());
            o.put("peer_port", m.endpoints().peer());
            o.put("raft_port", m.endpoints().raft());
            o.put("joined_at", m.joinedAt());
            o.put("change", m.change().name().toLowerCase(Locale.ROOT));
            o.put("since", m.since());
            o.put("reason", m.reason());
            return o;
        }

        static ObjectNode members(Membership m, GroupView g) {
            ObjectNode o = JSON.createObjectNode();
            ArrayNode list = o.putArray("members");
            m.members().values().forEach(x -> list.add(member(x)));
            o.put("next_name", m.nextName());
            ObjectNode raft = o.putObject("raft");
            ArrayNode voters = raft.putArray("voters");
            g.voters().forEach(r -> voters.add(r.name()));
            ArrayNode listeners = raft.putArray("listeners");
            g.listeners().forEach(r -> listeners.add(r.name()));
            g.leader().ifPresentOrElse(l -> raft.put("leader", l), () -> raft.putNull("leader"));
            raft.put("changing", g.changing());
            ArrayNode refusals = o.putArray("refusals");
            for (Membership.Refusal r : m.refusals()) {
                refusals.addObject().put("seq", r.seq()).put("op", r.op() == null ? null : r.op().wire()).put("node", r.node()).put("reason", r.reason());
            }
            return o;
        }

        private static double round(double v) {
            return Math.round(v * 1000) / 1000.0;
        }
    }
}
