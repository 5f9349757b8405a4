package io.x0tta6bl4.identity;

import static io.x0tta6bl4.identity.TokenRejectedException.Reason.BAD_SIGNATURE;
import static io.x0tta6bl4.identity.TokenRejectedException.Reason.EXPIRED;
import static io.x0tta6bl4.identity.TokenRejectedException.Reason.FOREIGN_TRUST_DOMAIN;
import static io.x0tta6bl4.identity.TokenRejectedException.Reason.MALFORMED;
import static io.x0tta6bl4.identity.TokenRejectedException.Reason.NOT_YET_VALID;
import static io.x0tta6bl4.identity.TokenRejectedException.Reason.UNKNOWN_KEY;
import static io.x0tta6bl4.identity.TokenRejectedException.Reason.UNSUPPORTED_ALGORITHM;
import static io.x0tta6bl4.identity.TokenRejectedException.Reason.WRONG_AUDIENCE;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.x0tta6bl4.crypto.MlDsaPublicKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies JWT-SVIDs against a trust bundle, in a fixed order with one reason per failure:
 * structure, algorithm, key id, signature, subject's trust domain, time, audience.
 *
 * <p>The algorithm is pinned: only "ML-DSA-65" is accepted, whatever the header says, so there is
 * no "none" and no downgrade to a weaker or symmetric algorithm. Unknown {@code crit} headers are
 * refused (RFC 7515 §4.1.11).
 *
 * <p><b>Cache.</b> An ML-DSA-65 verification costs ~100 µs; an API sees the same token many times.
 * A token whose signature and claims verified is cached until it expires, keyed by the token text
 * itself: the map hashes it to find the bucket and compares it whole, which costs less than a
 * SHA-256 of the ~4.6 KB token and cannot collide. A hit still checks time and audience, which
 * are per-call. Only verified tokens enter the cache, and it is bounded: when full, expired entries
 * go first, and if none have expired it is emptied (a burst of distinct tokens costs
 * re-verification, never memory).
 */
public final class JwtSvidVerifier {
    public static final Duration DEFAULT_SKEW = Duration.ofSeconds(30);
    public static final int DEFAULT_CACHE_SIZE = 10_000;
    /** Tokens longer than this are refused before any parsing. */
    public static final int MAX_TOKEN_LENGTH = 16 * 1024;

    private final TrustBundle bundle;
    private final InstantSource clock;
    private final long skewSeconds;
    private final int cacheSize;
    private final ConcurrentHashMap<String, JwtSvidClaims> verified = new ConcurrentHashMap<>();

    public JwtSvidVerifier(TrustBundle bundle, InstantSource clock) {
        this(bundle, clock, DEFAULT_SKEW, DEFAULT_CACHE_SIZE);
    }

    public JwtSvidVerifier(TrustBundle bundle, InstantSource clock, Duration skew, int cacheSize) {
        if (skew.isNegative()) {
            throw new IllegalArgumentException("clock skew allowance must not be negative");
        }
        if (cacheSize < 1) {
            throw new IllegalArgumentException("token cache size must be at least 1, got " + cacheSize);
        }
        this.bundle = bundle;
        this.clock = clock;
        this.skewSeconds = skew.toSeconds();
        this.cacheSize = cacheSize;
    }

    /** Verifies {@code token} for {@code audience} at the clock's current time. */
    public JwtSvidClaims verify(String token, String audience) throws TokenRejectedException {
        Instant now = clock.instant();
        JwtSvidClaims claims = verified.get(token);
        if (claims == null) {
            claims = verifyUncached(token);
            checkTime(claims, now);
            cache(token, claims, now);
        } else {
            checkTime(claims, now);
        }
        if (!claims.audience().contains(audience)) {
            throw new TokenRejectedException(WRONG_AUDIENCE, "token is for " + claims.audience() + ", not '" + audience + "'");
        }
        return claims;
    }

    int cachedTokens() {
        return verified.size();
    }

    private void cache(String token, JwtSvidClaims claims, Instant now) {
        if (verified.size() >= cacheSize) {
            verified.values().removeIf(c -> !now.isBefore(c.expiresAt().plusSeconds(skewSeconds)));
            if (verified.size() >= cacheSize) {
                verified.clear();
            }
        }
        verified.put(token, claims);
    }

    private void checkTime(JwtSvidClaims c, Instant now) throws TokenRejectedException {
        if (!now.isBefore(c.expiresAt().plusSeconds(skewSeconds))) {
            throw new TokenRejectedException(EXPIRED, "token expired at " + c.expiresAt());
        }
        Instant earliest = c.notBefore().filter(nbf -> nbf.isAfter(c.issuedAt())).orElse(c.issuedAt());
        if (now.plusSeconds(skewSeconds).isBefore(earliest)) {
            throw new TokenRejectedException(NOT_YET_VALID, "token is not valid before " + earliest);
        }
    }

    private JwtSvidClaims verifyUncached(String token) throws TokenRejectedException {
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new TokenRejectedException(MALFORMED, "token is " + token.length() + " characters; the limit is " + MAX_TOKEN_LENGTH);
        }
        int dot1 = token.indexOf('.');
        int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
        if (dot1 < 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) {
            throw new TokenRejectedException(MALFORMED, "a JWT has three base64url parts separated by '.'");
        }
        JsonNode header = jsonPart(token.substring(0, dot1), "header");
        String alg = header.path("alg").asText(null);
        if (!JwtSvidIssuer.ALG.equals(alg)) {
            throw new TokenRejectedException(UNSUPPORTED_ALGORITHM, "alg '" + alg + "' is not accepted; only " + JwtSvidIssuer.ALG);
        }
        if (header.has("crit")) {
            throw new TokenRejectedException(MALFORMED, "critical header parameters are not supported");
        }
        JsonNode typ = header.get("typ");
        if (typ != null && !("JWT".equals(typ.asText()) || "JOSE".equals(typ.asText()))) {
            throw new TokenRejectedException(MALFORMED, "typ must be JWT or JOSE");
        }
        String kid = header.path("kid").asText(null);
        if (kid == null) {
            throw new TokenRejectedException(MALFORMED, "header has no 'kid'");
        }
        MlDsaPublicKey key = bundle.jwtAuthority(kid)
                .orElseThrow(() -> new TokenRejectedException(UNKNOWN_KEY, "kid '" + kid + "' is not in the " + bundle.trustDomain() + " trust bundle"));
        byte[] signature = base64url(token.substring(dot2 + 1), "signature");
        byte[] signingInput = token.substring(0, dot2).getBytes(StandardCharsets.US_ASCII);
        if (!key.verify(signingInput, signature)) {
            throw new TokenRejectedException(BAD_SIGNATURE, "signature does not verify with key '" + kid + "'");
        }
        JsonNode claims = jsonPart(token.substring(dot1 + 1, dot2), "claims");
        SpiffeId subject;
        try {
            subject = SpiffeId.parse(textClaim(claims, "sub"));
        } catch (InvalidSpiffeIdException e) {
            throw new TokenRejectedException(MALFORMED, "claim 'sub': " + e.getMessage());
        }
        if (!subject.memberOf(bundle.trustDomain())) {
            throw new TokenRejectedException(FOREIGN_TRUST_DOMAIN, "subject " + subject + " is not in trust domain " + bundle.trustDomain());
        }
        return new JwtSvidClaims(subject, audience(claims), Instant.ofEpochSecond(numericDate(claims, "exp", true)),
                Instant.ofEpochSecond(numericDate(claims, "iat", false)),
                claims.has("nbf") ? Optional.of(Instant.ofEpochSecond(numericDate(claims, "nbf", true))) : Optional.empty(),
                claims.path("jti").asText(""));
    }

    private static JsonNode jsonPart(String part, String what) throws TokenRejectedException {
        byte[] raw = base64url(part, what);
        try {
            JsonNode n = Json.MAPPER.readTree(raw);
            if (n == null || !n.isObject()) {
                throw new TokenRejectedException(MALFORMED, what + " is not a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new TokenRejectedException(MALFORMED, what + " is not valid JSON");
        } catch (java.io.IOException e) {
            throw new TokenRejectedException(MALFORMED, what + " cannot be read");
        }
    }

    private static byte[] base64url(String part, String what) throws TokenRejectedException {
        if (part.isEmpty()) {
            throw new TokenRejectedException(MALFORMED, what + " is empty");
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                throw new TokenRejectedException(MALFORMED, what + " is not unpadded base64url");
            }
        }
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new TokenRejectedException(MALFORMED, what + " is not valid base64url");
        }
    }

    private static String textClaim(JsonNode claims, String name) throws TokenRejectedException {
        JsonNode v = claims.get(name);
        if (v == null) {
            throw new TokenRejectedException(MALFORMED, "required claim '" + name + "' is missing");
        }
        if (!v.isTextual()) {
            throw new TokenRejectedException(MALFORMED, "claim '" + name + "' must be a string");
        }
        return v.textValue();
    }

    private static long numericDate(JsonNode claims, String name, boolean required) throws TokenRejectedException {
        JsonNode v = claims.get(name);
        if (v == null) {
            if (required) {
                throw new TokenRejectedException(MALFORMED, "required claim '" + name + "' is missing");
            }
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0 || v.longValue() > 253402300799L) {
            throw new TokenRejectedException(MALFORMED, "claim '" + name + "' must be a NumericDate (whole seconds since 1970)");
        }
        return v.longValue();
    }

    private static List<String> audience(JsonNode claims) throws TokenRejectedException {
        JsonNode aud = claims.get("aud");
        if (aud == null) {
            throw new TokenRejectedException(MALFORMED, "required claim 'aud' is missing");
        }
        List<String> out = new ArrayList<>();
        if (aud.isTextual()) {
            out.add(aud.textValue());
        } else if (aud.isArray()) {
            for (JsonNode a : aud) {
                if (!a.isTextual()) {
                    throw new TokenRejectedException(MALFORMED, "claim 'aud' must hold strings");
                }
                out.add(a.textValue());
            }
        }
        if (out.isEmpty()) {
            throw new TokenRejectedException(MALFORMED, "claim 'aud' must be a non-empty string or array of strings");
        }
        return out;
    }
}
