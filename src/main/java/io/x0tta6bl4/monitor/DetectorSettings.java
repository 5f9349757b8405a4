package io.x0tta6bl4.monitor;

import java.time.Duration;

/**
 * How a node judges its peers. Validated on construction; each problem names the field.
 *
 * @param kind          {@code consecutive-misses} (the source document's rule) or {@code phi-accrual}
 * @param interval      time between probes of one peer while it is alive
 * @param timeout       deadline of one probe
 * @param suspectAfter  consecutive misses that make a peer SUSPECT (consecutive-misses)
 * @param downAfter     consecutive misses that make a peer DOWN (consecutive-misses)
 * @param phiSuspect    φ at which a peer becomes SUSPECT (phi-accrual)
 * @param phiDown       φ at which a peer becomes DOWN (phi-accrual)
 * @param minDeviation  floor of the standard deviation of answer intervals, so that a very
 *                      regular peer is not declared down by one slightly late answer (phi-accrual)
 * @param maxLateness   a probe that started more than this after it was scheduled means the prober
 *                      itself was paused (GC, CPU starvation, SIGSTOP): its miss does not count
 * @param admitAfter    answers in a row after which a joining (or restarted) peer is admitted;
 *                      until then it is not judged
 */
public record DetectorSettings(Kind kind, Duration interval, Duration timeout, int suspectAfter, int downAfter,
                               double phiSuspect, double phiDown, Duration minDeviation, Duration maxLateness, int admitAfter) {
    /** Ten answers in a row, a second at the default interval: a joiner that answers that long is warm. */
    public static final int DEFAULT_ADMIT_AFTER = 10;


    public enum Kind {
        CONSECUTIVE_MISSES("consecutive-misses"),
        PHI_ACCRUAL("phi-accrual");

        private final String configName;

        Kind(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }

    public DetectorSettings {
        positive("interval", interval);
        positive("timeout", timeout);
        positive("minDeviation", minDeviation);
        positive("maxLateness", maxLateness);
        if (timeout.compareTo(interval) > 0) {
            throw new IllegalArgumentException("timeout " + timeout.toMillis() + " ms must not exceed interval " + interval.toMillis() + " ms");
        }
        if (suspectAfter < 1 || downAfter < suspectAfter) {
            throw new IllegalArgumentException("misses: need 1 <= suspectAfter <= downAfter, got " + suspectAfter + " and " + downAfter);
        }
        if (admitAfter < 1 || admitAfter > 10_000) {
            throw new IllegalArgumentException("admitAfter must be 1..10000 answers, got " + admitAfter);
        }
        if (!(phiSuspect > 0) || !(phiDown >= phiSuspect)) {
            throw new IllegalArgumentException("phi: need 0 < phiSuspect <= phiDown, got " + phiSuspect + " and " + phiDown);
        }
    }

    /**
     * The source document's rule: a probe every 100 ms with a 50 ms deadline, three consecutive
     * misses mean down; two make a peer suspect. A probe that starts more than 50 ms late does not
     * count against the peer.
     */
    public static DetectorSettings sourceDefaults() {
        return new DetectorSettings(Kind.CONSECUTIVE_MISSES, Duration.ofMillis(100), Duration.ofMillis(50), 2, 3, 3.0, 8.0,
                Duration.ofMillis(25), Duration.ofMillis(50), DEFAULT_ADMIT_AFTER);
    }

    public DetectorSettings withKind(Kind k) {
        return new DetectorSettings(k, interval, timeout, suspectAfter, downAfter, phiSuspect, phiDown, minDeviation, maxLateness, admitAfter);
    }

    public DetectorSettings withAdmitAfter(int answers) {
        return new DetectorSettings(kind, interval, timeout, suspectAfter, downAfter, phiSuspect, phiDown, minDeviation, maxLateness, answers);
    }

    private static void positive(String field, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + " must be a positive duration, got " + d);
        }
    }
}
