package io.x0tta6bl4.node;

import io.x0tta6bl4.api.ApiException;
import io.x0tta6bl4.api.GovernanceView;
import io.x0tta6bl4.governance.Governance;
import io.x0tta6bl4.governance.GovernanceFold;
import io.x0tta6bl4.ledger.Folded;
import io.x0tta6bl4.ledger.Ledger;
import io.x0tta6bl4.ledger.Submission;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The API's view of governance: the fold's state, and writes answered once folded (as {@link MeshState} does for membership). */
final class GovernanceState implements GovernanceView {
    private final Folded<Governance> folded;
    private final GovernanceFold fold;
    private final Ledger ledger;
    private final InstantSource clock;

    GovernanceState(Folded<Governance> folded, GovernanceFold fold, Ledger ledger, InstantSource clock) {
        this.folded = folded;
        this.fold = fold;
        this.ledger = ledger;
        this.clock = clock;
    }

    @Override
    public Governance state() {
        return folded.state();
    }

    @Override
    public GovernanceFold fold() {
        return fold;
    }

    @Override
    public Instant now() {
        return clock.instant();
    }

    @Override
    public Written write(Submission entry) {
        long timeout = MeshState.CHANGE_TIMEOUT.toNanos();
        try {
            long seq = ledger.append(entry).get(timeout, TimeUnit.NANOSECONDS);
            Governance after = folded.awaitFolded(seq).get(timeout, TimeUnit.NANOSECONDS);
            return new Written(seq, after, after.refusal(seq).map(Governance.Refusal::reason));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "unavailable", "interrupted while the " + entry.type() + " entry was committed");
        } catch (ExecutionException | TimeoutException e) {
            throw new ApiException(503, "unavailable", "the " + entry.type() + " entry was not committed within " + MeshState.CHANGE_TIMEOUT.toSeconds()
                    + " s (the ledger needs a majority of its voters); it may still take effect: GET /api/proposals shows the outcome");
        }
    }
}
