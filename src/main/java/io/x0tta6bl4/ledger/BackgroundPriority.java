package io.x0tta6bl4.ledger;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs bulk work that holds no lock (a snapshot's checksum reads the whole database file again)
 * on a thread of the lowest CPU priority, so that the node's probe threads keep their deadlines
 * while it runs. Never give it work that holds a lock others wait for: deprioritised, it would
 * keep the lock for as long as other work keeps the CPU. Measured before: a 5-node
 * cluster's replicas snapshotted at the same index, each copying tens of megabytes at the node's
 * own priority, and for a second every node failed its peers' 50 ms probes (docs/benchmarks.md).
 *
 * <p>Linux lets a thread lower its own nice value with {@code setpriority(PRIO_PROCESS, tid, 19)};
 * this is called through the JDK's foreign function API. Where that is not available (another OS,
 * no native access), the work runs at normal priority and nothing else changes.
 */
final class BackgroundPriority {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundPriority.class);
    private static final int PRIO_PROCESS = 0;
    private static final int LOWEST = 19;
    private static final Optional<MethodHandle[]> CALLS = lookup();

    private BackgroundPriority() {}

    @SuppressWarnings("restricted") // two libc calls with fixed int signatures; nodes run with --enable-native-access
    private static Optional<MethodHandle[]> lookup() {
        try {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            MethodHandle gettid = linker.downcallHandle(libc.find("gettid").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
            MethodHandle setpriority = linker.downcallHandle(libc.find("setpriority").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            return Optional.of(new MethodHandle[] {gettid, setpriority});
        } catch (RuntimeException | Error e) {
            LOG.debug("no setpriority here; bulk work runs at normal priority: {}", e.toString());
            return Optional.empty();
        }
    }

    /** Whether this JVM can lower a thread's priority. */
    static boolean available() {
        return CALLS.isPresent();
    }

    /** Runs {@code work} on a new lowest-priority thread named {@code name} and waits for it. */
    static <T> T run(String name, Callable<T> work) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name(name).daemon().start(() -> {
            lowerThisThread();
            try {
                result.set(work.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            // The caller is shutting down: stop the work too, and do not return before it ended.
            t.interrupt();
            boolean interrupted = true;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException again) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
        Throwable f = failure.get();
        if (f instanceof Exception e) {
            throw e;
        }
        if (f instanceof Error e) {
            throw e;
        }
        return result.get();
    }

    private static void lowerThisThread() {
        CALLS.ifPresent(c -> {
            try {
                int tid = (int) c[0].invokeExact();
                int rc = (int) c[1].invokeExact(PRIO_PROCESS, tid, LOWEST);
                if (rc != 0) {
                    LOG.debug("setpriority({}, {}) returned {}", tid, LOWEST, rc);
                }
            } catch (Throwable e) {
                LOG.debug("could not lower the priority of {}: {}", Thread.currentThread().getName(), e.toString());
            }
        });
    }
}
