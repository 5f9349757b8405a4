package io.x0tta6bl4.monitor;

/**
 * A peer moved from one state to another in this node's view, at {@code atNanos} on the
 * detector's clock; {@code evidence} says why, for the ledger entry (NODE_SUSPECT, NODE_DOWN,
 * NODE_ALIVE) and for root-cause analysis.
 */
public record StateChange(String peer, PeerState from, PeerState to, long atNanos, String evidence) {}
