package io.x0tta6bl4.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.identity.SpiffeId;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each condition kind, at and around its boundaries. */
class ConditionsTest {
    private static final SpiffeId WEB = SpiffeId.parse("spiffe://example.org/app/web");
    private static final Instant NOON = Instant.parse("2026-03-02T12:00:00Z");

    private static Policy rule(String effect, String conditions) {
        return Policy.parse("""
                version: 1
                rules:
                  - id: guarded
                    effect: %s
                    principals: ["spiffe://example.org/app/*"]
                    resources: [network]
                    actions: [read]
                    conditions:
                %s
                """.formatted(effect, conditions.indent(6).stripTrailing()), "conditions.yaml");
    }

    /** A policy that allows everything, plus one deny rule with the given conditions. */
    private static Policy denyOverEverything(String conditions) {
        return Policy.parse("""
                version: 1
                rules:
                  - id: everything
                    effect: allow
                    principals: ["spiffe://example.org/**"]
                    resources: ["*"]
                    actions: ["*"]
                  - id: guarded
                    effect: deny
                    principals: ["spiffe://example.org/app/*"]
                    resources: [network]
                    actions: [read]
                    conditions:
                %s
                """.formatted(conditions.indent(6).stripTrailing()), "conditions.yaml");
    }

    private static boolean allowedAt(Policy p, String instant) {
        return p.decide(new Request(WEB, "network", "read", Instant.parse(instant)), new RateLimiter()).allowed();
    }

    private static boolean allowedFrom(Policy p, String address) throws Exception {
        return p.decide(new Request(WEB, "network", "read", InetAddress.ofLiteral(address), NOON), new RateLimiter()).allowed();
    }

    @ParameterizedTest(name = "09:00-17:00 at {0}: {1}")
    @CsvSource(textBlock = """
            2026-03-02T08:59:59.999999999Z, false
            2026-03-02T09:00:00Z,           true
            2026-03-02T12:00:00Z,           true
            2026-03-02T16:59:59.999999999Z, true
            2026-03-02T17:00:00Z,           false
            2026-03-02T23:59:59Z,           false
            2026-03-03T00:00:00Z,           false
            1969-12-31T10:00:00Z,           true
            """)
    void dailyWindowIncludesItsStartAndExcludesItsEnd(String at, boolean allowed) {
        assertThat(allowedAt(rule("allow", "hours_utc: \"09:00-17:00\""), at)).isEqualTo(allowed);
    }

    @ParameterizedTest(name = "22:00-06:00 at {0}: {1}")
    @CsvSource(textBlock = """
            2026-03-02T21:59:59Z, false
            2026-03-02T22:00:00Z, true
            2026-03-02T23:59:59Z, true
            2026-03-03T00:00:00Z, true
            2026-03-03T05:59:59Z, true
            2026-03-03T06:00:00Z, false
            2026-03-03T12:00:00Z, false
            """)
    void aWindowWhoseStartIsAfterItsEndCrossesMidnight(String at, boolean allowed) {
        assertThat(allowedAt(rule("allow", "hours_utc: 22:00-06:00"), at)).isEqualTo(allowed);
    }

    @Test
    void untilMidnightIsWrittenWithAnEndOfZero() {
        Policy p = rule("allow", "hours_utc: 18:00-00:00");
        assertThat(allowedAt(p, "2026-03-02T17:59:59Z")).isFalse();
        assertThat(allowedAt(p, "2026-03-02T18:00:00Z")).isTrue();
        assertThat(allowedAt(p, "2026-03-02T23:59:59.999Z")).isTrue();
        assertThat(allowedAt(p, "2026-03-03T00:00:00Z")).isFalse();
    }

    @Test
    void aDenyWindowDeniesOnlyInsideIt() {
        Policy p = denyOverEverything("hours_utc: 17:00-09:00");
        assertThat(allowedAt(p, "2026-03-02T16:59:59Z")).isTrue();
        assertThat(allowedAt(p, "2026-03-02T17:00:00Z")).isFalse();
        assertThat(allowedAt(p, "2026-03-03T08:59:59Z")).isFalse();
        assertThat(allowedAt(p, "2026-03-03T09:00:00Z")).isTrue();
    }

    @Test
    void notBeforeAndNotAfterAreBothInclusive() {
        Policy p = rule("allow", "not_before: 2026-01-01T00:00:00Z\nnot_after: 2026-06-30T23:59:59Z");
        assertThat(allowedAt(p, "2025-12-31T23:59:59.999999999Z")).isFalse();
        assertThat(allowedAt(p, "2026-01-01T00:00:00Z")).isTrue();
        assertThat(allowedAt(p, "2026-06-30T23:59:59Z")).isTrue();
        assertThat(allowedAt(p, "2026-06-30T23:59:59.000000001Z")).isFalse();
    }

    @Test
    void instantsMayCarryAnOffset() {
        Policy p = rule("allow", "not_before: \"2026-01-01T02:00:00+02:00\"");
        assertThat(allowedAt(p, "2025-12-31T23:59:59Z")).isFalse();
        assertThat(allowedAt(p, "2026-01-01T00:00:00Z")).isTrue();
    }

    @Test
    void allConditionsOfARuleMustHold() {
        Policy p = rule("allow", "hours_utc: 09:00-17:00\nnot_after: 2026-03-02T12:00:00Z");
        assertThat(allowedAt(p, "2026-03-02T11:00:00Z")).isTrue();
        assertThat(allowedAt(p, "2026-03-02T08:00:00Z")).isFalse();
        assertThat(allowedAt(p, "2026-03-02T13:00:00Z")).isFalse();
    }

    @ParameterizedTest(name = "from {0}: {1}")
    @CsvSource(textBlock = """
            10.0.0.0,        true
            10.255.255.255,  true
            9.255.255.255,   false
            11.0.0.0,        false
            192.168.1.7,     true
            192.168.1.6,     false
            192.168.1.8,     false
            172.16.0.1,      true
            172.31.255.255,  true
            172.32.0.0,      false
            172.15.255.255,  false
            2001:db8::,      true
            2001:db8:ffff:ffff:ffff:ffff:ffff:ffff, true
            2001:db9::,      false
            2001:db7:ffff:ffff:ffff:ffff:ffff:ffff, false
            fd00::1:2,       true
            fd00::1:3,       false
            ::1,             false
            ::ffff:10.1.2.3, true
            ::ffff:11.1.2.3, false
            ::a01:203,       false
            127.0.0.1,       false
            """)
    void sourceRanges(String address, boolean allowed) throws Exception {
        Policy p = rule("allow", "source: [\"10.0.0.0/8\", 192.168.1.7, 172.16.0.0/12, \"2001:db8::/32\", \"fd00::1:2/128\"]");
        assertThat(allowedFrom(p, address)).isEqualTo(allowed);
    }

    @Test
    void anIpv4MappedIpv6SourceIsMatchedAsIpv4() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3};
        InetAddress address = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(address).isInstanceOf(Inet6Address.class);
        Policy p = rule("allow", "source: [10.0.0.0/8]");
        assertThat(p.decide(new Request(WEB, "network", "read", address, NOON), new RateLimiter()).allowed()).isTrue();
        assertThat(rule("allow", "source: [\"::/0\"]").decide(new Request(WEB, "network", "read", address, NOON), new RateLimiter()).allowed())
                .isFalse();
    }

    @Test
    void aSlashZeroMatchesItsWholeFamilyAndNoOther() throws Exception {
        Policy v4 = rule("allow", "source: [0.0.0.0/0]");
        assertThat(allowedFrom(v4, "0.0.0.0")).isTrue();
        assertThat(allowedFrom(v4, "255.255.255.255")).isTrue();
        assertThat(allowedFrom(v4, "::1")).isFalse();
        Policy v6 = rule("allow", "source: [\"::/0\"]");
        assertThat(allowedFrom(v6, "::")).isTrue();
        assertThat(allowedFrom(v6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).isTrue();
        assertThat(allowedFrom(v6, "10.0.0.1")).isFalse();
    }

    @ParameterizedTest(name = "/{0} boundaries")
    @CsvSource(textBlock = """
            2001:db8::/63,  2001:db8:0:1:ffff:ffff:ffff:ffff, 2001:db8:0:2::
            2001:db8::/64,  2001:db8::ffff:ffff:ffff:ffff,    2001:db8:0:1::
            2001:db8::/65,  2001:db8::7fff:ffff:ffff:ffff,    2001:db8::8000:0:0:0
            2001:db8::/127, 2001:db8::1,                      2001:db8::2
            """)
    void ipv6PrefixesAroundTheHalfwayWord(String cidr, String lastInside, String firstOutside) throws Exception {
        Policy p = rule("allow", "source: [\"" + cidr + "\"]");
        assertThat(allowedFrom(p, "2001:db8::")).isTrue();
        assertThat(allowedFrom(p, lastInside)).isTrue();
        assertThat(allowedFrom(p, firstOutside)).isFalse();
    }

    @Test
    void anUnknownSourceFailsClosed() {
        Request noAddress = new Request(WEB, "network", "read", NOON);
        Decision allow = rule("allow", "source: [10.0.0.0/8]").decide(noAddress, new RateLimiter());
        assertThat(allow.allowed()).isFalse();
        assertThat(allow.reason()).isEqualTo("no rule allows spiffe://example.org/app/web read network "
                + "(deny by default; rule \"guarded\" requires a source address in [10.0.0.0/8] and the request has none)");
        Decision deny = denyOverEverything("source: [10.0.0.0/8]").decide(noAddress, new RateLimiter());
        assertThat(deny.allowed()).isFalse();
        assertThat(deny.rule()).isEqualTo("guarded");
    }

    @Test
    void aDenyRuleWithASourceDeniesOnlyThatRange() throws Exception {
        Policy p = denyOverEverything("source: [\"203.0.113.0/24\"]");
        assertThat(allowedFrom(p, "203.0.113.9")).isFalse();
        assertThat(allowedFrom(p, "203.0.114.9")).isTrue();
    }
}
