package io.x0tta6bl4.monitor;

import io.x0tta6bl4.time.Scheduler;
import io.x0tta6bl4.transport.PeerCallException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;

/**
 * Drives a {@link FailureDetector} with real probes. The detector is touched only by tasks of
 * the {@code scheduler} (one at a time), so it stays a plain single-threaded state machine; the
 * blocking calls run on {@code callers}, at most one per peer at a time (a probe due while the call before is still out waits for that call), so a
 * slow peer never delays the probes of the others.
 *
 * <p>Peers come and go while it runs ({@link #add}, {@link #remove}): the node adds the members
 * the ledger's membership lists and removes those that leave or are fenced. A peer added is
 * joining (see {@link FailureDetector}); its probes start within one interval.
 *
 * <p>Each probe knows when it was due and when it started; the detector uses the difference to
 * forgive misses when this node itself was late (see {@link FailureDetector}). The next probe of
 * a peer is due {@link FailureDetector#nextProbeDelayNanos} after the previous one completed.
 * For φ-accrual the detector is also ticked every half interval. The probe deadline is kept
 * here, on the scheduler; the clients' own socket timeouts should be longer (see
 * {@link #SOCKET_TIMEOUT}), so a slow answer does not cost the connection.
 *
 * <p>A peer's answers name its incarnation (when its process started); a new one means it
 * restarted, and it is joining again ({@link FailureDetector#rejoined}).
 */
public final class Prober implements AutoCloseable {
    /** What the node does with what the prober learns. Called on the scheduler, in order. */
    public interface Listener {
        void onProbe(String peer, ProbeResult result, Optional<ProbeAnswer> answer);

        void onChanges(List<StateChange> changes);

        /** {@code peer} is probed from now on (joining). */
        default void onAdded(String peer) {}

        /** {@code peer} is no longer probed. */
        default void onRemoved(String peer) {}
    }

    /** One blocking probe call to a peer: its answer body, or why there was none. */
    @FunctionalInterface
    public interface Target {
        byte[] probe() throws PeerCallException;
    }

    private final FailureDetector detector;
    private final Scheduler scheduler;
    private final Executor callers;
    private final LongSupplier nanoTime;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, ProbeAnswer> answers = new ConcurrentHashMap<>();
    /** The socket timeout the peer clients should use: long enough that late answers still arrive. */
    public static final java.time.Duration SOCKET_TIMEOUT = java.time.Duration.ofSeconds(1);
    private volatile Map<String, PeerState> states = Map.of();
    /** The detector's settings, for readers on other threads. */
    private volatile DetectorSettings settings;
    private volatile boolean closed;
    private volatile boolean started;
    // ---- scheduler only ----
    private final Map<String, Target> targets = new HashMap<>();
    /**
     * Each peer's probes form one chain (a probe schedules the next); {@link #probeNow} and
     * {@link #add} start a new chain and bump the generation, so the old chain's pending probe
     * finds itself stale and ends.
     */
    private final Map<String, Long> generation = new HashMap<>();
    /** The peers with a probe whose outcome is not known yet. */
    private final Set<String> unsettled = new HashSet<>();
    private final Map<String, String> incarnations = new HashMap<>();
    /** Each peer's call that is out, if any: at most one per peer. */
    private final Map<String, Call> calls = new HashMap<>();

    /** A probe: the chain it belongs to, when it was due, when it started; settled once its outcome counted. */
    private static final class Waiting {
        final long chain;
        final long due;
        final long started;
        boolean settled;

        Waiting(long chain, long due, long started) {
            this.chain = chain;
            this.due = due;
            this.started = started;
        }
    }

    /** A call out to a peer and the probe its outcome will settle (the latest one that waits for it). */
    private static final class Call {
        Waiting waiting;
        /** When it ended (nanoTime), set by the calling thread; {@code Long.MIN_VALUE} while it is out. */
        volatile long ended = Long.MIN_VALUE;

        Call(Waiting first) {
            waiting = first;
        }

        boolean endedBy(long nanos) {
            long e = ended;
            return e != Long.MIN_VALUE && e - nanos <= 0;
        }
    }
    private int added;

    /**
     * @param scheduler runs every task of this prober, one at a time (the node gives it a thread of
     *                  its own at maximum priority)
     * @param callers   runs the blocking calls
     */
    public Prober(FailureDetector detector, Scheduler scheduler, Executor callers, LongSupplier nanoTime) {
        this.detector = detector;
        this.settings = detector.settings();
        this.scheduler = scheduler;
        this.callers = callers;
        this.nanoTime = nanoTime;
    }

    /** {@code listener} is told of every probe and change from now on. */
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** Starts the φ ticks; peers added before or after are probed from their addition on. */
    public void start() {
        scheduler.execute(() -> {
            started = true;
            long now = nanoTime.getAsLong();
            long step = detector.settings().interval().toNanos() / Math.max(1, targets.size());
            long offset = 0;
            for (String peer : List.copyOf(targets.keySet())) {
                // Spread the first probes over one interval rather than firing them all at once.
                restart(peer, now + offset);
                offset += step;
            }
            scheduleTick(now + detector.settings().interval().toNanos() / 2);
        });
    }

    /**
     * Probes {@code peer} through {@code target} from now on; a known peer gets the new target
     * (its endpoints changed) and keeps its state. Safe from any thread.
     */
    public void add(String peer, Target target) {
        run(() -> {
            boolean fresh = !targets.containsKey(peer);
            targets.put(peer, target);
            if (fresh) {
                detector.addPeer(peer, nanoTime.getAsLong());
                states = detector.states();
                listeners.forEach(l -> l.onAdded(peer));
                if (started) {
                    // Stagger newcomers a little, so a batch of them is not probed in one burst.
                    restart(peer, nanoTime.getAsLong() + (added++ % 10) * detector.settings().interval().toNanos() / 10);
                }
            }
        });
    }

    /** Stops probing {@code peer} and forgets it. Safe from any thread. */
    public void remove(String peer) {
        run(() -> {
            if (targets.remove(peer) != null) {
                detector.removePeer(peer);
                generation.merge(peer, 1L, Long::sum);
                unsettled.remove(peer);
                answers.remove(peer);
                incarnations.remove(peer);
                calls.remove(peer);
                states = detector.states();
                listeners.forEach(l -> l.onRemoved(peer));
            }
        });
    }

    /** The settings probes and verdicts follow now; safe from any thread. */
    public DetectorSettings settings() {
        return settings;
    }

    /**
     * Probes and judges by {@code next} from now on: each peer's next probe is due one new
     * interval after the one it waits for, with the new deadline. Safe from any thread.
     */
    public void reconfigure(DetectorSettings next) {
        run(() -> {
            detector.reconfigure(next);
            settings = next;
        });
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
        run(() -> {
            if (targets.containsKey(peer) && !unsettled.contains(peer)) {
                restart(peer, nanoTime.getAsLong());
            }
        });
    }

    private void run(Runnable task) {
        if (!closed) {
            scheduler.execute(() -> {
                if (!closed) {
                    task.run();
                }
            });
        }
    }

    /** A new chain of probes for {@code peer}, its first due at {@code dueNanos}. */
    private void restart(String peer, long dueNanos) {
        generation.merge(peer, 1L, Long::sum);
        schedule(peer, dueNanos);
    }

    private void schedule(String peer, long dueNanos) {
        long chain = generation.getOrDefault(peer, 0L);
        at(dueNanos, () -> {
            if (generation.getOrDefault(peer, 0L) == chain && targets.containsKey(peer)) {
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
        scheduler.schedule(dueNanos - nanoTime.getAsLong(), () -> {
            if (!closed) {
                task.run();
            }
        });
    }

    private void tick(long dueNanos) {
        List<StateChange> changes = detector.onTick(dueNanos, nanoTime.getAsLong());
        publish(changes);
        scheduleTick(dueNanos + detector.settings().interval().toNanos() / 2);
    }

    /**
     * One probe of {@code peer}. If the previous probe's call is still out (it missed its deadline
     * but its connection may yet answer), this probe waits for that call instead of making a new
     * one: a second call would need a second connection, so a full TLS handshake within the
     * deadline, on both ends, on exactly the machine that was too slow a moment ago. Measured
     * before this rule, on a 2-core machine with a node joining: one answer 60 ms late became
     * three misses and a NODE_DOWN about a live peer, and silences of up to 2 s while the
     * handshakes queued. A peer that really went silent is declared as fast as before (each
     * probe still has its own deadline), and a dead one faster (the call out fails when its
     * connection is cut).
     */
    private void probe(String peer, long dueNanos) {
        long started = nanoTime.getAsLong();
        long deadline = detector.settings().timeout().toNanos();
        Waiting probe = new Waiting(generation.getOrDefault(peer, 0L), dueNanos, started);
        unsettled.add(peer);
        Call out = calls.get(peer);
        at(started + deadline, () -> {
            Call call = calls.get(peer);
            if (probe.settled || (call != null && call.waiting == probe && call.endedBy(started + deadline))) {
                return; // answered in time; that answer is on its way to this thread
            }
            probe.settled = true;
            completed(peer, probe, nanoTime.getAsLong(),
                    new ProbeResult.Failed(FailureKind.TIMEOUT, peer + ": no answer within " + deadline / 1_000_000 + " ms"), Optional.empty());
        });
        if (out != null && !out.endedBy(started)) {
            out.waiting = probe;
            return;
        }
        Call call = new Call(probe);
        calls.put(peer, call);
        Target target = targets.get(peer);
        try {
            callers.execute(() -> {
                ProbeResult result;
                Optional<ProbeAnswer> answer = Optional.empty();
                try {
                    byte[] body = target.probe();
                    answer = ProbeAnswer.parse(body, peer, nanoTime.getAsLong());
                    result = answer.isPresent() ? null : new ProbeResult.Failed(FailureKind.BAD_ANSWER, "the answer is not a probe answer of " + peer);
                } catch (PeerCallException e) {
                    result = new ProbeResult.Failed(FailureKind.valueOf(e.kind().name()), e.getMessage());
                } catch (RuntimeException e) {
                    result = new ProbeResult.Failed(FailureKind.BAD_ANSWER, String.valueOf(e));
                }
                long ended = nanoTime.getAsLong();
                call.ended = ended;
                ProbeResult r = result;
                Optional<ProbeAnswer> a = answer;
                run(() -> ended(peer, call, ended, r, a));
            });
        } catch (RejectedExecutionException e) {
            calls.remove(peer);
        }
    }

    /** A call ended: it settles the probe that waits for it, if that probe's deadline has not already counted it. */
    private void ended(String peer, Call call, long endedNanos, ProbeResult failure, Optional<ProbeAnswer> answer) {
        if (calls.get(peer) == call) {
            calls.remove(peer);
        }
        Waiting probe = call.waiting;
        if (probe == null || probe.settled) {
            return;
        }
        probe.settled = true;
        ProbeResult result = failure != null ? failure : new ProbeResult.Answered(endedNanos - probe.started);
        completed(peer, probe, endedNanos, result, answer);
    }

    private void completed(String peer, Waiting probe, long completed, ProbeResult result, Optional<ProbeAnswer> answer) {
        if (generation.getOrDefault(peer, 0L) != probe.chain || !targets.containsKey(peer)) {
            return; // removed while the probe was out (and maybe added again since: a new chain)
        }
        unsettled.remove(peer);
        if (answer.isPresent()) {
            answers.put(peer, answer.get());
            String incarnation = answer.get().started();
            String known = incarnations.put(peer, incarnation);
            if (known != null && incarnation != null && !known.equals(incarnation)) {
                detector.rejoined(peer, completed);
            }
        }
        List<StateChange> changes = detector.onProbe(peer, probe.due, probe.started, completed, result);
        for (Listener l : listeners) {
            l.onProbe(peer, result, answer);
        }
        publish(changes);
        schedule(peer, completed + detector.nextProbeDelayNanos(peer));
    }

    private void publish(List<StateChange> changes) {
        if (!changes.isEmpty()) {
            states = detector.states();
            for (Listener l : listeners) {
                l.onChanges(new ArrayList<>(changes));
            }
        }
    }

    /** Stops scheduling probes; calls in flight finish into the void. The caller owns the scheduler and the executor. */
    @Override
    public void close() {
        closed = true;
    }
}
