package io.x0tta6bl4.monitor;

import io.x0tta6bl4.time.Scheduler;
import io.x0tta6bl4.transport.PeerCallException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
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
 * {@code retryAfter}, not a loop. Peers come and go with the membership ({@link #add},
 * {@link #remove}); a removed peer's watch is not renewed.
 */
public final class PeerWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerWatch.class);

    /** One held watch call: true if the peer ended it because it is stopping, false if the hold ran out. */
    @FunctionalInterface
    public interface Target {
        boolean watch() throws PeerCallException;
    }

    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    private final Executor calls;
    private final Scheduler timer;
    private final Duration retryAfter;
    private final Consumer<String> onBreak;
    private volatile boolean closed;

    /**
     * @param calls      runs the blocking watch calls; at most one per peer at a time
     * @param timer      schedules the renewals after a break
     * @param retryAfter the pause between a break and the next watch of that peer
     * @param onBreak    told the name of a peer whose watch broke or that said it is stopping
     */
    public PeerWatch(Executor calls, Scheduler timer, Duration retryAfter, Consumer<String> onBreak) {
        this.calls = calls;
        this.timer = timer;
        this.retryAfter = retryAfter;
        this.onBreak = onBreak;
    }

    /** Watches {@code peer} through {@code target}; a new target for a watched peer takes over from its next renewal. */
    public void add(String peer, Target target) {
        if (targets.put(peer, target) == null) {
            watch(peer, target);
        }
    }

    public void remove(String peer) {
        targets.remove(peer);
    }

    private void watch(String peer, Target target) {
        if (closed || targets.get(peer) == null) {
            return;
        }
        try {
            calls.execute(() -> {
                Target current = targets.get(peer);
                if (current == null || closed) {
                    return;
                }
                boolean broke;
                try {
                    broke = current.watch();
                    if (broke) {
                        LOG.debug("{} says it is stopping", peer);
                    }
                } catch (PeerCallException e) {
                    broke = true;
                    LOG.debug("watch of {} broke: {}", peer, e.getMessage());
                }
                if (closed || targets.get(peer) == null) {
                    return;
                }
                if (!broke) {
                    watch(peer, current);
                    return;
                }
                onBreak.accept(peer);
                timer.schedule(retryAfter.toNanos(), () -> watch(peer, current));
            });
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    /** Renews no watch any more; calls out end with their links. The caller owns the executor and the links. */
    @Override
    public void close() {
        closed = true;
        targets.clear();
    }
}
