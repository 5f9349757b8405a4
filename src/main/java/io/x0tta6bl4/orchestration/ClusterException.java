package io.x0tta6bl4.orchestration;

/**
 * A cluster operation that could not be done. The {@link Kind} tells the command line which exit
 * code it means; the message is written for the operator: it names the directory, node or file
 * and says what to do about it.
 */
public final class ClusterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the operation did not happen. */
    public enum Kind {
        /** The input is wrong: no cluster in the directory, an unknown node name, a bad option. */
        USAGE,
        /** The request is valid but the cluster's state forbids it (already running, not running). */
        REFUSED,
        /** The machine failed it: a process did not start, exit or answer in time. */
        FAILED
    }

    private final Kind kind;

    public ClusterException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public ClusterException(Kind kind, String message, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static ClusterException usage(String message) {
        return new ClusterException(Kind.USAGE, message);
    }

    public static ClusterException refused(String message) {
        return new ClusterException(Kind.REFUSED, message);
    }

    public static ClusterException failed(String message) {
        return new ClusterException(Kind.FAILED, message);
    }
}
