package io.x0tta6bl4.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.SecureRandomParameters;

/**
 * A deterministic {@link SecureRandom} for tests: golden vectors and replayable failures. It is not
 * random at all, so it must never leave test code.
 *
 * <p>The stream is SHA-256 in counter mode over the seed, so any implementation can reproduce it:
 *
 * <pre>
 *   block_i = SHA-256(seed ‖ i)     i = 0, 1, 2, … as an 8-byte big-endian integer
 *   stream  = block_0 ‖ block_1 ‖ …
 * </pre>
 *
 * where {@code seed} is the UTF-8 encoding of a string seed, or the 8-byte big-endian encoding of a
 * {@code long} seed. Every draw, whatever its API ({@code nextBytes}, {@code nextInt},
 * {@code nextLong}, {@code generateSeed}…), consumes the stream in order: {@code SecureRandom}'s
 * {@code next(int)} is built on {@link #nextBytes(byte[])}. {@code setSeed} and {@code reseed}
 * are ignored so that nothing can make the stream depend on anything but the seed.
 *
 * <p>The JDK's ML-KEM, ML-DSA and X25519 key generation, ML-KEM encapsulation and (hedged) ML-DSA
 * signing all draw from the {@code SecureRandom} they are handed, so a fixed generator gives
 * fixed keys, ciphertexts and signatures.
 */
public final class SeededRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private static final int BLOCK = 32;

    private final byte[] seed;
    private final String label;
    private final byte[] block = new byte[BLOCK];
    private int used = BLOCK;
    private long counter;

    /** A stream seeded with the UTF-8 bytes of {@code seed}. */
    public SeededRandom(String seed) {
        this(seed.getBytes(StandardCharsets.UTF_8), "\"" + seed + "\"");
    }

    /** A stream seeded with the 8 big-endian bytes of {@code seed}. */
    public SeededRandom(long seed) {
        this(ByteBuffer.allocate(Long.BYTES).putLong(seed).array(), Long.toString(seed));
    }

    private SeededRandom(byte[] seed, String label) {
        this.seed = seed;
        this.label = label;
    }

    @Override
    public synchronized void nextBytes(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (used == BLOCK) {
                refill();
            }
            bytes[i] = block[used++];
        }
    }

    @Override
    public void nextBytes(byte[] bytes, SecureRandomParameters params) {
        nextBytes(bytes);
    }

    @Override
    public byte[] generateSeed(int numBytes) {
        byte[] out = new byte[numBytes];
        nextBytes(out);
        return out;
    }

    @Override
    public void setSeed(byte[] ignored) {
        // Deliberately ignored: the stream depends on the constructor's seed alone.
    }

    @Override
    public void reseed() {
        // Deliberately ignored, as setSeed.
    }

    @Override
    public void reseed(SecureRandomParameters params) {
        // Deliberately ignored, as setSeed.
    }

    @Override
    public String getAlgorithm() {
        return "SeededRandom(SHA-256 counter mode, test only)";
    }

    @Override
    public String toString() {
        return "SeededRandom[seed=" + label + "]";
    }

    private void refill() {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(seed);
            sha256.update(ByteBuffer.allocate(Long.BYTES).putLong(counter++).array());
            System.arraycopy(sha256.digest(), 0, block, 0, BLOCK);
            used = 0;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
