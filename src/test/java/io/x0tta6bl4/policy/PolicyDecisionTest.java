package io.x0tta6bl4.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.identity.SpiffeId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PolicyDecisionTest {
    static final Instant NOON = Instant.parse("2026-03-02T12:00:00Z");

    static Request request(String principal, String action, String resource) {
        return new Request(SpiffeId.parse(principal), resource, action, NOON);
    }

    static Decision decide(Policy policy, String principal, String action, String resource) {
        return policy.decide(request(principal, action, resource), new RateLimiter());
    }

    static Policy policy(String rulesYaml) {
        return Policy.parse("version: 1\nrules:\n" + rulesYaml, "test.yaml");
    }

    private static final String MEMBERS_READ = """
              - id: members-read
                effect: allow
                principals: ["spiffe://example.org/app/*"]
                resources: [network, nodes]
                actions: [read]
            """;
    private static final String DENY_GUESTS = """
              - id: deny-guests
                effect: deny
                principals: ["spiffe://example.org/app/guest"]
                resources: ["*"]
                actions: ["*"]
            """;

    @Test
    void anEmptyPolicyDeniesEverythingByDefault() {
        Policy p = Policy.parse("version: 3\nrules: []\n", "empty.yaml");
        Decision d = decide(p, "spiffe://example.org/app/x", "read", "network");
        assertThat(d).isEqualTo(new Decision(false, Decision.DEFAULT_DENY,
                "no rule allows spiffe://example.org/app/x read network (deny by default)"));
        assertThat(d.byDefault()).isTrue();
    }

    @Test
    void aMatchingAllowRuleAllowsAndSaysWhich() {
        Decision d = decide(policy(MEMBERS_READ), "spiffe://example.org/app/web", "read", "nodes");
        assertThat(d).isEqualTo(new Decision(true, "members-read", "rule \"members-read\" allows spiffe://example.org/app/web read nodes"));
        assertThat(d.byDefault()).isFalse();
    }

    @Test
    void whatNoRuleAllowsIsDenied() {
        Policy p = policy(MEMBERS_READ);
        assertThat(decide(p, "spiffe://example.org/app/web", "write", "nodes"))
                .isEqualTo(new Decision(false, Decision.DEFAULT_DENY, "no rule allows spiffe://example.org/app/web write nodes (deny by default)"));
        assertThat(decide(p, "spiffe://example.org/app/web", "read", "ledger").allowed()).isFalse();
        assertThat(decide(p, "spiffe://example.org/node/n1", "read", "nodes").allowed()).isFalse();
        assertThat(decide(p, "spiffe://other.org/app/web", "read", "nodes").allowed()).isFalse();
    }

    @Test
    void denyOverridesAllowWhicheverComesFirst() {
        for (String yaml : List.of(MEMBERS_READ + DENY_GUESTS, DENY_GUESTS + MEMBERS_READ)) {
            Policy p = policy(yaml);
            assertThat(decide(p, "spiffe://example.org/app/guest", "read", "network"))
                    .isEqualTo(new Decision(false, "deny-guests", "rule \"deny-guests\" denies spiffe://example.org/app/guest read network"));
            assertThat(decide(p, "spiffe://example.org/app/member", "read", "network").allowed()).isTrue();
        }
    }

    @Test
    void denyOverridesAllowInEveryOrderOfManyRules() {
        List<String> rules = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rules.add("""
                      - id: allow-%d
                        effect: allow
                        principals: ["spiffe://example.org/app/**"]
                        resources: ["*"]
                        actions: ["*"]
                    """.formatted(i));
        }
        rules.add("""
                  - id: no-policy-writes
                    effect: deny
                    principals: ["spiffe://example.org/app/*"]
                    resources: [policy]
                    actions: [write]
                """);
        Random random = new Random(7);
        for (int round = 0; round < 20; round++) {
            Collections.shuffle(rules, random);
            Policy p = policy(String.join("", rules));
            assertThat(decide(p, "spiffe://example.org/app/a", "write", "policy").rule()).isEqualTo("no-policy-writes");
            assertThat(decide(p, "spiffe://example.org/app/a", "read", "policy").allowed()).isTrue();
            assertThat(decide(p, "spiffe://example.org/app/a/b", "write", "policy").allowed()).isTrue();
        }
    }

    @Test
    void theFirstMatchingRuleInDocumentOrderIsNamed() {
        Policy p = policy("""
                  - id: first
                    effect: allow
                    principals: ["spiffe://example.org/app/*"]
                    resources: [network]
                    actions: [read]
                  - id: second
                    effect: allow
                    principals: ["spiffe://example.org/app/web"]
                    resources: ["*"]
                    actions: ["*"]
                """);
        assertThat(decide(p, "spiffe://example.org/app/web", "read", "network").rule()).isEqualTo("first");
        assertThat(decide(p, "spiffe://example.org/app/web", "write", "network").rule()).isEqualTo("second");
    }

    @Test
    void resourceAndActionPatterns() {
        Policy p = policy("""
                  - id: ledger-like
                    effect: allow
                    principals: ["spiffe://example.org/app/*"]
                    resources: ["ledger*", "*-status", "a*b*c"]
                    actions: ["re*"]
                """);
        assertThat(decide(p, "spiffe://example.org/app/x", "read", "ledger").allowed()).isTrue();
        assertThat(decide(p, "spiffe://example.org/app/x", "read", "ledger/entries").allowed()).isTrue();
        assertThat(decide(p, "spiffe://example.org/app/x", "read", "network-status").allowed()).isTrue();
        assertThat(decide(p, "spiffe://example.org/app/x", "read", "abc").allowed()).isTrue();
        assertThat(decide(p, "spiffe://example.org/app/x", "read", "a-b-c").allowed()).isTrue();
        assertThat(decide(p, "spiffe://example.org/app/x", "read", "acb").allowed()).isFalse();
        assertThat(decide(p, "spiffe://example.org/app/x", "reset", "ledger").allowed()).isTrue();
        assertThat(decide(p, "spiffe://example.org/app/x", "write", "ledger").allowed()).isFalse();
        assertThat(decide(p, "spiffe://example.org/app/x", "read", "led").allowed()).isFalse();
        assertThat(decide(p, "spiffe://example.org/app/x", "read", "status").allowed()).isFalse();
    }

    @Test
    void longListsOfExactNamesMatchLikeShortOnes() {
        List<String> principals = new ArrayList<>();
        List<String> actions = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            principals.add("\"spiffe://example.org/app/w" + i + "\"");
            actions.add("a" + i);
        }
        Policy p = policy("""
                  - id: many
                    effect: allow
                    principals: [%s, "spiffe://example.org/node/*"]
                    resources: [network]
                    actions: [%s]
                """.formatted(String.join(", ", principals), String.join(", ", actions)));
        for (int i = 0; i < 20; i++) {
            assertThat(decide(p, "spiffe://example.org/app/w" + i, "a" + (19 - i), "network").allowed()).isTrue();
        }
        assertThat(decide(p, "spiffe://example.org/node/n", "a3", "network").allowed()).isTrue();
        assertThat(decide(p, "spiffe://example.org/app/w20", "a3", "network").allowed()).isFalse();
        assertThat(decide(p, "spiffe://example.org/app/w3", "a20", "network").allowed()).isFalse();
        assertThat(decide(p, "spiffe://other.org/app/w3", "a3", "network").allowed()).isFalse();
    }

    @Test
    void namesAreCaseSensitive() {
        Policy p = policy(MEMBERS_READ);
        assertThat(decide(p, "spiffe://example.org/app/x", "READ", "network").allowed()).isFalse();
        assertThat(decide(p, "spiffe://example.org/app/x", "read", "Network").allowed()).isFalse();
        assertThat(decide(p, "spiffe://example.org/App/x", "read", "network").allowed()).isFalse();
    }

    @Test
    void aRuleNamingAResourceLiterallyAndAWildcardRuleBothApply() {
        Policy p = policy("""
                  - id: all-read
                    effect: allow
                    principals: ["spiffe://example.org/app/*"]
                    resources: ["*"]
                    actions: [read]
                  - id: no-ledger
                    effect: deny
                    principals: ["spiffe://example.org/app/intern-*"]
                    resources: [ledger]
                    actions: ["*"]
                """);
        assertThat(decide(p, "spiffe://example.org/app/intern-1", "read", "ledger").rule()).isEqualTo("no-ledger");
        assertThat(decide(p, "spiffe://example.org/app/intern-1", "read", "network").rule()).isEqualTo("all-read");
        assertThat(decide(p, "spiffe://example.org/app/intern-1", "read", "anything-else").rule()).isEqualTo("all-read");
        assertThat(decide(p, "spiffe://example.org/app/staff", "read", "ledger").rule()).isEqualTo("all-read");
    }

    @Test
    void theDefaultDenyReasonNamesTheConditionThatFailed() {
        Policy p = policy("""
                  - id: office
                    effect: allow
                    principals: ["spiffe://example.org/app/*"]
                    resources: [network]
                    actions: [read]
                    conditions:
                      hours_utc: "13:00-17:00"
                """);
        assertThat(decide(p, "spiffe://example.org/app/x", "read", "network").reason())
                .isEqualTo("no rule allows spiffe://example.org/app/x read network (deny by default; rule \"office\" requires hours_utc 13:00-17:00)");
    }

    @Test
    void aDecisionIsThreadSafeAndRepeatable() throws Exception {
        Policy p = policy(MEMBERS_READ + DENY_GUESTS);
        RateLimiter limiter = new RateLimiter();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 10_000; i++) {
                        assertThat(p.decide(request("spiffe://example.org/app/w" + (i % 7), "read", "network"), limiter).allowed()).isTrue();
                        assertThat(p.decide(request("spiffe://example.org/app/guest", "read", "network"), limiter).allowed()).isFalse();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).isEmpty();
    }
}
