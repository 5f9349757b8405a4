package io.x0tta6bl4.ledger;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Read-only access to a node's ledger file, for tools ({@code ledger show}, {@code proof},
 * {@code export}) that run beside a live node or on a copy of its data directory.
 */
public final class LedgerFiles implements AutoCloseable {
    private final LedgerStore store;
    private MerkleTree tree;

    private LedgerFiles(LedgerStore store) {
        this.store = store;
    }

    /** Opens {@code dataDir/ledger.db} read-only; a missing or foreign file is a {@link LedgerException}. */
    public static LedgerFiles open(Path dataDir) {
        return new LedgerFiles(LedgerStore.openReadOnly(dataDir));
    }

    public List<LedgerEntry> query(LedgerQuery q) {
        return store.query(q);
    }

    /** Every entry from {@code fromSeq} on, in order, with its stored leaf hash. */
    public void forEach(long fromSeq, Consumer<StoredEntry> consumer) {
        store.forEachRow(fromSeq, row -> consumer.accept(new StoredEntry(LedgerStore.toEntry(row), row.leaf())));
    }

    /** An entry and the leaf hash stored beside it. */
    public record StoredEntry(LedgerEntry entry, byte[] storedLeaf) {}

    /** Rebuilds the tree from the stored leaves (once) and proves {@code seq} in the whole tree. */
    public InclusionProof inclusionProof(long seq) {
        if (tree == null) {
            tree = new MerkleTree();
            store.forEachLeaf(tree::append);
        }
        if (seq < 0 || seq >= tree.size()) {
            throw new IllegalArgumentException("--seq " + seq + " is not in the ledger, which holds entries 0.." + (tree.size() - 1));
        }
        return new InclusionProof(seq, tree.leaf(seq), new TreeHead(tree.size(), tree.root()), tree.inclusionProof(seq, tree.size()));
    }

    @Override
    public void close() {
        store.close();
    }
}
