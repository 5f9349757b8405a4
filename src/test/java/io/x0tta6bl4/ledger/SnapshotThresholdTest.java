package io.x0tta6bl4.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Replicas of one group snapshot at different log indexes, so never all at the same moment. */
class SnapshotThresholdTest {
    private static final List<RaftLedgerConfig.Peer> FIVE = IntStream.rangeClosed(1, 5)
            .mapToObj(i -> new RaftLedgerConfig.Peer("node-" + i, "127.0.0.1", 7000 + i, true)).toList();

    private static long threshold(String self, List<RaftLedgerConfig.Peer> peers, long every) {
        return RaftLedger.snapshotThreshold(RaftLedgerConfig.of(self, Path.of("unused"), peers, null, null, InstantSource.system())
                .withSnapshotEvery(every));
    }

    @Test
    void eachReplicaOfAGroupHasItsOwnIntervalFromTheConfiguredOneToOneAndAHalfTimesIt() {
        List<Long> thresholds = FIVE.stream().map(p -> threshold(p.name(), FIVE, 10_000)).toList();
        assertThat(thresholds).containsExactly(10_000L, 11_000L, 12_000L, 13_000L, 14_000L);
        // The order of the configuration does not matter: every replica computes the same places.
        assertThat(threshold("node-4", FIVE.reversed(), 10_000)).isEqualTo(13_000L);
        assertThat(threshold("node-1", List.of(FIVE.getFirst()), 100)).isEqualTo(100L);
    }
}
