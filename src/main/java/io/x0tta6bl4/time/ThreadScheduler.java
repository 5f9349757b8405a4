package io.x0tta6bl4.time;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@link Scheduler} on one platform thread of its own, as a running node gives each of its
 * parts. Tasks submitted after {@link #close} are dropped: a part that is being stopped must not
 * fail because its last timer fired.
 */
public final class ThreadScheduler implements Scheduler, AutoCloseable {
    private final ScheduledThreadPoolExecutor executor;
    private final Consumer<Throwable> failures;

    /**
     * @param name     the thread's name, as thread dumps show it
     * @param priority its Java priority ({@link Thread#MAX_PRIORITY} for the prober)
     * @param failures told of a task that threw; the thread lives on
     */
    public ThreadScheduler(String name, int priority, Consumer<Throwable> failures) {
        this.failures = failures;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.setPriority(priority);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        Runnable guarded = () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                failures.accept(e);
            }
        };
        try {
            ScheduledFuture<?> f = executor.schedule(guarded, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        } catch (RejectedExecutionException e) {
            return () -> false; // closed
        }
    }

    /** Stops the thread; waits up to two seconds for the running task. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
