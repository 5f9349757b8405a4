package io.x0tta6bl4.governance;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** A voter's answer. ABSTAIN counts towards participation, not towards approval. */
public enum Choice {
    YES, NO, ABSTAIN;

    public static Optional<Choice> parse(String name) {
        return name == null ? Optional.empty()
                : Arrays.stream(values()).filter(c -> c.name().equals(name.trim().toUpperCase(Locale.ROOT))).findFirst();
    }
}
