package io.x0tta6bl4.identity;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Mutual TLS with X.509-SVIDs. The key manager presents this node's SVID; the trust manager
 * accepts a peer only if its chain validates to the trust bundle's root under the SPIFFE rules
 * ({@link TrustBundle#verifySvid}) and its SPIFFE ID passes {@code authorized} (membership).
 *
 * <p>Host names are not checked: a SPIFFE peer is identified by its URI SAN, not by DNS, which is
 * what the SPIFFE X.509-SVID specification asks of verifiers. Every refusal is reported to
 * {@code refused} (for the security log) before the handshake fails.
 */
public final class SvidTls {
    private SvidTls() {}

    public static KeyManager[] keyManagers(NodeCredentials node) {
        try {
            char[] password = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, password);
            store.setKeyEntry("svid", node.svidKey(), password, node.svidChain().toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
            kmf.init(store, password);
            return kmf.getKeyManagers();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build a TLS key manager from the SVID of " + node.id(), e);
        }
    }

    /**
     * @param authorized which verified SPIFFE IDs may connect (e.g. the configured peers)
     * @param refused    told of every refused certificate chain: (presented leaf or null, reason)
     */
    public static X509ExtendedTrustManager trustManager(TrustBundle bundle, InstantSource clock, Predicate<SpiffeId> authorized,
                                                        BiConsumer<X509Certificate, String> refused) {
        return new SpiffeTrustManager(bundle, clock, authorized, refused);
    }

    private static final class SpiffeTrustManager extends X509ExtendedTrustManager {
        private final TrustBundle bundle;
        private final InstantSource clock;
        private final Predicate<SpiffeId> authorized;
        private final BiConsumer<X509Certificate, String> refused;

        SpiffeTrustManager(TrustBundle bundle, InstantSource clock, Predicate<SpiffeId> authorized, BiConsumer<X509Certificate, String> refused) {
            this.bundle = bundle;
            this.clock = clock;
            this.authorized = authorized;
            this.refused = refused;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
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
            refused.accept(leaf, problem);
            throw new CertificateException("peer refused: " + problem);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[] {bundle.x509Root()};
        }
    }
}
