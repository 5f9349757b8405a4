package io.x0tta6bl4.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.governance.ConfigKey;
import io.x0tta6bl4.governance.RuntimeConfig;
import io.x0tta6bl4.monitor.DetectorSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The runtime config laid over a node's own settings: what its prober and load alerts follow. */
class LiveConfigTest {
    private static final DetectorSettings FILE = DetectorSettings.sourceDefaults();
    private static final NodeConfig.LoadThresholds LOAD = NodeConfig.LoadThresholds.DEFAULTS;

    @Test
    void keysNoProposalSetKeepTheNodesOwnValues() {
        LiveConfig.Applied a = LiveConfig.apply(FILE, LOAD, RuntimeConfig.EMPTY);
        assertThat(a.detector()).isEqualTo(FILE);
        assertThat(a.thresholds().cpuPercent()).isEqualTo(80);
        assertThat(a.thresholds().sustainNanos()).isEqualTo(Duration.ofSeconds(5).toNanos());
        assertThat(a.adjusted()).isEmpty();
        assertThat(LiveConfig.inForce(a.detector(), a.thresholds())).containsEntry(ConfigKey.PROBE_INTERVAL, "100ms")
                .containsEntry(ConfigKey.PROBE_MISSES, "3").containsEntry(ConfigKey.LOAD_LATENCY_P99, "500ms").containsEntry(ConfigKey.LOAD_CPU_PERCENT, "80");
    }

    @Test
    void votedValuesReplaceTheNodesOwn() {
        RuntimeConfig c = RuntimeConfig.EMPTY.with(Map.of(ConfigKey.PROBE_INTERVAL, "250ms", ConfigKey.PROBE_MISSES, "5",
                ConfigKey.LOAD_CPU_PERCENT, "95.5", ConfigKey.LOAD_SUSTAIN, "0ms"), "p1", 7);
        LiveConfig.Applied a = LiveConfig.apply(FILE, LOAD, c);
        assertThat(a.detector().interval()).isEqualTo(Duration.ofMillis(250));
        assertThat(a.detector().timeout()).as("not voted: the node's own").isEqualTo(Duration.ofMillis(50));
        assertThat(a.detector().downAfter()).isEqualTo(5);
        assertThat(a.detector().suspectAfter()).isEqualTo(2);
        assertThat(a.thresholds().cpuPercent()).isEqualTo(95.5);
        assertThat(a.thresholds().sustainNanos()).isZero();
        assertThat(LiveConfig.inForce(a.detector(), a.thresholds())).containsEntry(ConfigKey.LOAD_CPU_PERCENT, "95.5")
                .containsEntry(ConfigKey.LOAD_SUSTAIN, "0ms");
    }

    @Test
    void aVotedHalfThatBreaksAPairWithTheNodesOwnHalfIsAdjustedAndSaid() {
        RuntimeConfig c = RuntimeConfig.EMPTY.with(Map.of(ConfigKey.PROBE_INTERVAL, "30ms", ConfigKey.PROBE_MISSES, "1"), "p2", 9);
        LiveConfig.Applied a = LiveConfig.apply(FILE, LOAD, c);
        assertThat(a.detector().timeout()).as("node.yaml's 50 ms deadline over a 30 ms interval").isEqualTo(Duration.ofMillis(30));
        assertThat(a.detector().suspectAfter()).isEqualTo(1);
        assertThat(a.adjusted()).containsExactly("probe.timeout 50 ms is above probe.interval 30 ms; using 30 ms",
                "probe.suspect_after 2 is above probe.misses 1; using 1");
    }
}
