package io.x0tta6bl4.identity;

/** An X.509-SVID or PQ identity document that the trust bundle does not vouch for; the message says why. */
public final class IdentityVerificationException extends Exception {
    private static final long serialVersionUID = 1L;

    public IdentityVerificationException(String message) {
        super(message, null, false, false);
    }
}
