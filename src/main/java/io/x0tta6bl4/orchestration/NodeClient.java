package io.x0tta6bl4.orchestration;

import io.x0tta6bl4.identity.TrustBundle;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Asks nodes for their view ({@code GET https://127.0.0.1:<api>/api/v1/node}) over TLS, trusting
 * only the cluster's X.509 root and checking the host name (each node's SVID names 127.0.0.1 and
 * localhost). Every call has a short deadline: a node that does not answer in time (stopped,
 * paused, overloaded) is reported as such instead of holding up the caller.
 */
public final class NodeClient implements AutoCloseable {
    /** How much longer the second attempt of {@link #views} may take. */
    static final int RETRY_FACTOR = 3;
    private final HttpClient http;
    private final Duration timeout;

    /** What one node answered, or why it did not. */
    public sealed interface Answer {
        /** The node answered with its view. */
        record Seen(NodeView view) implements Answer {}

        /** No view: the reason, for the operator ("connection refused", "no answer within 1000 ms", ...). */
        record NoAnswer(String reason) implements Answer {}
    }

    public NodeClient(X509Certificate root, Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().sslContext(trusting(root)).connectTimeout(timeout.multipliedBy(RETRY_FACTOR)).build();
    }

    /** A client for the cluster whose CA is in {@code caDir}. */
    public static NodeClient forCa(Path caDir, Duration timeout) {
        return new NodeClient(TrustBundle.load(caDir).x509Root(), timeout);
    }

    private static SSLContext trusting(X509Certificate root) {
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
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + apiPort + "/api/v1/node"))
                .timeout(deadline).header("Accept", "application/json").GET().build();
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
        if (response.statusCode() != 200) {
            return new Answer.NoAnswer("bad answer: HTTP " + response.statusCode());
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
