package io.x0tta6bl4.governance;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The mesh-wide runtime config: for each key an executed CONFIG_UPDATE has set, the value and the
 * proposal that set it. Immutable; part of {@link Governance}, so it is a fold over the ledger.
 */
public record RuntimeConfig(Map<ConfigKey, Setting> settings) {
    public static final RuntimeConfig EMPTY = new RuntimeConfig(new EnumMap<>(ConfigKey.class));

    /** A value set by proposal {@code proposal}, executed at ledger entry {@code seq}. */
    public record Setting(String value, String proposal, long seq) {}

    public RuntimeConfig {
        EnumMap<ConfigKey, Setting> copy = new EnumMap<>(ConfigKey.class);
        copy.putAll(settings);
        settings = Collections.unmodifiableMap(copy);
    }

    /** The value set by a proposal, if any. */
    public Optional<Setting> setting(ConfigKey key) {
        return Optional.ofNullable(settings.get(key));
    }

    /** The proposal's value, else the mesh default; empty when neither (the node's file decides). */
    public Optional<String> value(ConfigKey key) {
        Setting s = settings.get(key);
        return s != null ? Optional.of(s.value()) : key.meshDefault();
    }

    public RuntimeConfig with(Map<ConfigKey, String> values, String proposal, long seq) {
        EnumMap<ConfigKey, Setting> next = new EnumMap<>(ConfigKey.class);
        next.putAll(settings);
        values.forEach((k, v) -> next.put(k, new Setting(v, proposal, seq)));
        return new RuntimeConfig(next);
    }

    /** Restores {@code previous} for each key of {@code keys}: a value, or unset when it was not set. */
    public RuntimeConfig restored(Map<ConfigKey, Optional<Setting>> previous) {
        EnumMap<ConfigKey, Setting> next = new EnumMap<>(ConfigKey.class);
        next.putAll(settings);
        previous.forEach((k, v) -> {
            if (v.isPresent()) {
                next.put(k, v.get());
            } else {
                next.remove(k);
            }
        });
        return new RuntimeConfig(next);
    }

    /** The governance defaults a new proposal of {@code type} is made with. */
    public Rules rules(ProposalType type) {
        TallyMode mode = TallyMode.parse(value(ConfigKey.GOVERNANCE_TALLY_MODE).orElseThrow()).orElseThrow();
        double participation = Double.parseDouble(value(ConfigKey.GOVERNANCE_MIN_PARTICIPATION).orElseThrow());
        int credits = Integer.parseInt(value(ConfigKey.GOVERNANCE_CREDITS).orElseThrow());
        if (type == ProposalType.RECOVERY) {
            return new Rules(duration(ConfigKey.GOVERNANCE_RECOVERY_VOTING_PERIOD), Duration.ZERO, participation,
                    Double.parseDouble(value(ConfigKey.GOVERNANCE_RECOVERY_MIN_APPROVAL).orElseThrow()), credits, mode,
                    duration(ConfigKey.GOVERNANCE_IMPACT_WINDOW));
        }
        return new Rules(duration(ConfigKey.GOVERNANCE_VOTING_PERIOD), duration(ConfigKey.GOVERNANCE_EXECUTION_DELAY), participation,
                Double.parseDouble(value(ConfigKey.GOVERNANCE_MIN_APPROVAL).orElseThrow()), credits, mode, duration(ConfigKey.GOVERNANCE_IMPACT_WINDOW));
    }

    private Duration duration(ConfigKey key) {
        return ConfigKey.duration(value(key).orElseThrow());
    }
}
