package io.x0tta6bl4.monitor;

/**
 * Why a probe failed. Kept distinct because they are different evidence for root-cause
 * analysis: a refused connection means nothing listens (the process died); a timeout means the
 * process, host or link is silent; a TLS failure means the peer is not who it should be (or its
 * credentials expired); a bad answer means it runs but misbehaves.
 */
public enum FailureKind {
    REFUSED,
    TIMEOUT,
    TLS_FAILURE,
    BAD_ANSWER
}
