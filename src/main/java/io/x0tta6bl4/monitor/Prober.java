package io.x0tta6bl4.monitor;

import io.x0tta6bl4.transport.PeerCallException;
import io.x0tta6bl4.transport.PeerClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Drives a {@link FailureDetector} with real probes. The detector is touched only on the
 * {@code scheduler}'s single thread, so it stays a plain single-threaded state machine; the
 * blocking calls run on {@code calls} (virtual threads), one per probe, so a slow peer never
 * delays the probes of the others.
 *
 * <p>Each probe knows when it was due and when it started; the detector uses the difference to
 * forgive misses when this node itself was late (see {@link FailureDetector}). The next probe of
 * a peer is due {@link FailureDetector#nextProbeDelayNanos} after the previous one completed.
 * For φ-accrual the detector is also ticked every half interval. The probe deadline is kept
 * here, on the scheduler; the clients' own socket timeouts should be longer (see
 * {@link #SOCKET_TIMEOUT}), so a slow answer does not cost the connection.
 */
public final class Prober implements AutoCloseable {
    /** What the node does with what the prober learns. Called on the scheduler thread. */
    public interface Listener {
        void onProbe(String peer, ProbeResult result, Optional<ProbeAnswer> answer);

        void onChanges(List<StateChange> changes);
    }

    private final FailureDetector detector;
    private final Map<String, PeerClient> clients;
    private final ScheduledExecutorService scheduler;
    private final Executor calls;
    private final LongSupplier nanoTime;
    private final Listener listener;
    private final Map<String, ProbeAnswer> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    /** Calls one peer may hold open at once; beyond this, probes of a silent peer just time out. */
    static final int MAX_CALLS_IN_FLIGHT = 4;
    /** The socket timeout the peer clients should use: long enough that late answers still arrive. */
    public static final java.time.Duration SOCKET_TIMEOUT = java.time.Duration.ofSeconds(1);
    private volatile Map<String, PeerState> states;
    private volatile boolean closed;
    /**
     * Scheduler thread only. Each peer's probes form one chain (a probe schedules the next); a
     * {@link #probeNow} starts a new chain and bumps the generation, so the old chain's pending
     * probe finds itself stale and ends.
     */
    private final Map<String, Long> generation = new HashMap<>();
    /** Scheduler thread only: the peers with a probe whose outcome is not known yet. */
    private final Set<String> unsettled = new HashSet<>();

    /**
     * @param clients   one client per peer, keyed by the peer's node name (the detector's names)
     * @param scheduler a single-threaded scheduler this prober owns the timing of
     * @param calls     runs the blocking calls; a virtual-thread-per-task executor
     */
    public Prober(FailureDetector detector, Map<String, PeerClient> clients, ScheduledExecutorService scheduler, Executor calls,
                  LongSupplier nanoTime, Listener listener) {
        this.detector = detector;
        this.clients = Map.copyOf(clients);
        this.scheduler = scheduler;
        this.calls = calls;
        this.nanoTime = nanoTime;
        this.listener = listener;
        this.states = detector.states();
    }

    public void start() {
        long now = nanoTime.getAsLong();
        long step = detector.settings().interval().toNanos() / Math.max(1, clients.size());
        long offset = 0;
        for (String peer : clients.keySet()) {
            // Spread the first probes over one interval rather than firing them all at once.
            schedule(peer, now + offset);
            offset += step;
        }
        scheduleTick(now + detector.settings().interval().toNanos() / 2);
    }

    /** The detector's states as of the last probe result; safe from any thread. */
    public Map<String, PeerState> states() {
        return states;
    }

    /** The latest answer of each peer that answered at least once; safe from any thread. */
    public Map<String, ProbeAnswer> answers() {
        return Map.copyOf(answers);
    }

    /**
     * Probes {@code peer} now instead of at its next due time, unless a probe of it is already
     * out: something suggests it has just gone (its watch connection broke, see {@link PeerWatch}).
     * Only the probes judge; this changes when the next one runs, not what counts as a miss.
     * Safe from any thread.
     */
    public void probeNow(String peer) {
        if (closed || !clients.containsKey(peer)) {
            return;
        }
        try {
            scheduler.execute(() -> {
                if (!closed && !unsettled.contains(peer)) {
                    generation.merge(peer, 1L, Long::sum);
                    probe(peer, nanoTime.getAsLong());
                }
            });
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    private void schedule(String peer, long dueNanos) {
        long chain = generation.getOrDefault(peer, 0L);
        at(dueNanos, () -> {
            if (generation.getOrDefault(peer, 0L) == chain) {
                probe(peer, dueNanos);
            }
        });
    }

    private void scheduleTick(long dueNanos) {
        at(dueNanos, () -> tick(dueNanos));
    }

    /** Runs {@code task} on the scheduler at {@code dueNanos}, unless this prober is closed. */
    private void at(long dueNanos, Runnable task) {
        if (closed) {
            return;
        }
        try {
            scheduler.schedule(task, Math.max(0, dueNanos - nanoTime.getAsLong()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    private void tick(long dueNanos) {
        if (closed) {
            return;
        }
        List<StateChange> changes = detector.onTick(dueNanos, nanoTime.getAsLong());
        publish(changes);
        scheduleTick(dueNanos + detector.settings().interval().toNanos() / 2);
    }

    private void probe(String peer, long dueNanos) {
        if (closed) {
            return;
        }
        long started = nanoTime.getAsLong();
        unsettled.add(peer);
        AtomicBoolean settled = new AtomicBoolean();
        long deadline = detector.settings().timeout().toNanos();
        // The deadline is the prober's, not the socket's: a late answer is a miss for the detector,
        // but the call is left to finish so its connection stays open for the next probe. Aborting
        // it would close the connection, and the next probe would need a full TLS handshake
        // within the same 50 ms, on exactly the machine that was too busy a moment ago.
        at(started + deadline, () -> {
            if (settled.compareAndSet(false, true)) {
                completed(peer, dueNanos, started, nanoTime.getAsLong(),
                        new ProbeResult.Failed(FailureKind.TIMEOUT, peer + ": no answer within " + deadline / 1_000_000 + " ms"), Optional.empty());
            }
        });
        AtomicInteger running = inFlight.computeIfAbsent(peer, p -> new AtomicInteger());
        if (running.get() >= MAX_CALLS_IN_FLIGHT) {
            return; // a silent peer already holds enough calls; the deadline above counts this one
        }
        PeerClient client = clients.get(peer);
        try {
            running.incrementAndGet();
            calls.execute(() -> {
                ProbeResult result;
                Optional<ProbeAnswer> answer = Optional.empty();
                try {
                    byte[] body = client.probe();
                    long done = nanoTime.getAsLong();
                    answer = ProbeAnswer.parse(body, peer, done);
                    result = answer.isPresent() ? new ProbeResult.Answered(done - started)
                            : new ProbeResult.Failed(FailureKind.BAD_ANSWER, "the answer is not a probe answer of " + peer);
                } catch (PeerCallException e) {
                    result = new ProbeResult.Failed(FailureKind.valueOf(e.kind().name()), e.getMessage());
                } catch (RuntimeException e) {
                    result = new ProbeResult.Failed(FailureKind.BAD_ANSWER, String.valueOf(e));
                } finally {
                    running.decrementAndGet();
                }
                long completed = nanoTime.getAsLong();
                if (!settled.compareAndSet(false, true)) {
                    return; // the deadline already counted it as a timeout
                }
                ProbeResult r = result;
                Optional<ProbeAnswer> a = answer;
                try {
                    scheduler.execute(() -> completed(peer, dueNanos, started, completed, r, a));
                } catch (RejectedExecutionException e) {
                    // shutting down
                }
            });
        } catch (RejectedExecutionException e) {
            running.decrementAndGet();
        }
    }

    private void completed(String peer, long dueNanos, long started, long completed, ProbeResult result, Optional<ProbeAnswer> answer) {
        unsettled.remove(peer);
        if (closed) {
            return;
        }
        answer.ifPresent(a -> answers.put(peer, a));
        List<StateChange> changes = detector.onProbe(peer, dueNanos, started, completed, result);
        listener.onProbe(peer, result, answer);
        publish(changes);
        schedule(peer, completed + detector.nextProbeDelayNanos(peer));
    }

    private void publish(List<StateChange> changes) {
        if (!changes.isEmpty()) {
            states = detector.states();
            listener.onChanges(new ArrayList<>(changes));
        }
    }

    /** Stops scheduling probes; calls in flight finish into the void. The caller owns the executors. */
    @Override
    public void close() {
        closed = true;
    }
}
