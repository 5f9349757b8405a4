package io.x0tta6bl4.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.identity.SpiffeId;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The compiled engine against a naive reference written from docs/policy.md alone: patterns as
 * regular expressions over the whole ID, address ranges as {@link BigInteger}s, time windows
 * through {@link java.time.LocalTime}, rate limits as a credit counter, every rule scanned in
 * document order. Random policies (written out as YAML, so the parser is exercised too) and random
 * requests on a moving virtual clock; seeded, so a failure replays from the seed it prints.
 */
class ReferenceModelTest {
    private static final List<String> PATHS = List.of("", "/app/x", "/app/intern-1", "/app/intern-", "/app/x/y", "/node/n1", "/node/n1/z",
            "/application", "/apps/x", "/web", "/app/axp");
    private static final List<String> PATH_PATTERNS = List.of("/app/*", "/app/intern-*", "/*", "/**", "/app/**", "/*/x", "/*/n*", "/node/*",
            "/*/*/**", "/a*p/*", "/app/x", "/node/n1", "", "/app/*x*", "/*-1");
    private static final List<String> RESOURCE_PATTERNS = List.of("network", "nodes", "ledger", "policy", "*", "led*", "*s", "n*e*", "policy");
    private static final List<String> RESOURCES = List.of("network", "nodes", "ledger", "policy", "legacy", "ns", "other", "ledger/x");
    private static final List<String> ACTION_PATTERNS = List.of("read", "write", "*", "re*", "*e", "read");
    private static final List<String> ACTIONS = List.of("read", "write", "delete", "reset");
    private static final List<String> CIDRS = List.of("10.0.0.0/8", "10.1.0.0/16", "0.0.0.0/0", "192.168.0.0/24", "2001:db8::/32", "::/0",
            "2001:db8::/64", "fd00::/8", "10.1.2.3", "192.168.0.128/25");
    private static final List<String> RATES = List.of("1/s", "2/s", "5/s", "10/s", "4/min", "60/min", "3600/h", "2/h");
    private static final Instant T0 = Instant.parse("2026-03-02T06:00:00Z");

    record RefRule(String id, boolean allow, List<String> principals, List<String> resources, List<String> actions, String hours,
            Instant notBefore, Instant notAfter, List<String> sources, String rate) {}

    record Outcome(boolean allowed, String rule) {}

    @Test
    void theCompiledEngineAgreesWithTheReference() throws Exception {
        long decisions = 0;
        Map<String, Integer> kinds = new HashMap<>();
        for (long seed = 1; seed <= 300; seed++) {
            Random random = new Random(seed);
            List<RefRule> rules = randomRules(random);
            String yaml = yaml(rules);
            Policy policy = Policy.parse(yaml, "seed-" + seed + ".yaml");
            RateLimiter limiter = new RateLimiter();
            Reference reference = new Reference(rules);
            List<InetAddress> sources = addresses();
            Instant now = T0;
            for (int i = 0; i < 400; i++) {
                now = advance(random, now);
                // A busy client sends a third of the requests, mostly the same one, so rate limits are reached.
                boolean busy = random.nextInt(3) == 0;
                SpiffeId who = busy ? new SpiffeId("a.org", "/app/x") : new SpiffeId(random.nextInt(6) == 0 ? "b.org" : "a.org", pick(random, PATHS));
                String resource = busy && random.nextBoolean() ? "network" : pick(random, RESOURCES);
                String action = busy && random.nextBoolean() ? "read" : pick(random, ACTIONS);
                int s = random.nextInt(sources.size() + 1);
                Request request = s == sources.size() ? new Request(who, resource, action, now) : new Request(who, resource, action, sources.get(s), now);
                Outcome expected = reference.decide(request);
                Decision actual = policy.decide(request, limiter);
                String context = "seed " + seed + ", request " + i + ": " + request + "\n" + yaml;
                assertThat(new Outcome(actual.allowed(), actual.rule())).as(context).isEqualTo(expected);
                String words = who + " " + action + " " + resource;
                if (actual.allowed()) {
                    assertThat(actual.reason()).as(context).isEqualTo("rule \"" + actual.rule() + "\" allows " + words);
                } else if (actual.byDefault()) {
                    assertThat(actual.reason()).as(context).startsWith("no rule allows " + words + " (deny by default");
                } else {
                    assertThat(actual.reason()).as(context).isIn("rule \"" + actual.rule() + "\" denies " + words,
                            "rate limit " + reference.rule(actual.rule()).rate() + " exceeded for " + words + " (rule \"" + actual.rule() + "\")");
                }
                String kind = actual.allowed() ? "allowed" : actual.byDefault() ? (actual.reason().contains("requires") ? "near miss" : "default")
                        : actual.reason().startsWith("rate") ? "rate limited" : "denied by rule";
                kinds.merge(kind, 1, Integer::sum);
                decisions++;
            }
        }
        assertThat(decisions).isEqualTo(120_000);
        // The generator is only useful if every kind of answer is common.
        assertThat(kinds).as("answers %s", kinds).containsOnlyKeys("allowed", "default", "near miss", "rate limited", "denied by rule");
        assertThat(kinds.values()).as("answers %s", kinds).allMatch(n -> n > 500);
    }

    /**
     * Mostly milliseconds, so rate limits bite; now and then a jump to a later quarter hour, the
     * granularity of the generated windows and validity bounds, so their edges are hit exactly.
     */
    private static Instant advance(Random random, Instant now) {
        int dice = random.nextInt(40);
        if (dice < 2) {
            return now.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofMinutes(15L * (4 + random.nextInt(12))));
        }
        return now.plusMillis(dice < 5 ? 0 : random.nextInt(dice < 8 ? 2_000 : 40));
    }

    private static <T> T pick(Random random, List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    private static <T> List<T> some(Random random, List<T> from, int max) {
        List<T> out = new ArrayList<>();
        int n = 1 + random.nextInt(max);
        for (int i = 0; i < n; i++) {
            out.add(pick(random, from));
        }
        return out;
    }

    private static List<RefRule> randomRules(Random random) {
        int n = random.nextInt(14);
        List<RefRule> rules = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean allow = random.nextInt(10) < 7;
            List<String> principals = new ArrayList<>();
            for (int k = 0, m = 1 + random.nextInt(3); k < m; k++) {
                String domain = random.nextInt(5) == 0 ? "b.org" : "a.org";
                principals.add("spiffe://" + domain + (random.nextBoolean() ? pick(random, PATH_PATTERNS) : pick(random, PATHS)));
            }
            String hours = null;
            if (random.nextInt(6) == 0) {
                int from = 15 * random.nextInt(96);
                int to = (from + 15 * (1 + random.nextInt(95))) % (24 * 60);
                hours = "%02d:%02d-%02d:%02d".formatted(from / 60, from % 60, to / 60, to % 60);
            }
            Instant notBefore = random.nextInt(6) == 0 ? T0.plus(Duration.ofMinutes(15L * random.nextInt(24 * 4))) : null;
            Instant notAfter = random.nextInt(6) == 0 ? T0.plus(Duration.ofMinutes(15L * random.nextInt(24 * 4))) : null;
            if (notBefore != null && notAfter != null && notAfter.isBefore(notBefore)) {
                notAfter = notBefore;
            }
            List<String> sources = random.nextInt(5) == 0 ? some(random, CIDRS, 2) : List.of();
            String rate = allow && random.nextInt(3) == 0 ? pick(random, RATES) : null;
            rules.add(new RefRule("r" + i, allow, principals, some(random, RESOURCE_PATTERNS, 3), some(random, ACTION_PATTERNS, 2), hours,
                    notBefore, notAfter, sources, rate));
        }
        return rules;
    }

    private static String yaml(List<RefRule> rules) {
        StringBuilder b = new StringBuilder("version: 1\nrules:");
        if (rules.isEmpty()) {
            b.append(" []");
        }
        b.append('\n');
        for (RefRule r : rules) {
            b.append("  - id: ").append(r.id()).append('\n');
            b.append("    effect: ").append(r.allow() ? "allow" : "deny").append('\n');
            b.append("    principals: ").append(quoted(r.principals())).append('\n');
            b.append("    resources: ").append(quoted(r.resources())).append('\n');
            b.append("    actions: ").append(quoted(r.actions())).append('\n');
            StringBuilder c = new StringBuilder();
            if (r.hours() != null) {
                c.append("      hours_utc: ").append(r.hours()).append('\n');
            }
            if (r.notBefore() != null) {
                c.append("      not_before: ").append(r.notBefore()).append('\n');
            }
            if (r.notAfter() != null) {
                c.append("      not_after: ").append(r.notAfter()).append('\n');
            }
            if (!r.sources().isEmpty()) {
                c.append("      source: ").append(quoted(r.sources())).append('\n');
            }
            if (r.rate() != null) {
                c.append("      rate_limit: ").append(r.rate()).append('\n');
            }
            if (!c.isEmpty()) {
                b.append("    conditions:\n").append(c);
            }
        }
        return b.toString();
    }

    private static String quoted(List<String> items) {
        return items.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(", ", "[", "]"));
    }

    private static List<InetAddress> addresses() throws Exception {
        List<InetAddress> out = new ArrayList<>();
        for (String a : List.of("10.1.2.3", "10.2.0.1", "192.168.0.255", "192.168.0.127", "192.168.1.0", "8.8.8.8", "2001:db8::1",
                "2001:db8:0:0:1::1", "2001:db9::1", "fd00::5", "::1")) {
            out.add(InetAddress.ofLiteral(a));
        }
        out.add(Inet6Address.getByAddress(null, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3}, -1));
        return out;
    }

    /** docs/policy.md, implemented the obvious way. */
    static final class Reference {
        private final List<RefRule> rules;
        private final Map<String, long[]> credit = new HashMap<>();

        Reference(List<RefRule> rules) {
            this.rules = rules;
        }

        RefRule rule(String id) {
            return rules.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
        }

        Outcome decide(Request q) {
            for (RefRule r : rules) {
                if (!r.allow() && applies(r, q)) {
                    return new Outcome(false, r.id());
                }
            }
            for (RefRule r : rules) {
                if (r.allow() && r.rate() == null && applies(r, q)) {
                    return new Outcome(true, r.id());
                }
            }
            String exhausted = null;
            for (RefRule r : rules) {
                if (r.allow() && r.rate() != null && applies(r, q)) {
                    if (take(r, q)) {
                        return new Outcome(true, r.id());
                    }
                    if (exhausted == null) {
                        exhausted = r.id();
                    }
                }
            }
            return exhausted != null ? new Outcome(false, exhausted) : new Outcome(false, Decision.DEFAULT_DENY);
        }

        private boolean applies(RefRule r, Request q) {
            return r.principals().stream().anyMatch(p -> principalRegex(p).matcher(q.principal().toString()).matches())
                    && r.resources().stream().anyMatch(p -> globRegex(p).matcher(q.resource()).matches())
                    && r.actions().stream().anyMatch(p -> globRegex(p).matcher(q.action()).matches())
                    && (r.hours() == null || inWindow(r.hours(), q.now()))
                    && (r.notBefore() == null || !q.now().isBefore(r.notBefore()))
                    && (r.notAfter() == null || !q.now().isAfter(r.notAfter()))
                    && (r.sources().isEmpty() || fromSource(r, q.source()));
        }

        private static boolean fromSource(RefRule r, Optional<InetAddress> source) {
            if (source.isEmpty()) {
                return !r.allow();
            }
            byte[] a = source.get().getAddress();
            if (a.length == 16 && new BigInteger(1, a).shiftRight(32).equals(BigInteger.valueOf(0xffff))) {
                a = Arrays.copyOfRange(a, 12, 16);
            }
            for (String cidr : r.sources()) {
                String[] parts = cidr.split("/");
                byte[] net = InetAddress.ofLiteral(parts[0]).getAddress();
                int bits = net.length * 8;
                int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : bits;
                if (net.length == a.length
                        && new BigInteger(1, net).shiftRight(bits - prefix).equals(new BigInteger(1, a).shiftRight(bits - prefix))) {
                    return true;
                }
            }
            return false;
        }

        private static boolean inWindow(String hours, Instant now) {
            int s = now.atZone(ZoneOffset.UTC).toLocalTime().toSecondOfDay();
            int from = Integer.parseInt(hours.substring(0, 2)) * 3600 + Integer.parseInt(hours.substring(3, 5)) * 60;
            int to = Integer.parseInt(hours.substring(6, 8)) * 3600 + Integer.parseInt(hours.substring(9, 11)) * 60;
            return from < to ? from <= s && s < to : s >= from || s < to;
        }

        /** A credit in nanoseconds: full is count × interval; a request costs one interval; time adds credit. */
        private boolean take(RefRule r, Request q) {
            String[] rate = r.rate().split("/");
            long count = Long.parseLong(rate[0]);
            long unit = switch (rate[1]) {
                case "s" -> 1_000_000_000L;
                case "min" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            long interval = unit / count;
            long full = interval * count;
            long now = q.now().getEpochSecond() * 1_000_000_000L + q.now().getNano();
            long[] state = credit.computeIfAbsent(r.id() + " " + q.principal(), k -> new long[] {full, now});
            state[0] = Math.min(full, state[0] + (now - state[1]));
            state[1] = now;
            if (state[0] >= interval) {
                state[0] -= interval;
                return true;
            }
            return false;
        }

        private static Pattern principalRegex(String pattern) {
            String rest = pattern.substring("spiffe://".length());
            int slash = rest.indexOf('/');
            String domain = slash < 0 ? rest : rest.substring(0, slash);
            StringBuilder re = new StringBuilder(Pattern.quote("spiffe://" + domain));
            if (slash >= 0) {
                for (String segment : rest.substring(slash + 1).split("/", -1)) {
                    if (segment.equals("**")) {
                        re.append("(/[^/]+)+");
                    } else {
                        re.append('/').append(segmentRegex(segment, "[^/]*"));
                    }
                }
            }
            return Pattern.compile(re.toString());
        }

        private static Pattern globRegex(String pattern) {
            return Pattern.compile(segmentRegex(pattern, ".*"));
        }

        private static String segmentRegex(String glob, String star) {
            String[] literals = glob.split("\\*", -1);
            StringBuilder re = new StringBuilder();
            for (int i = 0; i < literals.length; i++) {
                re.append(i == 0 ? "" : star).append(literals[i].isEmpty() ? "" : Pattern.quote(literals[i]));
            }
            return re.toString();
        }
    }
}
