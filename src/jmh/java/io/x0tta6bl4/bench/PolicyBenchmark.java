package io.x0tta6bl4.bench;

import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.policy.Decision;
import io.x0tta6bl4.policy.Policy;
import io.x0tta6bl4.policy.RateLimiter;
import io.x0tta6bl4.policy.Request;
import io.x0tta6bl4.policy.Rule;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Policy#decide} (target: ≤ 2 µs per decision) on the default policy and on a 50-rule
 * policy, for a request that is allowed and one that is denied by default (the longest path:
 * every candidate rule is looked at and nothing matches).
 *
 * <p>Each call builds a new {@link Request}, as an API server does per HTTP request, from a
 * {@link SpiffeId} (the verified token's subject), an address and an {@link Instant} made in setup;
 * {@link #requestOnly} measures that construction alone. The 50-rule policy is written out in
 * {@link #fiftyRules}: deny rules first in the file, allow rules for 30 teams, most naming
 * {@code network}, some with hours, source and rate-limit conditions.
 *
 * <p>For comparison in the same run, {@link #naiveRegexAllowed} and {@link #naiveRegexDenied}
 * decide the same requests on the same 50 rules the obvious way: every rule in turn, patterns as
 * regular expressions over {@code SpiffeId.toString()}. It ignores conditions (the two requests
 * are chosen so that no rule with a condition decides them), so it is a lower bound on what the
 * obvious engine would cost.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"}) // see docs/benchmarks.md, "Heap"
@State(Scope.Thread)
public class PolicyBenchmark {
    static final String DOMAIN = "bench.local";

    private final Instant now = Instant.parse("2026-03-02T12:00:00Z");
    private final SpiffeId app = SpiffeId.app(DOMAIN, "client");
    private final SpiffeId teamMember = SpiffeId.app(DOMAIN, "team-16-web");
    private final SpiffeId limitedNode = SpiffeId.node(DOMAIN, "node-3");
    private InetAddress address;
    private Policy defaultPolicy;
    private Policy fifty;
    private RateLimiter limiter;
    private List<NaiveRule> naive;
    private long tick;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        address = InetAddress.ofLiteral("10.1.2.3");
        defaultPolicy = Policy.defaultPolicy(DOMAIN);
        fifty = Policy.parse(fiftyRules(), "fifty.yaml");
        limiter = new RateLimiter();
        naive = fifty.rules().stream().map(NaiveRule::new).toList();
        check(defaultAllowed(), true, "members-read");
        check(defaultDenied(), false, Decision.DEFAULT_DENY);
        check(fiftyRulesAllowed(), true, "team-16");
        check(fiftyRulesDenied(), false, Decision.DEFAULT_DENY);
        check(fiftyRulesRateLimited(), true, "nodes-write-limited");
        if (fifty.rules().size() != 50 || !naiveRegexAllowed() || naiveRegexDenied()) {
            throw new IllegalStateException("the benchmark policy is not what this benchmark describes");
        }
    }

    private static void check(Decision d, boolean allowed, String rule) {
        if (d.allowed() != allowed || !d.rule().equals(rule)) {
            throw new IllegalStateException("unexpected decision: " + d);
        }
    }

    /** 10 quarantine denies, 5 conditional denies, 30 team allows, 4 node allows, 1 rate-limited allow. */
    static String fiftyRules() {
        StringBuilder b = new StringBuilder("version: 7\nrules:\n");
        for (int i = 0; i < 10; i++) {
            b.append(rule("quarantine-" + i, "deny", "spiffe://bench.local/app/quarantined-" + i, "\"*\"", "\"*\"", ""));
        }
        b.append(rule("interns-after-hours", "deny", "spiffe://bench.local/app/intern-*", "policy, ledger", "\"*\"", "hours_utc: 17:00-09:00"));
        b.append(rule("no-test-net", "deny", "spiffe://bench.local/**", "\"*\"", "write", "source: [\"203.0.113.0/24\"]"));
        b.append(rule("no-doc-net", "deny", "spiffe://bench.local/**", "\"*\"", "write", "source: [\"2001:db8::/32\"]"));
        b.append(rule("frozen", "deny", "spiffe://bench.local/app/*", "config", "write", "not_before: 2026-12-24T00:00:00Z"));
        b.append(rule("guests", "deny", "spiffe://bench.local/app/guest-*", "ledger, policy, keys", "\"*\"", ""));
        for (int i = 0; i < 30; i++) {
            String resources = i % 3 == 2 ? "svc-" + i + ", \"svc-" + i + "/*\"" : "network, svc-" + i + ", \"svc-" + i + "/*\"";
            String conditions = i % 5 == 0 ? "source: [\"10.0.0.0/8\", \"fd00::/8\"]" : "";
            b.append(rule("team-" + i, "allow", "spiffe://bench.local/app/team-" + i + "-*", resources, "read, write", conditions));
        }
        for (String r : List.of("network", "nodes", "ledger", "policy")) {
            b.append(rule("nodes-read-" + r, "allow", "spiffe://bench.local/node/*", r, "read", ""));
        }
        b.append(rule("nodes-write-limited", "allow", "spiffe://bench.local/node/*", "nodes", "write", "rate_limit: 1000000/s"));
        return b.toString();
    }

    private static String rule(String id, String effect, String principal, String resources, String actions, String condition) {
        return "  - id: " + id + "\n    effect: " + effect + "\n    principals: [\"" + principal + "\"]\n    resources: [" + resources
                + "]\n    actions: [" + actions + "]\n" + (condition.isEmpty() ? "" : "    conditions:\n      " + condition + "\n");
    }

    @Benchmark
    public Request requestOnly() {
        return new Request(teamMember, "network", "read", address, now);
    }

    /** {@code spiffe://bench.local/app/client read network}: allowed by {@code members-read}. */
    @Benchmark
    public Decision defaultAllowed() {
        return defaultPolicy.decide(new Request(app, "network", "read", address, now), limiter);
    }

    /** {@code spiffe://bench.local/app/client write policy}: denied by default. */
    @Benchmark
    public Decision defaultDenied() {
        return defaultPolicy.decide(new Request(app, "policy", "write", address, now), limiter);
    }

    /**
     * {@code .../app/team-16-web read network}: {@code network} has 33 candidate rules (12 denies
     * with {@code *} resources, 21 allows); allowed by the 12th allow, {@code team-16}.
     */
    @Benchmark
    public Decision fiftyRulesAllowed() {
        return fifty.decide(new Request(teamMember, "network", "read", address, now), limiter);
    }

    /** {@code .../app/team-16-web delete network}: no rule allows it; all 33 candidates are examined. */
    @Benchmark
    public Decision fiftyRulesDenied() {
        return fifty.decide(new Request(teamMember, "network", "delete", address, now), limiter);
    }

    /** {@code .../node/node-3 write nodes}: allowed by a rule with a rate limit (a CAS on its bucket); time moves 1 µs a call. */
    @Benchmark
    public Decision fiftyRulesRateLimited() {
        return fifty.decide(new Request(limitedNode, "nodes", "write", address, now.plusNanos(1_000 * tick++)), limiter);
    }

    @Benchmark
    public boolean naiveRegexAllowed() {
        return naiveDecide(teamMember, "network", "read");
    }

    @Benchmark
    public boolean naiveRegexDenied() {
        return naiveDecide(teamMember, "network", "delete");
    }

    private boolean naiveDecide(SpiffeId who, String resource, String action) {
        String principal = who.toString();
        for (NaiveRule r : naive) {
            if (!r.allow && r.matches(principal, resource, action)) {
                return false;
            }
        }
        for (NaiveRule r : naive) {
            if (r.allow && r.matches(principal, resource, action)) {
                return true;
            }
        }
        return false;
    }

    /** A rule as the obvious engine holds it: regular expressions, scanned in order. */
    static final class NaiveRule {
        final boolean allow;
        final List<Pattern> principals;
        final List<Pattern> resources;
        final List<Pattern> actions;

        NaiveRule(Rule rule) {
            allow = rule.effect().word().equals("allow");
            principals = rule.principals().stream().map(p -> Pattern.compile(glob(p, "[^/]*").replace("[^/]*[^/]*", "(/?[^/]+)+"))).toList();
            resources = rule.resources().stream().map(p -> Pattern.compile(glob(p, ".*"))).toList();
            actions = rule.actions().stream().map(p -> Pattern.compile(glob(p, ".*"))).toList();
        }

        private static String glob(String pattern, String star) {
            String[] literals = pattern.split("\\*", -1);
            StringBuilder re = new StringBuilder();
            for (int i = 0; i < literals.length; i++) {
                re.append(i == 0 ? "" : star).append(literals[i].isEmpty() ? "" : Pattern.quote(literals[i]));
            }
            return re.toString();
        }

        boolean matches(String principal, String resource, String action) {
            return any(actions, action) && any(resources, resource) && any(principals, principal);
        }

        private static boolean any(List<Pattern> patterns, String s) {
            for (Pattern p : patterns) {
                if (p.matcher(s).matches()) {
                    return true;
                }
            }
            return false;
        }
    }
}
