package io.x0tta6bl4.identity;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Mutual TLS with X.509-SVIDs. The key manager presents this party's SVID chain (with the host's
 * intermediate CA when a host agent issued it); the trust manager
 * accepts a peer only if its chain validates to the trust bundle's root under the SPIFFE rules
 * ({@link TrustBundle#verifySvid}) and its SPIFFE ID passes {@code authorized} (membership).
 *
 * <p>Host names are not checked: a SPIFFE peer is identified by its URI SAN, not by DNS, which is
 * what the SPIFFE X.509-SVID specification asks of verifiers. Every refusal is reported to
 * {@code refused} (for the security log) before the handshake fails.
 */
public final class SvidTls {
    private SvidTls() {}

    /** Key managers presenting {@code node}'s SVID chain (a node's, a host agent's or a client's). */
    public static KeyManager[] keyManagers(X509Credentials node) {
        try {
            char[] password = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, password);
            store.setKeyEntry("svid", node.svidKey(), password, node.svidChain().toArray(X509Certificate[]::new));
            // SunX509 reads the key once here. PKIX would read it from the PKCS#12 store on every
            // handshake, and that is a PBKDF2 key derivation each time: it was most of a node's CPU.
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
            kmf.init(store, password);
            return kmf.getKeyManagers();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build a TLS key manager from the SVID of " + node.id(), e);
        }
    }

    /**
     * A TLS 1.3 context presenting this party's SVID. {@code trust} is null for a listener that
     * asks for no client certificate (the API).
     */
    public static SSLContext sslContext(X509Credentials node, X509ExtendedTrustManager trust) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(keyManagers(node), trust == null ? null : new TrustManager[] {trust}, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS 1.3 for " + node.id(), e);
        }
    }

    /**
     * The SPIFFE ID of a peer whose chain this class's trust manager already accepted in the
     * handshake (leaf first), read from its URI SAN without validating the chain again.
     */
    public static SpiffeId acceptedPeer(X509Certificate leaf) throws IdentityVerificationException {
        return TrustBundle.uriSan(leaf);
    }

    /** Every URI SAN of a certificate, as written (none, one, or several for a certificate that is not an SVID). */
    public static List<String> uriSans(X509Certificate cert) throws CertificateParsingException {
        var sans = cert.getSubjectAlternativeNames();
        return sans == null ? List.of() : sans.stream().filter(san -> Integer.valueOf(6).equals(san.get(0))).map(san -> (String) san.get(1)).toList();
    }

    /**
     * @param authorized which verified SPIFFE IDs may connect (e.g. the configured peers)
     * @param refused    told of every refused certificate chain, before the handshake fails
     */
    public static X509ExtendedTrustManager trustManager(TrustBundle bundle, InstantSource clock, Predicate<SpiffeId> authorized,
                                                        Consumer<Refusal> refused) {
        return new SpiffeTrustManager(bundle, clock, authorized, refused);
    }

    /**
     * One refused handshake.
     *
     * @param leaf   the certificate the peer presented, or null if it presented none
     * @param reason why it was refused, for a human
     * @param remote the peer's address as {@code host:port}, or {@code "unknown"}
     */
    public record Refusal(X509Certificate leaf, String reason, String remote) {}

    private static final class SpiffeTrustManager extends X509ExtendedTrustManager {
        private final TrustBundle bundle;
        private final InstantSource clock;
        private final Predicate<SpiffeId> authorized;
        private final Consumer<Refusal> refused;

        SpiffeTrustManager(TrustBundle bundle, InstantSource clock, Predicate<SpiffeId> authorized, Consumer<Refusal> refused) {
            this.bundle = bundle;
            this.clock = clock;
            this.authorized = authorized;
            this.refused = refused;
        }

        private void check(X509Certificate[] chain, String remote) throws CertificateException {
            X509Certificate leaf = chain == null || chain.length == 0 ? null : chain[0];
            String problem;
            try {
                SpiffeId id = bundle.verifySvid(chain == null ? List.of() : List.of(chain), clock.instant());
                if (authorized.test(id)) {
                    return;
                }
                problem = id + " is not a member allowed to connect";
            } catch (IdentityVerificationException e) {
                problem = e.getMessage();
            }
            refused.accept(new Refusal(leaf, problem, remote));
            throw new CertificateException("peer refused: " + problem);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain, "unknown");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain, "unknown");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain, socket == null || socket.getRemoteSocketAddress() == null ? "unknown" : address(socket.getRemoteSocketAddress()));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain, socket == null || socket.getRemoteSocketAddress() == null ? "unknown" : address(socket.getRemoteSocketAddress()));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain, engine == null || engine.getPeerHost() == null ? "unknown" : engine.getPeerHost() + ":" + engine.getPeerPort());
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain, engine == null || engine.getPeerHost() == null ? "unknown" : engine.getPeerHost() + ":" + engine.getPeerPort());
        }

        private static String address(java.net.SocketAddress a) {
            return a instanceof java.net.InetSocketAddress i ? i.getAddress().getHostAddress() + ":" + i.getPort() : a.toString();
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[] {bundle.x509Root()};
        }
    }
}
