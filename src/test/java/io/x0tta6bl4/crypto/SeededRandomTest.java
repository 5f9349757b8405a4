package io.x0tta6bl4.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.junit.jupiter.api.Test;

/** The golden vectors stand on this generator, so its stream is pinned too. */
class SeededRandomTest {
    @Test
    void streamIsSha256OfSeedAndBigEndianCounter() throws NoSuchAlgorithmException {
        byte[] out = new byte[70];
        new SeededRandom("abc").nextBytes(out);

        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] expected = new byte[96];
        for (long i = 0; i < 3; i++) {
            sha.update("abc".getBytes(StandardCharsets.UTF_8));
            sha.update(ByteBuffer.allocate(8).putLong(i).array());
            System.arraycopy(sha.digest(), 0, expected, (int) i * 32, 32);
        }
        assertThat(out).isEqualTo(java.util.Arrays.copyOf(expected, 70));
    }

    @Test
    void drawsOfAnySizeConsumeOneContinuousStream() {
        byte[] whole = new byte[100];
        new SeededRandom(42L).nextBytes(whole);

        SeededRandom pieces = new SeededRandom(42L);
        byte[] joined = new byte[100];
        int at = 0;
        for (int n : new int[] {1, 31, 0, 33, 35}) {
            byte[] piece = new byte[n];
            pieces.nextBytes(piece);
            System.arraycopy(piece, 0, joined, at, n);
            at += n;
        }
        assertThat(joined).isEqualTo(whole);
    }

    @Test
    void sameSeedSameValuesOtherSeedOtherValues() {
        SeededRandom a = new SeededRandom("seed");
        SeededRandom b = new SeededRandom("seed");
        a.setSeed(123L);
        a.setSeed(new byte[] {1});
        for (int i = 0; i < 10; i++) {
            assertThat(a.nextInt()).isEqualTo(b.nextInt());
            assertThat(a.nextLong()).isEqualTo(b.nextLong());
            assertThat(a.generateSeed(5)).isEqualTo(b.generateSeed(5));
        }
        assertThat(new SeededRandom("seed").nextLong()).isNotEqualTo(new SeededRandom("seee").nextLong());
        assertThat(new SeededRandom(1L).nextLong()).isNotEqualTo(new SeededRandom(2L).nextLong());
    }

    @Test
    void jdkKeyGenerationAndSigningAreReproducible() {
        assertThat(MlDsa.generate(new SeededRandom("k"))).isEqualTo(MlDsa.generate(new SeededRandom("k")));
        assertThat(MlKem.generate(new SeededRandom("k"))).isEqualTo(MlKem.generate(new SeededRandom("k")));
        assertThat(X25519.generate(new SeededRandom("k"))).isEqualTo(X25519.generate(new SeededRandom("k")));
        assertThat(MlDsa.generate(new SeededRandom("k"))).isNotEqualTo(MlDsa.generate(new SeededRandom("l")));

        byte[] m = {1, 2, 3};
        MlDsaPrivateKey key = Fixtures.ALICE.signing().privateKey();
        assertThat(key.sign(m, new SeededRandom("r"))).isEqualTo(key.sign(m, new SeededRandom("r")))
                .isNotEqualTo(key.sign(m, new SeededRandom("q")));
    }
}
