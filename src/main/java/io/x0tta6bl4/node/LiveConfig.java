package io.x0tta6bl4.node;

import io.x0tta6bl4.governance.ConfigKey;
import io.x0tta6bl4.governance.RuntimeConfig;
import io.x0tta6bl4.monitor.DetectorSettings;
import io.x0tta6bl4.monitor.LoadAlerts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runtime config's {@code probe.*} and {@code load.*} keys laid over this node's node.yaml:
 * the settings its prober and load alerts follow. A key no proposal has set keeps the node's own
 * value. Pure.
 *
 * <p>A proposal can set one half of a pair (the timeout and the interval, the suspect and down
 * misses) and a node's node.yaml the other half. Where that makes the pair invalid here, the
 * node keeps it valid (the timeout at most the interval, the suspect line at most the down line)
 * and says so in {@link Applied#adjusted}: the fold checked the pair only against what the mesh
 * knows.
 */
final class LiveConfig {
    /** What this node applies, and the adjustments it had to make to keep the settings valid. */
    record Applied(DetectorSettings detector, LoadAlerts.Thresholds thresholds, List<String> adjusted) {}

    private LiveConfig() {}

    static Applied apply(DetectorSettings file, NodeConfig.LoadThresholds load, RuntimeConfig config) {
        List<String> adjusted = new ArrayList<>(0);
        Duration interval = duration(config, ConfigKey.PROBE_INTERVAL).orElse(file.interval());
        Duration timeout = duration(config, ConfigKey.PROBE_TIMEOUT).orElse(file.timeout());
        if (timeout.compareTo(interval) > 0) {
            adjusted.add("probe.timeout " + timeout.toMillis() + " ms is above probe.interval " + interval.toMillis() + " ms; using "
                    + interval.toMillis() + " ms");
            timeout = interval;
        }
        int misses = count(config, ConfigKey.PROBE_MISSES).orElse(file.downAfter());
        int suspect = count(config, ConfigKey.PROBE_SUSPECT_AFTER).orElse(file.suspectAfter());
        if (suspect > misses) {
            adjusted.add("probe.suspect_after " + suspect + " is above probe.misses " + misses + "; using " + misses);
            suspect = misses;
        }
        DetectorSettings detector = new DetectorSettings(file.kind(), interval, timeout, suspect, misses, file.phiSuspect(), file.phiDown(),
                file.minDeviation(), file.maxLateness(), file.admitAfter());
        LoadAlerts.Thresholds thresholds = new LoadAlerts.Thresholds(
                percent(config, ConfigKey.LOAD_CPU_PERCENT).orElse(load.cpuPercent()),
                percent(config, ConfigKey.LOAD_MEMORY_PERCENT).orElse(load.memoryPercent()),
                duration(config, ConfigKey.LOAD_LATENCY_P99).orElse(load.latencyP99()).toNanos() / 1_000,
                percent(config, ConfigKey.LOAD_ERROR_RATE_PERCENT).orElse(load.errorRatePercent()),
                count(config, ConfigKey.LOAD_QUEUE_LENGTH).orElse(load.queueLength()),
                duration(config, ConfigKey.LOAD_SUSTAIN).orElse(load.sustain()).toNanos());
        return new Applied(detector, thresholds, List.copyOf(adjusted));
    }

    /** The values in force, in the keys' canonical form, for {@code GET /api/config}. */
    static Map<ConfigKey, String> inForce(DetectorSettings d, LoadAlerts.Thresholds t) {
        Map<ConfigKey, String> m = new EnumMap<>(ConfigKey.class);
        m.put(ConfigKey.PROBE_INTERVAL, d.interval().toMillis() + "ms");
        m.put(ConfigKey.PROBE_TIMEOUT, d.timeout().toMillis() + "ms");
        m.put(ConfigKey.PROBE_MISSES, Integer.toString(d.downAfter()));
        m.put(ConfigKey.PROBE_SUSPECT_AFTER, Integer.toString(d.suspectAfter()));
        m.put(ConfigKey.LOAD_CPU_PERCENT, plain(t.cpuPercent()));
        m.put(ConfigKey.LOAD_MEMORY_PERCENT, plain(t.memoryPercent()));
        m.put(ConfigKey.LOAD_LATENCY_P99, t.latencyP99Micros() / 1_000 + "ms");
        m.put(ConfigKey.LOAD_ERROR_RATE_PERCENT, plain(t.errorRatePercent()));
        m.put(ConfigKey.LOAD_QUEUE_LENGTH, Integer.toString(t.queueLength()));
        m.put(ConfigKey.LOAD_SUSTAIN, t.sustainNanos() / 1_000_000 + "ms");
        return m;
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static Optional<Duration> duration(RuntimeConfig c, ConfigKey k) {
        return c.value(k).map(ConfigKey::duration);
    }

    private static Optional<Integer> count(RuntimeConfig c, ConfigKey k) {
        return c.value(k).map(Integer::parseInt);
    }

    private static Optional<Double> percent(RuntimeConfig c, ConfigKey k) {
        return c.value(k).map(Double::parseDouble);
    }
}
