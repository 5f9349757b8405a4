package io.x0tta6bl4.monitor;

import java.util.List;
import java.util.Map;

/**
 * What a change did to the mesh's load: the same figures over a window before it and a window
 * after it, from every node's samples ({@link MeshLoad}). Pure.
 *
 * <p>The figures of one window: throughput is the sum over the nodes of each node's mean
 * requests per second; the error rate and the p50 are means weighted by each sample's requests
 * per second (a node that served nothing says nothing about errors); the p99 is the highest of
 * the nodes' mean p99s (the worst node is what a client notices); the CPU is the mean of the
 * machine CPU the nodes reported. Unknown values (-1) are left out.
 */
public final class Impact {
    /** The rise of the error rate, in percentage points, that makes a change harmful (the source's 0.5). */
    public static final double HARMFUL_ERROR_RISE = 0.5;

    /** One window's figures; {@code samples} says how much they rest on. */
    public record Figures(double requestsPerSecond, double errorRatePercent, double latencyP50Micros, double latencyP99Micros, double cpuPercent,
                          int nodes, int samples) {}

    /** Both windows and the verdict. */
    public record Comparison(Figures before, Figures after) {
        /** After minus before, in percentage points. */
        public double errorRateRise() {
            return after.errorRatePercent() - before.errorRatePercent();
        }

        /** Whether both windows saw requests: without traffic an error rate says nothing. */
        public boolean judged() {
            return before.requestsPerSecond() > 0 && after.requestsPerSecond() > 0;
        }

        /** Whether the error rate rose by more than {@link #HARMFUL_ERROR_RISE} points; false when a window saw no requests. */
        public boolean harmful() {
            return judged() && errorRateRise() > HARMFUL_ERROR_RISE;
        }
    }

    private Impact() {}

    public static Comparison compare(Map<String, List<LoadSample>> before, Map<String, List<LoadSample>> after) {
        return new Comparison(figures(before), figures(after));
    }

    static Figures figures(Map<String, List<LoadSample>> byNode) {
        double throughput = 0;
        double weight = 0;
        double errors = 0;
        double p50 = 0;
        double worstP99 = 0;
        double cpu = 0;
        int cpuCount = 0;
        int samples = 0;
        for (List<LoadSample> node : byNode.values()) {
            double rpsSum = 0;
            int rpsCount = 0;
            double p99Sum = 0;
            int p99Count = 0;
            for (LoadSample s : node) {
                samples++;
                if (s.requestsPerSecond() >= 0) {
                    rpsSum += s.requestsPerSecond();
                    rpsCount++;
                    if (s.requestsPerSecond() > 0 && s.errorRatePercent() >= 0) {
                        weight += s.requestsPerSecond();
                        errors += s.requestsPerSecond() * s.errorRatePercent();
                        p50 += s.requestsPerSecond() * Math.max(0, s.latencyP50Micros());
                    }
                }
                if (s.latencyP99Micros() > 0) {
                    p99Sum += s.latencyP99Micros();
                    p99Count++;
                }
                if (s.systemCpuPercent() >= 0) {
                    cpu += s.systemCpuPercent();
                    cpuCount++;
                }
            }
            throughput += rpsCount == 0 ? 0 : rpsSum / rpsCount;
            worstP99 = Math.max(worstP99, p99Count == 0 ? 0 : p99Sum / p99Count);
        }
        return new Figures(throughput, weight == 0 ? 0 : errors / weight, weight == 0 ? 0 : p50 / weight, worstP99, cpuCount == 0 ? -1 : cpu / cpuCount,
                byNode.size(), samples);
    }
}
