package io.x0tta6bl4.transport;

import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.ConnectedSocketChannelInfo;
import io.helidon.webclient.api.ConnectedSocketInfo;
import io.helidon.webclient.api.ConnectionListener;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.SvidTls;
import io.x0tta6bl4.identity.TrustBundle;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * Calls one peer over mutual TLS 1.3. The client accepts only the SPIFFE ID it was made for, so
 * a different member answering on that address is a TLS failure, not a success. The connection is
 * kept and reused, so a probe normally costs one round trip and no handshake.
 *
 * <p>HTTP/1.1 with keep-alive, not HTTP/2: with Helidon 4.5's HTTP/2 client a node opened about
 * six new TLS connections a second to its peers (measured with {@code ss} on a 3-node cluster:
 * one new connection per ~12 probes), each a full handshake; over HTTP/1.1 the same cluster
 * opened none after start-up. The listener still offers h2 to clients that want it.
 * Thread-safe: several calls may be in flight at once.
 */
public final class PeerClient implements AutoCloseable {
    private final String name;
    private final WebClient client;

    private PeerClient(String name, WebClient client) {
        this.name = name;
        this.client = client;
    }

    /**
     * @param expected the SPIFFE ID the peer must present
     * @param timeout  deadline of the connect and of each read
     * @param refused  told when the peer's certificate is refused
     */
    public static PeerClient create(String name, String host, int port, NodeCredentials self, TrustBundle bundle, InstantSource clock,
                                    SpiffeId expected, Duration timeout, Consumer<SvidTls.Refusal> refused) {
        Tls tls = PeerTls.client(self, bundle, clock, expected, refused);
        WebClient client = WebClient.builder()
                .baseUri("https://" + host + ":" + port)
                .tls(tls)
                .protocolPreference(List.of("http/1.1"))
                .socketOptions(o -> o.connectTimeout(timeout).readTimeout(timeout).tcpNoDelay(true))
                // Helidon applies the read timeout only after the TLS handshake; a peer that accepts
                // but never handshakes (a stopped process: the kernel still accepts) would block a
                // probe for ever. The deadline goes on the socket before the handshake.
                .connectionListener(new HandshakeDeadline(timeout))
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .shareConnectionCache(false)
                .build();
        return new PeerClient(name, client);
    }

    public String name() {
        return name;
    }

    /** One probe: the peer's answer body, or why there was none. */
    public byte[] probe() throws PeerCallException {
        try (HttpClientResponse res = client.get(PeerServer.PROBE_PATH).request()) {
            if (res.status().code() != 200) {
                throw new PeerCallException(PeerCallException.Kind.BAD_ANSWER, name + " answered HTTP " + res.status().code());
            }
            return res.entity().as(byte[].class);
        } catch (PeerCallException e) {
            throw e;
        } catch (RuntimeException e) {
            throw classify(name, e);
        }
    }

    /**
     * Holds a {@link PeerServer#WATCH_PATH} request open until the peer ends it, normally after
     * {@link PeerServer#WATCH_HOLD}. This client's read timeout must be longer than that hold.
     *
     * @return true if the peer ended it because it is stopping (410), false if the hold ran out
     * @throws PeerCallException if there was no connection, or it broke: the peer may have died
     */
    public boolean watch() throws PeerCallException {
        try (HttpClientResponse res = client.get(PeerServer.WATCH_PATH).request()) {
            return switch (res.status().code()) {
                case 204 -> false;
                case 410 -> true;
                default -> throw new PeerCallException(PeerCallException.Kind.BAD_ANSWER, name + " answered a watch with HTTP " + res.status().code());
            };
        } catch (PeerCallException e) {
            throw e;
        } catch (RuntimeException e) {
            throw classify(name, e);
        }
    }

    /**
     * Sorts a failed call into the four kinds the failure detector keeps apart. A timeout anywhere
     * in the chain wins; then a refused connect; then anything that broke the TLS handshake (the
     * server aborting because it refused our certificate shows up as a broken pipe inside the
     * handshake); anything else lost the connection, which says the same as a refusal.
     */
    static PeerCallException classify(String name, RuntimeException e) {
        boolean handshake = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException || t instanceof InterruptedIOException) {
                return new PeerCallException(PeerCallException.Kind.TIMEOUT, name + ": no answer in time", e);
            }
            handshake |= t instanceof SSLException || String.valueOf(t.getMessage()).contains("SSL handshake");
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return new PeerCallException(PeerCallException.Kind.REFUSED, name + ": connection refused", e);
            }
        }
        if (handshake) {
            return new PeerCallException(PeerCallException.Kind.TLS_FAILURE, name + ": TLS handshake failed: " + rootMessage(e), e);
        }
        boolean lost = e instanceof UncheckedIOException || String.valueOf(e.getMessage()).startsWith("Connection closed");
        for (Throwable t = e; t != null && !lost; t = t.getCause()) {
            lost = t instanceof SocketException; // "Connection reset", "Broken pipe": the peer's socket is gone
        }
        if (lost) {
            return new PeerCallException(PeerCallException.Kind.REFUSED, name + ": connection lost: " + rootMessage(e), e);
        }
        return new PeerCallException(PeerCallException.Kind.BAD_ANSWER, name + ": " + rootMessage(e), e);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public void close() {
        client.closeResource();
    }

    private record HandshakeDeadline(Duration timeout) implements ConnectionListener {
        @Override
        public void socketConnected(ConnectedSocketInfo info) throws java.io.IOException {
            info.socket().setSoTimeout(Math.toIntExact(Math.max(1, timeout.toMillis())));
        }

        @Override
        public void socketChannelConnected(ConnectedSocketChannelInfo info) {
            // Helidon's client uses blocking sockets; there is no channel to configure.
        }
    }
}
