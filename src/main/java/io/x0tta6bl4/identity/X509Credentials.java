package io.x0tta6bl4.identity;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * An X.509-SVID with its private key: what a party presents in a TLS handshake
 * ({@link SvidTls}). A node has one among its other keys ({@link NodeCredentials}); a host agent
 * or an operator's CLI has only this ({@link SvidCredentials}).
 */
public sealed interface X509Credentials permits NodeCredentials, SvidCredentials {
    /** The SPIFFE ID in the leaf's URI SAN. */
    SpiffeId id();

    /** The leaf first, then any intermediate CA a peer needs to reach the root (never the root). */
    List<X509Certificate> svidChain();

    /** The leaf's EC P-256 private key. */
    PrivateKey svidKey();
}
