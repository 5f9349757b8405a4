package io.x0tta6bl4.transport;

/**
 * A call to a peer that got no usable answer. The {@link Kind} is kept distinct because each is
 * different evidence: a refusal means nothing listens (a dead process), a timeout means something
 * listens but does not answer in time (a paused or overloaded process, a lossy link), a TLS
 * failure means the peer is not who it should be, a bad answer means it answered wrongly.
 */
public final class PeerCallException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** Connection refused or reset: nothing accepts on the peer's port. */
        REFUSED,
        /** No answer before the deadline. */
        TIMEOUT,
        /** The handshake failed: wrong CA, wrong SPIFFE ID, expired SVID, or we were refused. */
        TLS_FAILURE,
        /** The peer answered, but not with what the protocol asks (status, body, identity). */
        BAD_ANSWER
    }

    private final Kind kind;

    public PeerCallException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public PeerCallException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
