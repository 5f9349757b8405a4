package io.x0tta6bl4.ledger;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately naive model of RFC 9162 §2.1, written straight from the text and sharing no
 * code with {@link MerkleTree}: the recursive definitions of MTH (§2.1.1), PATH (§2.1.3.1) and
 * PROOF/SUBPROOF (§2.1.4.1). Every call recomputes from the leaves, so it is O(n) per hash and
 * only fit for cross-checking the real tree on small inputs or samples.
 *
 * <p>The functions take leaf <i>hashes</i> ({@code SHA-256(0x00 ‖ d)}), so callers can model
 * trees over raw inputs ({@link #leafHash}) or over ledger entries.
 */
final class Rfc9162Reference {
    private Rfc9162Reference() {}

    static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                md.update(p);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** MTH({d}) = SHA-256(0x00 ‖ d). */
    static byte[] leafHash(byte[] d) {
        return sha256(new byte[] {0x00}, d);
    }

    /** SHA-256(0x01 ‖ left ‖ right). */
    static byte[] node(byte[] left, byte[] right) {
        return sha256(new byte[] {0x01}, left, right);
    }

    /** The largest power of two smaller than n (n > 1). */
    static int split(int n) {
        int k = 1;
        while (k << 1 < n) {
            k <<= 1;
        }
        return k;
    }

    /** MTH(D[n]) over leaf hashes. */
    static byte[] mth(List<byte[]> leaves) {
        int n = leaves.size();
        if (n == 0) {
            return sha256();
        }
        if (n == 1) {
            return leaves.getFirst();
        }
        int k = split(n);
        return node(mth(leaves.subList(0, k)), mth(leaves.subList(k, n)));
    }

    /** PATH(m, D[n]). */
    static List<byte[]> path(int m, List<byte[]> leaves) {
        int n = leaves.size();
        List<byte[]> out = new ArrayList<>();
        if (n <= 1) {
            return out;
        }
        int k = split(n);
        if (m < k) {
            out.addAll(path(m, leaves.subList(0, k)));
            out.add(mth(leaves.subList(k, n)));
        } else {
            out.addAll(path(m - k, leaves.subList(k, n)));
            out.add(mth(leaves.subList(0, k)));
        }
        return out;
    }

    /** PROOF(m, D[n]) = SUBPROOF(m, D[n], true); empty for m = 0 or m = n. */
    static List<byte[]> proof(int m, List<byte[]> leaves) {
        if (m == 0 || m == leaves.size()) {
            return new ArrayList<>();
        }
        return subproof(m, leaves, true);
    }

    private static List<byte[]> subproof(int m, List<byte[]> leaves, boolean b) {
        int n = leaves.size();
        List<byte[]> out = new ArrayList<>();
        if (m == n) {
            if (!b) {
                out.add(mth(leaves));
            }
            return out;
        }
        int k = split(n);
        if (m <= k) {
            out.addAll(subproof(m, leaves.subList(0, k), b));
            out.add(mth(leaves.subList(k, n)));
        } else {
            out.addAll(subproof(m - k, leaves.subList(k, n), false));
            out.add(mth(leaves.subList(0, k)));
        }
        return out;
    }
}
