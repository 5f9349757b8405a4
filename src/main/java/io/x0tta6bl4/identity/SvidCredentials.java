package io.x0tta6bl4.identity;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * An X.509-SVID and its key, and nothing else, as a directory holds them:
 *
 * <pre>
 *   svid.crt   the X.509-SVID (PEM), then any intermediate CA certificate
 *   svid.key   its EC P-256 private key, mode 0600
 * </pre>
 *
 * What a host agent ({@link NodeIssuer#credentials()}) and an operator's CLI
 * ({@link CertificateAuthority#issueClient}) present in TLS: they hold no PQ keys, since they
 * neither receive envelopes nor sign ledger entries.
 */
public record SvidCredentials(SpiffeId id, List<X509Certificate> svidChain, PrivateKey svidKey) implements X509Credentials {
    public SvidCredentials {
        svidChain = List.copyOf(svidChain);
        if (svidChain.isEmpty()) {
            throw new IllegalArgumentException("an X.509-SVID chain needs at least the leaf");
        }
    }

    /**
     * Reads {@code svid.crt} and {@code svid.key} from {@code dir} and checks that the key is the
     * leaf's and that the leaf is no CA and has exactly one URI SAN, a SPIFFE ID; every problem
     * names the file.
     * Does not verify against a bundle.
     */
    public static SvidCredentials load(Path dir) {
        String hint = "issue an X.509-SVID into " + dir + " (x0tta6bl4 ca issue-host for a host agent)";
        Path certFile = dir.resolve(NodeCredentials.SVID_CERT);
        List<X509Certificate> chain = X509.readChain(certFile, CredentialFiles.read(certFile, hint));
        if (chain.getFirst().getBasicConstraints() != -1) {
            throw new CredentialFileException(certFile, "its first certificate is a CA certificate, not an X.509-SVID; the file starts with "
                    + "the leaf, then any intermediate");
        }
        SpiffeId id;
        try {
            id = TrustBundle.uriSan(chain.getFirst());
        } catch (IdentityVerificationException e) {
            throw new CredentialFileException(certFile, "its first certificate is not an X.509-SVID: " + e.getMessage());
        }
        Path keyFile = dir.resolve(NodeCredentials.SVID_KEY);
        PrivateKey key = X509.p256Private(keyFile, Pem.decode(keyFile, CredentialFiles.read(keyFile, hint), Pem.PRIVATE_KEY));
        if (!KeyMatch.ecMatches(chain.getFirst(), key)) {
            throw new CredentialFileException(keyFile, "does not match the public key in " + NodeCredentials.SVID_CERT
                    + "; the two files come from different issuances (issue both again)");
        }
        return new SvidCredentials(id, chain, key);
    }

    @Override
    public String toString() {
        return "SvidCredentials[" + id + ", chain of " + svidChain.size() + ", valid until " + svidChain.getFirst().getNotAfter().toInstant()
                + ", key redacted]";
    }
}
