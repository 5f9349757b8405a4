package io.x0tta6bl4.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.KDF;
import javax.crypto.spec.HKDFParameterSpec;

/** HKDF-SHA256 (RFC 5869) through the JDK's KDF API (JEP 510). */
public final class Hkdf {
    private static final String ALGORITHM = "HKDF-SHA256";

    private Hkdf() {}

    /** Extract-then-expand an AES-256 key from {@code secret}, bound to {@code salt} and {@code info}. */
    public static AesKey aes256(SharedSecret secret, byte[] salt, byte[] info) {
        try {
            var params = HKDFParameterSpec.ofExtract().addIKM(secret.bytes()).addSalt(salt).thenExpand(info, 32);
            return new AesKey(KDF.getInstance(ALGORITHM).deriveKey("AES", params));
        } catch (GeneralSecurityException e) {
            throw Jca.missing(ALGORITHM, e);
        }
    }
}
