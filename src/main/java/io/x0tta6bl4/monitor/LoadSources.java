package io.x0tta6bl4.monitor;

/**
 * The raw numbers a {@link LoadSampler} turns into a {@link LoadSample}: the I/O edge of load
 * monitoring, kept to one narrow interface so the sampler is tested with a fake and the platform
 * MXBeans stay behind {@link #jvm()}.
 *
 * <p>Every method may return a negative value to mean "this platform cannot tell"; the sampler
 * then reports -1 for the derived figure instead of inventing one. Implementations are called by
 * the sampler's single thread and need not be thread-safe beyond what the JDK beans already are.
 */
public interface LoadSources {
    /** CPU load of this JVM process over all cores, 0..1 (a fraction, not a percentage), or negative if unknown. */
    double processCpuLoad();

    /** CPU load of the whole machine (or container), 0..1, or negative if unknown. */
    double systemCpuLoad();

    /** Heap in use, in bytes. */
    long heapUsedBytes();

    /** The most the heap may grow to, in bytes, or negative if the JVM has no defined maximum. */
    long heapMaxBytes();

    /**
     * Physical memory in use, in bytes: total minus free. "Free" is the kernel's free memory
     * (Linux {@code MemFree}, or the cgroup limit minus its usage in a container), so the page
     * cache counts as used, and a high figure is not by itself memory pressure.
     */
    long memoryUsedBytes();

    /** Physical memory of the machine (or the container's limit), in bytes, or negative if unknown. */
    long memoryTotalBytes();

    /**
     * Stop-the-world GC pause time since the JVM started, in milliseconds: monotonic, so the
     * sampler can report the difference between two samples.
     */
    long gcPauseMillisTotal();

    /**
     * The sources of this JVM, read from the platform MXBeans. GC pause time counts only the
     * collector beans whose name contains {@code "Pauses"} when there are any (ZGC and Shenandoah
     * also have {@code "... Cycles"} beans that time concurrent work, not pauses), and all beans
     * otherwise (G1, Serial and Parallel collect only in pauses). Under ZGC each pause is well
     * under a millisecond and the beans count whole milliseconds, so the total normally stays 0.
     */
    static LoadSources jvm() {
        return new JvmLoadSources();
    }
}
