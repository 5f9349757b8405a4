package io.x0tta6bl4.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Raft replicas in one JVM on loopback, in mutual TLS with their SVIDs, on ports the kernel picks. */
@org.junit.jupiter.api.Timeout(240)
class RaftLedgerTest {
    @TempDir Path dir;
    private final List<RaftLedger> replicas = new ArrayList<>();

    @AfterEach
    void stop() {
        replicas.forEach(RaftLedger::close);
    }

    private List<RaftLedger> group(CertificateAuthority ca, int n, UnaryOperator<RaftLedgerConfig> tweak) {
        List<RaftLedger> g = LedgerFixtures.group(ca, dir, n, InstantSource.system(), tweak);
        replicas.addAll(g);
        return g;
    }

    private static RaftLedger leaderOf(List<RaftLedger> group) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> group.stream().filter(RaftLedger::isLeader).findFirst().orElse(null),
                l -> l != null);
    }

    private static void appendAll(List<RaftLedger> writers, int from, int count) throws Exception {
        List<CompletableFuture<Long>> acks = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            acks.add(writers.get(i % writers.size()).append(LedgerFixtures.audit(i)));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    /** Every replica reaches the same head of {@code size} entries. */
    private static void converge(List<RaftLedger> group, long size) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (RaftLedger r : group) {
                assertThat(r.head().size()).as(r.self().name()).isEqualTo(size);
                assertThat(r.head()).as(r.self().name()).isEqualTo(group.getFirst().head());
            }
        });
    }

    @Test
    void threeReplicasAgreeOnEveryEntryAndCosignACheckpoint() throws Exception {
        CertificateAuthority ca = LedgerFixtures.ca(dir);
        List<RaftLedger> g = group(ca, 3, c -> c.withCheckpointInterval(Duration.ofMillis(200)));
        assertThat(g.getFirst().group().voters()).extracting(Replica::name).containsExactlyInAnyOrder("node-1", "node-2", "node-3");
        List<CompletableFuture<Long>> acks = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            acks.add(g.get(i % 3).append(LedgerFixtures.audit(i)));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(acks.stream().map(CompletableFuture::join).distinct()).hasSize(600);

        converge(g, 600);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Checkpoint c = g.getFirst().latestCheckpoint().orElseThrow();
            assertThat(c.head().size()).isEqualTo(600);
            assertThat(c.cosignatures()).hasSizeGreaterThanOrEqualTo(2);
        });
        InclusionProof proof = g.get(1).inclusionProof(123, 600);
        assertThat(proof.verify()).isTrue();
        assertThat(proof.head()).isEqualTo(g.get(2).head());
    }

    /**
     * Five voters and two listeners, grown one replica at a time; the listeners serve as
     * listeners (Ratis 3.3 leaves a listener added at runtime in its start-up role, which after
     * a leader failure would campaign, find itself outside the voters and shut its replica
     * down: RaftLedger restarts such a replica in place). Then the leader dies, a dead voter is
     * replaced by a listener, and a voter is demoted: every live replica keeps every entry.
     */
    @Test
    void aGroupOfFiveVotersAndTwoListenersSurvivesItsLeaderAndChangesRolesOneStepAtATime() throws Exception {
        CertificateAuthority ca = LedgerFixtures.ca(dir);
        List<RaftLedger> g = group(ca, 7, c -> c.withCheckpointInterval(Duration.ofMillis(200)));
        GroupView view = leaderOf(g).group();
        assertThat(view.voters()).extracting(Replica::name).containsExactlyInAnyOrder("node-1", "node-2", "node-3", "node-4", "node-5");
        assertThat(view.listeners()).extracting(Replica::name).containsExactlyInAnyOrder("node-6", "node-7");
        appendAll(g, 0, 100);
        converge(g, 100);
        // The listeners realign (restart as listeners) once their configuration is committed.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (RaftLedger listener : g.subList(5, 7)) {
                assertThat(listener.role()).as(listener.self().name()).isEqualTo("LISTENER");
            }
        });

        RaftLedger oldLeader = leaderOf(g);
        List<RaftLedger> live = new ArrayList<>(g);
        live.remove(oldLeader);
        oldLeader.close();
        replicas.remove(oldLeader);
        RaftLedger leader = leaderOf(live);
        assertThat(leader.self().name()).as("a listener never leads").isNotIn("node-6", "node-7");
        appendAll(live, 100, 100);
        converge(live, 200);

        // Replace the dead voter: remove it, then promote node-6.
        List<Replica> voters = new ArrayList<>(leader.group().voters());
        voters.removeIf(r -> r.name().equals(oldLeader.self().name()));
        List<Replica> listeners = new ArrayList<>(leader.group().listeners());
        leader.reconfigure(voters, listeners).get(30, TimeUnit.SECONDS);
        Replica six = listeners.stream().filter(r -> r.name().equals("node-6")).findFirst().orElseThrow();
        listeners.remove(six);
        voters.add(six);
        leaderOf(live).reconfigure(voters, listeners).get(30, TimeUnit.SECONDS);
        assertThat(leaderOf(live).group().voters()).extracting(Replica::name).contains("node-6").hasSize(5);
        // Demote a voter that does not lead: it realigns as a listener.
        RaftLedger demoted = live.stream().filter(r -> !r.isLeader() && !r.self().name().equals("node-6") && !r.self().name().equals("node-7"))
                .findFirst().orElseThrow();
        voters.removeIf(r -> r.name().equals(demoted.self().name()));
        listeners.add(demoted.self());
        leaderOf(live).reconfigure(voters, listeners).get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(demoted.role()).isEqualTo("LISTENER"));

        appendAll(live, 200, 100);
        converge(live, 300);
        // The newest checkpoint is cosigned by a majority of the voters in force now.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Checkpoint c = leaderOf(live).latestCheckpoint().orElseThrow();
            assertThat(c.head().size()).isEqualTo(300);
            assertThat(c.cosignatures()).hasSizeGreaterThanOrEqualTo(3);
        });
    }

    @Test
    void aReplicaWhoseClientGaveUpForWantOfAQuorumWritesAgainOnceTheQuorumIsBack() throws Exception {
        CertificateAuthority ca = LedgerFixtures.ca(dir);
        UnaryOperator<RaftLedgerConfig> shortRetries = c -> c.withClientRetryBudget(Duration.ofSeconds(1));
        List<NodeCredentials> nodes = LedgerFixtures.nodes(ca, 3);
        List<RaftLedger> g = LocalGroup.start(nodes, dir, ca.bundle(), InstantSource.system(), shortRetries, Duration.ofSeconds(90));
        replicas.addAll(g);
        RaftLedger early = g.getFirst();
        g.get(1).close();
        g.get(2).close();
        replicas.removeAll(g.subList(1, 3));
        // Alone, it has no quorum: the request exhausts the client's retries. Ratis then closes the
        // client for good; before the client was replaced, every later append failed the same way.
        assertThatThrownBy(() -> early.append(LedgerFixtures.audit(0)).get(30, TimeUnit.SECONDS)).hasMessageContaining("unavailable");
        for (int i = 1; i < 3; i++) {
            // They come back on the ports they kept; how they first started no longer matters.
            replicas.add(RaftLedger.start(shortRetries.apply(RaftLedgerConfig.of("node-" + (i + 1), dir.resolve("node-" + (i + 1)),
                    new RaftLedgerConfig.Start.Bootstrap(), nodes.get(i), ca.bundle(), InstantSource.system()))));
        }
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> early.append(LedgerFixtures.audit(1)).get(10, TimeUnit.SECONDS) >= 0);
        assertThat(early.append(LedgerFixtures.audit(2)).get(10, TimeUnit.SECONDS)).isNotNegative();
    }

    /**
     * Regression: a replica restarted from its data replays its log while its server starts, and
     * the configuration entries in it reached the replica before it had a client; the failure
     * closed its Raft server and the node answered 503 until it was stopped.
     */
    @Test
    void aVoterRestartedFromItsDataRejoinsOnItsPortAndCatchesUp() throws Exception {
        CertificateAuthority ca = LedgerFixtures.ca(dir);
        List<NodeCredentials> nodes = LedgerFixtures.nodes(ca, 3);
        List<RaftLedger> g = LocalGroup.start(nodes, dir, ca.bundle(), InstantSource.system(), c -> c, Duration.ofSeconds(90));
        replicas.addAll(g);
        appendAll(g, 0, 50);
        converge(g, 50);
        int port = g.get(1).port();
        g.get(1).close();
        replicas.remove(g.get(1));
        appendAll(List.of(g.get(0), g.get(2)), 50, 50);
        RaftLedger back = RaftLedger.start(RaftLedgerConfig.of("node-2", dir.resolve("node-2"), new RaftLedgerConfig.Start.Bootstrap(), nodes.get(1),
                ca.bundle(), InstantSource.system()));
        replicas.add(back);
        assertThat(back.port()).as("the port it kept").isEqualTo(port);
        assertThat(back.append(LedgerFixtures.audit(100)).get(30, TimeUnit.SECONDS)).isEqualTo(100);
        converge(List.of(g.get(0), back, g.get(2)), 101);
    }

    @Test
    void aReplicaWithAnSvidFromAnotherCaCannotJoin() throws Exception {
        CertificateAuthority ca = LedgerFixtures.ca(dir);
        CertificateAuthority impostorCa = LedgerFixtures.ca(dir.resolve("other"));
        List<RaftLedger> g = group(ca, 2, c -> c);
        long seq = g.get(1).append(LedgerFixtures.audit(1)).get(30, TimeUnit.SECONDS);
        RaftLedger impostor = RaftLedger.start(RaftLedgerConfig.of("node-3", dir.resolve("node-3"),
                new RaftLedgerConfig.Start.Join(List.of(g.getFirst().self())), LedgerFixtures.node(impostorCa, "node-3"), impostorCa.bundle(),
                InstantSource.system()).withClientRetryBudget(Duration.ofSeconds(2)));
        replicas.add(impostor);
        // Its TLS handshakes are refused both ways: it cannot register, and the group will not take it.
        assertThatThrownBy(() -> impostor.ready().get(30, TimeUnit.SECONDS)).hasMessageContaining("unavailable");
        List<Replica> withImpostor = new ArrayList<>(g.getFirst().group().voters());
        withImpostor.add(impostor.self());
        assertThatThrownBy(() -> leaderOf(g).reconfigure(withImpostor, List.of()).get(60, TimeUnit.SECONDS)).isNotNull();
        assertThat(leaderOf(g).group().voters()).extracting(Replica::name).containsExactlyInAnyOrder("node-1", "node-2");
        assertThat(impostor.head().size()).isZero();
        assertThat(g.getFirst().head().size()).isEqualTo(seq + 1);
    }

    @Test
    void aConfigurationWithoutVotersOrWithTooManyIsRefusedBeforeItReachesTheGroup() throws Exception {
        CertificateAuthority ca = LedgerFixtures.ca(dir);
        List<RaftLedger> g = group(ca, 1, c -> c);
        Replica r = g.getFirst().self();
        List<Replica> six = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            six.add(new Replica("node-" + (10 + i), "127.0.0.1", 1000 + i));
        }
        assertThatThrownBy(() -> g.getFirst().reconfigure(List.of(), List.of(r)).get(5, TimeUnit.SECONDS)).hasMessageContaining("1..5 voters");
        assertThatThrownBy(() -> g.getFirst().reconfigure(six, List.of()).get(5, TimeUnit.SECONDS)).hasMessageContaining("1..5 voters");
        assertThat(g.getFirst().group().voters()).containsExactly(r);
    }
}
