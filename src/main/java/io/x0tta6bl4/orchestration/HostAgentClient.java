package io.x0tta6bl4.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SvidCredentials;
import io.x0tta6bl4.identity.SvidTls;
import io.x0tta6bl4.identity.TrustBundle;
import io.x0tta6bl4.identity.X509Credentials;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * An {@link Orchestrator} that asks the host agent of a cluster directory, over mutual TLS 1.3:
 * it presents an X.509-SVID (the operator's {@code DIR/operator}, or a node's own credentials)
 * and accepts only a server whose SVID verifies against the trust bundle and names a host of the
 * trust domain ({@code spiffe://DOMAIN/host/NAME}). Where the agent listens is read from
 * {@code DIR/host/agent.json} on every call, so a client outlives a restart of the agent; a
 * record whose process is gone is {@code UNAVAILABLE}, said with how to start one.
 *
 * <p>What the agent refuses comes back as the {@link OrchestratorException} it answered (code,
 * field, rule), so a caller sees the same refusal whether it asked in-process or over HTTPS.
 */
public final class HostAgentClient implements Orchestrator, AutoCloseable {
    /** Ample for a node to start on a loaded machine: the agent's own start timeout and then some. */
    static final Duration START_CALL_TIMEOUT = ProcessOrchestrator.START_TIMEOUT.plusSeconds(30);
    /** Ample for a stop (SIGTERM, the stop timeout, SIGKILL, its timeout). */
    static final Duration CALL_TIMEOUT = ProcessOrchestrator.STOP_TIMEOUT.plus(ProcessOrchestrator.KILL_TIMEOUT).plusSeconds(15);

    private final HostLayout layout;
    private final HttpClient http;

    private HostAgentClient(HostLayout layout, TrustBundle bundle, X509Credentials credentials) {
        this.layout = layout;
        this.http = HttpClient.newBuilder()
                .sslContext(SvidTls.sslContext(credentials, SvidTls.trustManager(bundle, InstantSource.system(),
                        id -> id.memberOf(bundle.trustDomain()) && id.path().startsWith("/host/"), refusal -> { })))
                .connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** A client presenting {@code credentials}, trusting {@code DIR/bundle}. */
    public static HostAgentClient of(Path dir, X509Credentials credentials) {
        HostLayout layout = new HostLayout(dir);
        return new HostAgentClient(layout, TrustBundle.load(layout.bundle()), credentials);
    }

    /** The operator's client: {@code DIR/operator}'s SVID (what cluster up issued for the CLI). */
    public static HostAgentClient operator(Path dir) {
        HostLayout layout = new HostLayout(dir);
        return new HostAgentClient(layout, TrustBundle.load(layout.bundle()), SvidCredentials.load(layout.operator()));
    }

    /** A node's client, with its own credentials ({@code DIR/node-N/credentials}): how a node asks its host. */
    public static HostAgentClient node(Path dir, String name) {
        HostLayout layout = new HostLayout(dir);
        return new HostAgentClient(layout, TrustBundle.load(layout.bundle()), NodeCredentials.load(layout.credentials(name)));
    }

    /** Whether an agent runs for this directory (its agent.json names a live process). */
    public boolean agentRunning() {
        try {
            return AgentRecord.read(layout.agentRecord()).flatMap(AgentRecord::running).isPresent();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private URI uri(String path) {
        AgentRecord r;
        try {
            r = AgentRecord.read(layout.agentRecord()).orElseThrow(() -> new OrchestratorException(OrchestratorException.Code.UNAVAILABLE,
                    "no host agent runs for " + layout.dir() + " (" + layout.agentRecord() + " does not exist); cluster up starts one"));
        } catch (IllegalArgumentException e) {
            throw new OrchestratorException(OrchestratorException.Code.UNAVAILABLE, e.getMessage());
        }
        if (r.running().isEmpty()) {
            throw new OrchestratorException(OrchestratorException.Code.UNAVAILABLE, "the host agent of " + layout.dir() + " (pid " + r.pid()
                    + " in " + layout.agentRecord() + ") is not running; see " + layout.agentLog() + "; cluster up --dir " + layout.dir() + " starts it again");
        }
        return URI.create("https://" + ProcessOrchestrator.HOST + ":" + r.port() + path);
    }

    private <T> CompletableFuture<T> call(String method, String path, String body, Duration timeout, Function<JsonNode, T> parse) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(uri(path)).timeout(timeout).header("Accept", "application/json")
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
        } catch (OrchestratorException e) {
            return CompletableFuture.failedFuture(e);
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
            if (failure != null) {
                throw unreachable(method + " " + path, failure);
            }
            if (response.statusCode() != 200) {
                throw AgentJson.error(response.statusCode(), response.body()).orElseGet(() -> OrchestratorException.failed(
                        "the host agent answered " + method + " " + path + " with HTTP " + response.statusCode() + ": " + response.body()));
            }
            try {
                return parse.apply(new JsonReader("the host agent's answer to " + method + " " + path).parseObjectOrArray(response.body()));
            } catch (IllegalArgumentException e) {
                throw OrchestratorException.failed("the host agent's answer to " + method + " " + path + " cannot be read: " + e.getMessage());
            }
        });
    }

    private OrchestratorException unreachable(String what, Throwable failure) {
        Throwable c = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        String why = switch (c) {
            case HttpTimeoutException t -> "no answer in time";
            case ConnectException e -> "connection refused";
            case SSLException e -> "TLS failure: " + e.getMessage();
            case IOException e when e.getCause() instanceof SSLException s -> "TLS failure: " + s.getMessage();
            default -> c.toString();
        };
        return new OrchestratorException(OrchestratorException.Code.UNAVAILABLE, "the host agent of " + layout.dir() + " did not answer " + what
                + ": " + why + "; see " + layout.agentLog(), c);
    }

    @Override
    public CompletableFuture<NodeHandle> spawn(NodeSpec spec) {
        return call("POST", "/v1/nodes", AgentJson.spec(spec).toString(), START_CALL_TIMEOUT, HostAgentClient::handle);
    }

    @Override
    public CompletableFuture<Stopped> stop(String name) {
        return call("POST", "/v1/nodes/" + name + "/stop", null, CALL_TIMEOUT, j -> AgentJson.stopped(reader(), j));
    }

    @Override
    public CompletableFuture<Signalled> kill(String name) {
        return call("POST", "/v1/nodes/" + name + "/kill", null, CALL_TIMEOUT, j -> AgentJson.signalled(reader(), j));
    }

    @Override
    public CompletableFuture<Signalled> pause(String name) {
        return call("POST", "/v1/nodes/" + name + "/pause", null, CALL_TIMEOUT, j -> AgentJson.signalled(reader(), j));
    }

    @Override
    public CompletableFuture<Signalled> resume(String name) {
        return call("POST", "/v1/nodes/" + name + "/resume", null, CALL_TIMEOUT, j -> AgentJson.signalled(reader(), j));
    }

    @Override
    public CompletableFuture<NodeHandle> restart(String name) {
        return call("POST", "/v1/nodes/" + name + "/restart", null, START_CALL_TIMEOUT, HostAgentClient::handle);
    }

    @Override
    public CompletableFuture<List<NodeHandle>> list() {
        return call("GET", "/v1/nodes", null, CALL_TIMEOUT, j -> {
            JsonReader r = reader();
            if (!j.isArray()) {
                throw new IllegalArgumentException("expected a list of nodes");
            }
            List<NodeHandle> out = new ArrayList<>();
            for (int i = 0; i < j.size(); i++) {
                out.add(AgentJson.handle(r, j.get(i), "[" + i + "]"));
            }
            return out;
        });
    }

    private static JsonReader reader() {
        return new JsonReader("the host agent's answer");
    }

    private static NodeHandle handle(JsonNode j) {
        return AgentJson.handle(reader(), j, "");
    }

    @Override
    public void close() {
        http.close();
    }
}
