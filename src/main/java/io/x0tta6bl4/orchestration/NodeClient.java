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
