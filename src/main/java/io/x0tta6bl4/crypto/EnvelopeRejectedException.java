package io.x0tta6bl4.crypto;

/** Why an envelope was refused. Nothing of its plaintext is ever returned alongside one. */
public final class EnvelopeRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The reasons, in the order {@link EnvelopeOpener#open} checks them. */
    public enum Reason {
        MALFORMED("malformed"),
        UNSUPPORTED_VERSION("unsupported_version"),
        UNSUPPORTED_SUITE("unsupported_suite"),
        WRONG_RECIPIENT("wrong_recipient"),
        UNKNOWN_SENDER("unknown_sender"),
        BAD_SIGNATURE("bad_signature"),
        STALE_TIMESTAMP("stale_timestamp"),
        REPLAYED("replayed"),
        DECRYPTION_FAILED("decryption_failed");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        /** Stable, machine-readable code, e.g. {@code bad_signature}. */
        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public EnvelopeRejectedException(Reason reason, String detail) {
        super(reason.code() + ": " + detail, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
