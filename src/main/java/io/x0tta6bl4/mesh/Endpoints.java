package io.x0tta6bl4.mesh;

/**
 * Where a member listens: the address it announces and the ports its three listeners bound (the
 * kernel picks them the first time; the node keeps them across restarts).
 */
public record Endpoints(String host, int api, int peer, int raft) {
    public Endpoints {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is missing");
        }
        for (int p : new int[] {api, peer, raft}) {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("port " + p + " is not 1..65535");
            }
        }
    }
}
