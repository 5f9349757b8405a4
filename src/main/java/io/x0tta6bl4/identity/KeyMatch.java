package io.x0tta6bl4.identity;

import io.x0tta6bl4.crypto.Encapsulation;
import io.x0tta6bl4.crypto.LocalKeys;
import io.x0tta6bl4.crypto.MlDsaPrivateKey;
import io.x0tta6bl4.crypto.MlDsaPublicKey;
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
        if (!ecMatches(svid, svidKey)) {
            throw mismatch(dir.resolve(NodeCredentials.SVID_KEY), NodeCredentials.SVID_CERT);
        }
        if (!mlDsaMatches(doc.signingKey(), keys.signing())) {
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

    /** Whether {@code key} is the private key of {@code cert}'s EC public key (a signature made with one verifies with the other). */
    static boolean ecMatches(X509Certificate cert, PrivateKey key) {
        byte[] probe = new byte[32];
        new SecureRandom().nextBytes(probe);
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            s.initVerify(cert.getPublicKey());
            s.update(probe);
            return s.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Whether {@code key} is the private half of {@code publicKey}. */
    static boolean mlDsaMatches(MlDsaPublicKey publicKey, MlDsaPrivateKey key) {
        SecureRandom random = new SecureRandom();
        byte[] probe = new byte[32];
        random.nextBytes(probe);
        return publicKey.verify(probe, key.sign(probe, random));
    }

    private static CredentialFileException mismatch(Path keyFile, String publicFile) {
        return new CredentialFileException(keyFile, "does not match the public key in " + publicFile
                + "; the node's files come from different enrolments (re-enrol with ca issue-node under a new name)");
    }
}
