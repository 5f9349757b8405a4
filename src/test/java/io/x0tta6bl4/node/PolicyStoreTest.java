package io.x0tta6bl4.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.InMemoryLedger;
import io.x0tta6bl4.ledger.LedgerEntry;
import io.x0tta6bl4.ledger.LedgerQuery;
import io.x0tta6bl4.ledger.Submission;
import io.x0tta6bl4.policy.Policy;
import io.x0tta6bl4.time.ThreadScheduler;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy in force is a fold over the ledger's POLICY_CHANGE entries. */
class PolicyStoreTest {
    private static final SpiffeId NODE = SpiffeId.node("mesh.test", "node-1");
    @TempDir Path dir;
    private InMemoryLedger ledger;

    @BeforeEach
    void open() {
        SecureRandom random = new SecureRandom();
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.init(dir.resolve("ca"), "mesh.test", now, random);
        ledger = InMemoryLedger.open(ca.bundle(), ca.issueNode("node-1", Duration.ofHours(1), now, random), InstantSource.system(), random);
    }

    @AfterEach
    void close() {
        ledger.close();
    }

    private long policyEntries() {
        return ledger.query(LedgerQuery.all(0, 1000).withType(EntryType.POLICY_CHANGE)).size();
    }

    private static String version(int v, String effect) {
        return "version: " + v + "\nrules:\n  - id: r" + v + "\n    effect: " + effect + "\n    principals: [\"spiffe://mesh.test/app/*\"]\n"
                + "    resources: [network]\n    actions: [read]\n";
    }

    private void put(String document) {
        String payload = "{\"document\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(document) + "}";
        ledger.append(new Submission(EntryType.POLICY_CHANGE, NODE, "TEST", "policy", "APPLIED", payload)).join();
    }

    private final ThreadScheduler scheduler = new ThreadScheduler("policy-test", Thread.NORM_PRIORITY, e -> { });

    @AfterEach
    void stopScheduler() {
        scheduler.close();
    }

    private static LedgerEntry entry(long seq, String document) {
        String payload = "{\"document\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(document) + "}";
        return new LedgerEntry(seq, Instant.EPOCH, new Submission(EntryType.POLICY_CHANGE, NODE, "TEST", "policy", "APPLIED", payload), NODE.toString(), seq);
    }

    @Test
    void withoutABootstrapPolicyAnEmptyLedgerHasNoPolicy() throws Exception {
        try (PolicyStore store = new PolicyStore(ledger, NODE, Optional.empty(), scheduler)) {
            store.leadershipChanged();
            Thread.sleep(200); // a process edge: the fold and the scheduler run on their own threads
            assertThat(store.current()).isEmpty();
            assertThat(policyEntries()).isZero();
        }
    }

    @Test
    void theLeaderInstallsTheBootstrapPolicyOnceAndTheFoldPutsItInForce() {
        Policy bootstrap = Policy.parse(Policy.defaultDocument("mesh.test"), "policy.yaml");
        try (PolicyStore store = new PolicyStore(ledger, NODE, Optional.of(bootstrap), scheduler)) {
            store.leadershipChanged();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> store.current().isPresent());
            assertThat(store.current()).hasValueSatisfying(p -> assertThat(p.digestHex()).isEqualTo(bootstrap.digestHex()));
            store.leadershipChanged();
            store.leadershipChanged();
            org.awaitility.Awaitility.await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> true);
            assertThat(policyEntries()).as("installed once").isEqualTo(1);
            var entry = ledger.query(LedgerQuery.all(0, 10).withType(EntryType.POLICY_CHANGE)).getFirst();
            assertThat(entry.submission().actor()).isEqualTo(NODE);
            assertThat(entry.submission().action()).isEqualTo(PolicyStore.INSTALL_ACTION);
            assertThat(entry.submission().payload()).contains("\"version\":1").contains(bootstrap.digestHex());
        }
    }

    /** The fold itself is pure: entries in, policy out. */
    @Test
    void onlyAValidPolicyWithAHigherVersionReplacesTheOneInForce() {
        PolicyStore.Fold fold = new PolicyStore.Fold();
        Optional<Policy> p = fold.apply(fold.initial(), entry(0, version(2, "allow")));
        assertThat(p.orElseThrow().version()).isEqualTo(2);
        p = fold.apply(p, entry(1, version(1, "allow")));       // older
        p = fold.apply(p, entry(2, version(3, "alow")));        // does not parse
        p = fold.apply(p, entry(3, "not: [a policy"));          // not YAML
        assertThat(p.orElseThrow().version()).as("nothing invalid or older takes effect").isEqualTo(2);
        p = fold.apply(p, entry(4, version(4, "deny")));
        assertThat(p.orElseThrow().version()).isEqualTo(4);
        assertThat(p.orElseThrow().rules().getFirst().id()).isEqualTo("r4");
    }

    @Test
    void aStoreFollowsPolicyEntriesAsTheyCommit() {
        try (PolicyStore store = new PolicyStore(ledger, NODE, Optional.empty(), scheduler)) {
            put(version(2, "allow"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> store.current().isPresent());
            put(version(5, "allow"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> store.current().orElseThrow().version() == 5);
        }
    }
}
