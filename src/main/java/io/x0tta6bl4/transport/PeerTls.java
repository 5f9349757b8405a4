package io.x0tta6bl4.transport;

import io.helidon.common.tls.Tls;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.SvidTls;
import io.x0tta6bl4.identity.TrustBundle;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;

/**
 * The TLS settings of the peer channel: TLS 1.3 only, this node's X.509-SVID on both sides, and
 * a SPIFFE trust manager that accepts only the trust bundle's CA and only the SPIFFE IDs the
 * caller allows. The server requires a client certificate; a client accepts exactly the peer it
 * meant to call, so a member cannot stand in for another.
 */
final class PeerTls {
    static final String PROTOCOL = "TLSv1.3";

    private PeerTls() {}

    static Tls client(NodeCredentials self, TrustBundle bundle, InstantSource clock, SpiffeId expected, Consumer<SvidTls.Refusal> refused) {
        return Tls.builder()
                .sslContext(context(self, bundle, clock, expected::equals, refused))
                .enabledProtocols(List.of(PROTOCOL))
                // The peer is identified by its SPIFFE ID (URI SAN), not its host name.
                .endpointIdentificationAlgorithm(Tls.ENDPOINT_IDENTIFICATION_NONE)
                .build();
    }

    /**
     * The context of both ends; {@code PeerServer} sets TLS 1.3 only and requires a client
     * certificate on its own socket, {@link #client} through Helidon's settings.
     */
    static SSLContext context(NodeCredentials self, TrustBundle bundle, InstantSource clock, Predicate<SpiffeId> allowed,
                              Consumer<SvidTls.Refusal> refused) {
        return SvidTls.sslContext(self, SvidTls.trustManager(bundle, clock, allowed, refused));
    }
}
