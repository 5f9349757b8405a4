package io.x0tta6bl4.time;

/**
 * Runs tasks later, or as soon as it can, one at a time in the order they fall due: the one
 * place a part of a node gets its timing from, on the pattern of Caffeine's {@code Scheduler}.
 * Each part of a node is handed one (its own thread in a running node, {@link VirtualTime} in a
 * test or a simulation), so no part makes threads or reads a clock of its own, and a test
 * advances time instead of sleeping.
 *
 * <p>Tasks of one scheduler never run concurrently, so state touched only from them needs no
 * lock. A task that throws is reported by the scheduler and does not stop later tasks.
 */
public interface Scheduler {
    /** Runs {@code task} once, {@code delayNanos} from now (at once for zero or less). */
    Cancellable schedule(long delayNanos, Runnable task);

    /** Runs {@code task} as soon as the tasks already due have run. */
    default void execute(Runnable task) {
        schedule(0, task);
    }

    /** A scheduled task that can still be called off. */
    interface Cancellable {
        /** Stops the task from running, if it has not started; false if it already ran or was cancelled. */
        boolean cancel();
    }
}
