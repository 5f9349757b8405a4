package io.x0tta6bl4.monitor;

/**
 * What this node's load looked like at one instant: the input of the MAPE-K monitor stage and of
 * the scaling forecast. Values a platform cannot provide are {@code -1} rather than a guess, so an
 * analyser can tell "idle" from "unknown".
 *
 * @param atNanos when the sample was taken, in nanoseconds of the sampler's monotonic clock (an
 *     origin-free {@code System.nanoTime()}-like value; may be negative, only differences mean
 *     anything)
 * @param processCpuPercent CPU used by this JVM process, as a percentage of all the machine's
 *     cores (0..100), or -1 when the JVM cannot tell
 * @param systemCpuPercent CPU used by the whole machine (or container), 0..100, or -1 when the JVM
 *     cannot tell
 * @param heapPercent used heap as a percentage of the maximum heap (0..100), or -1 when the
 *     maximum is unknown
 * @param memoryPercent used physical memory as a percentage of the machine's (or container's)
 *     physical memory (0..100), or -1 when unknown; "used" includes the page cache, see {@link
 *     LoadSources#memoryUsedBytes()}
 * @param latencyP50Micros median latency, in microseconds, of the requests of the {@link
 *     RequestStats} window ending at {@code atNanos}; 0 when there were none
 * @param latencyP99Micros 99th-percentile latency, in microseconds, of the same window; 0 when
 *     there were none
 * @param errorRatePercent failed requests as a percentage of the requests of the same window
 *     (0..100); 0 when there were none
 * @param queueLength entries this node has submitted to the ledger that wait to be committed at
 *     {@code atNanos}, a count: the queue that builds when the ledger cannot keep up
 * @param diskWriteMicros the most recent 4 KiB write-plus-fsync latency, in microseconds, as
 *     measured by {@link DiskLatencyProbe}, or -1 when none has been measured yet
 * @param gcPauseMillis stop-the-world GC pause time, in milliseconds, accumulated since the
 *     previous sample (0 for the first sample, which only sets the baseline)
 * @param requestsPerSecond API requests per second over the same window as the latencies (the
 *     throughput), or -1 when unknown (an answer from a node that does not report it)
 */
public record LoadSample(
        long atNanos,
        double processCpuPercent,
        double systemCpuPercent,
        double heapPercent,
        double memoryPercent,
        long latencyP50Micros,
        long latencyP99Micros,
        double errorRatePercent,
        int queueLength,
        long diskWriteMicros,
        long gcPauseMillis,
        double requestsPerSecond) {}
