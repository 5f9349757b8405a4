package io.x0tta6bl4.monitor;

import io.x0tta6bl4.transport.PeerCallException;
import io.x0tta6bl4.transport.PeerClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one watch request ({@code PeerServer.WATCH_PATH}) held open on every peer, so that a peer
 * that dies is noticed when it dies, not at its next probe.
 *
 * <p>A killed process's sockets are closed by its kernel some 25-40 ms after SIGKILL, when the
 * process is torn down (its memory first, then its files, the listener before the connections).
 * The held request then ends with a broken connection; a peer that stops gracefully ends it with
 * 410. Either way {@code onBreak} is told the peer's name, and the node probes it at once
 * ({@link Prober#probeNow}). A break is only a reason to look: the probes alone decide, so a watch
 * that breaks for any other reason costs one extra probe. A paused peer keeps its connection, so
 * only its probes' timeouts tell, as before.
 *
 * <p>One blocking call per peer at a time, on {@code calls} (platform threads). A watch that ends
 * normally (the hold ran out) is renewed at once; after a break the next one starts
 * {@code retryAfter} later, so a peer that stays down costs one connection attempt per
 * {@code retryAfter}, not a loop.
 */
public final class PeerWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerWatch.class);

    private final Map<String, PeerClient> clients;
    private final ExecutorService calls;
    private final ScheduledExecutorService timer;
    private final Duration retryAfter;
    private final Consumer<String> onBreak;
    private volatile boolean closed;

    /**
     * @param clients    one client per peer, by node name; their read timeout must exceed the peers' watch hold
     * @param calls      runs the blocking watch calls; at most one per peer at a time
     * @param timer      schedules the renewals after a break
     * @param retryAfter the pause between a break and the next watch of that peer
     * @param onBreak    told the name of a peer whose watch broke or that said it is stopping
     */
    public PeerWatch(Map<String, PeerClient> clients, ExecutorService calls, ScheduledExecutorService timer, Duration retryAfter,
                     Consumer<String> onBreak) {
        this.clients = Map.copyOf(clients);
        this.calls = calls;
        this.timer = timer;
        this.retryAfter = retryAfter;
        this.onBreak = onBreak;
    }

    public void start() {
        clients.keySet().forEach(this::watch);
    }

    private void watch(String peer) {
        if (closed) {
            return;
        }
        try {
            calls.execute(() -> {
                boolean broke;
                try {
                    broke = clients.get(peer).watch();
                    if (broke) {
                        LOG.debug("{} says it is stopping", peer);
                    }
                } catch (PeerCallException e) {
                    broke = true;
                    LOG.debug("watch of {} broke: {}", peer, e.getMessage());
                }
                if (closed) {
                    return;
                }
                if (!broke) {
                    watch(peer);
                    return;
                }
                onBreak.accept(peer);
                try {
                    timer.schedule(() -> watch(peer), retryAfter.toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    // shutting down
                }
            });
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    /** Renews no watch any more; calls out end with their clients. The caller owns the executors and clients. */
    @Override
    public void close() {
        closed = true;
    }
}
