package io.x0tta6bl4.policy;

import io.x0tta6bl4.identity.SpiffeId;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The state behind {@code rate_limit} conditions: one token bucket per (rule id, principal).
 * A {@link Policy} is immutable and holds none of it; the caller owns one limiter (a node keeps
 * one for its lifetime) and passes it to {@link Policy#decide}. Keyed by rule id rather than by
 * policy, so loading a new version of the policy does not hand every principal a fresh burst.
 *
 * <p><b>The algorithm</b> is the Generic Cell Rate Algorithm (ITU-T I.371; the "virtual
 * scheduling" form), which is a token bucket expressed as one number: the theoretical arrival
 * time (TAT) of the next request at the steady rate. For a rate of N per unit, with interval
 * T = unit / N: a request at time t is allowed when {@code max(TAT, t) + T - t <= N × T}, and
 * then TAT becomes {@code max(TAT, t) + T}. A principal that has been quiet may send N requests at
 * once (the bucket is full); after that one more every T. Because the whole state is one
 * {@code long}, an update is a compare-and-set loop on an {@link AtomicLong}: no lock, safe from
 * any number of virtual threads, and the time comes in as an argument so tests run on virtual
 * time. Requests decided concurrently may present slightly out-of-order times; taking
 * {@code max(TAT, t)} makes that harmless (at worst a request waits for the later time).
 *
 * <p><b>Memory.</b> A bucket whose TAT has passed is full, the same as no bucket, so when a
 * rule's map grows past a threshold (10,000 principals by default) those are swept and the
 * threshold rises to twice what is left, keeping sweeps amortised O(1). A request racing a sweep
 * may count against a bucket just dropped, so the limit can be exceeded by one request per such
 * race; never by more. Buckets of rules that no longer exist stay until the limiter is dropped.
 */
public final class RateLimiter {
    static final int DEFAULT_SWEEP_THRESHOLD = 10_000;

    private static final class Buckets {
        final ConcurrentHashMap<SpiffeId, AtomicLong> byPrincipal = new ConcurrentHashMap<>();
        final AtomicBoolean sweeping = new AtomicBoolean();
        volatile int sweepAt;

        Buckets(int sweepAt) {
            this.sweepAt = sweepAt;
        }
    }

    private final ConcurrentHashMap<String, Buckets> byRule = new ConcurrentHashMap<>();
    private final int sweepThreshold;

    public RateLimiter() {
        this(DEFAULT_SWEEP_THRESHOLD);
    }

    RateLimiter(int sweepThreshold) {
        if (sweepThreshold < 1) {
            throw new IllegalArgumentException("sweep threshold must be at least 1");
        }
        this.sweepThreshold = sweepThreshold;
    }

    /** Takes one request's worth from the bucket of ({@code rule}, {@code principal}); false when empty. */
    boolean tryAcquire(String rule, Rate rate, SpiffeId principal, long nowNanos) {
        Buckets buckets = byRule.get(rule);
        if (buckets == null) {
            buckets = byRule.computeIfAbsent(rule, r -> new Buckets(sweepThreshold));
        }
        AtomicLong tat = buckets.byPrincipal.get(principal);
        if (tat == null) {
            if (buckets.byPrincipal.size() >= buckets.sweepAt) {
                sweep(buckets, nowNanos);
            }
            tat = buckets.byPrincipal.computeIfAbsent(principal, p -> new AtomicLong(Long.MIN_VALUE));
        }
        long interval = rate.intervalNanos();
        long burst = rate.burstNanos();
        while (true) {
            long old = tat.get();
            long next = Math.max(old, nowNanos) + interval;
            if (next - nowNanos > burst) {
                return false;
            }
            if (tat.compareAndSet(old, next)) {
                return true;
            }
        }
    }

    private void sweep(Buckets buckets, long nowNanos) {
        if (!buckets.sweeping.compareAndSet(false, true)) {
            return;
        }
        try {
            buckets.byPrincipal.values().removeIf(tat -> tat.get() <= nowNanos);
            buckets.sweepAt = Math.max(sweepThreshold, 2 * buckets.byPrincipal.size());
        } finally {
            buckets.sweeping.set(false);
        }
    }

    /** How many (rule, principal) buckets are held: for metrics and tests. */
    public int buckets() {
        return byRule.values().stream().mapToInt(b -> b.byPrincipal.size()).sum();
    }
}
