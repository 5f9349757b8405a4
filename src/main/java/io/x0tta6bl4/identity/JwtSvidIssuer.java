package io.x0tta6bl4.identity;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.crypto.MlDsaPrivateKey;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Mints JWT-SVIDs: compact JWS (RFC 7515) with {@code alg} "ML-DSA-65" (the JOSE name from
 * draft-ietf-cose-dilithium), a {@code kid} naming the trust bundle key, and the claims the
 * JWT-SVID specification requires ({@code sub}, {@code aud}, {@code exp}) plus {@code iat} and a
 * random {@code jti}.
 */
public final class JwtSvidIssuer {
    static final String ALG = "ML-DSA-65";
    /** Longest token lifetime accepted: a bearer token is meant to be short-lived. */
    public static final Duration MAX_TTL = Duration.ofDays(366);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final String trustDomain;
    private final String kid;
    private final MlDsaPrivateKey key;
    private final SecureRandom random;

    JwtSvidIssuer(String trustDomain, String kid, MlDsaPrivateKey key, SecureRandom random) {
        this.trustDomain = trustDomain;
        this.kid = kid;
        this.key = key;
        this.random = random;
    }

    /** A token for {@code subject}, valid from {@code now} for {@code ttl}. */
    public String issue(SpiffeId subject, List<String> audience, Duration ttl, Instant now) {
        if (!subject.memberOf(trustDomain)) {
            throw new IllegalArgumentException("subject " + subject + " is not in trust domain " + trustDomain
                    + "; this CA issues tokens for spiffe://" + trustDomain + "/...");
        }
        if (audience.isEmpty() || audience.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("a JWT-SVID needs at least one non-empty audience");
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("token ttl must be positive, got " + ttl);
        }
        if (ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("token ttl " + ttl + " is longer than the " + MAX_TTL.toDays() + "-day limit; bearer tokens should be short-lived");
        }
        ObjectNode header = Json.MAPPER.createObjectNode();
        header.put("alg", ALG);
        header.put("kid", kid);
        header.put("typ", "JWT");
        ObjectNode claims = Json.MAPPER.createObjectNode();
        claims.put("sub", subject.toString());
        ArrayNode aud = claims.putArray("aud");
        audience.forEach(aud::add);
        claims.put("exp", now.plus(ttl).getEpochSecond());
        claims.put("iat", now.getEpochSecond());
        byte[] jti = new byte[16];
        random.nextBytes(jti);
        claims.put("jti", HexFormat.of().formatHex(jti));
        String signingInput = B64.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        byte[] signature = key.sign(signingInput.getBytes(StandardCharsets.US_ASCII), random);
        return signingInput + "." + B64.encodeToString(signature);
    }
}
