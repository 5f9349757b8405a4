package io.x0tta6bl4.ledger;

import java.util.Arrays;
import java.util.HexFormat;

/** The size and RFC 9162 root hash of the ledger's Merkle tree. */
public record TreeHead(long size, byte[] root) {
    public TreeHead {
        root = root.clone();
    }

    @Override
    public byte[] root() {
        return root.clone();
    }

    public String rootHex() {
        return HexFormat.of().formatHex(root);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TreeHead h && h.size == size && Arrays.equals(h.root, root);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(size) * 31 + Arrays.hashCode(root);
    }

    @Override
    public String toString() {
        return "TreeHead[size=" + size + ", root=" + rootHex() + "]";
    }
}
