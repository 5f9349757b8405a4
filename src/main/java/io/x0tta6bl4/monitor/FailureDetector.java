package io.x0tta6bl4.monitor;

import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One node's judgement of its peers: ALIVE → SUSPECT → DOWN, and back to ALIVE on a good probe.
 * A pure, single-threaded state machine: it is fed probe results and the time (nanoseconds on a
 * monotonic clock the caller owns) and returns the state changes they cause. It never reads a
 * clock, never sleeps and does no I/O, so tests drive it on virtual time and a simulation can run
 * thousands of them.
 *
 * <p><b>Two rules.</b> {@code consecutive-misses} is the source document's: a probe every
 * {@code interval}, a miss is a failed probe, {@code suspectAfter} consecutive misses make a peer
 * SUSPECT and {@code downAfter} make it DOWN. {@code phi-accrual} follows Hayashibara et al.,
 * "The φ accrual failure detector" (SRDS 2004): the intervals between answers are summarised by
 * their mean and standard deviation, and suspicion is φ(t) = −log₁₀ P(no answer for t | the peer
 * is alive), using the logistic approximation of the normal tail that Akka and Cassandra use.
 *
 * <p><b>A paused prober must not accuse its peers.</b> Every probe reports when it was scheduled,
 * when it actually started and when its outcome was known. If it started more than
 * {@code maxLateness} late, or its timeout was declared more than {@code maxLateness} after the
 * deadline (this node stalled while it waited), this node was
 * not running on time (a GC pause, CPU starvation, SIGSTOP), so a miss in that window says
 * nothing about the peer and is not counted; for φ, the time this node lost is not counted as
 * silence of the peer. The same holds for {@link #onTick} when the tick itself is late.
 *
 * <p><b>Joining peers are not judged.</b> A peer added while this node runs ({@link #addPeer}) is
 * UNKNOWN, shown as "joining": a node that has just started (or restarted: a new incarnation,
 * {@link #rejoined}) is compiling its code and catching up with the ledger, and a miss in that
 * time says nothing about whether it will serve. It is admitted once it has answered {@code
 * admitAfter} probes in a row; only then do its misses count. A peer that never answers stays
 * joining: whether it comes up is the orchestrator's question (its start fails), not a verdict of
 * the mesh. Peers given to the constructor are taken as admitted and alive.
 *
 * <p><b>Confirmation.</b> After a miss the next probe of that peer is due sooner
 * ({@link #nextProbeDelayNanos}): at once after a timeout (the deadline already waited) and after
 * a tenth of the timeout after a refusal (the kernel's definite "nobody listens" needs no long
 * wait to be confirmed). That is what lets three misses be seen within the source document's
 * ~150 ms instead of three whole intervals.
 *
 * <p><b>When many peers miss at once, this node is the likelier cause.</b> The rule of Lifeguard
 * (Dadgar et al., "Lifeguard: Local Health Awareness for More Accurate Failure Detection", 2018),
 * in its simplest form: if at least half of this node's admitted peers that are not down, and at
 * least two, are in a run of misses at the moment one of them is judged, this node's own
 * starvation (its I/O threads waiting for a CPU that another process holds) explains them better
 * than that many peers failing together. Each such peer then needs {@code downAfter} more misses
 * before a verdict. The bound is what keeps real double failures visible: two peers that really
 * died are declared, at most {@code downAfter} probes (≈ 150 ms) later; and as soon as the other
 * peers answer again the rule no longer holds, so a peer that still misses is judged at once by
 * the misses it already has. A single failure, the common case, is never delayed by it. Only the
 * consecutive-misses rule applies it; φ is left as Hayashibara defines it.
 */
public final class FailureDetector {
    private static final int WINDOW = 100;

    private DetectorSettings settings;
    private final Map<String, Peer> peers = new LinkedHashMap<>();

    private static final class Peer {
        PeerState state = PeerState.ALIVE;
        /** Whether its misses count: it has answered {@code admitAfter} probes in a row since it (re)joined. */
        boolean admitted;
        /** Consecutive answers while not admitted. */
        int streak;
        int misses;
        final Deque<String> recentFailures = new ArrayDeque<>();
        long lastAnswerNanos;
        final long[] intervals = new long[WINDOW];
        int intervalCount;
        int intervalNext;
        FailureKind lastFailure;

        Peer(long now, PeerState initial, boolean admitted) {
            lastAnswerNanos = now;
            state = initial;
            this.admitted = admitted;
        }
    }

    /** No peers yet; they join with {@link #addPeer}. */
    public FailureDetector(DetectorSettings settings) {
        this.settings = settings;
    }

    /** {@code initialPeers} start ALIVE and admitted, as if they had answered at {@code nowNanos}. */
    public FailureDetector(DetectorSettings settings, Collection<String> initialPeers, long nowNanos) {
        this.settings = settings;
        for (String name : initialPeers) {
            Peer p = new Peer(nowNanos, PeerState.ALIVE, true);
            record(p, settings.interval().toNanos());
            peers.putIfAbsent(name, p);
        }
    }

    public DetectorSettings settings() {
        return settings;
    }

    /**
     * Judges by {@code next} from now on (a runtime config change): the misses a peer already has
     * count against the new lines at its next probe, and the new interval and timeout apply to the
     * probes scheduled after this call.
     */
    public void reconfigure(DetectorSettings next) {
        boolean newInterval = !next.interval().equals(settings.interval());
        settings = Objects.requireNonNull(next);
        if (newInterval) {
            // φ compares the silence with the answer intervals seen so far; those were paced by the
            // old interval, so a longer one would look like silence at once. Start from the new one.
            for (Peer p : peers.values()) {
                p.intervalCount = 0;
                p.intervalNext = 0;
                record(p, next.interval().toNanos());
            }
        }
    }

    /** A peer joins: UNKNOWN ("joining") and not judged until admitted. Adding a known peer changes nothing. */
    public void addPeer(String peer, long nowNanos) {
        if (peers.containsKey(peer)) {
            return;
        }
        Peer p = new Peer(nowNanos, PeerState.UNKNOWN, false);
        record(p, settings.interval().toNanos());
        peers.put(peer, p);
    }

    /**
     * {@code peer} is a new incarnation (it restarted: its answers name a new start). One that was
     * held suspect or down is joining again: until it has answered {@code admitAfter} probes in a
     * row its misses do not count, and it keeps the state it had (down, say, until it is
     * admitted). One held alive restarted between two probes and already answers (a node answers
     * its peers only once it has warmed up): it stays alive and judged, its count of misses reset.
     */
    public void rejoined(String peer, long nowNanos) {
        Peer p = peer(peer);
        if (p.state == PeerState.ALIVE && p.admitted) {
            p.misses = 0;
            p.recentFailures.clear();
            return;
        }
        p.admitted = false;
        p.streak = 0;
        p.misses = 0;
        p.recentFailures.clear();
        p.lastAnswerNanos = nowNanos;
    }

    public boolean admitted(String peer) {
        return peer(peer).admitted;
    }

    public void removePeer(String peer) {
        peers.remove(peer);
    }

    public PeerState state(String peer) {
        return peer(peer).state;
    }

    public Map<String, PeerState> states() {
        Map<String, PeerState> out = new LinkedHashMap<>();
        peers.forEach((name, p) -> out.put(name, p.state));
        return out;
    }

    /**
     * Takes the result of one probe.
     *
     * @param scheduledNanos when the probe should have started
     * @param startedNanos   when it did start
     * @param completedNanos when the answer or the failure came
     */
    public List<StateChange> onProbe(String peer, long scheduledNanos, long startedNanos, long completedNanos, ProbeResult result) {
        Peer p = peer(peer);
        long lateness = startedNanos - scheduledNanos;
        if (result instanceof ProbeResult.Failed f && f.kind() == FailureKind.TIMEOUT) {
            // A timeout is this node's verdict, reached when its deadline ran. If that happened
            // long after started + timeout, this node was not running while it waited, and the
            // silence it heard may be its own.
            lateness = Math.max(lateness, completedNanos - startedNanos - settings.timeout().toNanos());
        }
        boolean proberWasLate = lateness > settings.maxLateness().toNanos();
        if (proberWasLate) {
            forgive(p, lateness);
        }
        List<StateChange> changes = new ArrayList<>(1);
        switch (result) {
            case ProbeResult.Answered a -> {
                if (!p.admitted) {
                    // Joining: the time before its answers was the peer starting, not an interval.
                    p.lastAnswerNanos = completedNanos;
                    p.misses = 0;
                    p.lastFailure = null;
                    if (++p.streak < settings.admitAfter()) {
                        break;
                    }
                    p.admitted = true;
                    if (p.state != PeerState.ALIVE) {
                        changes.add(change(peer, p, PeerState.ALIVE, completedNanos, "admitted after " + p.streak
                                + " answers in a row, the last in " + millis(a.roundTripNanos()) + " ms"));
                    }
                    break;
                }
                if (completedNanos > p.lastAnswerNanos) {
                    record(p, completedNanos - p.lastAnswerNanos);
                    p.lastAnswerNanos = completedNanos;
                }
                p.misses = 0;
                p.recentFailures.clear();
                p.lastFailure = null;
                if (p.state != PeerState.ALIVE) {
                    changes.add(change(peer, p, PeerState.ALIVE, completedNanos, "answered in " + millis(a.roundTripNanos()) + " ms"));
                }
            }
            case ProbeResult.Failed f -> {
                if (!p.admitted) {
                    p.streak = 0;
                    p.lastFailure = f.kind();
                    p.lastAnswerNanos = completedNanos;
                    break;
                }
                if (proberWasLate) {
                    break;
                }
                p.lastFailure = f.kind();
                p.misses++;
                p.recentFailures.addLast(f.kind().name().toLowerCase(java.util.Locale.ROOT));
                while (p.recentFailures.size() > settings.downAfter()) {
                    p.recentFailures.removeFirst();
                }
                if (settings.kind() == DetectorSettings.Kind.CONSECUTIVE_MISSES) {
                    judgeMisses(peer, p, completedNanos, f, changes);
                } else {
                    judgePhi(peer, p, completedNanos, changes);
                }
            }
        }
        return changes;
    }

    /**
     * Lets time pass: φ grows while a peer stays silent, even between probe results. Call it at
     * least once per probe interval. {@code scheduledNanos} is when this tick was due; a late tick
     * means this node was paused, and that time is forgiven to every peer.
     */
    public List<StateChange> onTick(long scheduledNanos, long nowNanos) {
        long lateness = nowNanos - scheduledNanos;
        if (lateness > settings.maxLateness().toNanos()) {
            peers.values().forEach(p -> forgive(p, lateness));
            return List.of();
        }
        if (settings.kind() != DetectorSettings.Kind.PHI_ACCRUAL) {
            return List.of();
        }
        List<StateChange> changes = new ArrayList<>();
        peers.forEach((name, p) -> judgePhi(name, p, nowNanos, changes));
        return changes;
    }

    /** How long to wait before probing {@code peer} again. */
    public long nextProbeDelayNanos(String peer) {
        Peer p = peer(peer);
        if (p.misses == 0 || p.state == PeerState.DOWN || !p.admitted) {
            return settings.interval().toNanos();
        }
        return p.lastFailure == FailureKind.TIMEOUT ? 0 : settings.timeout().toNanos() / 10;
    }

    /** φ of {@code peer} at {@code nowNanos} (meaningful for both kinds; decisive for phi-accrual). */
    public double phi(String peer, long nowNanos) {
        return phi(peer(peer), nowNanos);
    }

    /** A peer not admitted (joining, or a new incarnation) is not judged. */
    private static boolean joining(Peer p) {
        return !p.admitted;
    }

    private void judgeMisses(String name, Peer p, long now, ProbeResult.Failed f, List<StateChange> changes) {
        if (joining(p)) {
            return;
        }
        int[] missing = missingAtOnce();
        boolean selfSuspect = missing[0] >= 2 && 2 * missing[0] >= missing[1];
        int extra = selfSuspect ? settings.downAfter() : 0;
        String evidence = p.misses + " consecutive misses (" + String.join(", ", p.recentFailures) + "), last: " + f.detail()
                + (selfSuspect ? "; " + missing[0] + " of " + missing[1] + " peers missing at once, so " + extra + " more misses were required" : "");
        if (p.misses >= settings.downAfter() + extra && p.state != PeerState.DOWN) {
            changes.add(change(name, p, PeerState.DOWN, now, evidence));
        } else if (p.misses >= settings.suspectAfter() + extra && (p.state == PeerState.ALIVE || p.state == PeerState.UNKNOWN)) {
            changes.add(change(name, p, PeerState.SUSPECT, now, evidence));
        }
    }

    /** {missing, judged}: of the admitted peers that are not down ({@code judged}), how many are in a run of misses. */
    private int[] missingAtOnce() {
        int judged = 0;
        int missing = 0;
        for (Peer q : peers.values()) {
            if (q.admitted && q.state != PeerState.DOWN) {
                judged++;
                if (q.misses > 0) {
                    missing++;
                }
            }
        }
        return new int[] {missing, judged};
    }

    private void judgePhi(String name, Peer p, long now, List<StateChange> changes) {
        if (joining(p)) {
            return;
        }
        double phi = phi(p, now);
        String evidence = String.format(java.util.Locale.ROOT, "phi %.1f after %d ms without an answer (mean interval %d ms)%s",
                phi, millis(now - p.lastAnswerNanos), millis((long) mean(p)),
                p.recentFailures.isEmpty() ? "" : ", recent failures: " + String.join(", ", p.recentFailures));
        if (phi >= settings.phiDown() && p.state != PeerState.DOWN) {
            changes.add(change(name, p, PeerState.DOWN, now, evidence));
        } else if (phi >= settings.phiSuspect() && (p.state == PeerState.ALIVE || p.state == PeerState.UNKNOWN)) {
            changes.add(change(name, p, PeerState.SUSPECT, now, evidence));
        }
    }

    /** The logistic approximation of −log₁₀(1 − Φ((t − μ)/σ)) (Akka's PhiAccrualFailureDetector). */
    private double phi(Peer p, long now) {
        double elapsed = now - p.lastAnswerNanos;
        double mean = mean(p);
        double deviation = Math.max(Math.sqrt(variance(p, mean)), settings.minDeviation().toNanos());
        double y = (elapsed - mean) / deviation;
        double e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
        double pLater = elapsed > mean ? e / (1.0 + e) : 1.0 - 1.0 / (1.0 + e);
        return pLater <= Double.MIN_NORMAL ? Double.MAX_VALUE / 2 : -Math.log10(pLater);
    }

    private static void record(Peer p, long interval) {
        p.intervals[p.intervalNext] = interval;
        p.intervalNext = (p.intervalNext + 1) % WINDOW;
        p.intervalCount = Math.min(WINDOW, p.intervalCount + 1);
    }

    private static double mean(Peer p) {
        double sum = 0;
        for (int i = 0; i < p.intervalCount; i++) {
            sum += p.intervals[i];
        }
        return sum / p.intervalCount;
    }

    private static double variance(Peer p, double mean) {
        double sum = 0;
        for (int i = 0; i < p.intervalCount; i++) {
            double d = p.intervals[i] - mean;
            sum += d * d;
        }
        return sum / p.intervalCount;
    }

    /** This node lost {@code pausedNanos}: that time is not the peer's silence. */
    private static void forgive(Peer p, long pausedNanos) {
        p.lastAnswerNanos += pausedNanos;
    }

    private StateChange change(String name, Peer p, PeerState to, long now, String evidence) {
        StateChange c = new StateChange(name, p.state, to, now, evidence);
        p.state = to;
        return c;
    }

    private Peer peer(String name) {
        Peer p = peers.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown peer '" + name + "'; known: " + peers.keySet());
        }
        return p;
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }
}
