package io.x0tta6bl4.identity;

import static io.x0tta6bl4.identity.Fixtures.DOMAIN;
import static io.x0tta6bl4.identity.Fixtures.T0;
import static io.x0tta6bl4.identity.TokenRejectedException.Reason.BAD_SIGNATURE;
import static io.x0tta6bl4.identity.TokenRejectedException.Reason.EXPIRED;
import static io.x0tta6bl4.identity.TokenRejectedException.Reason.FOREIGN_TRUST_DOMAIN;
import static io.x0tta6bl4.identity.TokenRejectedException.Reason.MALFORMED;
import static io.x0tta6bl4.identity.TokenRejectedException.Reason.NOT_YET_VALID;
import static io.x0tta6bl4.identity.TokenRejectedException.Reason.UNKNOWN_KEY;
import static io.x0tta6bl4.identity.TokenRejectedException.Reason.UNSUPPORTED_ALGORITHM;
import static io.x0tta6bl4.identity.TokenRejectedException.Reason.WRONG_AUDIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.x0tta6bl4.crypto.MlDsaPrivateKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JwtSvidTest {
    private static final SpiffeId SUBJECT = SpiffeId.app(DOMAIN, "billing");
    private static final Duration TTL = Duration.ofMinutes(5);
    private static final Instant EXP = T0.plus(TTL);

    @TempDir static Path tmp;

    private static CertificateAuthority ca;
    private static CertificateAuthority impostor;
    private static MlDsaPrivateKey jwtKey;
    private static String kid;

    private MutableClock clock;
    private JwtSvidIssuer issuer;
    private JwtSvidVerifier verifier;
    private TestRandom random;

    @BeforeAll
    static void createCas() {
        ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);
        impostor = Fixtures.ca(tmp.resolve("impostor"), DOMAIN, 2);
        jwtKey = Jwt.jwtKey(ca.dir());
        kid = Jwt.kid(ca.dir());
    }

    @BeforeEach
    void setUp() {
        random = new TestRandom(10);
        clock = new MutableClock(T0);
        issuer = ca.jwtIssuer(random);
        verifier = new JwtSvidVerifier(ca.bundle(), clock, Duration.ofSeconds(30), 100);
    }

    private String token() {
        return issuer.issue(SUBJECT, List.of("api"), TTL, T0);
    }

    private String claims(String json) {
        return Jwt.sign(jwtKey, Jwt.header(kid), json, random);
    }

    private static String standardClaims() {
        return "{\"sub\":\"" + SUBJECT + "\",\"aud\":[\"api\"],\"exp\":" + EXP.getEpochSecond() + ",\"iat\":" + T0.getEpochSecond() + "}";
    }

    private void assertRejected(String token, TokenRejectedException.Reason reason, String detail) {
        assertThatThrownBy(() -> verifier.verify(token, "api"))
                .isInstanceOf(TokenRejectedException.class)
                .satisfies(e -> assertThat(((TokenRejectedException) e).reason()).isEqualTo(reason))
                .hasMessageStartingWith(reason.code() + ": ")
                .hasMessageContaining(detail);
    }

    // ---- the happy path ----

    @Test
    void anIssuedTokenVerifiesAndGivesBackItsClaims() throws Exception {
        JwtSvidClaims c = verifier.verify(token(), "api");

        assertThat(c.subject()).isEqualTo(SUBJECT);
        assertThat(c.audience()).containsExactly("api");
        assertThat(c.expiresAt()).isEqualTo(EXP);
        assertThat(c.issuedAt()).isEqualTo(T0);
        assertThat(c.notBefore()).isEmpty();
        assertThat(c.jwtId()).matches("[0-9a-f]{32}");
    }

    @Test
    void theTokenHasTheDocumentedHeaderAndClaims() throws Exception {
        String[] p = Jwt.parts(token());

        assertThat(Jwt.decode(p[0])).isEqualTo("{\"alg\":\"ML-DSA-65\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}");
        JsonNode claims = Json.MAPPER.readTree(Jwt.decode(p[1]));
        assertThat(claims.properties()).extracting(Map.Entry::getKey).containsExactly("sub", "aud", "exp", "iat", "jti");
        assertThat(claims.get("sub").textValue()).isEqualTo("spiffe://example.org/app/billing");
        assertThat(claims.get("exp").longValue()).isEqualTo(EXP.getEpochSecond());
        assertThat(java.util.Base64.getUrlDecoder().decode(p[2])).hasSize(3309);
    }

    @Test
    void twoTokensForTheSameSubjectDifferInTheirJti() throws Exception {
        JwtSvidClaims one = verifier.verify(token(), "api");
        JwtSvidClaims two = verifier.verify(token(), "api");

        assertThat(one.jwtId()).isNotEqualTo(two.jwtId());
    }

    @Test
    void aTokenForSeveralAudiencesVerifiesForEachOfThem() throws Exception {
        String t = issuer.issue(SUBJECT, List.of("api", "ledger"), TTL, T0);

        assertThat(verifier.verify(t, "api").audience()).containsExactly("api", "ledger");
        assertThat(verifier.verify(t, "ledger").subject()).isEqualTo(SUBJECT);
        assertThatThrownBy(() -> verifier.verify(t, "other"))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessageStartingWith("wrong_audience");
    }

    @Test
    void audienceAsASingleStringAndTypJoseAreAccepted() throws Exception {
        String t = Jwt.sign(jwtKey, "{\"alg\":\"ML-DSA-65\",\"kid\":\"" + kid + "\",\"typ\":\"JOSE\"}",
                "{\"sub\":\"" + SUBJECT + "\",\"aud\":\"api\",\"exp\":" + EXP.getEpochSecond() + "}", random);

        JwtSvidClaims c = verifier.verify(t, "api");

        assertThat(c.audience()).containsExactly("api");
        assertThat(c.issuedAt()).isEqualTo(Instant.EPOCH);
        assertThat(c.jwtId()).isEmpty();
    }

    @Test
    void aTokenReadFromTheCaDirectoryKeyVerifiesLikeAnIssuedOne() throws Exception {
        // Guards the hand-made tokens below: the test signer, with a valid token, is accepted.
        assertThat(verifier.verify(claims(standardClaims()), "api").subject()).isEqualTo(SUBJECT);
    }

    // ---- the issuer refuses what it must not mint ----

    @Test
    void theIssuerRefusesASubjectOfAnotherTrustDomain() {
        assertThatThrownBy(() -> issuer.issue(SpiffeId.app("other.org", "x"), List.of("api"), TTL, T0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not in trust domain example.org");
    }

    @Test
    void theIssuerRefusesNoAudienceABlankAudienceAndANonPositiveTtl() {
        assertThatThrownBy(() -> issuer.issue(SUBJECT, List.of(), TTL, T0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one non-empty audience");
        assertThatThrownBy(() -> issuer.issue(SUBJECT, List.of("api", " "), TTL, T0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one non-empty audience");
        assertThatThrownBy(() -> issuer.issue(SUBJECT, List.of("api"), Duration.ZERO, T0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl must be positive");
    }

    @Test
    void aNegativeSkewIsRefused() {
        assertThatThrownBy(() -> new JwtSvidVerifier(ca.bundle(), clock, Duration.ofSeconds(-1), 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be negative");
    }

    // ---- MALFORMED ----

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "a.b", "a.b.c.d", "..", "...", "a..c"})
    void notThreeNonEmptyPartsIsMalformed(String token) {
        assertThatThrownBy(() -> verifier.verify(token, "api"))
                .isInstanceOf(TokenRejectedException.class)
                .satisfies(e -> assertThat(((TokenRejectedException) e).reason()).isEqualTo(MALFORMED));
    }

    @Test
    void notBase64urlIsMalformed() {
        String[] p = Jwt.parts(token());

        assertRejected(Jwt.join(p[0] + "!", p[1], p[2]), MALFORMED, "header is not unpadded base64url");
        assertRejected(Jwt.join(p[0], p[1], p[2].replace('-', '+').replace('_', '/') + "+/"), MALFORMED,
                "signature is not unpadded base64url");
        assertRejected(Jwt.join(p[0].substring(0, 5), p[1], p[2]), MALFORMED, "header is not valid base64url");
    }

    @Test
    void paddingIsMalformed() {
        String[] p = Jwt.parts(token());

        assertRejected(Jwt.join(p[0] + "=", p[1], p[2]), MALFORMED, "header is not unpadded base64url");
        assertRejected(Jwt.join(p[0], p[1], p[2] + "=="), MALFORMED, "signature is not unpadded base64url");
        // The signature covers the encoded text, so padding on the claims is caught by the signature check.
        assertRejected(Jwt.join(p[0], p[1] + "=", p[2]), BAD_SIGNATURE, "signature does not verify");
    }

    @Test
    void aHeaderThatIsNotAJsonObjectIsMalformed() {
        String[] p = Jwt.parts(token());

        assertRejected(Jwt.join(Jwt.b64("not json"), p[1], p[2]), MALFORMED, "header is not valid JSON");
        assertRejected(Jwt.join(Jwt.b64("[\"ML-DSA-65\"]"), p[1], p[2]), MALFORMED, "header is not a JSON object");
        assertRejected(Jwt.join(Jwt.b64("{\"alg\":\"ML-DSA-65\"} {}"), p[1], p[2]), MALFORMED, "header is not valid JSON");
    }

    @Test
    void aDuplicatedHeaderParameterIsMalformed() {
        String[] p = Jwt.parts(token());
        String header = "{\"alg\":\"none\",\"alg\":\"ML-DSA-65\",\"kid\":\"" + kid + "\"}";

        assertRejected(Jwt.join(Jwt.b64(header), p[1], p[2]), MALFORMED, "header is not valid JSON");
    }

    @Test
    void critTypAndMissingKidAreMalformed() {
        String[] p = Jwt.parts(token());

        assertRejected(Jwt.join(Jwt.b64("{\"alg\":\"ML-DSA-65\",\"kid\":\"" + kid + "\",\"crit\":[\"exp\"]}"), p[1], p[2]),
                MALFORMED, "critical header parameters are not supported");
        assertRejected(Jwt.join(Jwt.b64("{\"alg\":\"ML-DSA-65\",\"kid\":\"" + kid + "\",\"typ\":\"JWS\"}"), p[1], p[2]),
                MALFORMED, "typ must be JWT or JOSE");
        assertRejected(Jwt.join(Jwt.b64("{\"alg\":\"ML-DSA-65\",\"typ\":\"JWT\"}"), p[1], p[2]), MALFORMED, "header has no 'kid'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sub", "aud", "exp"})
    void aSignedTokenWithoutARequiredClaimIsMalformed(String claim) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode c = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(standardClaims());
        c.remove(claim);

        assertRejected(claims(c.toString()), MALFORMED, "required claim '" + claim + "' is missing");
    }

    @Test
    void signedButIllFormedClaimsAreMalformed() {
        long exp = EXP.getEpochSecond();
        assertRejected(claims("not json"), MALFORMED, "claims is not valid JSON");
        assertRejected(claims("[1,2]"), MALFORMED, "claims is not a JSON object");
        assertRejected(claims("{\"sub\":\"https://example.org/x\",\"aud\":\"api\",\"exp\":" + exp + "}"), MALFORMED,
                "claim 'sub': invalid SPIFFE ID");
        assertRejected(claims("{\"sub\":7,\"aud\":\"api\",\"exp\":" + exp + "}"), MALFORMED, "claim 'sub' must be a string");
        assertRejected(claims("{\"sub\":\"" + SUBJECT + "\",\"aud\":\"api\",\"exp\":\"" + exp + "\"}"), MALFORMED,
                "claim 'exp' must be a NumericDate");
        assertRejected(claims("{\"sub\":\"" + SUBJECT + "\",\"aud\":\"api\",\"exp\":" + exp + ".5}"), MALFORMED,
                "claim 'exp' must be a NumericDate");
        assertRejected(claims("{\"sub\":\"" + SUBJECT + "\",\"aud\":\"api\",\"exp\":253402300800}"), MALFORMED,
                "claim 'exp' must be a NumericDate");
        assertRejected(claims("{\"sub\":\"" + SUBJECT + "\",\"aud\":\"api\",\"exp\":" + exp + ",\"iat\":-1}"), MALFORMED,
                "claim 'iat' must be a NumericDate");
        assertRejected(claims("{\"sub\":\"" + SUBJECT + "\",\"aud\":[],\"exp\":" + exp + "}"), MALFORMED,
                "claim 'aud' must be a non-empty string or array of strings");
        assertRejected(claims("{\"sub\":\"" + SUBJECT + "\",\"aud\":[\"api\",1],\"exp\":" + exp + "}"), MALFORMED,
                "claim 'aud' must hold strings");
        assertRejected(claims("{\"sub\":\"" + SUBJECT + "\",\"aud\":{\"api\":true},\"exp\":" + exp + "}"), MALFORMED,
                "claim 'aud' must be a non-empty string");
    }

    @Test
    void aDuplicatedClaimIsMalformed() {
        String twice = "{\"sub\":\"spiffe://other.org/app/x\",\"sub\":\"" + SUBJECT + "\",\"aud\":\"api\",\"exp\":" + EXP.getEpochSecond() + "}";

        assertRejected(claims(twice), MALFORMED, "claims is not valid JSON");
    }

    @Test
    void aTokenOfExactly16KiBIsAcceptedAndOneCharacterMoreIsMalformed() throws Exception {
        String atLimit = signedTokenOfLength(JwtSvidVerifier.MAX_TOKEN_LENGTH);
        String overLimit = signedTokenOfLength(JwtSvidVerifier.MAX_TOKEN_LENGTH + 1);

        assertThat(atLimit).hasSize(16384);
        assertThat(verifier.verify(atLimit, "api").subject()).isEqualTo(SUBJECT);
        assertThat(overLimit).hasSize(16385);
        assertRejected(overLimit, MALFORMED, "token is 16385 characters; the limit is 16384");
    }

    /** A correctly signed token of exactly {@code length} characters, padded with an extra claim. */
    private String signedTokenOfLength(int length) {
        for (String typ : new String[] {"JWT", "JOSE"}) {
            String header = Jwt.b64("{\"alg\":\"ML-DSA-65\",\"kid\":\"" + kid + "\",\"typ\":\"" + typ + "\"}");
            for (int pad = 0; pad < length; pad++) {
                String claims = Jwt.b64("{\"sub\":\"" + SUBJECT + "\",\"aud\":\"api\",\"exp\":" + EXP.getEpochSecond()
                        + ",\"pad\":\"" + "x".repeat(pad) + "\"}");
                int total = header.length() + 1 + claims.length() + 1 + 4412;
                if (total == length) {
                    return Jwt.signEncoded(jwtKey, header, claims, random);
                }
                if (total > length) {
                    break;
                }
            }
        }
        throw new IllegalStateException("no token of length " + length);
    }

    // ---- UNSUPPORTED_ALGORITHM ----

    @Test
    void algNoneWithAnEmptySignatureIsRefused() {
        String[] p = Jwt.parts(token());
        String none = Jwt.join(Jwt.b64("{\"alg\":\"none\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}"), p[1], "");

        assertRejected(none, UNSUPPORTED_ALGORITHM, "alg 'none' is not accepted; only ML-DSA-65");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "ML-DSA-44", "ML-DSA-87", "ml-dsa-65", "ES256", "RS256", ""})
    void anyOtherAlgIsRefusedEvenWithARealSignature(String alg) {
        String[] p = Jwt.parts(token());
        String forged = Jwt.join(Jwt.b64("{\"alg\":\"" + alg + "\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}"), p[1], p[2]);

        assertRejected(forged, UNSUPPORTED_ALGORITHM, "alg '" + alg + "' is not accepted");
    }

    @Test
    void aMissingAlgIsRefused() {
        String[] p = Jwt.parts(token());

        assertRejected(Jwt.join(Jwt.b64("{\"kid\":\"" + kid + "\"}"), p[1], p[2]), UNSUPPORTED_ALGORITHM, "alg 'null'");
    }

    // ---- UNKNOWN_KEY ----

    @Test
    void aKidNotInTheBundleIsRefusedBeforeTheSignatureIsChecked() {
        String[] p = Jwt.parts(token());
        String changed = Jwt.join(Jwt.b64(Jwt.header("0000000000000000")), p[1], p[2]);

        assertRejected(changed, UNKNOWN_KEY, "kid '0000000000000000' is not in the example.org trust bundle");
    }

    @Test
    void aTokenFromAnotherCaOfTheSameTrustDomainHasAnUnknownKey() {
        String foreign = impostor.jwtIssuer(random).issue(SUBJECT, List.of("api"), TTL, T0);

        assertRejected(foreign, UNKNOWN_KEY, "is not in the example.org trust bundle");
    }

    // ---- BAD_SIGNATURE ----

    @Test
    void claimsFromAnotherTokenAreRefused() {
        String[] mine = Jwt.parts(token());
        String[] admin = Jwt.parts(issuer.issue(SpiffeId.app(DOMAIN, "admin"), List.of("api"), TTL, T0));

        assertRejected(Jwt.join(mine[0], admin[1], mine[2]), BAD_SIGNATURE, "signature does not verify with key '" + kid + "'");
    }

    @Test
    void aSignatureFromAnotherTokenIsRefused() {
        String[] mine = Jwt.parts(token());
        String[] other = Jwt.parts(token());

        assertRejected(Jwt.join(mine[0], mine[1], other[2]), BAD_SIGNATURE, "signature does not verify");
    }

    @Test
    void aTruncatedSignatureIsRefused() {
        String[] p = Jwt.parts(token());

        assertRejected(Jwt.join(p[0], p[1], p[2].substring(0, p[2].length() - 4)), BAD_SIGNATURE, "signature does not verify");
    }

    @Test
    void anotherCasSignatureUnderOurKidIsRefused() {
        String[] foreign = Jwt.parts(impostor.jwtIssuer(random).issue(SUBJECT, List.of("api"), TTL, T0));

        assertRejected(Jwt.join(Jwt.b64(Jwt.header(kid)), foreign[1], foreign[2]), BAD_SIGNATURE, "signature does not verify");
    }

    @Test
    void rejectedTokensAreNotCached() {
        String[] p = Jwt.parts(token());

        assertRejected(Jwt.join(p[0], p[1], Jwt.parts(token())[2]), BAD_SIGNATURE, "");
        assertThat(verifier.cachedTokens()).isZero();
    }

    // ---- FOREIGN_TRUST_DOMAIN ----

    @Test
    void aCorrectlySignedTokenForAForeignSubjectIsRefused() {
        String foreign = claims("{\"sub\":\"spiffe://other.org/app/billing\",\"aud\":[\"api\"],\"exp\":" + EXP.getEpochSecond() + "}");

        assertRejected(foreign, FOREIGN_TRUST_DOMAIN, "subject spiffe://other.org/app/billing is not in trust domain example.org");
    }

    // ---- time: EXPIRED, NOT_YET_VALID, skew ----

    @Test
    void aTokenPastExpiryPlusSkewIsExpired() {
        String t = token();
        clock.set(EXP.plus(Duration.ofHours(1)));

        assertRejected(t, EXPIRED, "token expired at " + EXP);
    }

    @Test
    void within30SecondsOfSkewAfterExpiryTheTokenIsStillAccepted() throws Exception {
        String t = token();

        clock.set(EXP.plusSeconds(29));
        assertThat(fresh().verify(t, "api").subject()).isEqualTo(SUBJECT);
        clock.set(EXP.plusSeconds(30));
        assertThatThrownBy(() -> fresh().verify(t, "api")).hasMessageStartingWith("expired: ");
        clock.set(EXP.plusSeconds(31));
        assertThatThrownBy(() -> fresh().verify(t, "api")).hasMessageStartingWith("expired: ");
    }

    @Test
    void withoutSkewTheTokenExpiresAtExp() throws Exception {
        String t = token();
        JwtSvidVerifier strict = new JwtSvidVerifier(ca.bundle(), clock, Duration.ZERO, 10);

        clock.set(EXP.minusSeconds(1));
        assertThat(strict.verify(t, "api")).isNotNull();
        clock.set(EXP);
        assertThatThrownBy(() -> strict.verify(t, "api")).hasMessageStartingWith("expired: ");
    }

    @Test
    void aTokenIssuedInTheFutureIsNotYetValid() {
        String t = issuer.issue(SUBJECT, List.of("api"), TTL, T0.plus(Duration.ofMinutes(5)));

        assertRejected(t, NOT_YET_VALID, "token is not valid before " + T0.plus(Duration.ofMinutes(5)));
    }

    @Test
    void anIatWithinTheSkewIsAcceptedAndBeyondItRefused() throws Exception {
        String soon = issuer.issue(SUBJECT, List.of("api"), TTL, T0.plusSeconds(29));
        String later = issuer.issue(SUBJECT, List.of("api"), TTL, T0.plusSeconds(31));

        assertThat(verifier.verify(soon, "api").issuedAt()).isEqualTo(T0.plusSeconds(29));
        assertRejected(later, NOT_YET_VALID, "not valid before");
    }

    @Test
    void anNbfLaterThanIatIsHonoured() throws Exception {
        Instant nbf = T0.plus(Duration.ofMinutes(2));
        String t = claims("{\"sub\":\"" + SUBJECT + "\",\"aud\":\"api\",\"exp\":" + EXP.getEpochSecond() + ",\"iat\":"
                + T0.getEpochSecond() + ",\"nbf\":" + nbf.getEpochSecond() + "}");

        clock.set(T0.plusSeconds(60));
        assertRejected(t, NOT_YET_VALID, "token is not valid before " + nbf);
        clock.set(nbf);
        assertThat(fresh().verify(t, "api").notBefore()).isEqualTo(Optional.of(nbf));
    }

    @Test
    void timeIsCheckedAfterTheSignature() {
        // An expired token with a broken signature is refused for its signature: no claim is
        // believed before it is authenticated.
        String[] p = Jwt.parts(token());
        clock.set(EXP.plus(Duration.ofDays(1)));

        assertRejected(Jwt.join(p[0], p[1], Jwt.parts(token())[2]), BAD_SIGNATURE, "");
    }

    // ---- WRONG_AUDIENCE ----

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        assertRejected(issuer.issue(SUBJECT, List.of("ledger"), TTL, T0), WRONG_AUDIENCE, "token is for [ledger], not 'api'");
    }

    // ---- the cache ----

    @Test
    void aSecondVerifyOfTheSameTokenIsServedFromTheCache() throws Exception {
        String t = token();

        JwtSvidClaims first = verifier.verify(t, "api");
        JwtSvidClaims second = verifier.verify(t, "api");

        assertThat(verifier.cachedTokens()).isEqualTo(1);
        assertThat(second).isSameAs(first);
    }

    @Test
    void aCachedTokenStillExpires() throws Exception {
        String t = token();
        verifier.verify(t, "api");
        clock.set(EXP.plusSeconds(29));
        verifier.verify(t, "api");
        assertThat(verifier.cachedTokens()).isEqualTo(1);

        clock.set(EXP.plusSeconds(31));

        assertRejected(t, EXPIRED, "token expired at " + EXP);
    }

    @Test
    void aCachedTokenIsStillCheckedForAudience() throws Exception {
        String t = token();
        verifier.verify(t, "api");

        assertThatThrownBy(() -> verifier.verify(t, "ledger"))
                .isInstanceOf(TokenRejectedException.class)
                .satisfies(e -> assertThat(((TokenRejectedException) e).reason()).isEqualTo(WRONG_AUDIENCE));
        assertThat(verifier.cachedTokens()).isEqualTo(1);
    }

    @Test
    void aCachedTokenIsStillCheckedForNotBefore() throws Exception {
        String t = issuer.issue(SUBJECT, List.of("api"), TTL, T0);
        verifier.verify(t, "api");

        clock.set(T0.minusSeconds(31));

        assertRejected(t, NOT_YET_VALID, "not valid before");
    }

    @Test
    void anExpiredTokenIsNotCached() {
        String t = token();
        clock.set(EXP.plus(Duration.ofMinutes(1)));

        assertRejected(t, EXPIRED, "");
        assertThat(verifier.cachedTokens()).isZero();
    }

    @Test
    void theCacheStaysBounded() throws Exception {
        JwtSvidVerifier small = new JwtSvidVerifier(ca.bundle(), clock, Duration.ofSeconds(30), 2);

        for (int i = 0; i < 5; i++) {
            String t = issuer.issue(SpiffeId.app(DOMAIN, "app-" + i), List.of("api"), TTL, T0);
            assertThat(small.verify(t, "api").subject().path()).isEqualTo("/app/app-" + i);
            assertThat(small.cachedTokens()).isBetween(1, 2);
        }
    }

    @Test
    void whenTheCacheIsFullExpiredTokensGoFirst() throws Exception {
        JwtSvidVerifier small = new JwtSvidVerifier(ca.bundle(), clock, Duration.ofSeconds(30), 2);
        String shortLived = issuer.issue(SUBJECT, List.of("api"), Duration.ofMinutes(1), T0);
        String longLived = issuer.issue(SUBJECT, List.of("api"), Duration.ofHours(1), T0);
        small.verify(shortLived, "api");
        JwtSvidClaims kept = small.verify(longLived, "api");

        clock.set(T0.plus(Duration.ofMinutes(2)));
        small.verify(issuer.issue(SUBJECT, List.of("api"), Duration.ofHours(1), clock.instant()), "api");

        assertThat(small.cachedTokens()).isEqualTo(2);
        assertThat(small.verify(longLived, "api")).isSameAs(kept);
    }

    private JwtSvidVerifier fresh() {
        return new JwtSvidVerifier(ca.bundle(), clock, Duration.ofSeconds(30), 100);
    }
}
