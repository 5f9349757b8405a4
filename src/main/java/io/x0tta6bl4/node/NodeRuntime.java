package io.x0tta6bl4.node;

import io.x0tta6bl4.time.Scheduler;
import io.x0tta6bl4.time.ThreadScheduler;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clocks and threads of one node, made in this one place and handed to its parts: no part
 * reads a clock or makes a thread of its own (the Raft engine inside the ledger aside), so the
 * parts can be tested on virtual time and a thread dump names every thread after the part that
 * owns it.
 *
 * <p>{@link #scheduler} gives each part its own single thread (a part's tasks never run
 * concurrently, so its state needs no lock); {@link #blocking} gives a pool of platform threads
 * for calls that block (a probe, a held watch). Closing the runtime stops them all, after the
 * parts have stopped.
 */
public final class NodeRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);

    private final InstantSource clock;
    private final LongSupplier nanoTime;
    private final Map<String, ThreadScheduler> schedulers = new LinkedHashMap<>();
    private final List<ExecutorService> pools = new ArrayList<>();

    public NodeRuntime(InstantSource clock, LongSupplier nanoTime) {
        this.clock = clock;
        this.nanoTime = nanoTime;
    }

    /** The wall clock and {@code System.nanoTime}: what a node process runs on. */
    public static NodeRuntime system() {
        return new NodeRuntime(InstantSource.system(), System::nanoTime);
    }

    public InstantSource clock() {
        return clock;
    }

    public LongSupplier nanoTime() {
        return nanoTime;
    }

    /** The scheduler called {@code name}: one thread, made on the first call. */
    public synchronized Scheduler scheduler(String name, int priority) {
        return schedulers.computeIfAbsent(name, n -> new ThreadScheduler(n, priority,
                e -> LOG.error("a task of the {} scheduler failed; it goes on", n, e)));
    }

    /**
     * A pool of platform threads called {@code name-N} for blocking calls. Platform, not virtual:
     * a virtual thread needs a free carrier to see its answer, and the two carriers of a small
     * machine are shared with every HTTP request this node serves; a probe whose answer had
     * arrived but was not picked up within its 50 ms deadline counted as a timeout.
     */
    public synchronized ExecutorService blocking(String name, int priority) {
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            t.setPriority(priority);
            return t;
        });
        pools.add(pool);
        return pool;
    }

    /** Stops every thread this runtime made. */
    @Override
    public synchronized void close() {
        schedulers.values().forEach(ThreadScheduler::close);
        schedulers.clear();
        for (ExecutorService pool : pools) {
            pool.shutdownNow();
            try {
                pool.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pools.clear();
    }
}
