package io.x0tta6bl4.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Replicas of one group snapshot at different log indexes, so never all at the same moment. */
class SnapshotThresholdTest {
    private static long threshold(String self, long every) {
        return RaftLedger.snapshotThreshold(RaftLedgerConfig.of(self, Path.of("unused"), new RaftLedgerConfig.Start.Bootstrap(), null, null,
                InstantSource.system()).withSnapshotEvery(every));
    }

    @Test
    void fiveReplicasNamedInSequenceHaveFiveIntervalsFromTheConfiguredOneToOneAndAHalfTimesIt() {
        List<Long> thresholds = IntStream.rangeClosed(1, 5).mapToObj(i -> threshold("node-" + i, 10_000)).toList();
        assertThat(thresholds).doesNotHaveDuplicates().allSatisfy(t -> assertThat(t).isBetween(10_000L, 14_000L));
        assertThat(thresholds).allSatisfy(t -> assertThat(t % 1_000).isZero());
        // A replica's interval depends on its name alone, so it is the same after every restart and on every replica's view.
        assertThat(threshold("node-4", 10_000)).isEqualTo(thresholds.get(3));
        assertThat(threshold("node-1", 100)).isBetween(100L, 140L);
    }
}
