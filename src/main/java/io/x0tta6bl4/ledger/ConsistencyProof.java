package io.x0tta6bl4.ledger;

import java.util.List;

/** RFC 9162 consistency proof: the tree of {@code older} is a prefix of the tree of {@code newer}. */
public record ConsistencyProof(TreeHead older, TreeHead newer, List<byte[]> path) {
    public ConsistencyProof {
        path = List.copyOf(path);
    }

    public boolean verify() {
        return MerkleTree.verifyConsistency(older.size(), newer.size(), older.root(), newer.root(), path);
    }
}
