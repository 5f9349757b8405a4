package io.x0tta6bl4.monitor;

/** What one node believes about a peer. */
public enum PeerState {
    /** Not heard from since this node started, and still within the join grace. */
    UNKNOWN,
    ALIVE,
    SUSPECT,
    DOWN
}
