package io.x0tta6bl4.api;

import io.x0tta6bl4.governance.ConfigKey;
import io.x0tta6bl4.governance.Governance;
import io.x0tta6bl4.governance.GovernanceFold;
import io.x0tta6bl4.ledger.Submission;
import java.time.Instant;
import java.util.Map;

/** What the API needs of the node's governance: the folded state, and a way to write an entry and learn its fate. */
public interface GovernanceView {
    /** The governance fold's state now. */
    Governance state();

    /** The fold itself, for the checks a writer makes before it writes. */
    GovernanceFold fold();

    /**
     * The values this node runs with for the keys that fall back to its node.yaml (the
     * {@code probe.*} and {@code load.*} keys): what its prober and load alerts follow now.
     */
    Map<ConfigKey, String> inForce();

    /** The ledger's time as this node sees it. */
    Instant now();

    /** What became of a written entry: its sequence number, and the fold's refusal if it refused it. */
    record Written(long seq, Governance after, java.util.Optional<String> refused) {}

    /** Writes {@code entry} and answers once the fold has read it; 503 if that does not happen in time. */
    Written write(Submission entry);
}
