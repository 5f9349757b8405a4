package io.x0tta6bl4.identity;

import io.x0tta6bl4.crypto.MlDsa;
import io.x0tta6bl4.crypto.MlDsaPrivateKey;
import io.x0tta6bl4.crypto.MlKem;
import io.x0tta6bl4.crypto.X25519;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Writes one node's credentials (the files {@link NodeCredentials} lists), whoever signs them:
 * the CA's roots ({@link CertificateAuthority#issueNode}, a version 1 identity document) or a
 * host agent's issuer ({@link NodeIssuer#issueNode}, version 2). Every key and signature is made
 * before the first file is written, so a refusal leaves nothing behind.
 */
final class NodeEnrolment {
    private NodeEnrolment() {}

    /**
     * @param svidIssuer    the certificate that signs the SVID (the root, or the host's intermediate)
     * @param chainAbove    certificates written after the SVID in svid.crt (the intermediate, or none)
     * @param documentKey   the ML-DSA-65 key that signs the identity document
     * @param issuer        the issuer the document names (version 2), or empty (version 1)
     */
    static NodeCredentials write(Path nodeDir, SpiffeId id, X509Certificate svidIssuer, PrivateKey svidIssuerKey,
                                 List<X509Certificate> chainAbove, MlDsaPrivateKey documentKey, Optional<PqIdentityDocument.Issuer> issuer,
                                 Instant notBefore, Instant notAfter, SecureRandom random) {
        KeyPair tls = X509.p256(random);
        X509Certificate svid = X509.svid(svidIssuer, svidIssuerKey, tls.getPublic(), id, List.of("localhost"), List.of("127.0.0.1"),
                notBefore, notAfter, random);
        MlDsa dsa = MlDsa.generate(random);
        MlKem kem = MlKem.generate(random);
        X25519 x = X25519.generate(random);
        byte[] fingerprint = TrustBundle.fingerprint(svid);
        Instant from = svid.getNotBefore().toInstant();
        Instant until = svid.getNotAfter().toInstant();
        byte[] tbs = PqIdentityDocument.toBeSigned(id, dsa.publicKey(), kem.publicKey(), x.publicKey(), fingerprint, from, until, issuer);
        PqIdentityDocument doc = new PqIdentityDocument(id, dsa.publicKey(), kem.publicKey(), x.publicKey(), fingerprint, from, until,
                issuer, documentKey.sign(tbs, random));

        StringBuilder chain = new StringBuilder(X509.pem(svid));
        chainAbove.forEach(c -> chain.append(X509.pem(c)));
        CredentialFiles.createDirectory(nodeDir);
        CredentialFiles.writeSecret(nodeDir.resolve(NodeCredentials.SVID_KEY), Pem.encode(Pem.PRIVATE_KEY, tls.getPrivate().getEncoded()));
        CredentialFiles.writeSecret(nodeDir.resolve(NodeCredentials.MLDSA_KEY), Pem.encode(Pem.PRIVATE_KEY, dsa.privateKey().encoded()));
        CredentialFiles.writeSecret(nodeDir.resolve(NodeCredentials.MLKEM_KEY), Pem.encode(Pem.PRIVATE_KEY, kem.privateKey().encoded()));
        CredentialFiles.writeSecret(nodeDir.resolve(NodeCredentials.X25519_KEY), Pem.encode(Pem.PRIVATE_KEY, x.privateKey().encoded()));
        CredentialFiles.writePublic(nodeDir.resolve(NodeCredentials.SVID_CERT), chain.toString());
        CredentialFiles.writePublic(nodeDir.resolve(NodeCredentials.IDENTITY), doc.toJson());
        return NodeCredentials.load(nodeDir);
    }
}
