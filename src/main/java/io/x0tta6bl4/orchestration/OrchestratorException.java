package io.x0tta6bl4.orchestration;

import java.util.Optional;

/**
 * Why an {@link Orchestrator} operation did not happen. The {@link Code} is stable and is what the
 * host agent's API answers ({@code {"error": code, "message": ...}} with the code's HTTP status),
 * so a caller can tell "not allowed" from "no such node" from "the machine failed it" without
 * reading the message, which is written for the operator: it names the node, field or file and
 * says what to do.
 */
public final class OrchestratorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The closed set of refusals and failures, with the HTTP status the agent answers each with. */
    public enum Code {
        /** The request is malformed; {@link #field()} names the field. */
        BAD_REQUEST(400, "bad_request"),
        /** The caller's SPIFFE ID was refused by the policy; {@link #rule()} names the deciding rule. */
        ACCESS_DENIED(403, "access_denied"),
        /** No node of that name on this host. */
        UNKNOWN_NODE(404, "unknown_node"),
        /** The host agent has no such route (a client of another version, or a typo in a hand-made request). */
        NO_ROUTE(404, "no_route"),
        /** The node's state forbids it (already running, not running, not paused, an operation in progress). */
        CONFLICT(409, "conflict"),
        /** The machine failed it: a process did not start, answer or exit in time. */
        FAILED(500, "failed"),
        /** No host agent answers (none runs, or it cannot be reached). */
        UNAVAILABLE(503, "unavailable");

        private final int status;
        private final String wire;

        Code(int status, String wire) {
            this.status = status;
            this.wire = wire;
        }

        public int status() {
            return status;
        }

        public String wire() {
            return wire;
        }

        /** The code of a wire name, if it is one. */
        public static Optional<Code> of(String wire) {
            for (Code c : values()) {
                if (c.wire.equals(wire)) {
                    return Optional.of(c);
                }
            }
            return Optional.empty();
        }
    }

    private final Code code;
    private final String field;
    private final String rule;

    public OrchestratorException(Code code, String message) {
        this(code, message, null, null, null);
    }

    public OrchestratorException(Code code, String message, Throwable cause) {
        this(code, message, null, null, cause);
    }

    private OrchestratorException(Code code, String message, String field, String rule, Throwable cause) {
        super(message, cause, false, false);
        this.code = code;
        this.field = field;
        this.rule = rule;
    }

    /** A malformed request; {@code field} is the JSON path of what is wrong ({@code join.seeds[1]}). */
    public static OrchestratorException badRequest(String field, String message) {
        return new OrchestratorException(Code.BAD_REQUEST, message, field, null, null);
    }

    /** A policy refusal: the rule that decided and its reason. */
    public static OrchestratorException denied(String rule, String reason) {
        return new OrchestratorException(Code.ACCESS_DENIED, reason, null, rule, null);
    }

    public static OrchestratorException unknown(String name, String known) {
        return new OrchestratorException(Code.UNKNOWN_NODE, "no node '" + name + "' on this host" + (known.isEmpty() ? "" : "; it knows " + known));
    }

    public static OrchestratorException conflict(String message) {
        return new OrchestratorException(Code.CONFLICT, message);
    }

    public static OrchestratorException failed(String message) {
        return new OrchestratorException(Code.FAILED, message);
    }

    public Code code() {
        return code;
    }

    /** For {@code BAD_REQUEST}: the field that is wrong. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }

    /** For {@code ACCESS_DENIED}: the policy rule that decided. */
    public Optional<String> rule() {
        return Optional.ofNullable(rule);
    }

    /**
     * The exception inside a future's failure: what {@code join()} or {@code get()} wraps. Anything
     * that is not one of ours becomes {@code FAILED} with its text.
     */
    public static OrchestratorException unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException || c instanceof java.util.concurrent.ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c instanceof OrchestratorException o ? o : new OrchestratorException(Code.FAILED, String.valueOf(c), c);
    }
}
