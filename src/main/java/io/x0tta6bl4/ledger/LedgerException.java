package io.x0tta6bl4.ledger;

/** An append that was refused (nothing was written) or a ledger that cannot serve the request. */
public final class LedgerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Stable codes; they go into API error bodies and CLI messages. */
    public enum Reason {
        /** A field is missing, too long or badly formed; the message names it. */
        INVALID_FIELD("invalid_field"),
        UNKNOWN_TYPE("unknown_type"),
        PAYLOAD_TOO_LARGE("payload_too_large"),
        /** The actor's SPIFFE ID is not in the ledger's trust domain. */
        FOREIGN_ACTOR("foreign_actor"),
        /** The submitting node has no verified identity document in the ledger. */
        UNKNOWN_SUBMITTER("unknown_submitter"),
        INVALID_SIGNATURE("invalid_signature"),
        DUPLICATE_BATCH("duplicate_batch"),
        /** No leader, not enough replicas, or the ledger is closed; the append may be retried. */
        UNAVAILABLE("unavailable"),
        /** The stored data does not match its hashes or signatures. */
        CORRUPT("corrupt");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public LedgerException(Reason reason, String detail) {
        super(reason.code() + ": " + detail);
        this.reason = reason;
    }

    public LedgerException(Reason reason, String detail, Throwable cause) {
        super(reason.code() + ": " + detail, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
