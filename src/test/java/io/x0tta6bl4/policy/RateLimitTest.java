package io.x0tta6bl4.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.identity.SpiffeId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Rate limits on virtual time: the clock is a variable the test moves; nothing sleeps. */
class RateLimitTest {
    private static final SpiffeId A = SpiffeId.parse("spiffe://example.org/app/a");
    private static final SpiffeId B = SpiffeId.parse("spiffe://example.org/app/b");
    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");

    private static Policy limited(String rate) {
        return Policy.parse("""
                version: 1
                rules:
                  - id: api-read
                    effect: allow
                    principals: ["spiffe://example.org/app/*"]
                    resources: [network]
                    actions: [read]
                    conditions:
                      rate_limit: %s
                """.formatted(rate), "rate.yaml");
    }

    private static Decision read(Policy p, RateLimiter limiter, SpiffeId who, Instant now) {
        return p.decide(new Request(who, "network", "read", now), limiter);
    }

    @Test
    void aBurstOfNIsAllowedThenTheNextIsDeniedWithTheLimitInTheReason() {
        Policy p = limited("100/s");
        RateLimiter limiter = new RateLimiter();
        for (int i = 0; i < 100; i++) {
            assertThat(read(p, limiter, A, T0).allowed()).as("request %d", i).isTrue();
        }
        Decision refused = read(p, limiter, A, T0);
        assertThat(refused).isEqualTo(new Decision(false, "api-read",
                "rate limit 100/s exceeded for spiffe://example.org/app/a read network (rule \"api-read\")"));
    }

    @Test
    void tokensComeBackAtTheSteadyRate() {
        Policy p = limited("100/s");
        RateLimiter limiter = new RateLimiter();
        for (int i = 0; i < 100; i++) {
            read(p, limiter, A, T0);
        }
        assertThat(read(p, limiter, A, T0.plusNanos(9_999_999)).allowed()).isFalse();
        assertThat(read(p, limiter, A, T0.plusMillis(10)).allowed()).isTrue();
        assertThat(read(p, limiter, A, T0.plusMillis(10)).allowed()).isFalse();
        Instant later = T0.plusMillis(10 + 250);
        int allowed = 0;
        for (int i = 0; i < 100; i++) {
            allowed += read(p, limiter, A, later).allowed() ? 1 : 0;
        }
        assertThat(allowed).isEqualTo(25);
    }

    @Test
    void aQuietPrincipalGetsAFullBurstBackButNoMore() {
        Policy p = limited("5/min");
        RateLimiter limiter = new RateLimiter();
        Instant now = T0;
        for (int round = 0; round < 3; round++) {
            int allowed = 0;
            for (int i = 0; i < 20; i++) {
                allowed += read(p, limiter, A, now).allowed() ? 1 : 0;
            }
            assertThat(allowed).isEqualTo(5);
            now = now.plus(Duration.ofHours(1));
        }
    }

    @Test
    void aSteadyStreamAtTheRateIsNeverRefused() {
        Policy p = limited("10/s");
        RateLimiter limiter = new RateLimiter();
        for (int i = 0; i < 1_000; i++) {
            assertThat(read(p, limiter, A, T0.plusMillis(100L * i)).allowed()).isTrue();
        }
    }

    @Test
    void eachPrincipalHasItsOwnBucket() {
        Policy p = limited("2/h");
        RateLimiter limiter = new RateLimiter();
        assertThat(read(p, limiter, A, T0).allowed()).isTrue();
        assertThat(read(p, limiter, A, T0).allowed()).isTrue();
        assertThat(read(p, limiter, A, T0).allowed()).isFalse();
        assertThat(read(p, limiter, B, T0).allowed()).isTrue();
        assertThat(read(p, limiter, A, T0.plus(Duration.ofMinutes(30))).allowed()).isTrue();
        assertThat(read(p, limiter, A, T0.plus(Duration.ofMinutes(30))).allowed()).isFalse();
    }

    @Test
    void anotherVersionOfThePolicyKeepsTheBucketsOfItsRules() {
        RateLimiter limiter = new RateLimiter();
        Policy v1 = limited("3/s");
        for (int i = 0; i < 3; i++) {
            assertThat(read(v1, limiter, A, T0).allowed()).isTrue();
        }
        Policy v2 = Policy.parse(v1.source().replace("version: 1", "version: 2"), "rate.yaml");
        assertThat(read(v2, limiter, A, T0).allowed()).isFalse();
    }

    @Test
    void deniedAndUnmatchedRequestsSpendNoTokens() {
        Policy p = Policy.parse("""
                version: 1
                rules:
                  - id: api-read
                    effect: allow
                    principals: ["spiffe://example.org/app/*"]
                    resources: ["*"]
                    actions: [read]
                    conditions:
                      rate_limit: 1/s
                  - id: no-ledger
                    effect: deny
                    principals: ["spiffe://example.org/app/a"]
                    resources: [ledger]
                    actions: ["*"]
                """, "rate.yaml");
        RateLimiter limiter = new RateLimiter();
        for (int i = 0; i < 10; i++) {
            assertThat(p.decide(new Request(A, "ledger", "read", T0), limiter).rule()).isEqualTo("no-ledger");
            assertThat(p.decide(new Request(A, "nodes", "write", T0), limiter).rule()).isEqualTo(Decision.DEFAULT_DENY);
        }
        assertThat(p.decide(new Request(A, "nodes", "read", T0), limiter).allowed()).isTrue();
        assertThat(p.decide(new Request(A, "nodes", "read", T0), limiter).allowed()).isFalse();
    }

    @Test
    void anUnlimitedAllowRuleWinsAndSpendsNothing() {
        Policy p = Policy.parse("""
                version: 1
                rules:
                  - id: limited
                    effect: allow
                    principals: ["spiffe://example.org/app/*"]
                    resources: [network]
                    actions: [read]
                    conditions:
                      rate_limit: 1/h
                  - id: operators
                    effect: allow
                    principals: ["spiffe://example.org/app/a"]
                    resources: [network]
                    actions: [read]
                """, "rate.yaml");
        RateLimiter limiter = new RateLimiter();
        for (int i = 0; i < 10; i++) {
            assertThat(read(p, limiter, A, T0).rule()).isEqualTo("operators");
        }
        assertThat(limiter.buckets()).isZero();
        assertThat(read(p, limiter, B, T0).rule()).isEqualTo("limited");
        assertThat(read(p, limiter, B, T0)).extracting(Decision::allowed, Decision::rule).containsExactly(false, "limited");
    }

    @Test
    void whenOneLimitedRuleIsSpentTheNextLimitedRuleMayStillAllow() {
        Policy p = Policy.parse("""
                version: 1
                rules:
                  - id: small
                    effect: allow
                    principals: ["spiffe://example.org/app/*"]
                    resources: [network]
                    actions: [read]
                    conditions: {rate_limit: 2/s}
                  - id: overflow
                    effect: allow
                    principals: ["spiffe://example.org/app/a"]
                    resources: [network]
                    actions: ["*"]
                    conditions: {rate_limit: 1/s}
                """, "rate.yaml");
        RateLimiter limiter = new RateLimiter();
        List<String> rules = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Decision d = read(p, limiter, A, T0);
            rules.add((d.allowed() ? "+" : "-") + d.rule());
        }
        assertThat(rules).containsExactly("+small", "+small", "+overflow", "-small");
    }

    @Test
    void concurrentCallersAtOneInstantGetExactlyTheBurst() throws Exception {
        Policy p = limited("1000/s");
        RateLimiter limiter = new RateLimiter();
        AtomicInteger allowed = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 500; i++) {
                    if (read(p, limiter, A, T0).allowed()) {
                        allowed.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(allowed.get()).isEqualTo(1000);
    }

    @Test
    void fullBucketsAreSweptOnceTheMapGrowsPastItsThreshold() {
        Policy p = limited("10/s");
        RateLimiter limiter = new RateLimiter(100);
        for (int i = 0; i < 100; i++) {
            read(p, limiter, SpiffeId.app("example.org", "w" + i), T0);
        }
        assertThat(limiter.buckets()).isEqualTo(100);
        Instant later = T0.plusSeconds(1);
        read(p, limiter, SpiffeId.app("example.org", "w-new"), later);
        assertThat(limiter.buckets()).isEqualTo(1);
        for (int i = 0; i < 10; i++) {
            read(p, limiter, SpiffeId.app("example.org", "w-new"), later);
        }
        assertThat(read(p, limiter, SpiffeId.app("example.org", "w-new"), later).allowed()).isFalse();
    }

    @Test
    void bucketsStillInUseAreNotSwept() {
        Policy p = limited("1/h");
        RateLimiter limiter = new RateLimiter(10);
        for (int i = 0; i < 10; i++) {
            read(p, limiter, SpiffeId.app("example.org", "w" + i), T0);
        }
        read(p, limiter, SpiffeId.app("example.org", "w-new"), T0.plusSeconds(1));
        assertThat(limiter.buckets()).isEqualTo(11);
        assertThat(read(p, limiter, SpiffeId.app("example.org", "w3"), T0.plusSeconds(2)).allowed()).isFalse();
    }

    @Test
    void ratesParseToTheirIntervalAndBurst() {
        assertThat(Rate.parse("100/s")).extracting(Rate::count, Rate::intervalNanos, Rate::burstNanos)
                .containsExactly(100L, 10_000_000L, 1_000_000_000L);
        assertThat(Rate.parse("6000/min")).extracting(Rate::count, Rate::intervalNanos).containsExactly(6000L, 10_000_000L);
        assertThat(Rate.parse("3/h").intervalNanos()).isEqualTo(1_200_000_000_000L);
        assertThat(Rate.parse("1000000/s").intervalNanos()).isEqualTo(1_000L);
    }
}
