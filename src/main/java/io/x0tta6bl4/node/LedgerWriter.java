package io.x0tta6bl4.node;

import io.x0tta6bl4.ledger.Ledger;
import io.x0tta6bl4.ledger.Submission;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends this node's own entries (observations, security events) without blocking the caller.
 * Each entry is submitted once: the Raft client retries inside Ratis with the same call id, so a
 * retry after a leader change does not write it twice. If it still fails (no quorum for the
 * whole retry budget), that is logged and counted, not retried, because a second submission of
 * an entry that may have committed would record the observation twice.
 */
final class LedgerWriter {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerWriter.class);
    private final Ledger ledger;
    private final NodeMetrics metrics;
    private final LongSupplier nanoTime;

    LedgerWriter(Ledger ledger, NodeMetrics metrics, LongSupplier nanoTime) {
        this.ledger = ledger;
        this.metrics = metrics;
        this.nanoTime = nanoTime;
    }

    void append(Submission s) {
        long start = nanoTime.getAsLong();
        ledger.append(s).whenComplete((seq, e) -> {
            if (e == null) {
                metrics.committed(nanoTime.getAsLong() - start);
                LOG.debug("ledgered {} {} as entry {}", s.type(), s.resource(), seq);
            } else {
                metrics.appendFailed();
                LOG.warn("could not ledger {} {} ({}): {}", s.type(), s.resource(), s.action(), e.getMessage());
            }
        });
    }
}
