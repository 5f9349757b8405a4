package io.x0tta6bl4.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The impact comparison: figures of each window from every node's samples, and when a change did harm. */
class ImpactTest {
    private static LoadSample s(double cpu, long p50, long p99, double errors, double rps) {
        return new LoadSample(0, 5, cpu, 30, 40, p50, p99, errors, 0, 500, 0, rps);
    }

    @Test
    void throughputAddsUpOverTheNodesAndTheErrorRateIsWeightedByTheirRequests() {
        Map<String, List<LoadSample>> before = Map.of("node-1", List.of(s(40, 1000, 3000, 0, 90), s(50, 1000, 5000, 0, 110)),
                "node-2", List.of(s(30, 2000, 2000, 10, 10)));
        Impact.Figures f = Impact.figures(before);
        assertThat(f.requestsPerSecond()).isEqualTo(110); // 100 on node-1, 10 on node-2
        assertThat(f.errorRatePercent()).isCloseTo(100.0 / 210, within(1e-9)); // 10 % of node-2's 10 req/s among 210 weighted
        assertThat(f.latencyP99Micros()).isEqualTo(4000); // node-1's mean p99, the worst
        assertThat(f.cpuPercent()).isEqualTo(40);
        assertThat(f.samples()).isEqualTo(3);
        assertThat(f.nodes()).isEqualTo(2);
    }

    @Test
    void anErrorRateRiseOverHalfAPointIsHarmfulAndNoSamplesJudgeNothing() {
        Map<String, List<LoadSample>> calm = Map.of("node-1", List.of(s(40, 1000, 3000, 0.2, 50)));
        assertThat(Impact.compare(calm, Map.of("node-1", List.of(s(40, 1000, 3000, 0.6, 50)))).harmful()).as("+0.4 points").isFalse();
        Impact.Comparison bad = Impact.compare(calm, Map.of("node-1", List.of(s(40, 1000, 3000, 0.8, 50))));
        assertThat(bad.errorRateRise()).isCloseTo(0.6, within(1e-9));
        assertThat(bad.harmful()).isTrue();
        assertThat(Impact.compare(Map.of(), Map.of("node-1", List.of(s(40, 1000, 3000, 50, 50)))).harmful()).as("nothing before").isFalse();
        assertThat(Impact.compare(Map.of("node-1", List.of(s(40, 0, 0, 0, 0))), Map.of("node-1", List.of(s(40, 1000, 3000, 50, 50)))).harmful())
                .as("no requests before: an error rate of 0 says nothing").isFalse();
    }

    @Test
    void unknownValuesAreLeftOut() {
        Impact.Figures f = Impact.figures(Map.of("node-1", List.of(s(-1, -1, -1, -1, -1))));
        assertThat(f.requestsPerSecond()).isZero();
        assertThat(f.errorRatePercent()).isZero();
        assertThat(f.cpuPercent()).isEqualTo(-1);
    }

    @Test
    void theMeshLoadKeepsOnePointPerNodePerSecondAndAnswersAWindow() {
        MeshLoad m = new MeshLoad();
        m.record("node-1", 1_000, s(1, 0, 0, 0, 1));
        m.record("node-1", 1_500, s(2, 0, 0, 0, 1)); // same second: dropped
        m.record("node-1", 2_100, s(3, 0, 0, 0, 1));
        m.record("node-2", 2_200, s(4, 0, 0, 0, 1));
        assertThat(m.between(1_000, 2_000).get("node-1")).extracting(LoadSample::systemCpuPercent).containsExactly(1.0);
        assertThat(m.between(2_000, 3_000)).containsOnlyKeys("node-1", "node-2");
    }
}
