package io.x0tta6bl4.governance;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How a vote's weight becomes voting power. Either way a vote costs weight² credits.
 */
public enum TallyMode {
    /** The source document's arithmetic: power = weight², so YES 2,1,3,1 / NO 1 is 15 vs 1. */
    SEED,
    /** Textbook quadratic voting: power = weight, so the same votes are 7 vs 1. */
    QUADRATIC;

    public long power(int weight) {
        return this == SEED ? (long) weight * weight : weight;
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<TallyMode> parse(String name) {
        return name == null ? Optional.empty()
                : Arrays.stream(values()).filter(m -> m.configName().equals(name.trim().toLowerCase(Locale.ROOT))).findFirst();
    }
}
