package io.x0tta6bl4.bench;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.JwtSvidClaims;
import io.x0tta6bl4.identity.JwtSvidVerifier;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.TokenRejectedException;
import io.x0tta6bl4.identity.TrustBundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link JwtSvidVerifier#verify} of a real JWT-SVID (ML-DSA-65, about 4.6 KB), cold and warm.
 *
 * <p>An API server gets each request's token as a new {@link String} decoded from the header
 * bytes, so its hash code (which the verifier's cache needs, over all ~4.6 K characters) is
 * computed once per request. To be honest about that, every benchmark here that passes a token
 * passes a fresh String decoded from the token's bytes ({@code new String(bytes, ISO_8859_1)},
 * as an HTTP server decodes a header), and {@link #copyOnly} measures that decoding alone so it
 * can be subtracted if wanted. {@link #warmSameInstance} reuses one String whose hash is already
 * cached: a lower bound a real server does not reach, shown for comparison.
 *
 * <ul>
 *   <li>{@link #cold}: a new verifier per invocation (its constructor only allocates an empty
 *       map), so every call parses the token, checks the ML-DSA-65 signature and caches it;
 *   <li>{@link #warm}: one verifier that has already verified the token: a cache hit, then the
 *       per-call time and audience checks. Target: ≤ 2 µs.
 * </ul>
 *
 * The clock is the system clock, as in a node; the token is valid for an hour, far longer than a
 * run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"}) // see docs/benchmarks.md, "Heap"
@State(Scope.Thread)
public class TokenBenchmark {
    static final String TRUST_DOMAIN = "bench.local";
    static final String AUDIENCE = "x0tta6bl4";

    private Path tmp;
    private TrustBundle bundle;
    private InstantSource clock;
    private String token;
    private byte[] tokenBytes;
    private JwtSvidVerifier warmVerifier;

    @Setup(Level.Trial)
    public void setup() throws IOException, TokenRejectedException {
        SecureRandom random = new SecureRandom();
        tmp = Files.createTempDirectory("x0tta6bl4-bench-ca");
        CertificateAuthority ca = CertificateAuthority.init(tmp.resolve("ca"), TRUST_DOMAIN, Instant.now(), random);
        bundle = ca.bundle();
        token = ca.jwtIssuer(random).issue(SpiffeId.app(TRUST_DOMAIN, "client"), List.of(AUDIENCE), Duration.ofHours(1),
                Instant.now());
        tokenBytes = token.getBytes(StandardCharsets.ISO_8859_1);
        clock = InstantSource.system();
        warmVerifier = new JwtSvidVerifier(bundle, clock);
        JwtSvidClaims claims = warmVerifier.verify(token, AUDIENCE);
        if (!claims.subject().equals(SpiffeId.app(TRUST_DOMAIN, "client"))) {
            throw new IllegalStateException("token verified to the wrong subject: " + claims.subject());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (Stream<Path> files = Files.walk(tmp)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    /** A fresh String of the token, as a server decodes it from the request. */
    private String incoming() {
        return new String(tokenBytes, StandardCharsets.ISO_8859_1);
    }

    /** Baseline: decoding the token into a new String, nothing else. */
    @Benchmark
    public String copyOnly() {
        return incoming();
    }

    /** Baseline: decoding plus the String hash the cache lookup computes. */
    @Benchmark
    public int copyAndHash() {
        return incoming().hashCode();
    }

    @Benchmark
    public JwtSvidClaims cold() throws TokenRejectedException {
        return new JwtSvidVerifier(bundle, clock).verify(incoming(), AUDIENCE);
    }

    @Benchmark
    public JwtSvidClaims warm() throws TokenRejectedException {
        return warmVerifier.verify(incoming(), AUDIENCE);
    }

    /** Lower bound only: the same String instance every time, so its hash is never recomputed. */
    @Benchmark
    public JwtSvidClaims warmSameInstance() throws TokenRejectedException {
        return warmVerifier.verify(token, AUDIENCE);
    }
}
