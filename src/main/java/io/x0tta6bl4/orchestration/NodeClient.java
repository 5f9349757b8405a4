package io.x0tta6bl4.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import io.x0tta6bl4.identity.TrustBundle;
import io.x0tta6bl4.monitor.NodeView;
import io.x0tta6bl4.policy.Decision;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Asks nodes for their view ({@code GET https://127.0.0.1:<api>/api/node}) over TLS, trusting
 * only the cluster's X.509 root and checking the host name (each node's SVID names 127.0.0.1 and
 * localhost), with {@code Authorization: Bearer <JWT-SVID>} ({@link ClusterToken}). Every call has
 * a short deadline: a node that does not answer in time (stopped, paused, overloaded) is reported
 * as such instead of holding up the caller. A node that answers but refuses the token (401) or
 * whose policy refuses the cluster (403) is a {@link Answer.Refused}, not a silent node.
 *
 * <p>Every request is audited by the node in the ledger (one AUDIT entry each), so callers poll
 * no faster than they need to.
 */
public final class NodeClient implements AutoCloseable {
    /** How much longer the second attempt of {@link #views} may take. */
    static final int RETRY_FACTOR = 3;
    /** The route of a node's own view. */
    static final String VIEW_PATH = "/api/node";
    /** The route of the mesh's membership. */
    static final String MEMBERS_PATH = "/api/members";
    /** How long a membership change may take to be committed and folded before the node answers. */
    static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(20);
    private final HttpClient http;
    private final Duration timeout;
    private final Supplier<String> token;

    /** What one node answered, or why it did not. */
    public sealed interface Answer {
        /** The node answered with its view. */
        record Seen(NodeView view) implements Answer {}

        /** No view: the reason, for the operator ("connection refused", "no answer within 1000 ms", ...). */
        record NoAnswer(String reason) implements Answer {}

        /**
         * The node answered, but refused the cluster's request: its token (401) or its policy (403).
         *
         * @param detail  the token's rejection reason code (401, e.g. {@code expired}) or the rule that denied (403)
         * @param message the node's explanation
         */
        record Refused(int status, String error, String detail, String message) implements Answer {
            /**
             * A 403 because the ledger holds no policy yet: what every node answers between its
             * start and the moment the leader has ledgered the bootstrap policy. Not ready yet,
             * rather than wrong.
             */
            public boolean policyPending() {
                return status == 403 && Decision.DEFAULT_DENY.equals(detail) && Decision.NO_POLICY.equals(message);
            }

            /** "refused the cluster's token: HTTP 401 invalid_token (expired): ...", to follow a node's name. */
            public String explain() {
                return "refused the cluster's token: HTTP " + status + " " + error
                        + (detail.isEmpty() ? "" : status == 403 ? ", rule " + detail : " (" + detail + ")")
                        + (message.isEmpty() ? "" : ": " + message);
            }
        }
    }

    /**
     * @param token supplies the bearer token of each request (a fresh one when the last is near its expiry)
     */
    public NodeClient(X509Certificate root, Supplier<String> token, Duration timeout) {
        this.timeout = timeout;
        this.token = token;
        this.http = HttpClient.newBuilder().sslContext(trusting(root)).connectTimeout(timeout.multipliedBy(RETRY_FACTOR)).build();
    }

    /** A client for the cluster whose CA is in {@code caDir}, with tokens minted from that CA ({@link ClusterToken}). */
    public static NodeClient forCa(Path caDir, Duration timeout) {
        return new NodeClient(TrustBundle.load(caDir).x509Root(), ClusterToken.fromCa(caDir), timeout);
    }

    /** A TLS 1.3 client context that trusts {@code root} alone: how a client of the nodes' API checks who it talks to. */
    public static SSLContext trusting(X509Certificate root) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("root", root);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(store);
            SSLContext ssl = SSLContext.getInstance("TLSv1.3");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a TLS context trusting the cluster root", e);
        }
    }

    private HttpRequest request(int apiPort, Duration deadline) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + apiPort + VIEW_PATH))
                .timeout(deadline).header("Accept", "application/json").header("Authorization", "Bearer " + token.get()).GET().build();
    }

    /** Asks one node; blocks at most about the timeout. */
    public Answer view(String name, int apiPort) {
        try {
            return answer(name, apiPort, http.send(request(apiPort, timeout), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return new Answer.NoAnswer(reason(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer.NoAnswer("interrupted");
        }
    }

    /**
     * Asks several nodes at once (name → API port); the answers keep the order of the map. A node
     * that did not answer in time is asked once more, with {@link #RETRY_FACTOR} times the
     * deadline: the first TLS handshakes of a fresh process (a command run from the shell) on a
     * loaded machine can take longer than the deadline, and a live node should not look dead for
     * that. At most about four deadlines in all.
     */
    public Map<String, Answer> views(Map<String, Integer> apiPorts) {
        Map<String, Attempt> first = ask(apiPorts, timeout);
        Map<String, Integer> again = new LinkedHashMap<>();
        first.forEach((name, a) -> {
            if (a.timedOut()) {
                again.put(name, apiPorts.get(name));
            }
        });
        Map<String, Attempt> second = ask(again, timeout.multipliedBy(RETRY_FACTOR));
        Map<String, Answer> answers = new LinkedHashMap<>();
        first.forEach((name, a) -> answers.put(name, second.getOrDefault(name, a).answer()));
        return answers;
    }

    /** One request's outcome; timeouts are told apart so that {@link #views} can ask again. */
    private record Attempt(Answer answer, boolean timedOut) {}

    private Map<String, Attempt> ask(Map<String, Integer> apiPorts, Duration deadline) {
        Map<String, CompletableFuture<Attempt>> pending = new LinkedHashMap<>();
        apiPorts.forEach((name, port) -> pending.put(name, http.sendAsync(request(port, deadline), HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> new Attempt(answer(name, port, response), false))
                .exceptionally(e -> {
                    Throwable cause = e instanceof CompletionException c && c.getCause() != null ? c.getCause() : e;
                    return new Attempt(new Answer.NoAnswer(reason(cause)), cause instanceof HttpTimeoutException);
                })));
        Map<String, Attempt> attempts = new LinkedHashMap<>();
        pending.forEach((name, future) -> attempts.put(name, future.join()));
        return attempts;
    }

    private static Answer answer(String name, int port, HttpResponse<String> response) {
        int status = response.statusCode();
        if (status != 200) {
            Optional<JsonNode> error = errorBody(response.body());
            String code = error.map(e -> text(e, "error")).orElse("");
            if (status == 401 || status == 403) {
                // 401: {"error":"invalid_token","reason":<code>,"message":...}; 403: {"error":"access_denied","rule":...,"reason":...}
                return error.map(e -> status == 401
                                ? new Answer.Refused(status, code, text(e, "reason"), withoutPrefix(text(e, "message"), text(e, "reason")))
                                : new Answer.Refused(status, code, text(e, "rule"), text(e, "reason")))
                        .orElseGet(() -> new Answer.Refused(status, "", "", printable(response.body())));
            }
            // The node's own error (e.g. 503 audit_unavailable: no ledger majority to record the request) is shown as it said it.
            return new Answer.NoAnswer(error.isEmpty() ? "bad answer: HTTP " + status
                    : "HTTP " + status + " " + code + error.map(e -> text(e, "message")).filter(m -> !m.isEmpty()).map(m -> ": " + m).orElse(""));
        }
        try {
            NodeView view = NodeView.parse(name + " (127.0.0.1:" + port + ")", response.body());
            if (!view.name().equals(name)) {
                return new Answer.NoAnswer("bad answer: port " + port + " is served by '" + view.name() + "', not " + name);
            }
            return new Answer.Seen(view);
        } catch (IllegalArgumentException e) {
            return new Answer.NoAnswer("bad answer: " + e.getMessage());
        }
    }

    /**
     * {@code GET /api/members} on the node at {@code apiPort}: the membership as that node has
     * folded it. A node that does not answer, refuses the cluster's token or answers something
     * that is not a membership is a {@link ClusterException} (FAILED) saying which.
     */
    public Members members(String name, int apiPort) {
        HttpResponse<String> r = exchange(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + apiPort + MEMBERS_PATH)).GET(), timeout,
                "GET " + MEMBERS_PATH + " on " + name);
        if (r.statusCode() != 200) {
            throw ClusterException.failed(name + " answered GET " + MEMBERS_PATH + " with " + explain(r));
        }
        try {
            return Members.parse(name + " (127.0.0.1:" + apiPort + ") " + MEMBERS_PATH, r.body());
        } catch (IllegalArgumentException e) {
            throw ClusterException.failed("bad answer: " + e.getMessage());
        }
    }

    /** What a node answered to a membership change it applied: the entry's sequence number and the member as it now stands. */
    public record MemberChange(long seq, boolean applied, Members.Member member) {}

    /**
     * {@code POST /api/members/NAME {"op":..., "reason":...}} on the node at {@code apiPort}, which
     * answers once the entry is committed and folded. The membership's refusal (409: the change
     * would leave no voter, the member is not fenced, ...) is a REFUSED {@link ClusterException}
     * with the node's reason; an unknown member is a USAGE one.
     */
    public MemberChange changeMember(String via, int apiPort, String member, String op, String reason) {
        String body = JsonReader.MAPPER.createObjectNode().put("op", op).put("reason", reason).toString();
        String what = "POST " + MEMBERS_PATH + "/" + member + " {\"op\":\"" + op + "\"} on " + via;
        HttpResponse<String> r = exchange(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + apiPort + MEMBERS_PATH + "/" + member))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)), CHANGE_TIMEOUT, what);
        switch (r.statusCode()) {
            case 200 -> {
                JsonReader j = new JsonReader(via + "'s answer to " + what);
                try {
                    JsonNode root = j.parseObject(r.body());
                    return new MemberChange(j.integer(root, "", "seq", 0, Long.MAX_VALUE), j.bool(root, "", "applied"),
                            Members.member(j, j.object(root, "", "member"), "member"));
                } catch (IllegalArgumentException e) {
                    throw ClusterException.failed("bad answer: " + e.getMessage());
                }
            }
            case 404 -> throw ClusterException.usage(via + " knows no member " + member + ": " + explain(r));
            case 409 -> throw ClusterException.refused(via + " refused to " + op + " " + member + ": " + explain(r));
            default -> throw ClusterException.failed(via + " answered " + what + " with " + explain(r));
        }
    }

    private HttpResponse<String> exchange(HttpRequest.Builder b, Duration deadline, String what) {
        try {
            return http.send(b.timeout(deadline).header("Accept", "application/json").header("Authorization", "Bearer " + token.get()).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw ClusterException.failed(what + ": " + reason(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ClusterException.failed(what + ": interrupted");
        }
    }

    /** "HTTP 409 conflict: node-1 is the only voter ...", from the node's JSON error when it sent one. */
    private static String explain(HttpResponse<String> r) {
        Optional<JsonNode> e = errorBody(r.body());
        if (e.isEmpty()) {
            return "HTTP " + r.statusCode() + (r.body().isBlank() ? "" : ": " + printable(r.body()));
        }
        String message = text(e.get(), "message");
        if (message.isEmpty()) {
            message = text(e.get(), "reason");
        }
        return "HTTP " + r.statusCode() + " " + text(e.get(), "error") + (message.isEmpty() ? "" : ": " + message);
    }

    /** The node's JSON error body, if the answer is one. */
    private static Optional<JsonNode> errorBody(String body) {
        try {
            JsonNode n = JsonReader.MAPPER.readTree(body);
            return n != null && n.isObject() && n.path("error").isTextual() ? Optional.of(n) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The node's token message repeats its reason code ("expired: token expired at ..."); said once is enough. */
    private static String withoutPrefix(String message, String code) {
        return !code.isEmpty() && message.startsWith(code + ": ") ? message.substring(code.length() + 2) : message;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? printable(v.asText()) : "";
    }

    /** A node's text, as an operator may see it: printable, at most 300 characters. */
    private static String printable(String s) {
        String clean = s.strip().replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= 300 ? clean : clean.substring(0, 300) + "...";
    }

    private String reason(Throwable e) {
        return switch (e) {
            case HttpConnectTimeoutException t -> "no connection within " + timeout.toMillis() + " ms";
            case HttpTimeoutException t -> "no answer within " + timeout.toMillis() + " ms";
            case ConnectException c -> "connection refused";
            case SSLException s -> "TLS failure: " + s.getMessage();
            default -> e.getCause() instanceof SSLException s ? "TLS failure: " + s.getMessage()
                    : e.getCause() instanceof ConnectException ? "connection refused"
                    : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        };
    }

    @Override
    public void close() {
        http.close();
    }
}
