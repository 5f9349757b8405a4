package io.x0tta6bl4.ledger;

import static io.x0tta6bl4.ledger.LedgerTestSupport.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.crypto.SeededRandom;
import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regressions for defects found in review, each named after what went wrong. */
class ReviewRegressionTest {
    @TempDir Path dir;

    /** Re-registering an older identity document rolled the key back on live replicas only. */
    @Test
    void reRegisteringAnOlderKeyIsRefusedSoRestartedReplicasAgree() throws Exception {
        CertificateAuthority ca = LedgerTestSupport.deterministicCa(dir.resolve("ca"), "review");
        NodeCredentials k1 = ca.issueNode("node-1", Duration.ofDays(1), T0, new SeededRandom("k1"));
        try (var tree = Files.walk(ca.nodeDir("node-1"))) {
            tree.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        NodeCredentials k2 = ca.issueNode("node-1", Duration.ofDays(1), T0.plusSeconds(10), new SeededRandom("k2"));
        Instant at = T0.plusSeconds(60);
        Set<String> voters = Set.of(k1.id().toString());
        Path data = Files.createDirectories(dir.resolve("data"));

        LedgerCore live = new LedgerCore(LedgerStore.open(data), ca.bundle(), voters, m -> {});
        assertThat(live.register(1, 1, k1.identity(), at)).isEmpty();
        assertThat(live.register(2, 1, k2.identity(), at)).isEmpty();
        assertThat(live.register(3, 1, k1.identity(), at)).hasValueSatisfying(p -> assertThat(p).contains("older than the registered one"));
        Batch withOldKey = Batch.sign(k1.id().toString(), List.of(LedgerFixtures.audit(1)), k1.keys().signing(), new SeededRandom("b1"));
        assertThat(live.applyBatch(4, 1, withOldKey, at)).isInstanceOf(LedgerCore.Outcome.Refused.class);
        live.close();

        LedgerCore restarted = new LedgerCore(LedgerStore.open(data), ca.bundle(), voters, m -> {});
        Batch withNewKey = Batch.sign(k2.id().toString(), List.of(LedgerFixtures.audit(2)), k2.keys().signing(), new SeededRandom("b2"));
        assertThat(restarted.applyBatch(5, 1, withNewKey, at)).isInstanceOf(LedgerCore.Outcome.Appended.class);
        restarted.close();
    }

    /** close() while the worker waited for a pipeline slot left a caller's future pending forever. */
    @Test
    void closingWhileAllSlotsAreBusyFailsTheWaitingAppends() throws Exception {
        CertificateAuthority ca = LedgerTestSupport.deterministicCa(dir.resolve("ca2"), "review2");
        NodeCredentials n = LedgerTestSupport.deterministicNode(ca, "node-1");
        CountDownLatch sent = new CountDownLatch(1);
        CompletableFuture<LedgerCore.Outcome> never = new CompletableFuture<>();
        GroupCommitter committer = new GroupCommitter(n.id().toString(), n.keys().signing(), new SeededRandom("gc"), batch -> {
            sent.countDown();
            return never;
        }, new GroupCommitter.Limits(16, 1 << 20, 1), Thread.ofVirtual()::start);
        committer.submit(List.of(LedgerFixtures.audit(1)));
        assertThat(sent.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<List<Long>> waiting = committer.submit(List.of(LedgerFixtures.audit(2)));
        committer.close();
        assertThat(waiting).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(LedgerException.class).withMessageContaining("closed");
        CompletableFuture<List<Long>> afterClose = committer.submit(List.of(LedgerFixtures.audit(3)));
        assertThat(afterClose).isCompletedExceptionally();
    }

    /** An append larger than a batch may be failed as "unavailable" by Raft instead of being refused. */
    @Test
    void anAppendLargerThanABatchIsRefusedAsTooLarge() throws Exception {
        CertificateAuthority ca = LedgerTestSupport.deterministicCa(dir.resolve("ca3"), "review3");
        NodeCredentials n = LedgerTestSupport.deterministicNode(ca, "node-1");
        GroupCommitter committer = new GroupCommitter(n.id().toString(), n.keys().signing(), new SeededRandom("gc3"),
                batch -> CompletableFuture.failedFuture(new AssertionError("nothing may be sent")), new GroupCommitter.Limits(16, 4096, 1), Thread.ofVirtual()::start);
        Submission big = new Submission(EntryType.AUDIT, LedgerFixtures.audit(1).actor(), "BIG", "r", "SUCCESS",
                "{\"blob\":\"" + "x".repeat(4000) + "\"}");
        assertThat(committer.submit(List.of(big))).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(LedgerException.class,
                        e -> assertThat(e.reason()).isEqualTo(LedgerException.Reason.PAYLOAD_TOO_LARGE));
        committer.close();
    }
}
