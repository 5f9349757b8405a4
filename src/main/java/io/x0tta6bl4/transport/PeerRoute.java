package io.x0tta6bl4.transport;

import io.x0tta6bl4.identity.SpiffeId;
import java.util.function.Predicate;

/**
 * One route of the peer channel: a GET path, who may call it (beyond being let through the TLS
 * handshake at all), and what it answers. The node gives its listener the routes it serves
 * (probes today; the host agent's policy feed and node-to-node messages next), so the channel
 * is not hard-wired to two paths.
 */
public record PeerRoute(String path, Predicate<SpiffeId> callers, Handler handler) {
    public PeerRoute {
        if (path == null || !path.startsWith("/peer/")) {
            throw new IllegalArgumentException("a peer route lives under /peer/, got " + path);
        }
    }

    /** Computes the answer for a verified caller; may block (a held request). */
    public interface Handler {
        Reply handle(SpiffeId caller) throws InterruptedException;
    }

    /** What a route answers: a status and a JSON body (empty for none). */
    public record Reply(int status, byte[] body) {
        public static Reply json(byte[] body) {
            return new Reply(200, body);
        }
    }
}
