package io.x0tta6bl4.monitor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every node's load as this node has seen it: its own samples and the samples its peers put in
 * their probe answers, at most one per node per second, for about an hour, each stamped with
 * the ledger-comparable time (epoch milliseconds of the node's clock) at which it arrived. Every
 * node probes every other, so every node holds the mesh's series, and a new leader can judge the
 * impact of a change its predecessor executed. Thread-safe.
 */
public final class MeshLoad {
    /** One hour at one point per second. */
    static final int POINTS = 3600;

    /** A sample of {@code node} that arrived at {@code atMillis}. */
    public record Point(long atMillis, LoadSample sample) {}

    private final Map<String, TimeSeries<LoadSample>> series = new HashMap<>();
    private final Map<String, Long> lastSecond = new HashMap<>();

    /** Records {@code s} of {@code node} at {@code atMillis}, unless that node already has a point in the same second. */
    public synchronized void record(String node, long atMillis, LoadSample s) {
        if (s == null) {
            return;
        }
        long second = Math.floorDiv(atMillis, 1000);
        Long last = lastSecond.get(node);
        if (last != null && last >= second) {
            return;
        }
        lastSecond.put(node, second);
        series.computeIfAbsent(node, n -> new TimeSeries<>(POINTS)).add(atMillis, s);
    }

    /** Each node's points with {@code fromMillis <= at < toMillis}, oldest first. */
    public synchronized Map<String, List<LoadSample>> between(long fromMillis, long toMillis) {
        Map<String, List<LoadSample>> out = new HashMap<>();
        series.forEach((node, ts) -> {
            List<LoadSample> in = new ArrayList<>();
            for (TimeSeries.Point<LoadSample> p : ts.since(fromMillis)) {
                if (p.atNanos() < toMillis) {
                    in.add(p.value());
                }
            }
            if (!in.isEmpty()) {
                out.put(node, in);
            }
        });
        return out;
    }
}
