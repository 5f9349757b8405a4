package io.x0tta6bl4.ledger;

import java.util.List;

/** RFC 9162 inclusion proof: entry {@code seq} (leaf index) is in the tree of {@code head}. */
public record InclusionProof(long seq, byte[] leafHash, TreeHead head, List<byte[]> path) {
    public InclusionProof {
        path = List.copyOf(path);
    }

    /** Checks the proof against its own head; compare the head with a trusted checkpoint too. */
    public boolean verify() {
        return MerkleTree.verifyInclusion(leafHash, seq, head.size(), path, head.root());
    }
}
