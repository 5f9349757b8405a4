package io.x0tta6bl4.orchestration;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.JwtSvidClaims;
import io.x0tta6bl4.identity.JwtSvidVerifier;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster's bearer token on a clock the test moves: one token per ten minutes, renewed two minutes before it expires. */
class ClusterTokenTest {
    @TempDir Path dir;

    @Test
    void aTokenIsReusedUntilTwoMinutesBeforeItExpiresAndAlwaysVerifies() throws Exception {
        Instant start = Instant.parse("2026-11-24T12:00:00Z");
        CertificateAuthority ca = CertificateAuthority.init(dir.resolve("ca"), "mesh.example.org", start, new SecureRandom());
        AtomicReference<Instant> now = new AtomicReference<>(start);
        InstantSource clock = now::get;
        ClusterToken tokens = ClusterToken.of(ca, clock);
        JwtSvidVerifier verifier = new JwtSvidVerifier(ca.bundle(), clock, Duration.ZERO, 10);

        String first = tokens.get();
        JwtSvidClaims claims = verifier.verify(first, "x0tta6bl4");
        assertThat(claims.subject().toString()).isEqualTo("spiffe://mesh.example.org/operator/x0tta6bl4-cluster");
        assertThat(claims.expiresAt()).isEqualTo(start.plus(Duration.ofMinutes(10)));

        now.set(start.plus(Duration.ofMinutes(7)).plusSeconds(59));
        assertThat(tokens.get()).isSameAs(first);

        now.set(start.plus(Duration.ofMinutes(8)));
        String second = tokens.get();
        assertThat(second).isNotEqualTo(first);
        assertThat(verifier.verify(second, "x0tta6bl4").expiresAt()).isEqualTo(start.plus(Duration.ofMinutes(18)));

        // An hour-long soak never sends a token with less than two minutes left.
        for (int minute = 8; minute <= 68; minute++) {
            now.set(start.plus(Duration.ofMinutes(minute)).plusSeconds(30));
            JwtSvidClaims c = verifier.verify(tokens.get(), "x0tta6bl4");
            assertThat(Duration.between(now.get(), c.expiresAt())).isGreaterThanOrEqualTo(Duration.ofMinutes(2));
        }
    }
}
