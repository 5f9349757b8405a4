package io.x0tta6bl4.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.api.MeshView;
import io.x0tta6bl4.monitor.PeerState;
import io.x0tta6bl4.monitor.ProbeAnswer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The network status as a pure function of what one node knows. */
class MeshStateTest {
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private static final List<String> PEERS = List.of("b", "c", "d");

    private static Observations.PeerInfo peer(PeerState s, long rttMs, List<String> reportsSuspect, List<String> reportsDown) {
        ProbeAnswer answer = new ProbeAnswer("x", null, reportsSuspect, reportsDown, "a", null);
        return new Observations.PeerInfo(s, NOW, null, rttMs * 1_000_000, answer, NOW);
    }

    private static MeshView.NetworkStatus status(Map<String, Observations.PeerInfo> info, Optional<String> leader) {
        return MeshState.status("a", PEERS, java.util.Set.of("a", "b", "c", "d"), info, leader, 42, NOW);
    }

    @Test
    void everyoneAliveAndEveryLinkLiveIsHealthyWithTheMeanRoundTrip() {
        var s = status(Map.of("b", peer(PeerState.ALIVE, 1, List.of(), List.of()), "c", peer(PeerState.ALIVE, 2, List.of(), List.of()),
                "d", peer(PeerState.ALIVE, 6, List.of(), List.of())), Optional.of("a"));
        assertThat(s.status()).isEqualTo(MeshView.Health.HEALTHY);
        assertThat(s.nodes()).isEqualTo(4);
        assertThat(s.nodesAlive()).isEqualTo(4);
        assertThat(s.latencyMs()).isEqualTo(3.0);
        assertThat(s.meshHealth()).isEqualTo(100.0);
        assertThat(s.ledgerSize()).isEqualTo(42);
        assertThat(s.timestamp()).isEqualTo(NOW);
    }

    @Test
    void aDownPeerLowersAliveAndHealthAndLeavesItsRoundTripOut() {
        var s = status(Map.of("b", peer(PeerState.ALIVE, 2, List.of(), List.of("d")), "c", peer(PeerState.ALIVE, 4, List.of(), List.of("d")),
                "d", peer(PeerState.DOWN, 500, List.of(), List.of())), Optional.of("a"));
        assertThat(s.status()).isEqualTo(MeshView.Health.DEGRADED);
        assertThat(s.nodesAlive()).isEqualTo(3);
        assertThat(s.latencyMs()).isEqualTo(3.0);
        assertThat(s.meshHealth()).as("3 of 6 pairs: a-b, a-c, b-c").isEqualTo(50.0);
    }

    @Test
    void aLinkOneEndReportsBrokenIsNotLiveEvenWhenThisNodeSeesBothAlive() {
        var s = status(Map.of("b", peer(PeerState.ALIVE, 1, List.of("c"), List.of()), "c", peer(PeerState.ALIVE, 1, List.of(), List.of()),
                "d", peer(PeerState.ALIVE, 1, List.of(), List.of())), Optional.of("a"));
        assertThat(s.nodesAlive()).isEqualTo(4);
        assertThat(s.meshHealth()).isEqualTo(100.0 * 5 / 6);
        assertThat(s.status()).isEqualTo(MeshView.Health.DEGRADED);
    }

    @Test
    void noLeaderOrNoMajorityIsCritical() {
        var allAlive = Map.of("b", peer(PeerState.ALIVE, 1, List.of(), List.of()), "c", peer(PeerState.ALIVE, 1, List.of(), List.of()),
                "d", peer(PeerState.ALIVE, 1, List.of(), List.of()));
        assertThat(status(allAlive, Optional.empty()).status()).isEqualTo(MeshView.Health.CRITICAL);
        var twoOfFour = Map.of("b", peer(PeerState.ALIVE, 1, List.of(), List.of()), "c", peer(PeerState.DOWN, 1, List.of(), List.of()),
                "d", peer(PeerState.SUSPECT, 1, List.of(), List.of()));
        var s = status(twoOfFour, Optional.of("a"));
        assertThat(s.nodesAlive()).isEqualTo(2);
        assertThat(s.status()).as("2 of 4 is not a majority").isEqualTo(MeshView.Health.CRITICAL);
    }

    @Test
    void theMajorityThatDecidesCriticalIsOfTheLedgersVotersNotOfAllMembers() {
        // a, b, c vote; d is a listener. Losing d and one voter leaves 2 of 3 voters: still a quorum.
        var oneVoterAndTheListenerDown = Map.of("b", peer(PeerState.ALIVE, 1, List.of(), List.of()), "c", peer(PeerState.DOWN, 1, List.of(), List.of()),
                "d", peer(PeerState.DOWN, 1, List.of(), List.of()));
        var s = MeshState.status("a", PEERS, java.util.Set.of("a", "b", "c"), oneVoterAndTheListenerDown, Optional.of("a"), 42, NOW);
        assertThat(s.nodesAlive()).isEqualTo(2);
        assertThat(s.status()).as("2 of 3 voters can commit").isEqualTo(MeshView.Health.DEGRADED);
        var twoVotersDown = Map.of("b", peer(PeerState.DOWN, 1, List.of(), List.of()), "c", peer(PeerState.DOWN, 1, List.of(), List.of()),
                "d", peer(PeerState.ALIVE, 1, List.of(), List.of()));
        assertThat(MeshState.status("a", PEERS, java.util.Set.of("a", "b", "c"), twoVotersDown, Optional.of("a"), 42, NOW).status())
                .as("1 of 3 voters cannot, whatever the listeners").isEqualTo(MeshView.Health.CRITICAL);
    }

    @Test
    void aLoneNodeWithNoPeersProbedYetHasNoLatency() {
        var s = MeshState.status("a", List.of(), java.util.Set.of("a"), Map.of(), Optional.of("a"), 1, NOW);
        assertThat(s.nodes()).isEqualTo(1);
        assertThat(s.latencyMs()).isZero();
        assertThat(s.meshHealth()).isEqualTo(100.0);
        assertThat(s.status()).isEqualTo(MeshView.Health.HEALTHY);
    }
}
