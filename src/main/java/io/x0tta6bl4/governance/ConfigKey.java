package io.x0tta6bl4.governance;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runtime config's schema (DESIGN.md §10): every key a CONFIG_UPDATE may set, its type and
 * bounds. A value is kept in one canonical text form ({@link #canonical}), so {@code 5000ms},
 * {@code 5s} and {@code 5 s} are the same setting on every node. Each key is applied by the part
 * that owns it; docs/governance.md says which: {@code api.max_connections} by the API listener
 * for each new connection, the governance defaults by {@link GovernanceFold} for the proposals
 * made after a change, the {@code probe.*} keys by each node's prober from its next probe, the
 * {@code load.*} lines by each node's load alerts from their next sample. A key joins this list
 * only with the code that applies it.
 *
 * <p>A key without a mesh default ({@link #meshDefault} empty) would fall back to the node's own
 * node.yaml value until a proposal sets it.
 */
public enum ConfigKey {
    /** The API listener's limit on open connections (the source's example raises it from 10000 to 50000). */
    API_MAX_CONNECTIONS("api.max_connections", Kind.COUNT, 1, 1_000_000, "10000"),
    GOVERNANCE_VOTING_PERIOD("governance.voting_period", Kind.DURATION, 1_000, Rules.MAX_PERIOD.toMillis(), "24h"),
    GOVERNANCE_EXECUTION_DELAY("governance.execution_delay", Kind.DURATION, 0, Rules.MAX_PERIOD.toMillis(), "1h"),
    GOVERNANCE_MIN_PARTICIPATION("governance.min_participation", Kind.PERCENT, 0, 99.99, "66"),
    GOVERNANCE_MIN_APPROVAL("governance.min_approval", Kind.PERCENT, 0, 99.99, "75"),
    GOVERNANCE_CREDITS("governance.credits", Kind.COUNT, 1, 1_000_000, "10"),
    GOVERNANCE_TALLY_MODE("governance.tally_mode", Kind.MODE, 0, 0, "seed"),
    GOVERNANCE_RECOVERY_VOTING_PERIOD("governance.recovery.voting_period", Kind.DURATION, 1_000, 3_600_000, "5s"),
    GOVERNANCE_RECOVERY_MIN_APPROVAL("governance.recovery.min_approval", Kind.PERCENT, 0, 99.99, "66"),
    /** How long the leader compares the load before and after an execution (the IMPACT entry). */
    GOVERNANCE_IMPACT_WINDOW("governance.impact_window", Kind.DURATION, Rules.MIN_IMPACT_WINDOW.toMillis(), Rules.MAX_IMPACT_WINDOW.toMillis(), "5m"),
    /** Time between probes of one live peer (node.yaml {@code probe.interval}). */
    PROBE_INTERVAL("probe.interval", Kind.DURATION, 10, 60_000, null),
    /** A probe's deadline; not above the interval, nor the peer clients' 1 s socket timeout (node.yaml {@code probe.timeout}). */
    PROBE_TIMEOUT("probe.timeout", Kind.DURATION, 1, 1_000, null),
    /** Consecutive misses that mean DOWN (node.yaml {@code probe.misses}). */
    PROBE_MISSES("probe.misses", Kind.COUNT, 1, 100, null),
    /** Consecutive misses that mean SUSPECT; not above the misses (node.yaml {@code probe.suspect_after}). */
    PROBE_SUSPECT_AFTER("probe.suspect_after", Kind.COUNT, 1, 100, null),
    /** HIGH_CPU_USAGE's line (node.yaml {@code load.cpu_percent}). */
    LOAD_CPU_PERCENT("load.cpu_percent", Kind.PERCENT, 1, 100, null),
    /** HIGH_MEMORY_USAGE's line. */
    LOAD_MEMORY_PERCENT("load.memory_percent", Kind.PERCENT, 1, 100, null),
    /** HIGH_LATENCY's line: the API's p99. */
    LOAD_LATENCY_P99("load.latency_p99", Kind.DURATION, 1, 3_600_000, null),
    /** HIGH_ERROR_RATE's line: the API's 5xx share. */
    LOAD_ERROR_RATE_PERCENT("load.error_rate_percent", Kind.PERCENT, 0.01, 100, null),
    /** QUEUE_BUILDUP's line: ledger entries waiting to be committed. */
    LOAD_QUEUE_LENGTH("load.queue_length", Kind.COUNT, 1, 1_000_000, null),
    /** How long a crossing must last before it is an alert. */
    LOAD_SUSTAIN("load.sustain", Kind.DURATION, 0, 3_600_000, null);

    /** What a value is: a whole number, a percentage, a duration or a tally mode. */
    public enum Kind { COUNT, PERCENT, DURATION, MODE }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,10})\\s*(ms|s|m|h|d)");

    private final String key;
    private final Kind kind;
    private final double min;
    private final double max;
    private final String meshDefault;

    ConfigKey(String key, Kind kind, double min, double max, String meshDefault) {
        this.key = key;
        this.kind = kind;
        this.min = min;
        this.max = max;
        this.meshDefault = meshDefault;
    }

    public String key() {
        return key;
    }

    public Kind kind() {
        return kind;
    }

    /** The value before any proposal set one; empty when the node's own file decides. */
    public Optional<String> meshDefault() {
        return Optional.ofNullable(meshDefault).map(this::canonical);
    }

    public static Optional<ConfigKey> parse(String key) {
        return Arrays.stream(values()).filter(k -> k.key.equals(key)).findFirst();
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(ConfigKey::key).toList();
    }

    /**
     * {@code value} in canonical form ({@code 50000}, {@code 66.5}, {@code 5000ms}, {@code seed}),
     * or an {@link IllegalArgumentException} whose message names the key, the value and the range.
     */
    public String canonical(String value) {
        String v = value == null ? "" : value.trim();
        switch (kind) {
            case COUNT -> {
                long n;
                try {
                    n = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw bad(v, "a whole number");
                }
                if (n < min || n > max) {
                    throw bad(v, "a whole number from " + (long) min + " to " + (long) max);
                }
                return Long.toString(n);
            }
            case PERCENT -> {
                double d;
                try {
                    d = Double.parseDouble(v.endsWith("%") ? v.substring(0, v.length() - 1).trim() : v);
                } catch (NumberFormatException e) {
                    throw bad(v, "a percentage");
                }
                if (!(d >= min && d <= max)) {
                    throw bad(v, "a percentage from " + plain(min) + " to " + plain(max));
                }
                return plain(d);
            }
            case DURATION -> {
                Matcher m = DURATION.matcher(v);
                if (!m.matches()) {
                    throw bad(v, "a duration such as 250ms, 5s, 10m, 24h or 1d");
                }
                long n = Long.parseLong(m.group(1));
                long ms = switch (m.group(2)) {
                    case "ms" -> n;
                    case "s" -> n * 1_000;
                    case "m" -> n * 60_000;
                    case "h" -> n * 3_600_000;
                    default -> n * 86_400_000;
                };
                if (ms < min || ms > max) {
                    throw bad(v, "a duration from " + (long) min + " ms to " + (long) max + " ms");
                }
                return ms + "ms";
            }
            case MODE -> {
                return TallyMode.parse(v).map(TallyMode::configName).orElseThrow(() -> bad(v, "seed or quadratic"));
            }
        }
        throw new AssertionError(kind);
    }

    private IllegalArgumentException bad(String v, String want) {
        return new IllegalArgumentException(key + ": '" + v + "' is not " + want);
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** A canonical DURATION value as a {@link Duration}. */
    public static Duration duration(String canonical) {
        return Duration.ofMillis(Long.parseLong(canonical.substring(0, canonical.length() - 2)));
    }
}
