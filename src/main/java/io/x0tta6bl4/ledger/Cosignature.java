package io.x0tta6bl4.ledger;

import io.x0tta6bl4.crypto.MlDsaPublicKey;

/** One replica's ML-DSA-65 signature over a tree head it has applied (docs/wire-formats.md §7). */
public record Cosignature(String signer, TreeHead head, byte[] signature) {
    public Cosignature {
        signature = signature.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    public boolean verify(String trustDomain, MlDsaPublicKey key) {
        return key.verify(EntryCodec.treeHead(trustDomain, head.size(), head.root()), signature);
    }
}
