package io.x0tta6bl4.crypto;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;

/** ML-KEM-768 key pairs (FIPS 203, security category 3), from the JDK's implementation (JEP 496). */
public record MlKem(MlKemPublicKey publicKey, MlKemPrivateKey privateKey) {
    static final String ALGORITHM = "ML-KEM-768";

    public static MlKem generate(SecureRandom random) {
        KeyPair pair = Jca.generate("ML-KEM", NamedParameterSpec.ML_KEM_768, random);
        return new MlKem(new MlKemPublicKey(pair.getPublic()), new MlKemPrivateKey(pair.getPrivate()));
    }
}
