package io.x0tta6bl4.transport;

import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.SvidTls;
import io.x0tta6bl4.identity.TrustBundle;
import java.time.Duration;
import java.time.InstantSource;
import java.util.function.Consumer;

/**
 * This node's one link to one peer: everything it sends that peer goes through here, each kind
 * of call on its own kept-alive connection so that one never waits behind another. Probes get a
 * short socket timeout (the prober keeps the real deadline); the watch is held for
 * {@link PeerServer#WATCH_HOLD} and needs a longer one. A member whose endpoints change gets a
 * new link; a member that leaves has its link closed.
 */
public final class PeerLink implements AutoCloseable {
    private final String peer;
    private final String address;
    private final PeerClient probes;
    private final PeerClient watches;

    private PeerLink(String peer, String address, PeerClient probes, PeerClient watches) {
        this.peer = peer;
        this.address = address;
        this.probes = probes;
        this.watches = watches;
    }

    /**
     * @param probeTimeout socket timeout of probes (longer than the prober's deadline, so a late answer does not cost the connection)
     * @param watchMargin  how much longer than the peer's watch hold a watch may wait
     */
    public static PeerLink open(String peer, String host, int port, NodeCredentials self, TrustBundle bundle, InstantSource clock,
                                Duration probeTimeout, Duration watchMargin, Consumer<SvidTls.Refusal> refused) {
        SpiffeId expected = SpiffeId.node(bundle.trustDomain(), peer);
        PeerClient probes = PeerClient.create(peer, host, port, self, bundle, clock, expected, probeTimeout, refused);
        PeerClient watches = PeerClient.create(peer, host, port, self, bundle, clock, expected, PeerServer.WATCH_HOLD.plus(watchMargin), refused);
        return new PeerLink(peer, host + ":" + port, probes, watches);
    }

    public String peer() {
        return peer;
    }

    /** {@code host:port} of the peer's listener. */
    public String address() {
        return address;
    }

    /** One probe: the peer's answer body. */
    public byte[] probe() throws PeerCallException {
        return probes.probe();
    }

    /** Holds a watch until the peer ends it; true if it said it is stopping (see {@link PeerClient#watch}). */
    public boolean watch() throws PeerCallException {
        return watches.watch();
    }

    @Override
    public void close() {
        probes.close();
        watches.close();
    }
}
