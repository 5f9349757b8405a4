package io.x0tta6bl4.identity;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The claims of a verified JWT-SVID. {@code notBefore} is present only when the token had {@code nbf}. */
public record JwtSvidClaims(SpiffeId subject, List<String> audience, Instant expiresAt, Instant issuedAt,
                            Optional<Instant> notBefore, String jwtId) {
    public JwtSvidClaims {
        audience = List.copyOf(audience);
    }
}
