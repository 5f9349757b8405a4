package io.x0tta6bl4.crypto;

import java.nio.ByteBuffer;
import java.security.SecureRandom;

/** 128 random bits naming one message; the replay cache remembers them. */
public record MessageId(long high, long low) {
    public static MessageId random(SecureRandom random) {
        byte[] b = new byte[16];
        random.nextBytes(b);
        ByteBuffer buf = ByteBuffer.wrap(b);
        return new MessageId(buf.getLong(), buf.getLong());
    }

    public String hex() {
        return String.format("%016x%016x", high, low);
    }

    @Override
    public String toString() {
        return hex();
    }
}
