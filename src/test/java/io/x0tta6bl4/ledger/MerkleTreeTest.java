package io.x0tta6bl4.ledger;

import static io.x0tta6bl4.ledger.LedgerTestSupport.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.x0tta6bl4.crypto.SeededRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link MerkleTree} against the published RFC 6962 / RFC 9162 test vectors of Certificate
 * Transparency, and against a naive model of RFC 9162 §2.1 ({@link Rfc9162Reference}) on seeded
 * random trees.
 *
 * <p>Vector sources (github.com/transparency-dev/merkle, the Go successor of
 * google/certificate-transparency's merkle_tree_test):
 * <ul>
 *   <li>{@code testonly/constants.go}: LeafInputs(), NodeHashes() (every perfect subtree of the
 *       8-leaf tree) and RootHashes() (the root at every size 0..8);
 *   <li>{@code proof/verify_test.go}: inclusionProofs (leaf numbers there are 1-based) and
 *       consistencyProofs, with their hash values;
 *   <li>{@code testonly/reference_test.go}: TestRefInclusionProof (0-based, with values) and
 *       TestRefConsistencyProof;
 *   <li>{@code proof/proof_test.go}: TestInclusion and TestConsistency, which give the proofs of
 *       many more (index, size) pairs as node IDs (level, index); they are turned into hashes
 *       here through NodeHashes(), and a "rehash" group (j, i) into SHA-256(0x01 ‖ i ‖ j).
 * </ul>
 *
 * Randomized tests print their seed; replay one with {@code -Dledger.seed=N}.
 */
class MerkleTreeTest {

    // ---- transparency-dev/merkle testonly/constants.go ------------------------------------------

    /** LeafInputs(): the raw leaf data, as hex. */
    static final String[] LEAF_INPUTS = {
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
    };

    /** NodeHashes(): [level][index] of every perfect subtree of the 8-leaf tree. */
    static final String[][] NODE_HASHES = {
        {
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
        },
        {
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        },
        {
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        },
        {
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        },
    };

    /** RootHashes(): the root at tree size 0..8 (size 0: EmptyRootHash()). */
    static final String[] ROOTS = {
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    };

    /** A proof of (a, b): (leaf index, tree size) or (old size, new size). */
    record Vector(int a, int b, List<String> proof) {
        @Override
        public String toString() {
            return "(" + a + ", " + b + ")";
        }
    }

    private static Vector v(int a, int b, String... proof) {
        return new Vector(a, b, List.of(proof));
    }

    /**
     * Inclusion proofs with published hash values: proof/verify_test.go inclusionProofs
     * ({1,1}, {1,8}, {6,8}, {3,3}, {2,5}, 1-based leaves) and testonly/reference_test.go
     * TestRefInclusionProof (0-based), here all 0-based.
     */
    static Stream<Vector> publishedInclusionValues() {
        return Stream.of(
                v(0, 1),
                v(0, 2, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                v(1, 2, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
                v(2, 3, "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
                v(1, 5, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                v(0, 8, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
                v(5, 8, "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"));
    }

    /** Consistency proofs with published values: proof/verify_test.go consistencyProofs. */
    static Stream<Vector> publishedConsistencyValues() {
        return Stream.of(
                v(1, 1),
                v(1, 8, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
                v(6, 8, "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
                v(2, 5, "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                v(6, 7, "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"));
    }

    /** NodeHashes()[level][index]. */
    private static String n(int level, int index) {
        return NODE_HASHES[level][index];
    }

    /** proof_test.go's rehash of (j, i) = (id(0,6), id(1,2)): SHA-256(0x01 ‖ i ‖ j), the node "l" of size 7. */
    private static String l7() {
        return hex(Rfc9162Reference.node(hex(n(1, 2)), hex(n(0, 6))));
    }

    /** proof/proof_test.go TestInclusion, the cases of tree size ≤ 8 (0-based leaf index, size). */
    static Stream<Vector> publishedInclusionStructure() {
        return Stream.of(
                v(0, 1),
                v(0, 2, n(0, 1)),
                v(1, 2, n(0, 0)),
                v(1, 3, n(0, 0), n(0, 2)),
                v(0, 7, n(0, 1), n(1, 1), l7()),
                v(1, 7, n(0, 0), n(1, 1), l7()),
                v(2, 7, n(0, 3), n(1, 0), l7()),
                v(3, 7, n(0, 2), n(1, 0), l7()),
                v(4, 7, n(0, 5), n(0, 6), n(2, 0)),
                v(5, 7, n(0, 4), n(0, 6), n(2, 0)),
                v(6, 7, n(1, 2), n(2, 0)),
                v(2, 4, n(0, 3), n(1, 0)),
                v(3, 5, n(0, 2), n(1, 0), n(0, 4)),
                v(3, 6, n(0, 2), n(1, 0), n(1, 2)),
                v(4, 6, n(0, 5), n(2, 0)));
    }

    /** proof/proof_test.go TestConsistency, the cases of tree size ≤ 8 (old size, new size). */
    static Stream<Vector> publishedConsistencyStructure() {
        return Stream.of(
                v(1, 2, n(0, 1)),
                v(1, 4, n(0, 1), n(1, 1)),
                v(1, 6, n(0, 1), n(1, 1), n(1, 2)),
                v(2, 3, n(0, 2)),
                v(2, 8, n(1, 1), n(2, 1)),
                v(3, 7, n(0, 2), n(0, 3), n(1, 0), l7()),
                v(4, 7, l7()),
                v(5, 7, n(0, 4), n(0, 5), n(0, 6), n(2, 0)),
                v(6, 7, n(1, 2), n(0, 6), n(2, 0)),
                v(7, 8, n(0, 6), n(0, 7), n(1, 2), n(2, 0)),
                v(1, 1), v(2, 2), v(3, 3), v(4, 4), v(5, 5), v(7, 7), v(8, 8),
                v(2, 4, n(1, 1)),
                v(3, 5, n(0, 2), n(0, 3), n(1, 0), n(0, 4)),
                v(3, 6, n(0, 2), n(0, 3), n(1, 0), n(1, 2)),
                v(4, 6, n(1, 2)),
                v(1, 7, n(0, 1), n(1, 1), l7()));
    }

    // ---- the 8-leaf tree -------------------------------------------------------------------------

    private static List<byte[]> leafHashes() {
        return Arrays.stream(LEAF_INPUTS).map(s -> MerkleTree.leafHash(hex(s))).toList();
    }

    private static MerkleTree vectorTree() {
        MerkleTree t = new MerkleTree();
        leafHashes().forEach(t::append);
        return t;
    }

    private static byte[] root(int size) {
        return hex(ROOTS[size]);
    }

    @Test
    void leafHashesAreThePublishedLevelZeroNodes() {
        assertThat(hex(leafHashes())).containsExactly(NODE_HASHES[0]);
        assertThat(hex(MerkleTree.leafHash(new byte[0]))).isEqualTo(n(0, 0));
    }

    @Test
    void emptyTreeRootIsSha256OfNothing() {
        assertThat(hex(MerkleTree.emptyRoot())).isEqualTo(ROOTS[0]).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(hex(new MerkleTree().root())).isEqualTo(ROOTS[0]);
        assertThat(new MerkleTree().size()).isZero();
    }

    @Test
    void rootAfterEveryAppendAndAtEveryPastSizeIsThePublishedRoot() {
        MerkleTree t = new MerkleTree();
        List<byte[]> leaves = leafHashes();
        for (int size = 1; size <= 8; size++) {
            t.append(leaves.get(size - 1));
            assertThat(t.size()).isEqualTo(size);
            assertThat(hex(t.root())).as("root after %d appends", size).isEqualTo(ROOTS[size]);
        }
        for (int size = 0; size <= 8; size++) {
            assertThat(hex(t.root(size))).as("root(%d) of the 8-leaf tree", size).isEqualTo(ROOTS[size]);
        }
        // The perfect subtrees of the root path are published nodes too.
        assertThat(hex(t.root(2))).isEqualTo(n(1, 0));
        assertThat(hex(t.root(4))).isEqualTo(n(2, 0));
        assertThat(hex(t.root(8))).isEqualTo(n(3, 0)).isEqualTo("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
        assertThat(hex(t.root(1))).isEqualTo("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    }

    @Test
    void theReferenceModelReproducesThePublishedRoots() {
        // Guards the model used by the randomized tests: it must agree with CT before it judges MerkleTree.
        List<byte[]> leaves = Arrays.stream(LEAF_INPUTS).map(s -> Rfc9162Reference.leafHash(hex(s))).toList();
        for (int size = 0; size <= 8; size++) {
            assertThat(hex(Rfc9162Reference.mth(leaves.subList(0, size)))).as("reference MTH(D[%d])", size).isEqualTo(ROOTS[size]);
        }
    }

    @ParameterizedTest(name = "inclusion {0}")
    @MethodSource({"publishedInclusionValues", "publishedInclusionStructure"})
    void inclusionProofIsThePublishedOne(Vector vector) {
        MerkleTree t = vectorTree();
        List<byte[]> proof = t.inclusionProof(vector.a(), vector.b());
        assertThat(hex(proof)).isEqualTo(vector.proof());
        assertThat(MerkleTree.verifyInclusion(hex(n(0, vector.a())), vector.a(), vector.b(), proof, root(vector.b()))).isTrue();
    }

    @ParameterizedTest(name = "consistency {0}")
    @MethodSource({"publishedConsistencyValues", "publishedConsistencyStructure"})
    void consistencyProofIsThePublishedOne(Vector vector) {
        MerkleTree t = vectorTree();
        List<byte[]> proof = t.consistencyProof(vector.a(), vector.b());
        assertThat(hex(proof)).isEqualTo(vector.proof());
        assertThat(MerkleTree.verifyConsistency(vector.a(), vector.b(), root(vector.a()), root(vector.b()), proof)).isTrue();
    }

    @Test
    void everyInclusionProofOfTheEightLeafTreeIsTheReferenceOneAndVerifies() {
        MerkleTree t = vectorTree();
        List<byte[]> leaves = leafHashes();
        for (int size = 1; size <= 8; size++) {
            for (int index = 0; index < size; index++) {
                List<byte[]> proof = t.inclusionProof(index, size);
                assertThat(hex(proof)).as("PATH(%d, D[%d])", index, size)
                        .isEqualTo(hex(Rfc9162Reference.path(index, leaves.subList(0, size))));
                assertThat(MerkleTree.verifyInclusion(leaves.get(index), index, size, proof, root(size)))
                        .as("inclusion of %d in %d", index, size).isTrue();
            }
        }
    }

    @Test
    void everyConsistencyProofOfTheEightLeafTreeIsTheReferenceOneAndVerifies() {
        MerkleTree t = vectorTree();
        List<byte[]> leaves = leafHashes();
        for (int newSize = 0; newSize <= 8; newSize++) {
            for (int oldSize = 0; oldSize <= newSize; oldSize++) {
                List<byte[]> proof = t.consistencyProof(oldSize, newSize);
                assertThat(hex(proof)).as("PROOF(%d, D[%d])", oldSize, newSize)
                        .isEqualTo(hex(Rfc9162Reference.proof(oldSize, leaves.subList(0, newSize))));
                assertThat(MerkleTree.verifyConsistency(oldSize, newSize, root(oldSize), root(newSize), proof))
                        .as("consistency %d -> %d", oldSize, newSize).isTrue();
            }
        }
    }

    // ---- verification refuses ------------------------------------------------------------------

    @Test
    void inclusionVerificationRefusesEveryCorruptionOfEveryProofOfTheEightLeafTree() {
        MerkleTree t = vectorTree();
        List<byte[]> leaves = leafHashes();
        List<String> accepted = new ArrayList<>();
        int probes = 0;
        for (int size = 1; size <= 8; size++) {
            for (int index = 0; index < size; index++) {
                List<byte[]> proof = t.inclusionProof(index, size);
                for (Probe p : inclusionProbes(index, size, leaves, proof)) {
                    probes++;
                    if (MerkleTree.verifyInclusion(p.leaf(), p.index(), p.size(), p.proof(), p.root())) {
                        accepted.add("(" + index + ", " + size + "): " + p.what());
                    }
                }
            }
        }
        assertThat(probes).isGreaterThan(10_000);
        assertThat(accepted).as("corrupted inclusion proofs that verified").isEmpty();
    }

    @Test
    void consistencyVerificationRefusesEveryCorruptionOfEveryProofOfTheEightLeafTree() {
        MerkleTree t = vectorTree();
        List<String> accepted = new ArrayList<>();
        int probes = 0;
        for (int newSize = 1; newSize <= 8; newSize++) {
            for (int oldSize = 1; oldSize <= newSize; oldSize++) {
                List<byte[]> proof = t.consistencyProof(oldSize, newSize);
                for (ConsistencyProbe p : consistencyProbes(oldSize, newSize, proof)) {
                    probes++;
                    if (MerkleTree.verifyConsistency(p.oldSize(), p.newSize(), p.oldRoot(), p.newRoot(), p.proof())) {
                        accepted.add("(" + oldSize + ", " + newSize + "): " + p.what());
                    }
                }
            }
        }
        assertThat(probes).isGreaterThan(10_000);
        assertThat(accepted).as("corrupted consistency proofs that verified").isEmpty();
    }

    @Test
    void inclusionVerificationEdgeCases() {
        byte[] some = hex("abacaba000000000000000000000000000000000000000000060061e00123456");
        byte[] empty = MerkleTree.emptyRoot();
        for (long[] p : new long[][] {{0, 0}, {0, 1}, {1, 0}, {2, 1}, {-1, 1}, {Long.MAX_VALUE, 1}}) {
            assertThat(MerkleTree.verifyInclusion(some, p[0], p[1], List.of(), new byte[0])).as("index %d size %d", p[0], p[1]).isFalse();
            assertThat(MerkleTree.verifyInclusion(new byte[0], p[0], p[1], List.of(), empty)).isFalse();
            assertThat(MerkleTree.verifyInclusion(some, p[0], p[1], List.of(), empty)).isFalse();
        }
        // A one-leaf tree: the root is the leaf hash and the proof is empty.
        byte[] leaf = MerkleTree.leafHash("data".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(MerkleTree.verifyInclusion(leaf, 0, 1, List.of(), leaf)).isTrue();
        assertThat(MerkleTree.verifyInclusion(leaf, 0, 1, List.of(), new byte[0])).isFalse();
        assertThat(MerkleTree.verifyInclusion(new byte[0], 0, 1, List.of(), leaf)).isFalse();
    }

    /**
     * Not a bug, a property of RFC 9162 §2.1.3.2 worth knowing: the verifier binds the tree size only
     * through the shape of the audit path, so the proof of leaf 0 in the 7-leaf tree also "verifies"
     * for sizes 5, 6 and 8 against the 7-leaf root (transparency-dev/merkle behaves the same). That is
     * why an {@link InclusionProof} carries its {@link TreeHead} and must be checked against a trusted,
     * signed head: the size and root come from there, never from the prover alone.
     */
    @Test
    void inclusionVerificationBindsTheSizeOnlyThroughThePathShape() {
        MerkleTree t = vectorTree();
        List<byte[]> proof = t.inclusionProof(0, 7);
        for (long size : new long[] {5, 6, 8}) {
            assertThat(inclusionShape(0, size)).isEqualTo(inclusionShape(0, 7));
            assertThat(MerkleTree.verifyInclusion(hex(n(0, 0)), 0, size, proof, root(7))).isTrue();
        }
        assertThat(MerkleTree.verifyInclusion(hex(n(0, 0)), 0, 4, proof, root(7))).as("a shorter path").isFalse();
        assertThat(MerkleTree.verifyInclusion(hex(n(0, 0)), 0, 9, proof, root(7))).as("a longer path").isFalse();
    }

    /**
     * BUG (MerkleTree.verifyInclusion / verifyConsistency): hashes of the wrong length are not
     * refused. RFC 9162 hashes are 32 bytes, and transparency-dev/merkle refuses a leaf hash or root of
     * another size (TestVerifyInclusionSingleEntry, "wrong hash size"); here an empty leaf hash and an
     * empty root "prove" a one-leaf tree, and any two equal byte strings are "consistent" trees of one
     * size.
     */
    @Test
    void verificationRefusesHashesThatAreNot32BytesLong() {
        assertThat(MerkleTree.verifyInclusion(new byte[0], 0, 1, List.of(), new byte[0])).as("empty leaf hash and root").isFalse();
        byte[] longLeaf = new byte[40];
        assertThat(MerkleTree.verifyInclusion(longLeaf, 0, 1, List.of(), longLeaf)).as("40-byte leaf hash and root").isFalse();
        assertThat(MerkleTree.verifyConsistency(1, 1, new byte[3], new byte[3], List.of())).as("3-byte roots").isFalse();
        MerkleTree t = vectorTree();
        List<byte[]> proof = new ArrayList<>(t.inclusionProof(0, 2));
        byte[] root = Rfc9162Reference.node(hex(n(0, 0)), proof.getFirst());
        assertThat(MerkleTree.verifyInclusion(hex(n(0, 0)), 0, 2, proof, root)).isTrue();
        // The same root from a 64-byte "sibling" that is not a hash at all.
        byte[] odd = new byte[64];
        byte[] rootOfOdd = Rfc9162Reference.node(hex(n(0, 0)), odd);
        assertThat(MerkleTree.verifyInclusion(hex(n(0, 0)), 0, 2, List.of(odd), rootOfOdd)).as("64-byte proof element").isFalse();
    }

    @Test
    void consistencyVerificationEdgeCases() {
        // transparency-dev uses arbitrary byte strings here; roots must be 32-byte hashes for us.
        byte[] r1 = MerkleTree.leafHash("don't care 1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        byte[] r2 = MerkleTree.leafHash("don't care 2".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        byte[] empty = MerkleTree.emptyRoot();
        List<byte[]> none = List.of();
        List<byte[]> one = List.of(empty);
        // Always consistent.
        assertThat(MerkleTree.verifyConsistency(0, 0, r1, r1, none)).isTrue();
        assertThat(MerkleTree.verifyConsistency(0, 1, r1, r2, none)).isTrue();
        assertThat(MerkleTree.verifyConsistency(1, 1, r2, r2, none)).isTrue();
        // Same size, different roots.
        assertThat(MerkleTree.verifyConsistency(0, 0, r1, r2, none)).isFalse();
        assertThat(MerkleTree.verifyConsistency(1, 1, r1, r2, none)).isFalse();
        assertThat(MerkleTree.verifyConsistency(1, 1, empty, r2, none)).isFalse();
        // Time travel.
        assertThat(MerkleTree.verifyConsistency(1, 0, r1, r2, none)).isFalse();
        assertThat(MerkleTree.verifyConsistency(2, 1, r1, r2, none)).isFalse();
        assertThat(MerkleTree.verifyConsistency(-1, 1, r1, r2, none)).isFalse();
        // Growth needs a proof.
        assertThat(MerkleTree.verifyConsistency(1, 2, r1, r2, none)).isFalse();
        // Roots match but the proof is not empty.
        assertThat(MerkleTree.verifyConsistency(0, 0, empty, empty, one)).isFalse();
        assertThat(MerkleTree.verifyConsistency(0, 1, empty, empty, one)).isFalse();
        assertThat(MerkleTree.verifyConsistency(1, 1, empty, empty, one)).isFalse();
    }

    @Test
    void misuseIsRefusedWithAClearException() {
        MerkleTree t = vectorTree();
        assertThatThrownBy(() -> t.append(new byte[31])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> t.append(new byte[33])).isInstanceOf(IllegalArgumentException.class);
        assertThat(t.size()).isEqualTo(8);
        assertThatThrownBy(() -> t.root(9)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..8");
        assertThatThrownBy(() -> t.root(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.inclusionProof(8, 8)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> t.inclusionProof(-1, 8)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> t.inclusionProof(0, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> t.inclusionProof(0, 9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.consistencyProof(5, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.consistencyProof(-1, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.consistencyProof(1, 9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.leaf(8)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(hex(t.leaf(7))).isEqualTo(n(0, 7));
    }

    @Test
    void returnedHashesAreCopiesThatCannotCorruptTheTree() {
        MerkleTree t = vectorTree();
        t.root()[0] ^= 1;
        t.leaf(3)[0] ^= 1;
        t.inclusionProof(0, 8).getFirst()[0] ^= 1;
        t.consistencyProof(6, 8).getFirst()[0] ^= 1;
        assertThat(hex(t.root())).isEqualTo(ROOTS[8]);
        assertThat(hex(t.leaf(3))).isEqualTo(n(0, 3));
        assertThat(hex(t.inclusionProof(0, 8).getFirst())).isEqualTo(n(0, 1));
    }

    // ---- seeded randomized properties ------------------------------------------------------------

    @Test
    void randomTreesAgreeWithTheReferenceAndAllTheirProofsVerify() {
        long seed = LedgerTestSupport.seed("MerkleTreeTest.randomTrees");
        Random rnd = new SeededRandom(seed);
        int[] sizes = {1 + rnd.nextInt(64), 65 + rnd.nextInt(450), 515 + rnd.nextInt(1486), 1024, 1025};
        for (int n : sizes) {
            checkRandomTree(n, rnd, "seed " + seed + ", tree of " + n);
        }
    }

    private static void checkRandomTree(int n, Random rnd, String context) {
        List<byte[]> leaves = new ArrayList<>(n);
        MerkleTree t = new MerkleTree();
        for (int i = 0; i < n; i++) {
            // The index first, so no two leaves are equal (with equal leaves, "leaf i is at j" can be true).
            byte[] data = new byte[4 + rnd.nextInt(41)];
            rnd.nextBytes(data);
            java.nio.ByteBuffer.wrap(data).putInt(0, i);
            byte[] leaf = Rfc9162Reference.leafHash(data);
            assertThat(MerkleTree.leafHash(data)).as(context).isEqualTo(leaf);
            leaves.add(leaf);
            t.append(leaf);
        }
        // Roots at sampled sizes (small ones, around powers of two, the end, random) against MTH.
        TreeSet<Integer> sampled = new TreeSet<>();
        IntStream.rangeClosed(0, Math.min(n, 33)).forEach(sampled::add);
        for (int p = 1; p <= n; p <<= 1) {
            for (int s = p - 1; s <= p + 1; s++) {
                if (s >= 0 && s <= n) {
                    sampled.add(s);
                }
            }
        }
        sampled.add(n);
        sampled.add(n - 1);
        for (int i = 0; i < 48; i++) {
            sampled.add(rnd.nextInt(n + 1));
        }
        for (int s : sampled) {
            assertThat(hex(t.root(s))).as("%s: root(%d)", context, s).isEqualTo(hex(Rfc9162Reference.mth(leaves.subList(0, s))));
        }
        List<Integer> sizes = new ArrayList<>(sampled);
        // Every leaf's inclusion proof verifies at the smallest sampled size holding it, at a random
        // sampled size holding it, and at the full size.
        for (int i = 0; i < n; i++) {
            Integer smallest = sampled.ceiling(i + 1);
            List<Integer> larger = sizes.subList(sizes.indexOf(smallest), sizes.size());
            for (int s : List.of(smallest, larger.get(rnd.nextInt(larger.size())), n)) {
                List<byte[]> proof = t.inclusionProof(i, s);
                assertThat(MerkleTree.verifyInclusion(leaves.get(i), i, s, proof, t.root(s)))
                        .as("%s: inclusion of %d in %d", context, i, s).isTrue();
            }
        }
        // Every prefix is consistent with the whole, and with a random sampled size above it.
        for (int m = 0; m <= n; m++) {
            List<byte[]> proof = t.consistencyProof(m, n);
            assertThat(MerkleTree.verifyConsistency(m, n, t.root(m), t.root(n), proof)).as("%s: consistency %d -> %d", context, m, n).isTrue();
            Integer above = sampled.ceiling(m);
            int to = sizes.get(sizes.indexOf(above) + rnd.nextInt(sizes.size() - sizes.indexOf(above)));
            assertThat(MerkleTree.verifyConsistency(m, to, t.root(m), t.root(to), t.consistencyProof(m, to)))
                    .as("%s: consistency %d -> %d", context, m, to).isTrue();
        }
        // Proof contents against the naive PATH / PROOF, and tampering, on samples.
        for (int k = 0; k < 40; k++) {
            int s = 1 + rnd.nextInt(n);
            int i = rnd.nextInt(s);
            List<byte[]> path = t.inclusionProof(i, s);
            assertThat(hex(path)).as("%s: PATH(%d, D[%d])", context, i, s).isEqualTo(hex(Rfc9162Reference.path(i, leaves.subList(0, s))));
            int m = rnd.nextInt(s + 1);
            List<byte[]> consistency = t.consistencyProof(m, s);
            assertThat(hex(consistency)).as("%s: PROOF(%d, D[%d])", context, m, s)
                    .isEqualTo(hex(Rfc9162Reference.proof(m, leaves.subList(0, s))));
            byte[] root = t.root(s);
            if (!path.isEmpty()) {
                assertThat(MerkleTree.verifyInclusion(leaves.get(i), i, s, flipRandomBit(path, rnd), root))
                        .as("%s: flipped inclusion proof of %d in %d", context, i, s).isFalse();
            }
            if (s > 1) {
                int other = (i + 1 + rnd.nextInt(s - 1)) % s;
                assertThat(MerkleTree.verifyInclusion(leaves.get(i), other, s, path, root))
                        .as("%s: leaf %d claimed at %d of %d", context, i, other, s).isFalse();
            }
            if (!consistency.isEmpty()) {
                assertThat(MerkleTree.verifyConsistency(m, s, t.root(m), root, flipRandomBit(consistency, rnd)))
                        .as("%s: flipped consistency proof %d -> %d", context, m, s).isFalse();
            }
        }
    }

    @Test
    void aHundredThousandLeaves() {
        long seed = LedgerTestSupport.seed("MerkleTreeTest.aHundredThousandLeaves");
        Random rnd = new SeededRandom(seed);
        int n = 100_000;
        List<byte[]> leaves = new ArrayList<>(n);
        MerkleTree t = new MerkleTree();
        byte[] data = new byte[16];
        for (int i = 0; i < n; i++) {
            rnd.nextBytes(data);
            byte[] leaf = MerkleTree.leafHash(data);
            leaves.add(leaf);
            t.append(leaf);
        }
        String context = "seed " + seed;
        for (int s : new int[] {n, 65_536, 65_537, 99_999}) {
            assertThat(hex(t.root(s))).as("%s: root(%d)", context, s).isEqualTo(hex(Rfc9162Reference.mth(leaves.subList(0, s))));
        }
        for (int k = 0; k < 300; k++) {
            int s = 1 + rnd.nextInt(n);
            int i = rnd.nextInt(s);
            List<byte[]> path = t.inclusionProof(i, s);
            assertThat(path.size()).as("%s: audit path length of %d in %d", context, i, s).isLessThanOrEqualTo(64 - Long.numberOfLeadingZeros(s - 1L));
            assertThat(MerkleTree.verifyInclusion(leaves.get(i), i, s, path, t.root(s))).as("%s: inclusion of %d in %d", context, i, s).isTrue();
            int m = rnd.nextInt(s + 1);
            List<byte[]> proof = t.consistencyProof(m, s);
            assertThat(MerkleTree.verifyConsistency(m, s, t.root(m), t.root(s), proof)).as("%s: consistency %d -> %d", context, m, s).isTrue();
            if (!proof.isEmpty()) {
                assertThat(MerkleTree.verifyConsistency(m, s, t.root(m), t.root(s), flipRandomBit(proof, rnd))).isFalse();
            }
        }
        for (int k = 0; k < 3; k++) {
            int i = rnd.nextInt(n);
            assertThat(hex(t.inclusionProof(i, n))).as("%s: PATH(%d, D[%d])", context, i, n).isEqualTo(hex(Rfc9162Reference.path(i, leaves)));
        }
    }

    private static List<byte[]> flipRandomBit(List<byte[]> proof, Random rnd) {
        List<byte[]> copy = new ArrayList<>(proof.stream().map(byte[]::clone).toList());
        byte[] element = copy.get(rnd.nextInt(copy.size()));
        element[rnd.nextInt(element.length)] ^= (byte) (1 << rnd.nextInt(8));
        return copy;
    }

    // ---- corruption probes -----------------------------------------------------------------------

    record Probe(String what, byte[] leaf, long index, long size, List<byte[]> proof, byte[] root) {}

    record ConsistencyProbe(String what, long oldSize, long newSize, byte[] oldRoot, byte[] newRoot, List<byte[]> proof) {}

    private static List<Probe> inclusionProbes(int index, int size, List<byte[]> leaves, List<byte[]> proof) {
        byte[] leaf = leaves.get(index);
        byte[] root = root(size);
        List<Probe> out = new ArrayList<>();
        for (long i = -1; i <= 16; i++) {
            if (i != index) {
                out.add(new Probe("index " + i, leaf, i, size, proof, root));
            }
        }
        out.add(new Probe("index ^ 2", leaf, index ^ 2, size, proof, root));
        for (long s = 0; s <= 17; s++) {
            // A size whose audit path has the same shape recomputes the same root: RFC 9162 binds the
            // size only through that shape (see inclusionVerificationBindsTheSizeOnlyThroughThePathShape).
            if (s != size && !(s > index && inclusionShape(index, s).equals(inclusionShape(index, size)))) {
                out.add(new Probe("size " + s, leaf, index, s, proof, root));
            }
        }
        out.add(new Probe("size * 2", leaf, index, size * 2L, proof, root));
        for (int s = 0; s <= 8; s++) {
            if (s != size) {
                out.add(new Probe("root of size " + s, leaf, index, size, proof, root(s)));
            }
        }
        for (int bit = 0; bit < 256; bit++) {
            out.add(new Probe("root bit " + bit, leaf, index, size, proof, flip(root, bit)));
            out.add(new Probe("leaf bit " + bit, flip(leaf, bit), index, size, proof, root));
        }
        for (int j = 0; j < leaves.size(); j++) {
            if (j != index) {
                out.add(new Probe("leaf " + j, leaves.get(j), index, size, proof, root));
            }
        }
        out.add(new Probe("leaf as raw data", "WrongLeaf".getBytes(java.nio.charset.StandardCharsets.UTF_8), index, size, proof, root));
        out.addAll(proofMutations(proof, root, leaf).stream().map(m -> new Probe(m.what(), leaf, index, size, m.proof(), root)).toList());
        return out;
    }

    private static List<ConsistencyProbe> consistencyProbes(int oldSize, int newSize, List<byte[]> proof) {
        byte[] oldRoot = root(oldSize);
        byte[] newRoot = root(newSize);
        List<ConsistencyProbe> out = new ArrayList<>();
        for (long m = -1; m <= 17; m++) {
            if (m != oldSize && !(m == 0 && proof.isEmpty()) && !consistencyShape(m, newSize).equals(consistencyShape(oldSize, newSize))) {
                // (0, n) with an empty proof is consistent by definition, so it is no corruption.
                out.add(new ConsistencyProbe("old size " + m, m, newSize, oldRoot, newRoot, proof));
            }
        }
        for (long s = 0; s <= 17; s++) {
            // As for inclusion: a new size with the same proof shape is indistinguishable to the verifier.
            if (s != newSize && !consistencyShape(oldSize, s).equals(consistencyShape(oldSize, newSize))) {
                out.add(new ConsistencyProbe("new size " + s, oldSize, s, oldRoot, newRoot, proof));
            }
        }
        out.add(new ConsistencyProbe("new size * 2", oldSize, newSize * 2L, oldRoot, newRoot, proof));
        for (int s = 0; s <= 8; s++) {
            if (s != oldSize) {
                out.add(new ConsistencyProbe("old root of size " + s, oldSize, newSize, root(s), newRoot, proof));
            }
            if (s != newSize) {
                out.add(new ConsistencyProbe("new root of size " + s, oldSize, newSize, oldRoot, root(s), proof));
            }
        }
        if (oldSize != newSize) {
            out.add(new ConsistencyProbe("swapped roots", oldSize, newSize, newRoot, oldRoot, proof));
            out.add(new ConsistencyProbe("empty proof", oldSize, newSize, oldRoot, newRoot, List.of()));
        }
        for (int bit = 0; bit < 256; bit++) {
            out.add(new ConsistencyProbe("old root bit " + bit, oldSize, newSize, flip(oldRoot, bit), newRoot, proof));
            out.add(new ConsistencyProbe("new root bit " + bit, oldSize, newSize, oldRoot, flip(newRoot, bit), proof));
        }
        for (Mutation m : proofMutations(proof, oldRoot, newRoot)) {
            out.add(new ConsistencyProbe(m.what(), oldSize, newSize, oldRoot, newRoot, m.proof()));
        }
        return out;
    }

    /**
     * The shape of PATH(m, D[n]) (RFC 9162 §2.1.3.1), leaf upwards: for each element, whether it is
     * the right sibling. Two (m, n) with one shape make the verifier do the same hashing.
     */
    static List<Boolean> inclusionShape(long m, long n) {
        if (n <= 1) {
            return new ArrayList<>();
        }
        long k = Long.highestOneBit(n - 1);
        List<Boolean> shape = m < k ? inclusionShape(m, k) : inclusionShape(m - k, n - k);
        shape.add(m < k);
        return shape;
    }

    /**
     * The shape of PROOF(m, D[n]) (RFC 9162 §2.1.4.1): where the walk starts (the old root itself
     * when the old tree is a complete left subtree, else the first element), then for each further
     * element whether it is a left sibling in both trees or a right sibling in the new one only.
     */
    static List<String> consistencyShape(long m, long n) {
        List<String> shape = new ArrayList<>();
        if (m <= 0 || m >= n) {
            shape.add("trivial " + m + " " + n);
            return shape;
        }
        subproofShape(m, n, true, shape);
        return shape;
    }

    private static void subproofShape(long m, long n, boolean complete, List<String> shape) {
        if (m == n) {
            shape.add(complete ? "start at the old root" : "start at an element");
            return;
        }
        long k = Long.highestOneBit(n - 1);
        if (m <= k) {
            subproofShape(m, k, complete, shape);
            shape.add("right, new tree only");
        } else {
            subproofShape(m - k, n - k, false, shape);
            shape.add("left, both trees");
        }
    }

    record Mutation(String what, List<byte[]> proof) {}

    /** Every bit of every element flipped, elements dropped, added, inserted, swapped and reordered. */
    private static List<Mutation> proofMutations(List<byte[]> proof, byte[] a, byte[] b) {
        List<Mutation> out = new ArrayList<>();
        for (int e = 0; e < proof.size(); e++) {
            for (int bit = 0; bit < 256; bit++) {
                List<byte[]> p = new ArrayList<>(proof);
                p.set(e, flip(proof.get(e), bit));
                out.add(new Mutation("proof[" + e + "] bit " + bit, p));
            }
            List<byte[]> dropped = new ArrayList<>(proof);
            dropped.remove(e);
            out.add(new Mutation("proof[" + e + "] removed", dropped));
        }
        for (byte[] extra : List.of(new byte[0], new byte[32], a, b, hex(ROOTS[0]))) {
            for (int at = 0; at <= proof.size(); at++) {
                List<byte[]> p = new ArrayList<>(proof);
                p.add(at, extra);
                out.add(new Mutation("inserted " + extra.length + "-byte element at " + at, p));
            }
        }
        if (!proof.isEmpty()) {
            List<byte[]> p = new ArrayList<>(proof);
            p.addFirst(proof.getFirst());
            out.add(new Mutation("proof[0] repeated", p));
        }
        for (int e = 0; e + 1 < proof.size(); e++) {
            List<byte[]> p = new ArrayList<>(proof);
            Collections.swap(p, e, e + 1);
            out.add(new Mutation("proof[" + e + "] swapped with the next", p));
        }
        return out;
    }

    private static byte[] flip(byte[] hash, int bit) {
        byte[] copy = hash.clone();
        copy[bit / 8] ^= (byte) (1 << (bit % 8));
        return copy;
    }
}
