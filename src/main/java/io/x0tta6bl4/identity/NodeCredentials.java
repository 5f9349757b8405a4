package io.x0tta6bl4.identity;

import io.x0tta6bl4.crypto.LocalKeys;
import io.x0tta6bl4.crypto.MlDsaPrivateKey;
import io.x0tta6bl4.crypto.MlKemPrivateKey;
import io.x0tta6bl4.crypto.X25519PrivateKey;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * One node's credentials, as {@code ca issue-node} ({@link CertificateAuthority#issueNode}) or a
 * host agent ({@link NodeIssuer#issueNode}) writes them:
 *
 * <pre>
 *   svid.crt       X.509-SVID (PEM), for mutual TLS, then the host's intermediate CA if a host issued it
 *   svid.key       its EC P-256 private key, mode 0600
 *   mldsa.key      ML-DSA-65 private key, mode 0600
 *   mlkem.key      ML-KEM-768 private key, mode 0600
 *   x25519.key     X25519 private key, mode 0600
 *   identity.json  PQ identity document (public keys; signed by the ML-DSA-65 root, version 1,
 *                  or by a host's issuer, version 2)
 * </pre>
 */
public record NodeCredentials(Path dir, SpiffeId id, List<X509Certificate> svidChain, PrivateKey svidKey, LocalKeys keys,
                              PqIdentityDocument identity) implements X509Credentials {
    static final String SVID_CERT = "svid.crt";
    static final String SVID_KEY = "svid.key";
    static final String MLDSA_KEY = "mldsa.key";
    static final String MLKEM_KEY = "mlkem.key";
    static final String X25519_KEY = "x25519.key";
    static final String IDENTITY = "identity.json";

    public NodeCredentials {
        svidChain = List.copyOf(svidChain);
    }

    private static <K> K decode(Path file, String hint, java.util.function.Function<byte[], K> decoder) {
        try {
            return decoder.apply(Pem.decode(file, CredentialFiles.read(file, hint), Pem.PRIVATE_KEY));
        } catch (io.x0tta6bl4.crypto.KeyFormatException e) {
            throw new CredentialFileException(file, e.getMessage());
        }
    }

    /** Reads a node directory; every problem names the file. Does not verify against a bundle. */
    public static NodeCredentials load(Path dir) {
        String hint = "enrol the node with: x0tta6bl4 ca issue-node --dir CA_DIR --name " + dir.getFileName();
        Path certFile = dir.resolve(SVID_CERT);
        List<X509Certificate> chain = X509.readChain(certFile, CredentialFiles.read(certFile, hint));
        Path svidKeyFile = dir.resolve(SVID_KEY);
        PrivateKey svidKey = X509.p256Private(svidKeyFile, Pem.decode(svidKeyFile, CredentialFiles.read(svidKeyFile, hint), Pem.PRIVATE_KEY));
        Path idFile = dir.resolve(IDENTITY);
        PqIdentityDocument doc;
        try {
            doc = PqIdentityDocument.fromJson(idFile.toString(), CredentialFiles.read(idFile, hint));
        } catch (IllegalArgumentException e) {
            throw new CredentialFileException(idFile, e.getMessage());
        }
        MlDsaPrivateKey dsa = CertificateAuthority.mlDsaKey(dir.resolve(MLDSA_KEY), hint);
        Path kemFile = dir.resolve(MLKEM_KEY);
        MlKemPrivateKey kem = decode(kemFile, hint, MlKemPrivateKey::decode);
        Path xFile = dir.resolve(X25519_KEY);
        X25519PrivateKey x = decode(xFile, hint, X25519PrivateKey::decode);
        LocalKeys keys = new LocalKeys(doc.spiffeId().toString(), dsa, kem, x, doc.x25519Key());
        KeyMatch.check(dir, chain.getFirst(), svidKey, doc, keys);
        return new NodeCredentials(dir, doc.spiffeId(), chain, svidKey, keys, doc);
    }
}
