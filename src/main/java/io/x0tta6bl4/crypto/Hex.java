package io.x0tta6bl4.crypto;

import java.util.HexFormat;

/** Lower-case hex, used for fingerprints and in documents. */
public final class Hex {
    private static final HexFormat HEX = HexFormat.of();

    private Hex() {}

    public static String encode(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** @throws IllegalArgumentException when {@code hex} is not an even-length string of hex digits */
    public static byte[] decode(String hex) {
        return HEX.parseHex(hex);
    }
}
