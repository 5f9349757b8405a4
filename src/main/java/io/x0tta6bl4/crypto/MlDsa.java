package io.x0tta6bl4.crypto;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;

/** ML-DSA-65 key pairs (FIPS 204, security category 3), from the JDK's implementation (JEP 497). */
public record MlDsa(MlDsaPublicKey publicKey, MlDsaPrivateKey privateKey) {
    static final String ALGORITHM = "ML-DSA-65";

    public static MlDsa generate(SecureRandom random) {
        KeyPair pair = Jca.generate("ML-DSA", NamedParameterSpec.ML_DSA_65, random);
        return new MlDsa(new MlDsaPublicKey(pair.getPublic()), new MlDsaPrivateKey(pair.getPrivate()));
    }
}
