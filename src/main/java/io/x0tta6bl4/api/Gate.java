package io.x0tta6bl4.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.identity.JwtSvidClaims;
import io.x0tta6bl4.identity.JwtSvidVerifier;
import io.x0tta6bl4.identity.TokenRejectedException;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.Ledger;
import io.x0tta6bl4.ledger.Submission;
import io.x0tta6bl4.policy.Decision;
import io.x0tta6bl4.policy.Policy;
import io.x0tta6bl4.policy.RateLimiter;
import io.x0tta6bl4.policy.Request;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zero-trust path of every protected request, in this order: the bearer token is verified
 * (ML-DSA-65 signature, expiry, audience), the policy decides, the handler runs, and the outcome
 * is written to the ledger as an AUDIT entry, committed, before one byte of the response is sent.
 *
 * <p>A request without a valid token is answered 401 and not audited: there is no one to name
 * as the actor. Everything after that is audited with the token's subject as actor: DENIED for a
 * policy refusal (403), SUCCESS for a 2xx, ERROR for anything else the handler answered. If the
 * audit entry cannot be committed within {@code auditTimeout} (no ledger quorum), the answer is
 * 503 and the handler's result is dropped: a response never leaves unrecorded.
 *
 * <p>A route that changes state ({@link Endpoint#changesState}) is recorded before it acts: an
 * ACCEPTED entry must commit first (else 503, and nothing is changed); then the handler makes the
 * change, which is itself a ledger entry, and the outcome (SUCCESS or ERROR with its HTTP status,
 * the same {@code request_id}) is appended without waiting. So a client is never told a change
 * was not made when it was.
 */
final class Gate {
    private static final Logger LOG = LoggerFactory.getLogger(Gate.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String BEARER = "Bearer ";
    /** Longest resource text an audit entry records; request paths are the caller's and may be anything. */
    static final int MAX_RESOURCE = 200;
    /** Control, format (bidi overrides) and line/paragraph separators: what could spoof how a path is shown. */
    private static final java.util.regex.Pattern UNPRINTABLE = java.util.regex.Pattern.compile("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]");

    /** What the protected handler returns: a status and a JSON body. */
    record Reply(int status, byte[] body) {}

    /** A handler of one protected route. */
    interface Handler {
        Reply handle(ApiRequest request);
    }

    /** What a handler sees of the request. */
    interface ApiRequest {
        Optional<String> pathParam(String name);

        Optional<String> query(String name);

        /** The verified caller (the token's subject). */
        io.x0tta6bl4.identity.SpiffeId principal();

        /** The body's fields, validated against the route's schema (empty for a route without one). */
        java.util.Map<String, String> body();
    }

    /** What the HTTP layer read of one request: its path and query parameters and its raw body. */
    interface Raw {
        Optional<String> pathParam(String name);

        Optional<String> query(String name);

        byte[] body();
    }

    /** The inputs of one request, as the HTTP layer read them. */
    record Incoming(Optional<String> authorization, String path, Optional<InetAddress> source, Raw request) {}

    private final String node;
    private final JwtSvidVerifier verifier;
    private final String audience;
    private final Supplier<Optional<Policy>> policy;
    private final RateLimiter limiter;
    private final Ledger ledger;
    private final InstantSource clock;
    private final Duration auditTimeout;

    Gate(String node, JwtSvidVerifier verifier, String audience, Supplier<Optional<Policy>> policy, RateLimiter limiter, Ledger ledger,
         InstantSource clock, Duration auditTimeout) {
        this.node = node;
        this.verifier = verifier;
        this.audience = audience;
        this.policy = policy;
        this.limiter = limiter;
        this.ledger = ledger;
        this.clock = clock;
        this.auditTimeout = auditTimeout;
    }

    Reply serve(Endpoint endpoint, Incoming in, Handler handler) {
        JwtSvidClaims claims;
        try {
            claims = authenticate(in.authorization());
        } catch (TokenRejectedException e) {
            String code = e.reason().code();
            String message = e.getMessage().startsWith(code + ": ") ? e.getMessage().substring(code.length() + 2) : e.getMessage();
            return error(401, "invalid_token", code, message);
        } catch (MissingToken e) {
            return error(401, "invalid_token", e.reason, e.getMessage());
        }
        Instant now = clock.instant();
        Decision decision = decide(endpoint, claims, in.source(), now);
        String resource = resource(in.path());
        if (ledger.leader().isEmpty()) {
            // No leader known: the audit entry would wait in the commit queue and might commit long
            // after this request was answered 503, saying an answer was served that was not. And
            // the handler's answer would be dropped anyway: it is not computed.
            return unaudited(resource, "no ledger leader is known");
        }
        if (!decision.allowed()) {
            ObjectNode body = JSON.createObjectNode()
                    .put("error", "access_denied")
                    .put("rule", decision.rule())
                    .put("reason", decision.reason());
            Reply denied = new Reply(403, bytes(body));
            return audited(claims, endpoint, resource, in.source(), "DENIED", denied, decision);
        }
        java.util.Map<String, String> body;
        try {
            body = endpoint.body().takesBody() ? endpoint.body().parse(in.request().body()) : java.util.Map.of();
        } catch (ApiException e) {
            return audited(claims, endpoint, resource, in.source(), "ERROR", error(e.status(), e.code(), null, e.getMessage()), decision);
        }
        if (!endpoint.changesState()) {
            Reply reply = run(endpoint, resource, claims, in.request(), body, handler);
            String status = reply.status() / 100 == 2 ? "SUCCESS" : "ERROR";
            return audited(claims, endpoint, resource, in.source(), status, reply, decision);
        }
        // A change is recorded before it is made: its ACCEPTED entry commits, or nothing is done.
        String requestId = UUID.randomUUID().toString();
        Submission accepted = audit(claims, endpoint, resource, in.source(), "ACCEPTED", Optional.empty(), decision, requestId);
        Optional<Reply> refused = commit(accepted, requestId, resource);
        if (refused.isPresent()) {
            return refused.get();
        }
        Reply reply = run(endpoint, resource, claims, in.request(), body, handler);
        String status = reply.status() / 100 == 2 ? "SUCCESS" : "ERROR";
        Submission outcome = audit(claims, endpoint, resource, in.source(), status, Optional.of(reply.status()), decision, requestId);
        appendQuietly(outcome, requestId);
        return reply;
    }

    private static Reply run(Endpoint endpoint, String resource, JwtSvidClaims claims, Raw raw, java.util.Map<String, String> body,
                             Handler handler) {
        io.x0tta6bl4.identity.SpiffeId principal = claims.subject();
        try {
            return handler.handle(new ApiRequest() {
                @Override
                public Optional<String> pathParam(String name) {
                    return raw.pathParam(name);
                }

                @Override
                public Optional<String> query(String name) {
                    return raw.query(name);
                }

                @Override
                public io.x0tta6bl4.identity.SpiffeId principal() {
                    return principal;
                }

                @Override
                public java.util.Map<String, String> body() {
                    return body;
                }
            });
        } catch (ApiException e) {
            return error(e.status(), e.code(), null, e.getMessage());
        } catch (RuntimeException | Error e) {
            // The request boundary: whatever the handler threw is answered and audited as an
            // ERROR; the node's log keeps the details, the caller does not see them.
            LOG.error("{} {} failed", endpoint.auditAction(), resource, e);
            return internalError(resource);
        }
    }

    private JwtSvidClaims authenticate(Optional<String> header) throws TokenRejectedException, MissingToken {
        String h = header.orElseThrow(() -> new MissingToken("missing", "no Authorization header; send 'Authorization: Bearer <JWT-SVID>'"));
        if (!h.regionMatches(true, 0, BEARER, 0, BEARER.length()) || h.length() == BEARER.length()) {
            throw new MissingToken("malformed", "the Authorization header is not 'Bearer <JWT-SVID>'");
        }
        return verifier.verify(h.substring(BEARER.length()).strip(), audience);
    }

    private Decision decide(Endpoint endpoint, JwtSvidClaims claims, Optional<InetAddress> source, Instant now) {
        Optional<Policy> p = policy.get();
        if (p.isEmpty()) {
            return new Decision(false, Decision.DEFAULT_DENY, Decision.NO_POLICY);
        }
        return p.get().decide(new Request(claims.subject(), endpoint.resource(), endpoint.action(), source, now), limiter);
    }

    /** Commits the audit entry, then hands back {@code reply}; or 503 if the entry could not be committed. */
    private Reply audited(JwtSvidClaims claims, Endpoint endpoint, String resource, Optional<InetAddress> source, String status, Reply reply,
                          Decision decision) {
        String requestId = UUID.randomUUID().toString();
        Submission entry = audit(claims, endpoint, resource, source, status, Optional.of(reply.status()), decision, requestId);
        return commit(entry, requestId, resource).orElse(reply);
    }

    private Submission audit(JwtSvidClaims claims, Endpoint endpoint, String resource, Optional<InetAddress> source, String status,
                             Optional<Integer> httpStatus, Decision decision, String requestId) {
        ObjectNode payload = JSON.createObjectNode();
        httpStatus.ifPresent(h -> payload.put("http_status", h));
        payload.put("request_id", requestId)
                .put("node", node)
                .put("policy_resource", endpoint.resource())
                .put("rule", decision.rule());
        if (!decision.allowed()) {
            payload.put("reason", decision.reason());
        }
        source.ifPresent(a -> payload.put("source", a.getHostAddress()));
        return new Submission(EntryType.AUDIT, claims.subject(), endpoint.auditAction(), resource, status, payload.toString());
    }

    /** Commits {@code entry} within the audit timeout: empty if it did, else the 503 to answer instead. */
    private Optional<Reply> commit(Submission entry, String requestId, String resource) {
        try {
            ledger.append(entry).get(auditTimeout.toNanos(), TimeUnit.NANOSECONDS);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            recordRefusal(entry, requestId);
            return Optional.of(unaudited(resource, "interrupted"));
        } catch (ExecutionException e) {
            LOG.warn("audit entry for {} failed", resource, e.getCause());
            recordRefusal(entry, requestId);
            return Optional.of(unaudited(resource, "the ledger refused or lost it"));
        } catch (TimeoutException e) {
            recordRefusal(entry, requestId);
            return Optional.of(unaudited(resource, "not committed within " + auditTimeout.toMillis() + " ms"));
        }
    }

    /** The outcome of a change whose ACCEPTED entry committed: appended without waiting, since the change is made. */
    private void appendQuietly(Submission outcome, String requestId) {
        try {
            ledger.append(outcome).whenComplete((seq, e) -> {
                if (e != null) {
                    LOG.warn("the outcome of request {} ({}) could not be ledgered: {}", requestId, outcome.resource(), e.getMessage());
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("the outcome of request {} ({}) could not be ledgered", requestId, outcome.resource(), e);
        }
    }

    /**
     * An audit entry that missed its deadline may still commit later: it was on its way to the
     * ledger's leader, and nothing can call it back. It would then record the answer the handler
     * produced, which the client never got. So a second entry, with the same {@code request_id},
     * records what the client was answered: 503, status ERROR. It is appended without waiting
     * (the ledger is in trouble); it commits after the first, if that ever commits.
     */
    private void recordRefusal(Submission late, String requestId) {
        ObjectNode payload = JSON.createObjectNode()
                .put("http_status", 503)
                .put("request_id", requestId)
                .put("node", node)
                .put("error", "audit_unavailable");
        Submission refusal = new Submission(EntryType.AUDIT, late.actor(), late.action(), late.resource(), "ERROR", payload.toString());
        try {
            ledger.append(refusal).whenComplete((seq, e) -> {
                if (e != null) {
                    LOG.warn("the 503 answer to request {} ({}) could not be ledgered either: {}", requestId, late.resource(), e.getMessage());
                }
            });
        } catch (RuntimeException e) {
            // The 503 goes out regardless; a ledger that throws instead of failing the future is logged.
            LOG.warn("the 503 answer to request {} ({}) could not be ledgered either", requestId, late.resource(), e);
        }
    }

    private Reply unaudited(String resource, String why) {
        LOG.warn("audit entry for {} not committed ({}); answering 503", resource, why);
        return error(503, "audit_unavailable", null, "the audit entry of this request could not be committed to the ledger, so it was "
                + "not served; the ledger needs a majority of its nodes (this node's log says more)");
    }

    /** The request path as the audit entry records it: printable, and bounded in length. */
    static String resource(String path) {
        String clean = UNPRINTABLE.matcher(path).replaceAll("?");
        return clean.length() <= MAX_RESOURCE ? clean : clean.substring(0, MAX_RESOURCE) + "...";
    }

    /** A message that may quote what a client sent, made safe for a terminal or a log: unprintables replaced, at most 2,000 characters. */
    static String printable(String message) {
        String clean = UNPRINTABLE.matcher(message).replaceAll("?");
        return clean.length() <= 2000 ? clean : clean.substring(0, 2000) + "...";
    }

    /** The answer to a request that failed inside the node: what failed stays in the node's log. */
    static Reply internalError(String resource) {
        return error(500, "internal_error", null, "the node could not answer " + resource + "; the node's log has the details");
    }

    static Reply error(int status, String code, String reason, String message) {
        ObjectNode body = JSON.createObjectNode().put("error", code);
        if (reason != null) {
            body.put("reason", reason);
        }
        body.put("message", message);
        return new Reply(status, bytes(body));
    }

    static byte[] bytes(com.fasterxml.jackson.databind.JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class MissingToken extends Exception {
        private static final long serialVersionUID = 1L;
        final String reason;

        MissingToken(String reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }
}
