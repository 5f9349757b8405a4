package io.x0tta6bl4.identity;

/** Why a JWT-SVID was refused. The code is stable and goes into API error bodies. */
public final class TokenRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The reasons, in the order {@link JwtSvidVerifier#verify} checks them. */
    public enum Reason {
        MALFORMED("malformed"),
        UNSUPPORTED_ALGORITHM("unsupported_algorithm"),
        UNKNOWN_KEY("unknown_key"),
        BAD_SIGNATURE("bad_signature"),
        FOREIGN_TRUST_DOMAIN("foreign_trust_domain"),
        EXPIRED("expired"),
        NOT_YET_VALID("not_yet_valid"),
        WRONG_AUDIENCE("wrong_audience");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public TokenRejectedException(Reason reason, String detail) {
        super(reason.code() + ": " + detail, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
