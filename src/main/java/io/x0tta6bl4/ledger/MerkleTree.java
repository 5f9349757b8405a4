package io.x0tta6bl4.ledger;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An append-only Merkle tree as defined by RFC 9162 (Certificate Transparency 2.0) §2.1:
 *
 * <pre>
 *   MTH({})        = SHA-256()
 *   MTH({d0})      = SHA-256(0x00 ‖ d0)                         leaf hash
 *   MTH(D[n])      = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n]))  k = largest power of two < n
 * </pre>
 *
 * <p><b>Representation.</b> The tree keeps every <i>perfect</i> subtree hash: at level ℓ, node i
 * covers leaves [i·2^ℓ, (i+1)·2^ℓ). Those never change once complete, so appending a leaf adds
 * one level-0 hash and completes at most log₂ n parents (one on average). Any subtree that RFC
 * 9162 asks for is either perfect (a lookup) or a suffix [start, size) on the right edge, whose
 * hash folds at most log₂ n perfect nodes. Roots, inclusion proofs and consistency proofs for any
 * size up to the current one therefore cost O(log n) lookups and at most O(log² n) hashes, with no
 * rebuilding. Memory is ~64 bytes per leaf (2 hashes), held in 1 MiB chunks.
 *
 * <p>Proof verification ({@link #verifyInclusion}, {@link #verifyConsistency}) follows the
 * algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2 step by step; it needs no tree.
 *
 * <p>Not thread-safe: one writer, and readers synchronised by the owner.
 */
public final class MerkleTree {
    public static final int HASH_LENGTH = 32;
    private static final int CHUNK_HASHES = 1 << 15;

    /** levels.get(l) holds the perfect nodes of level l, size >> l of them. */
    private final List<HashArray> levels = new ArrayList<>();
    private long size;

    public long size() {
        return size;
    }

    /** RFC 9162 leaf hash of an entry's canonical bytes. */
    public static byte[] leafHash(byte[] entry) {
        MessageDigest md = sha256();
        md.update((byte) 0x00);
        md.update(entry);
        return md.digest();
    }

    static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest md = sha256();
        md.update((byte) 0x01);
        md.update(left);
        md.update(right);
        return md.digest();
    }

    /** Hash of the empty tree: SHA-256 of the empty string. */
    public static byte[] emptyRoot() {
        return sha256().digest();
    }

    /** Appends a leaf given its {@link #leafHash}. */
    public void append(byte[] leafHash) {
        if (leafHash.length != HASH_LENGTH) {
            throw new IllegalArgumentException("leaf hash must be 32 bytes");
        }
        long index = size;
        byte[] h = leafHash;
        int level = 0;
        while (true) {
            level(level).add(h);
            if ((index & 1) == 0) {
                break;
            }
            // Completed a right child: its parent is now perfect too.
            h = nodeHash(level(level).get(index - 1), h);
            index >>= 1;
            level++;
        }
        size++;
    }

    /** Root of the tree as it is now. */
    public byte[] root() {
        return root(size);
    }

    /** Root of the tree as it was at {@code treeSize} leaves. */
    public byte[] root(long treeSize) {
        checkSize(treeSize);
        return treeSize == 0 ? emptyRoot() : subtree(0, treeSize);
    }

    /** The perfect node covering leaf {@code index} alone: its leaf hash. */
    public byte[] leaf(long index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("leaf " + index + " of a tree of size " + size);
        }
        return levels.getFirst().get(index);
    }

    /**
     * PATH(m, D[n]) of RFC 9162 §2.1.3.1: the audit path of leaf {@code index} in the tree of
     * size {@code treeSize}, siblings from the leaf upwards.
     */
    public List<byte[]> inclusionProof(long index, long treeSize) {
        checkSize(treeSize);
        if (index < 0 || index >= treeSize) {
            throw new IndexOutOfBoundsException("leaf " + index + " is not in a tree of size " + treeSize);
        }
        List<byte[]> path = new ArrayList<>();
        path(index, 0, treeSize, path);
        return path;
    }

    private void path(long m, long start, long end, List<byte[]> out) {
        long n = end - start;
        if (n == 1) {
            return;
        }
        long k = Long.highestOneBit(n - 1);
        if (m < k) {
            path(m, start, start + k, out);
            out.add(subtree(start + k, end));
        } else {
            path(m - k, start + k, end, out);
            out.add(subtree(start, start + k));
        }
    }

    /**
     * PROOF(m, D[n]) of RFC 9162 §2.1.4.1: proves that the tree of size {@code oldSize} is a
     * prefix of the tree of size {@code newSize}.
     */
    public List<byte[]> consistencyProof(long oldSize, long newSize) {
        checkSize(newSize);
        if (oldSize < 0 || oldSize > newSize) {
            throw new IllegalArgumentException("consistency proof needs 0 <= old size <= new size, got " + oldSize + " and " + newSize);
        }
        List<byte[]> proof = new ArrayList<>();
        if (oldSize == 0 || oldSize == newSize) {
            return proof;
        }
        subproof(oldSize, 0, newSize, true, proof);
        return proof;
    }

    private void subproof(long m, long start, long end, boolean complete, List<byte[]> out) {
        long n = end - start;
        if (m == n) {
            if (!complete) {
                out.add(subtree(start, end));
            }
            return;
        }
        long k = Long.highestOneBit(n - 1);
        if (m <= k) {
            subproof(m, start, start + k, complete, out);
            out.add(subtree(start + k, end));
        } else {
            subproof(m - k, start + k, end, false, out);
            out.add(subtree(start, start + k));
        }
    }

    /** MTH(D[start:end]) for a range that RFC 9162's recursion can produce. */
    private byte[] subtree(long start, long end) {
        long n = end - start;
        if (Long.bitCount(n) == 1 && (start & (n - 1)) == 0) {
            int level = Long.numberOfTrailingZeros(n);
            return levels.get(level).get(start >> level);
        }
        long k = Long.highestOneBit(n - 1);
        return nodeHash(subtree(start, start + k), subtree(start + k, end));
    }

    /** RFC 9162 §2.1.3.2: does {@code proof} show leaf {@code leafHash} at {@code index} under {@code root}? */
    public static boolean verifyInclusion(byte[] leafHash, long index, long treeSize, List<byte[]> proof, byte[] root) {
        if (index < 0 || index >= treeSize || !allHashes(proof, leafHash, root)) {
            return false;
        }
        long fn = index;
        long sn = treeSize - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, root);
    }

    /** RFC 9162 §2.1.4.2: does {@code proof} show that tree {@code (oldSize, oldRoot)} is a prefix of {@code (newSize, newRoot)}? */
    public static boolean verifyConsistency(long oldSize, long newSize, byte[] oldRoot, byte[] newRoot, List<byte[]> proof) {
        if (oldSize < 0 || oldSize > newSize || !allHashes(proof, oldRoot, newRoot)) {
            return false;
        }
        if (oldSize == newSize) {
            return proof.isEmpty() && MessageDigest.isEqual(oldRoot, newRoot);
        }
        if (oldSize == 0) {
            return proof.isEmpty();
        }
        if (proof.isEmpty()) {
            return false;
        }
        List<byte[]> path = new ArrayList<>(proof);
        if (Long.bitCount(oldSize) == 1) {
            path.addFirst(oldRoot);
        }
        long fn = oldSize - 1;
        long sn = newSize - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.getFirst();
        byte[] sr = path.getFirst();
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = nodeHash(c, fr);
                sr = nodeHash(c, sr);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                sr = nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(fr, oldRoot) && MessageDigest.isEqual(sr, newRoot);
    }

    /** Every value must be a 32-byte SHA-256 hash; anything else makes a proof invalid. */
    private static boolean allHashes(List<byte[]> proof, byte[]... hashes) {
        for (byte[] h : hashes) {
            if (h == null || h.length != HASH_LENGTH) {
                return false;
            }
        }
        for (byte[] h : proof) {
            if (h == null || h.length != HASH_LENGTH) {
                return false;
            }
        }
        return true;
    }

    private HashArray level(int level) {
        while (levels.size() <= level) {
            levels.add(new HashArray());
        }
        return levels.get(level);
    }

    private void checkSize(long treeSize) {
        if (treeSize < 0 || treeSize > size) {
            throw new IllegalArgumentException("tree size " + treeSize + " is outside 0.." + size);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** A growable array of 32-byte hashes in fixed-size chunks (no large copies as it grows). */
    private static final class HashArray {
        private final List<byte[]> chunks = new ArrayList<>();
        private long count;

        void add(byte[] hash) {
            int c = (int) (count / CHUNK_HASHES);
            int offset = (int) (count % CHUNK_HASHES) * HASH_LENGTH;
            if (c == chunks.size()) {
                // The first chunk starts small and doubles, so small trees stay small.
                chunks.add(new byte[(c == 0 ? 64 : CHUNK_HASHES) * HASH_LENGTH]);
            }
            byte[] chunk = chunks.get(c);
            if (offset == chunk.length) {
                chunk = Arrays.copyOf(chunk, Math.min(2 * chunk.length, CHUNK_HASHES * HASH_LENGTH));
                chunks.set(c, chunk);
            }
            System.arraycopy(hash, 0, chunk, offset, HASH_LENGTH);
            count++;
        }

        byte[] get(long i) {
            byte[] chunk = chunks.get((int) (i / CHUNK_HASHES));
            int offset = (int) (i % CHUNK_HASHES) * HASH_LENGTH;
            return Arrays.copyOfRange(chunk, offset, offset + HASH_LENGTH);
        }
    }
}
