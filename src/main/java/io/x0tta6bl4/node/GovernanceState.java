package io.x0tta6bl4.node;

import io.x0tta6bl4.api.GovernanceView;
import io.x0tta6bl4.governance.ConfigKey;
import io.x0tta6bl4.governance.Governance;
import io.x0tta6bl4.governance.GovernanceFold;
import io.x0tta6bl4.ledger.Folded;
import io.x0tta6bl4.ledger.Ledger;
import io.x0tta6bl4.ledger.Submission;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.function.Supplier;

/** The API's view of governance: the fold's state, and writes answered once folded (as {@link MeshState} does for membership). */
final class GovernanceState implements GovernanceView {
    private final Folded<Governance> folded;
    private final GovernanceFold fold;
    private final Ledger ledger;
    private final InstantSource clock;
    private final Supplier<Map<ConfigKey, String>> inForce;

    GovernanceState(Folded<Governance> folded, GovernanceFold fold, Ledger ledger, InstantSource clock, Supplier<Map<ConfigKey, String>> inForce) {
        this.folded = folded;
        this.fold = fold;
        this.ledger = ledger;
        this.clock = clock;
        this.inForce = inForce;
    }

    @Override
    public Map<ConfigKey, String> inForce() {
        return inForce.get();
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
        FoldedWrite.Done<Governance> done = FoldedWrite.write(ledger, folded, entry, entry.type() + " entry", "GET /api/proposals");
        return new Written(done.seq(), done.after(), done.after().refusal(done.seq()).map(Governance.Refusal::reason));
    }
}
