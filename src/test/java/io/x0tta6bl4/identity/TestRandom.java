package io.x0tta6bl4.identity;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * A deterministic {@link SecureRandom} for tests: SHA-256 in counter mode over a seed, so keys,
 * serial numbers and hedged signatures replay from the seed. Never use outside tests.
 */
final class TestRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;

    private final byte[] seed;
    private final byte[] block = new byte[32];
    private long counter;
    private int used = block.length;

    TestRandom(long seed) {
        this.seed = ByteBuffer.allocate(Long.BYTES).putLong(seed).array();
    }

    @Override
    public synchronized void nextBytes(byte[] out) {
        for (int i = 0; i < out.length; i++) {
            if (used == block.length) {
                refill();
            }
            out[i] = block[used++];
        }
    }

    private void refill() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(seed);
            sha.update(ByteBuffer.allocate(Long.BYTES).putLong(counter++).array());
            System.arraycopy(sha.digest(), 0, block, 0, block.length);
            used = 0;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String getAlgorithm() {
        return "TEST-SHA256-CTR";
    }
}
