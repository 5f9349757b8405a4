package io.x0tta6bl4.monitor;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns load samples into alerts: a threshold crossed for {@code sustain} without a break
 * raises an alert, and the value back under 90 % of the threshold for as long clears it. The
 * source document names them HIGH_CPU_USAGE, HIGH_MEMORY_USAGE, HIGH_LATENCY, HIGH_ERROR_RATE
 * and QUEUE_BUILDUP; the node writes each change as a LOAD_ALERT ledger entry, the scaling
 * evidence the MAPE-K loop reads.
 *
 * <p>Why sustained and with hysteresis: a node's load is noisy (a GC, one slow request, a
 * snapshot), and an alert that flapped with every sample would be ledgered ten times a second.
 * A value the platform cannot give (-1) neither raises nor clears: unknown is not idle.
 *
 * <p>A pure state machine on the samples' own time ({@link LoadSample#atNanos}); one thread
 * feeds it.
 */
public final class LoadAlerts {
    /** What is watched, with the source's names. */
    public enum Kind {
        /** The machine's CPU ({@link LoadSample#systemCpuPercent}). */
        HIGH_CPU_USAGE,
        /** The machine's memory ({@link LoadSample#memoryPercent}). */
        HIGH_MEMORY_USAGE,
        /** The API's p99 latency. */
        HIGH_LATENCY,
        /** The API's share of failed (5xx) requests. */
        HIGH_ERROR_RATE,
        /** Ledger entries this node submitted that wait to be committed. */
        QUEUE_BUILDUP
    }

    /**
     * @param latencyP99Micros p99 of API requests, in microseconds
     * @param sustainNanos     how long a threshold must stay crossed (or uncrossed) before the alert changes
     */
    public record Thresholds(double cpuPercent, double memoryPercent, long latencyP99Micros, double errorRatePercent, int queueLength,
                             long sustainNanos) {
        public Thresholds {
            if (sustainNanos < 0) {
                throw new IllegalArgumentException("sustain must not be negative");
            }
        }

        double of(Kind k) {
            return switch (k) {
                case HIGH_CPU_USAGE -> cpuPercent;
                case HIGH_MEMORY_USAGE -> memoryPercent;
                case HIGH_LATENCY -> latencyP99Micros;
                case HIGH_ERROR_RATE -> errorRatePercent;
                case QUEUE_BUILDUP -> queueLength;
            };
        }
    }

    /**
     * A change of one alert.
     *
     * @param raised    true when it was raised, false when it cleared
     * @param value     the sample's value that decided it
     * @param sinceNanos since when the value had been over (or under) the line
     */
    public record Change(Kind kind, boolean raised, double value, double threshold, long sinceNanos, long atNanos) {}

    private static final double CLEAR_AT = 0.9;

    /** Written by {@link #retune}, read by the feeding thread and by {@link #thresholds} from any. */
    private volatile Thresholds thresholds;
    private final Map<Kind, State> states = new EnumMap<>(Kind.class);

    private static final class State {
        boolean raised;
        /** When the current run of samples on the other side of the line began, or -1. */
        long runSince = -1;
        boolean haveRun;
    }

    public LoadAlerts(Thresholds thresholds) {
        this.thresholds = thresholds;
        for (Kind k : Kind.values()) {
            states.put(k, new State());
        }
    }

    /** The lines in force. */
    public Thresholds thresholds() {
        return thresholds;
    }

    /**
     * Judges the next samples by {@code next} (a runtime config change). A raised alert stays
     * raised until its value is under 90 % of its new line for the sustain time; a run already
     * under way is judged against the new line from the next sample.
     */
    public void retune(Thresholds next) {
        thresholds = Objects.requireNonNull(next);
    }

    /** The alerts raised now. */
    public List<Kind> raised() {
        return states.entrySet().stream().filter(e -> e.getValue().raised).map(Map.Entry::getKey).toList();
    }

    static double value(Kind k, LoadSample s) {
        return switch (k) {
            case HIGH_CPU_USAGE -> s.systemCpuPercent();
            case HIGH_MEMORY_USAGE -> s.memoryPercent();
            case HIGH_LATENCY -> s.latencyP99Micros();
            case HIGH_ERROR_RATE -> s.errorRatePercent();
            case QUEUE_BUILDUP -> s.queueLength();
        };
    }

    /** Takes the next sample; returns the alerts it raises or clears. */
    public List<Change> onSample(LoadSample s) {
        List<Change> changes = new ArrayList<>(1);
        for (Kind k : Kind.values()) {
            State st = states.get(k);
            double v = value(k, s);
            double line = thresholds.of(k);
            if (v < 0) {
                st.haveRun = false; // unknown: no run goes on through it
                continue;
            }
            boolean against = st.raised ? v < line * CLEAR_AT : v > line;
            if (!against) {
                st.haveRun = false;
                continue;
            }
            if (!st.haveRun) {
                st.haveRun = true;
                st.runSince = s.atNanos();
            }
            if (s.atNanos() - st.runSince >= thresholds.sustainNanos()) {
                st.raised = !st.raised;
                st.haveRun = false;
                changes.add(new Change(k, st.raised, v, line, st.runSince, s.atNanos()));
            }
        }
        return changes;
    }
}
