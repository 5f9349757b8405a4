package io.x0tta6bl4.identity;

import static io.x0tta6bl4.identity.Fixtures.DOMAIN;
import static io.x0tta6bl4.identity.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: no single-character change to a real token is accepted unless it is the same token.
 * Seeded; the seed is in every assertion message and can be replayed with -Dtest.seed=N.
 */
class JwtSvidTamperTest {
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    @TempDir Path tmp;

    @Test
    void everySingleCharacterSubstitutionIsRefusedUnlessTheTokenIsUnchanged() throws Exception {
        long seed = Long.getLong("test.seed", new Random().nextLong());
        Random r = new Random(seed);
        CertificateAuthority ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);
        MutableClock clock = new MutableClock(T0);
        String token = ca.jwtIssuer(new TestRandom(seed)).issue(SpiffeId.app(DOMAIN, "billing"), List.of("api"),
                Duration.ofMinutes(5), T0);
        assertThat(new JwtSvidVerifier(ca.bundle(), clock).verify(token, "api")).as("seed %d: the original verifies", seed).isNotNull();
        int signatureStart = token.lastIndexOf('.') + 1;
        byte[][] original = decodeParts(token);

        List<Integer> sameBytes = new ArrayList<>();
        for (int i = 0; i < token.length(); i++) {
            char was = token.charAt(i);
            char now;
            do {
                now = ALPHABET.charAt(r.nextInt(ALPHABET.length()));
            } while (now == was);
            String mutated = token.substring(0, i) + now + token.substring(i + 1);
            byte[][] decoded = decodeParts(mutated);
            boolean unchanged = decoded != null && Arrays.equals(decoded[0], original[0]) && Arrays.equals(decoded[1], original[1])
                    && Arrays.equals(decoded[2], original[2]);
            if (unchanged) {
                sameBytes.add(i);
            }
            // Header and claims are signed as text, so even a same-bytes change there must be refused;
            // in the signature, a change that decodes to the same bytes is the same signature.
            if (unchanged && i >= signatureStart) {
                continue;
            }
            JwtSvidVerifier fresh = new JwtSvidVerifier(ca.bundle(), clock);
            int position = i;
            char replacement = now;
            try {
                fresh.verify(mutated, "api");
                fail("seed %d: token with '%c' -> '%c' at position %d of %d was accepted", seed, was, replacement, position, token.length());
            } catch (TokenRejectedException expected) {
                assertThat(expected.reason()).as("seed %d, position %d", seed, position).isNotNull();
            }
        }

        assertThat(sameBytes).as("seed %d: positions whose change decoded to the same bytes", seed)
                .hasSizeLessThanOrEqualTo(3)
                .allSatisfy(i -> assertThat(i + 1 == token.length() || token.charAt(i + 1) == '.')
                        .as("seed %d: position %d is the last of its segment", seed, i).isTrue());
    }

    @Test
    void randomTruncationsAndInsertionsAreRefused() throws Exception {
        long seed = Long.getLong("test.seed", new Random().nextLong());
        Random r = new Random(seed);
        CertificateAuthority ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);
        MutableClock clock = new MutableClock(T0);
        String token = ca.jwtIssuer(new TestRandom(seed)).issue(SpiffeId.app(DOMAIN, "billing"), List.of("api"),
                Duration.ofMinutes(5), T0);

        for (int n = 0; n < 300; n++) {
            int at = r.nextInt(token.length() + 1);
            String mutated = switch (r.nextInt(3)) {
                case 0 -> token.substring(0, at);
                case 1 -> token.substring(0, at) + ALPHABET.charAt(r.nextInt(64)) + token.substring(at);
                default -> token.substring(0, at) + token.substring(Math.min(token.length(), at + 1 + r.nextInt(8)));
            };
            if (mutated.equals(token)) {
                continue;
            }
            String m = mutated;
            assertThatThrownBy(() -> new JwtSvidVerifier(ca.bundle(), clock).verify(m, "api"))
                    .as("seed %d: mutation %d at %d", seed, n, at)
                    .isInstanceOf(TokenRejectedException.class);
        }
    }

    /** The decoded bytes of the three parts, or null when the text is not three base64url parts. */
    private static byte[][] decodeParts(String token) {
        String[] p = token.split("\\.", -1);
        if (p.length != 3) {
            return null;
        }
        try {
            Base64.Decoder d = Base64.getUrlDecoder();
            return new byte[][] {d.decode(p[0]), d.decode(p[1]), d.decode(p[2])};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
