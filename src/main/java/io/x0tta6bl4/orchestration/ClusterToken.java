package io.x0tta6bl4.orchestration;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.JwtSvidIssuer;
import io.x0tta6bl4.identity.SpiffeId;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Supplier;

/**
 * The bearer token the cluster commands present to the nodes' API: a JWT-SVID for
 * {@code spiffe://<domain>/operator/x0tta6bl4-cluster}, audience {@value #AUDIENCE}, minted from the
 * cluster's own CA ({@code DIR/ca}, which {@code cluster up} made and so holds the JWT key).
 *
 * <p>A token lives {@link #TTL} and a new one is minted once less than {@link #RENEW_BEFORE} is
 * left, so a soak or a benchmark that runs for an hour never sends an expired token, and a leaked
 * one is useless ten minutes later. Minting costs one ML-DSA-65 signature (well under a
 * millisecond); the nodes cache the verification of a token until it expires, so re-using one
 * token across polls also keeps their hot path cheap.
 *
 * <p>The subject is an operator's: the commands do more than read (they fence, readmit and
 * remove members), and the default policy ({@code DIR/policy.yaml}) allows
 * {@code spiffe://<domain>/operator/*} every action. Every request it makes is audited by the
 * node under that name.
 */
public final class ClusterToken implements Supplier<String> {
    /** The {@code aud} the nodes of a local cluster expect (their node.yaml says so: {@code api.audience}). */
    public static final String AUDIENCE = "x0tta6bl4";
    /** The operator name in the subject, {@code spiffe://<domain>/operator/x0tta6bl4-cluster}. */
    public static final String WORKLOAD = "x0tta6bl4-cluster";
    static final Duration TTL = Duration.ofMinutes(10);
    static final Duration RENEW_BEFORE = Duration.ofMinutes(2);

    private final JwtSvidIssuer issuer;
    private final SpiffeId subject;
    private final InstantSource clock;
    private String token;
    private Instant renewAt = Instant.MIN;

    ClusterToken(JwtSvidIssuer issuer, SpiffeId subject, InstantSource clock) {
        this.issuer = issuer;
        this.subject = subject;
        this.clock = clock;
    }

    /** Tokens minted from the CA in {@code caDir} (its private JWT key is read once, here). */
    public static ClusterToken fromCa(java.nio.file.Path caDir) {
        return of(CertificateAuthority.load(caDir), InstantSource.system());
    }

    /** Tokens for {@code subject} (a node, say, for commands that act as that node), minted from the CA in {@code caDir}. */
    public static ClusterToken as(java.nio.file.Path caDir, SpiffeId subject) {
        CertificateAuthority ca = CertificateAuthority.load(caDir);
        return new ClusterToken(ca.jwtIssuer(new SecureRandom()), subject, InstantSource.system());
    }

    static ClusterToken of(CertificateAuthority ca, InstantSource clock) {
        return new ClusterToken(ca.jwtIssuer(new SecureRandom()), subject(ca.trustDomain()), clock);
    }

    /** {@code spiffe://<domain>/operator/x0tta6bl4-cluster}: the mesh's operator, whom the default policy allows everything. */
    public static SpiffeId subject(String trustDomain) {
        return new SpiffeId(trustDomain, "/operator/" + WORKLOAD);
    }

    /** A token with at least {@link #RENEW_BEFORE} of life left. */
    @Override
    public synchronized String get() {
        Instant now = clock.instant();
        if (token == null || !now.isBefore(renewAt)) {
            token = issuer.issue(subject, List.of(AUDIENCE), TTL, now);
            renewAt = now.plus(TTL).minus(RENEW_BEFORE);
        }
        return token;
    }
}
