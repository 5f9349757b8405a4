package io.x0tta6bl4.monitor;

/** What one node believes about a peer. */
public enum PeerState {
    ALIVE,
    SUSPECT,
    DOWN
}
