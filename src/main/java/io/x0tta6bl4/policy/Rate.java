package io.x0tta6bl4.policy;

import java.time.Instant;

/**
 * {@code rate_limit: "N/s"} (or {@code /min}, {@code /h}): at most N requests per unit per
 * principal, with bursts of up to N. Kept as the two numbers the {@link RateLimiter}'s GCRA
 * needs: the interval between requests at the steady rate, and the burst as a span of time
 * (N intervals).
 */
record Rate(String text, long count, long intervalNanos, long burstNanos) {
    static final long MAX_COUNT = 1_000_000;

    static Rate parse(String text) {
        int slash = text.indexOf('/');
        String usage = "; write N/s, N/min or N/h with N a whole number 1.." + MAX_COUNT + ", e.g. 100/s";
        if (slash <= 0 || slash > 7) {
            throw new IllegalArgumentException("\"" + text + "\" is not a rate" + usage);
        }
        long count = 0;
        for (int i = 0; i < slash; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9' || (i == 0 && c == '0')) {
                throw new IllegalArgumentException("\"" + text + "\" is not a rate" + usage);
            }
            count = count * 10 + (c - '0');
        }
        if (count > MAX_COUNT) {
            throw new IllegalArgumentException("\"" + text + "\": " + count + " is more than " + MAX_COUNT + " per unit" + usage);
        }
        long unitNanos = switch (text.substring(slash + 1)) {
            case "s" -> 1_000_000_000L;
            case "min" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw new IllegalArgumentException("\"" + text + "\": the unit must be s, min or h" + usage);
        };
        long interval = unitNanos / count;
        return new Rate(text, count, interval, interval * count);
    }

    /** Nanoseconds since the epoch, saturating far outside 1678-2261 (where a long runs out). */
    static long epochNanos(Instant t) {
        long s = t.getEpochSecond();
        if (s >= 9_223_372_035L) {
            return Long.MAX_VALUE / 2;
        }
        if (s <= -9_223_372_035L) {
            return Long.MIN_VALUE / 2;
        }
        return s * 1_000_000_000L + t.getNano();
    }

    @Override
    public String toString() {
        return text;
    }
}
