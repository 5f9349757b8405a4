package io.x0tta6bl4.identity;

import io.x0tta6bl4.crypto.Encapsulation;
import io.x0tta6bl4.crypto.LocalKeys;
import io.x0tta6bl4.crypto.X25519;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;

/**
 * Checks that a node's private key files belong to its certificate and identity document. A
 * mismatch (a key copied from another node, a half-finished rotation) would otherwise surface
 * much later as an unexplained TLS or decryption failure; here it names the file.
 */
final class KeyMatch {
    private KeyMatch() {}

    static void check(Path dir, X509Certificate svid, PrivateKey svidKey, PqIdentityDocument doc, LocalKeys keys) {
        SecureRandom random = new SecureRandom();
        byte[] probe = new byte[32];
        random.nextBytes(probe);
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(svidKey);
            s.update(probe);
            byte[] sig = s.sign();
            s.initVerify(svid.getPublicKey());
            s.update(probe);
            if (!s.verify(sig)) {
                throw mismatch(dir.resolve(NodeCredentials.SVID_KEY), NodeCredentials.SVID_CERT);
            }
        } catch (GeneralSecurityException e) {
            throw new CredentialFileException(dir.resolve(NodeCredentials.SVID_KEY), "cannot be used with " + NodeCredentials.SVID_CERT + ": " + e.getMessage());
        }
        if (!doc.signingKey().verify(probe, keys.signing().sign(probe, random))) {
            throw mismatch(dir.resolve(NodeCredentials.MLDSA_KEY), NodeCredentials.IDENTITY);
        }
        try {
            Encapsulation e = doc.kemKey().encapsulate(random);
            if (!keys.kem().decapsulate(e.ciphertext()).equals(e.secret())) {
                throw mismatch(dir.resolve(NodeCredentials.MLKEM_KEY), NodeCredentials.IDENTITY);
            }
            X25519 ephemeral = X25519.generate(random);
            if (!keys.x25519().agree(ephemeral.publicKey()).equals(ephemeral.privateKey().agree(doc.x25519Key()))) {
                throw mismatch(dir.resolve(NodeCredentials.X25519_KEY), NodeCredentials.IDENTITY);
            }
        } catch (GeneralSecurityException e) {
            throw new CredentialFileException(dir, "key check failed: " + e.getMessage());
        }
    }

    private static CredentialFileException mismatch(Path keyFile, String publicFile) {
        return new CredentialFileException(keyFile, "does not match the public key in " + publicFile
                + "; the node's files come from different enrolments (re-enrol with ca issue-node under a new name)");
    }
}
