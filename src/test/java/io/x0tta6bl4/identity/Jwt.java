package io.x0tta6bl4.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.x0tta6bl4.crypto.MlDsaPrivateKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/** Hand-made JWS pieces, for tokens the issuer would never mint. */
final class Jwt {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private Jwt() {}

    static String b64(String json) {
        return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    static String b64(byte[] bytes) {
        return B64.encodeToString(bytes);
    }

    static String decode(String part) {
        return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
    }

    /** header, claims, signature; a token with a different shape is a test bug. */
    static String[] parts(String token) {
        String[] p = token.split("\\.", -1);
        if (p.length != 3) {
            throw new IllegalArgumentException("not a three-part token: " + token);
        }
        return p;
    }

    static String join(String header, String claims, String signature) {
        return header + "." + claims + "." + signature;
    }

    /** Signs {@code header.claims} (both already base64url) with {@code key}, as the issuer does. */
    static String signEncoded(MlDsaPrivateKey key, String header, String claims, SecureRandom random) {
        byte[] sig = key.sign((header + "." + claims).getBytes(StandardCharsets.US_ASCII), random);
        return join(header, claims, B64.encodeToString(sig));
    }

    static String sign(MlDsaPrivateKey key, String headerJson, String claimsJson, SecureRandom random) {
        return signEncoded(key, b64(headerJson), b64(claimsJson), random);
    }

    /** The CA's JWT signing key, read from {@code jwt.key} the way an operator's tool would. */
    static MlDsaPrivateKey jwtKey(Path caDir) {
        return MlDsaPrivateKey.decode(Fixtures.pemDer(caDir.resolve("jwt.key")));
    }

    /** The key id from {@code ca.json}. */
    static String kid(Path caDir) {
        try {
            return Json.MAPPER.readTree(Files.readString(caDir.resolve("ca.json"))).get("jwt_kid").textValue();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String header(String kid) {
        return "{\"alg\":\"ML-DSA-65\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}";
    }
}
