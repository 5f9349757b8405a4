package io.x0tta6bl4.time;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.PriorityQueue;

/**
 * Time that moves only when told: a wall clock ({@link InstantSource}), a monotonic clock
 * ({@link #nanoTime}) and a {@link Scheduler}, all on one virtual timeline, for tests and
 * simulations of the parts of a node. {@link #advance} runs every task that falls due on the
 * way, in due order (ties in submission order), on the caller's thread, with the clocks showing
 * each task's due time; so a run is a pure function of its inputs and replays exactly
 * (TigerBeetle's simulator works the same way).
 *
 * <p>Not thread-safe: one thread drives it.
 */
public final class VirtualTime implements Scheduler, InstantSource {
    private record Task(long due, long order, Runnable run, boolean[] cancelled) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    private final Instant origin;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long now;
    private long submitted;

    /** Starts at {@code origin} on the wall clock and at 0 on the monotonic clock. */
    public VirtualTime(Instant origin) {
        this.origin = origin;
    }

    /** Nanoseconds since this timeline began (a {@code System.nanoTime()} stand-in). */
    public long nanoTime() {
        return now;
    }

    @Override
    public Instant instant() {
        return origin.plusNanos(now);
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        boolean[] cancelled = {false};
        Task t = new Task(now + Math.max(0, delayNanos), submitted++, task, cancelled);
        tasks.add(t);
        return () -> {
            if (cancelled[0] || !tasks.remove(t)) {
                return false;
            }
            cancelled[0] = true;
            return true;
        };
    }

    /** Moves time forward by {@code d}, running every task due until then, tasks they schedule included. */
    public void advance(Duration d) {
        long until = now + d.toNanos();
        Task next;
        while ((next = tasks.peek()) != null && next.due() <= until) {
            tasks.poll();
            now = Math.max(now, next.due());
            next.run().run();
        }
        now = until;
    }

    /** Runs what is due now, without moving time. */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** How many tasks wait. */
    public int pending() {
        return tasks.size();
    }
}
