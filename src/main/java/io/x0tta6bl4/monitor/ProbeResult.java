package io.x0tta6bl4.monitor;

import java.util.Objects;

/** The outcome of one probe of a peer. */
public sealed interface ProbeResult {
    /** The peer answered correctly after {@code roundTripNanos}. */
    record Answered(long roundTripNanos) implements ProbeResult {
        public Answered {
            if (roundTripNanos < 0) {
                throw new IllegalArgumentException("round trip must not be negative");
            }
        }
    }

    /** The probe failed; {@code detail} is for humans (the exception message, the bad field). */
    record Failed(FailureKind kind, String detail) implements ProbeResult {
        public Failed {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
