package io.x0tta6bl4.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.crypto.MlDsaPublicKey;
import io.x0tta6bl4.crypto.MutableClock;
import io.x0tta6bl4.crypto.SeededRandom;
import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LedgerContract} against {@link InMemoryLedger}: one node, virtual time, keys from a seed.
 * An acknowledged append is already applied, and the ledger signs its own checkpoint when asked.
 */
class InMemoryLedgerContractTest extends LedgerContract {
    @TempDir static Path dir;
    private NodeCredentials node;
    private MutableClock clock;
    private InMemoryLedger ledger;
    private io.x0tta6bl4.identity.TrustBundle ledgerBundle;

    @BeforeAll
    void open() {
        CertificateAuthority ca = LedgerTestSupport.deterministicCa(dir.resolve("ca"), "in-memory-contract");
        node = LedgerTestSupport.deterministicNode(ca, "node-1");
        clock = new MutableClock(LedgerTestSupport.T0.plus(Duration.ofMinutes(1)));
        ledger = InMemoryLedger.open(ca.bundle(), node, clock, new SeededRandom("in-memory-contract/ledger"));
        ledgerBundle = ca.bundle();
    }

    @AfterAll
    void close() {
        ledger.close();
    }

    @Override
    protected Ledger ledger() {
        return ledger;
    }

    @Override
    protected Ledger openFresh() {
        return InMemoryLedger.open(ledgerBundle, node, clock, new SeededRandom("in-memory-contract/fresh"));
    }

    @Override
    protected String submitterId() {
        return node.id().toString();
    }

    @Override
    protected Map<String, MlDsaPublicKey> replicaKeys() {
        return Map.of(node.id().toString(), node.identity().signingKey());
    }

    @Override
    protected int quorum() {
        return 1;
    }

    @Override
    protected void tick() {
        clock.advance(Duration.ofSeconds(1));
    }

    @Override
    protected void awaitSize(long size) {
        // In memory, an append completes after it was applied: nothing to wait for.
        assertThat(ledger.head().size()).isGreaterThanOrEqualTo(size);
    }

    @Override
    protected Checkpoint awaitCheckpointCovering(long size) {
        // The in-memory ledger is its own quorum of one and signs its head when asked.
        Checkpoint c = ledger.latestCheckpoint().orElseThrow();
        assertThat(c.head().size()).isGreaterThanOrEqualTo(size);
        return c;
    }
}
