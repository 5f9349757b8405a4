package io.x0tta6bl4.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.x0tta6bl4.identity.CertificateAuthority;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three Raft replicas in one JVM on loopback, in mutual TLS with their SVIDs. */
@org.junit.jupiter.api.Timeout(180)
class RaftLedgerTest {
    @TempDir Path dir;
    private final List<RaftLedger> replicas = new ArrayList<>();

    @AfterEach
    void stop() {
        replicas.forEach(RaftLedger::close);
    }

    @Test
    void threeReplicasAgreeOnEveryEntryAndCosignACheckpoint() throws Exception {
        CertificateAuthority ca = LedgerFixtures.ca(dir);
        List<RaftLedgerConfig.Peer> peers = LedgerFixtures.peers(3);
        for (RaftLedgerConfig.Peer p : peers) {
            replicas.add(RaftLedger.start(RaftLedgerConfig.of(p.name(), dir.resolve(p.name()), peers, LedgerFixtures.node(ca, p.name()),
                    ca.bundle(), InstantSource.system()).withCheckpointInterval(Duration.ofMillis(200))));
        }
        for (RaftLedger r : replicas) {
            r.ready().get(30, TimeUnit.SECONDS);
        }
        List<CompletableFuture<Long>> acks = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            acks.add(replicas.get(i % 3).append(LedgerFixtures.audit(i)));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(acks.stream().map(CompletableFuture::join).distinct()).hasSize(600);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            TreeHead head = replicas.getFirst().head();
            assertThat(head.size()).isEqualTo(600);
            for (RaftLedger r : replicas) {
                assertThat(r.head()).isEqualTo(head);
            }
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Checkpoint c = replicas.getFirst().latestCheckpoint().orElseThrow();
            assertThat(c.head().size()).isEqualTo(600);
            assertThat(c.cosignatures()).hasSizeGreaterThanOrEqualTo(2);
        });
        InclusionProof proof = replicas.get(1).inclusionProof(123, 600);
        assertThat(proof.verify()).isTrue();
        assertThat(proof.head()).isEqualTo(replicas.get(2).head());
    }

    @Test
    void aReplicaThatStartedLongBeforeItsPeersCanWriteOnceTheyCome() throws Exception {
        CertificateAuthority ca = LedgerFixtures.ca(dir);
        List<RaftLedgerConfig.Peer> peers = LedgerFixtures.peers(3);
        java.util.function.Function<RaftLedgerConfig.Peer, RaftLedger> start = p -> RaftLedger.start(RaftLedgerConfig.of(p.name(),
                dir.resolve(p.name()), peers, LedgerFixtures.node(ca, p.name()), ca.bundle(), InstantSource.system())
                .withClientRetryBudget(Duration.ofSeconds(1)));
        RaftLedger early = start.apply(peers.getFirst());
        replicas.add(early);
        // Alone, it has no quorum: the request exhausts the client's retries. Ratis then closes the
        // client for good; before the client was replaced, every later append failed the same way.
        assertThatThrownBy(() -> early.append(LedgerFixtures.audit(0)).get(30, TimeUnit.SECONDS)).hasMessageContaining("unavailable");
        replicas.add(start.apply(peers.get(1)));
        replicas.add(start.apply(peers.get(2)));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> early.append(LedgerFixtures.audit(1)).get(10, TimeUnit.SECONDS) >= 0);
        assertThat(early.append(LedgerFixtures.audit(2)).get(10, TimeUnit.SECONDS)).isNotNegative();
    }

    @Test
    void aReplicaWithAnSvidFromAnotherCaCannotJoin() throws Exception {
        CertificateAuthority ca = LedgerFixtures.ca(dir);
        CertificateAuthority impostorCa = LedgerFixtures.ca(dir.resolve("other"));
        List<RaftLedgerConfig.Peer> peers = LedgerFixtures.peers(3);
        for (RaftLedgerConfig.Peer p : peers) {
            boolean impostor = p.name().equals("node-3");
            CertificateAuthority issuer = impostor ? impostorCa : ca;
            replicas.add(RaftLedger.start(RaftLedgerConfig.of(p.name(), dir.resolve(p.name()), peers, LedgerFixtures.node(issuer, p.name()),
                    issuer.bundle(), InstantSource.system())));
        }
        // node-1 and node-2 are a majority of three: they elect a leader and commit without node-3.
        replicas.get(0).ready().get(60, TimeUnit.SECONDS);
        long seq = replicas.get(1).append(LedgerFixtures.audit(1)).get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(replicas.get(0).head().size()).isEqualTo(seq + 1));
        // The impostor's TLS handshakes are refused both ways: it never receives an entry.
        assertThat(replicas.get(2).ready()).isNotCompleted();
        assertThat(replicas.get(2).head().size()).isZero();
    }
}
