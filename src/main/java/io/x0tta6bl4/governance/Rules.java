package io.x0tta6bl4.governance;

import java.time.Duration;

/**
 * The terms a proposal is decided by, fixed when it is made (from the runtime config's
 * governance defaults and the proposer's own voting period and delay).
 *
 * @param minParticipation percent of eligible voters that must vote; passing needs strictly more
 * @param minApproval      percent of YES power in YES + NO power; passing needs strictly more
 * @param credits          what a voter may spend on one proposal; a vote of weight w costs w²
 * @param impactWindow     how long the load is compared before and after the execution (IMPACT)
 */
public record Rules(Duration votingPeriod, Duration executionDelay, double minParticipation, double minApproval, int credits, TallyMode mode,
                    Duration impactWindow) {
    /** Each load sample covers the API's last 10 s, so a shorter window would mostly see the time before the change. */
    public static final Duration MIN_IMPACT_WINDOW = Duration.ofSeconds(10);
    /** Before and after both have to fit in the hour of samples every node keeps. */
    public static final Duration MAX_IMPACT_WINDOW = Duration.ofMinutes(25);
    public static final Duration MAX_PERIOD = Duration.ofDays(30);

    public Rules {
        if (votingPeriod == null || votingPeriod.isNegative() || votingPeriod.isZero() || votingPeriod.compareTo(MAX_PERIOD) > 0) {
            throw new IllegalArgumentException("voting period must be more than 0 and at most 30 days, got " + votingPeriod);
        }
        if (executionDelay == null || executionDelay.isNegative() || executionDelay.compareTo(MAX_PERIOD) > 0) {
            throw new IllegalArgumentException("execution delay must be 0 to 30 days, got " + executionDelay);
        }
        percent("min participation", minParticipation);
        percent("min approval", minApproval);
        if (credits < 1 || credits > 1_000_000) {
            throw new IllegalArgumentException("credits must be 1..1000000, got " + credits);
        }
        if (mode == null) {
            throw new IllegalArgumentException("tally mode is missing");
        }
        if (impactWindow == null || impactWindow.compareTo(MIN_IMPACT_WINDOW) < 0 || impactWindow.compareTo(MAX_IMPACT_WINDOW) > 0) {
            throw new IllegalArgumentException("impact window must be 10 s to 25 min, got " + impactWindow);
        }
    }

    private static void percent(String what, double v) {
        if (!(v >= 0 && v < 100)) {
            throw new IllegalArgumentException(what + " must be a percentage from 0 to under 100, got " + v);
        }
    }

    /** The heaviest vote a voter can afford: the largest w with w² ≤ credits. */
    public int maxWeight() {
        int w = (int) Math.sqrt(credits);
        while ((long) (w + 1) * (w + 1) <= credits) {
            w++;
        }
        while ((long) w * w > credits) {
            w--;
        }
        return w;
    }

    public Rules withTiming(Duration period, Duration delay) {
        return new Rules(period, delay, minParticipation, minApproval, credits, mode, impactWindow);
    }

    public Rules withImpactWindow(Duration window) {
        return new Rules(votingPeriod, executionDelay, minParticipation, minApproval, credits, mode, window);
    }
}
