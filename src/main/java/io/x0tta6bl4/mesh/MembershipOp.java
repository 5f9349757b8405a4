package io.x0tta6bl4.mesh;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a MEMBERSHIP entry asks for. The names are stored in entries: they may be added to, never renamed. */
public enum MembershipOp {
    /** A node announces itself (and, again, a change of its endpoints). Only the node itself may write it. */
    JOIN,
    /** A member leaves for good; its name is retired. */
    LEAVE,
    /** A member is isolated: it loses its vote and its traffic is refused until it is readmitted. */
    FENCE,
    /** A fenced member comes back, as a listener. */
    READMIT,
    /** A listener becomes a voter (while the group has fewer than five). */
    PROMOTE,
    /** A voter becomes a listener (while another voter remains). */
    DEMOTE;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<MembershipOp> parse(String text) {
        return Arrays.stream(values()).filter(o -> o.name().equalsIgnoreCase(text)).findFirst();
    }
}
