package io.x0tta6bl4.api;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.http2.Http2Config;
import io.helidon.webserver.http2.Http2ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * The API listener's limit on open connections ({@code api.max_connections}, runtime config).
 * The limit is read when each connection starts, so a change applies at once to new connections;
 * the ones already open are not cut. A connection over the limit is answered
 * {@code 503 too_many_connections} (HTTP/1.1) or closed (HTTP/2) before any request is read.
 * Helidon's own {@code max-tcp-connections} is fixed when the listener starts, so the count is
 * kept here, around Helidon's HTTP/1.1 and HTTP/2 connection handlers: the selectors given to the
 * listener come before the ones Helidon discovers.
 */
final class ConnectionLimit {
    private final IntSupplier max;
    private final Runnable refused;
    private final AtomicInteger open = new AtomicInteger();

    /** @param refused told of each refused connection: a 503 the client sees, so an error in the node's request stats */
    ConnectionLimit(IntSupplier max, Runnable refused) {
        this.max = max;
        this.refused = refused;
    }

    /** Helidon's HTTP/1.1 and HTTP/2 selectors, each counting its connections against the limit. */
    List<ServerConnectionSelector> selectors() {
        return List.of(new Limited(Http1ConnectionSelector.builder().config(Http1Config.create()).build(), true),
                new Limited(Http2ConnectionSelector.builder().http2Config(Http2Config.create()).build(), false));
    }

    private final class Limited implements ServerConnectionSelector {
        private final ServerConnectionSelector delegate;
        private final boolean http1;

        Limited(ServerConnectionSelector delegate, boolean http1) {
            this.delegate = delegate;
            this.http1 = http1;
        }

        @Override
        public int bytesToIdentifyConnection() {
            return delegate.bytesToIdentifyConnection();
        }

        @Override
        public Support supports(BufferData data) {
            return delegate.supports(data);
        }

        @Override
        public Set<String> supportedApplicationProtocols() {
            return delegate.supportedApplicationProtocols();
        }

        @Override
        public ServerConnection connection(ConnectionContext ctx) {
            return new Counted(ctx, delegate.connection(ctx), http1);
        }
    }

    private final class Counted implements ServerConnection {
        private final ConnectionContext ctx;
        private final ServerConnection delegate;
        private final boolean http1;

        Counted(ConnectionContext ctx, ServerConnection delegate, boolean http1) {
            this.ctx = ctx;
            this.delegate = delegate;
            this.http1 = http1;
        }

        /** Takes a place, or refuses the connection; true when it may be served. */
        private boolean admitted() {
            int limit = max.getAsInt();
            if (open.incrementAndGet() <= limit) {
                return true;
            }
            open.decrementAndGet();
            refused.run();
            if (http1) {
                String body = "{\"error\":\"too_many_connections\",\"message\":\"this node serves at most " + limit
                        + " API connections at once (api.max_connections, GET /api/config); try again later\"}";
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                String head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                        + "\r\nRetry-After: " + ApiServer.RETRY_AFTER_SECONDS + "\r\nConnection: close\r\n\r\n";
                try {
                    ctx.dataWriter().writeNow(BufferData.create(BufferData.create(head.getBytes(StandardCharsets.US_ASCII)), BufferData.create(b)));
                } catch (RuntimeException e) {
                    // the client went away first; nothing to tell it
                }
            }
            return false;
        }

        @Override
        public void handle(Limit requestLimit) throws InterruptedException {
            if (!admitted()) {
                return;
            }
            try {
                delegate.handle(requestLimit);
            } finally {
                open.decrementAndGet();
            }
        }

        @Override
        public Duration idleTime() {
            return delegate.idleTime();
        }

        @Override
        public void close(boolean interrupt) {
            delegate.close(interrupt);
        }
    }
}
