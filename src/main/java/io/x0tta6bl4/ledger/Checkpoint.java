package io.x0tta6bl4.ledger;

import java.util.List;

/** A tree head cosigned by a quorum of replicas: the ledger as far as a majority vouches for it. */
public record Checkpoint(TreeHead head, List<Cosignature> cosignatures) {
    public Checkpoint {
        cosignatures = List.copyOf(cosignatures);
    }
}
