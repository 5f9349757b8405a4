package io.x0tta6bl4.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.x0tta6bl4.identity.IdentityVerificationException;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.SvidCredentials;
import io.x0tta6bl4.identity.SvidTls;
import io.x0tta6bl4.identity.TrustBundle;
import io.x0tta6bl4.policy.Decision;
import io.x0tta6bl4.policy.Policy;
import io.x0tta6bl4.policy.RateLimiter;
import io.x0tta6bl4.policy.Request;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The host agent's API: HTTPS on loopback, TLS 1.3 only, a client certificate required.
 *
 * <pre>
 * GET  /v1/nodes                 list      → [handle, ...]
 * POST /v1/nodes          spec   spawn     → handle, once the node answers
 * POST /v1/nodes/NAME/OP         OP        → stop: stopped; kill, pause, resume: signal; restart: handle
 * </pre>
 * (the JSON is in {@link AgentJson}).
 *
 * <p><b>Who may call.</b> The handshake accepts any X.509-SVID that verifies against the trust
 * bundle (the SPIFFE rules of {@link SvidTls#trustManager}); what a caller may do is the policy's
 * decision, for its SPIFFE ID, resource {@value #RESOURCE}, action = the operation's name, decided
 * before anything else happens and written to the agent's log either way. A refusal is 403 with
 * the deciding rule and its reason, and changes nothing. So the operator's CLI
 * ({@code spiffe://DOMAIN/operator/cli}) and the nodes ({@code /node/*}, which may ask their host
 * to restart a peer) get in by rules of the cluster's policy, and an application does not.
 *
 * <p>The policy is the bootstrap policy file the nodes install in their ledger, read once at
 * start. Later POLICY_CHANGE entries are not followed yet: that needs the agent to read the
 * ledger, through a node.
 */
final class AgentServer implements AutoCloseable {
    static final String RESOURCE = "orchestration";
    static final Set<String> OPERATIONS = Set.of("stop", "kill", "pause", "resume", "restart");
    static final int MAX_BODY = 64 * 1024;

    private final WebServer server;

    private AgentServer(WebServer server) {
        this.server = server;
    }

    static AgentServer start(SvidCredentials self, TrustBundle bundle, Supplier<Policy> policy, Orchestrator orchestrator, InstantSource clock,
                             Consumer<String> log) {
        Tls tls = Tls.builder()
                .sslContext(SvidTls.sslContext(self, SvidTls.trustManager(bundle, clock, id -> true,
                        refusal -> log.accept("refused a TLS client (" + refusal.remote() + "): " + refusal.reason()))))
                .enabledProtocols(List.of("TLSv1.3"))
                .clientAuth(TlsClientAuth.REQUIRED)
                .endpointIdentificationAlgorithm(Tls.ENDPOINT_IDENTIFICATION_NONE)
                .build();
        Handler h = new Handler(policy, new RateLimiter(), orchestrator, clock, log);
        WebServer server = WebServer.builder()
                .host(ProcessOrchestrator.HOST)
                .port(0)
                .tls(tls)
                .maxPayloadSize(MAX_BODY)
                .shutdownGracePeriod(Duration.ofMillis(500))
                .routing(r -> r.get("/v1/nodes", h::list)
                        .post("/v1/nodes", h::spawn)
                        .post("/v1/nodes/{name}/{op}", h::operate)
                        .any((req, res) -> h.send(res, new OrchestratorException(OrchestratorException.Code.NO_ROUTE,
                                req.prologue().method().text() + " " + req.path().path() + " is not a route of the host agent (GET /v1/nodes, POST /v1/nodes, "
                                        + "POST /v1/nodes/NAME/{stop,kill,pause,resume,restart})"), 404)))
                .build();
        server.start();
        if (!server.isRunning() || server.port() <= 0) {
            server.stop();
            throw OrchestratorException.failed("the host agent cannot listen on " + ProcessOrchestrator.HOST + " (no port was bound)");
        }
        return new AgentServer(server);
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }

    private record Handler(Supplier<Policy> policy, RateLimiter limiter, Orchestrator orchestrator, InstantSource clock, Consumer<String> log) {
        void list(ServerRequest req, ServerResponse res) {
            run(req, res, "list", "", () -> orchestrator.list().thenApply(all -> {
                ArrayNode a = JsonReader.MAPPER.createArrayNode();
                all.forEach(hd -> a.add(AgentJson.handle(hd)));
                return a;
            }));
        }

        void spawn(ServerRequest req, ServerResponse res) {
            run(req, res, "spawn", "", () -> {
                String body = new String(req.content().as(byte[].class), StandardCharsets.UTF_8);
                JsonReader r = new JsonReader("request body");
                NodeSpec spec;
                try {
                    spec = AgentJson.spec(r, r.parseObject(body), "");
                } catch (JsonReader.FieldProblem e) {
                    throw OrchestratorException.badRequest(e.field, e.problem);
                } catch (IllegalArgumentException e) {
                    throw OrchestratorException.badRequest("", e.getMessage());
                }
                return orchestrator.spawn(spec).thenApply(AgentJson::handle);
            });
        }

        void operate(ServerRequest req, ServerResponse res) {
            String name = req.path().pathParameters().get("name");
            String op = req.path().pathParameters().get("op");
            if (!OPERATIONS.contains(op)) {
                send(res, OrchestratorException.badRequest("op", "'" + op + "' is not an operation; use one of " + String.join(", ", sorted(OPERATIONS))), 400);
                return;
            }
            run(req, res, op, name, () -> switch (op) {
                case "stop" -> orchestrator.stop(name).thenApply(AgentJson::stopped);
                case "kill" -> orchestrator.kill(name).thenApply(AgentJson::signalled);
                case "pause" -> orchestrator.pause(name).thenApply(AgentJson::signalled);
                case "resume" -> orchestrator.resume(name).thenApply(AgentJson::signalled);
                case "restart" -> orchestrator.restart(name).thenApply(AgentJson::handle);
                default -> throw new IllegalStateException(op);
            });
        }

        private static List<String> sorted(Set<String> s) {
            return s.stream().sorted().toList();
        }

        /** Authorizes, then runs the operation and answers with its JSON or its refusal. */
        private void run(ServerRequest req, ServerResponse res, String action, String target,
                         Supplier<CompletableFuture<? extends JsonNode>> operation) {
            Optional<SpiffeId> caller = caller(req);
            if (caller.isEmpty()) {
                // Cannot happen while the listener requires a verified client certificate; refuse rather than guess.
                send(res, OrchestratorException.denied("no-client-certificate", "the request carries no verified X.509-SVID"), 403);
                return;
            }
            Optional<InetAddress> source = req.remotePeer().address() instanceof InetSocketAddress a ? Optional.ofNullable(a.getAddress()) : Optional.empty();
            Decision d = policy.get().decide(new Request(caller.get(), RESOURCE, action, source, clock.instant()), limiter);
            String what = action + (target.isEmpty() ? "" : " " + target);
            if (!d.allowed()) {
                log.accept(caller.get() + " " + what + ": denied (" + d.reason() + ")");
                send(res, OrchestratorException.denied(d.rule(), d.reason()), 403);
                return;
            }
            log.accept(caller.get() + " " + what + ": allowed by rule " + d.rule());
            try {
                JsonNode answer = operation.get().join();
                res.header(HeaderNames.CONTENT_TYPE, "application/json");
                res.send(answer.toString());
            } catch (RuntimeException e) {
                OrchestratorException o = OrchestratorException.unwrap(e);
                if (o.code() == OrchestratorException.Code.FAILED) {
                    log.accept(caller.get() + " " + what + ": failed: " + o.getMessage());
                }
                send(res, o, o.code().status());
            }
        }

        void send(ServerResponse res, OrchestratorException e, int status) {
            res.status(Status.create(status));
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(AgentJson.error(e).toString());
        }

        /** The client's SPIFFE ID; its chain was verified against the bundle in the handshake. */
        private static Optional<SpiffeId> caller(ServerRequest req) {
            Optional<Certificate[]> certs = req.remotePeer().tlsCertificates();
            if (certs.isEmpty() || certs.get().length == 0 || !(certs.get()[0] instanceof X509Certificate leaf)) {
                return Optional.empty();
            }
            try {
                return Optional.of(SvidTls.acceptedPeer(leaf));
            } catch (IdentityVerificationException e) {
                return Optional.empty();
            }
        }
    }
}
