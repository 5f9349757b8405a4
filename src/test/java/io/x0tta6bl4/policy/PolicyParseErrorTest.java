package io.x0tta6bl4.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every kind of problem names the line and the field; one test per kind. */
class PolicyParseErrorTest {
    /** A valid document; tests break one line of it. Line numbers are in the comments. */
    static final String VALID = """
            version: 1
            rules:
              - id: members-read
                effect: allow
                principals: ["spiffe://example.org/app/*"]
                resources: [network, nodes]
                actions: [read]
              - id: interns-office-hours
                effect: deny
                principals: ["spiffe://example.org/app/intern-*"]
                resources: ["*"]
                actions: ["*"]
                conditions:
                  hours_utc: "17:00-09:00"
                  source: ["10.0.0.0/8"]
              - id: api-limit
                effect: allow
                principals: ["spiffe://example.org/node/*"]
                resources: [ledger]
                actions: [read]
                conditions:
                  rate_limit: 100/s
            """;

    private static List<String> problems(String yaml) {
        try {
            Policy.parse(yaml, "policy.yaml");
        } catch (PolicyException e) {
            return e.problems().stream().map(PolicyException.Problem::toString).toList();
        }
        throw new AssertionError("parsed without a problem:\n" + yaml);
    }

    private static String only(String yaml) {
        List<String> found = problems(yaml);
        assertThat(found).hasSize(1);
        return found.getFirst();
    }

    private static String replace(String from, String to) {
        assertThat(VALID).contains(from);
        return VALID.replace(from, to);
    }

    @Test
    void theValidDocumentParses() {
        assertThat(Policy.parse(VALID, "policy.yaml").rules()).hasSize(3);
    }

    @Test
    void aBadEffect() {
        assertThat(only(replace("effect: deny", "effect: alow")))
                .isEqualTo("policy.yaml:9: rules[1].effect: \"alow\" is not one of allow, deny");
    }

    @Test
    void theExceptionMessageOfOneProblemIsThatProblem() {
        assertThatThrownBy(() -> Policy.parse(replace("effect: deny", "effect: Deny"), "policy.yaml"))
                .isInstanceOf(PolicyException.class)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("policy.yaml:9: rules[1].effect: \"Deny\" is not one of allow, deny");
    }

    @Test
    void anUnknownFieldInARule() {
        assertThat(only(replace("    effect: allow\n    principals: [\"spiffe://example.org/app/*\"]",
                "    effect: allow\n    efect: deny\n    principals: [\"spiffe://example.org/app/*\"]")))
                .isEqualTo("policy.yaml:5: rules[0].efect: unknown field; allowed here: id, effect, principals, resources, actions, conditions");
    }

    @Test
    void anUnknownFieldAtTheTop() {
        assertThat(only("version: 1\nrule: []\nrules: []\n"))
                .isEqualTo("policy.yaml:2: rule: unknown field; allowed here: version, rules");
    }

    @Test
    void anUnknownCondition() {
        assertThat(only(replace("      source: [\"10.0.0.0/8\"]", "      sources: [\"10.0.0.0/8\"]")))
                .isEqualTo("policy.yaml:15: rules[1].conditions.sources: unknown field; allowed here: hours_utc, not_before, not_after, source, rate_limit");
    }

    @Test
    void aMissingField() {
        assertThat(only(replace("    effect: allow\n    principals: [\"spiffe://example.org/app/*\"]",
                "    principals: [\"spiffe://example.org/app/*\"]")))
                .isEqualTo("policy.yaml:3: rules[0]: field \"effect\" is missing");
    }

    @Test
    void aMissingVersionOrRules() {
        assertThat(only("rules: []\n")).isEqualTo("policy.yaml:1: field \"version\" is missing");
        assertThat(only("version: 2\n"))
                .isEqualTo("policy.yaml:1: field \"rules\" is missing; write rules: [] for a policy that denies everything");
    }

    @ParameterizedTest(name = "version: {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            0        | policy.yaml:1: version: must be a positive whole number, got 0
            -3       | policy.yaml:1: version: must be a positive whole number, got -3
            1.5      | policy.yaml:1: version: must be a positive whole number, got 1.5 (a number)
            "1"      | policy.yaml:1: version: must be a positive whole number, got "1" (a string)
            0x10     | policy.yaml:1: version: must be a positive whole number, got 0x10
            [1]      | policy.yaml:1: version: must be a single value, not a list, got nothing
            """)
    void aBadVersion(String version, String expected) {
        String got = only("version: " + version + "\nrules: []\n");
        if (version.startsWith("[")) {
            assertThat(got).isEqualTo("policy.yaml:1: version: must be a single value, not a list");
        } else {
            assertThat(got).isEqualTo(expected);
        }
    }

    @Test
    void aDuplicateRuleId() {
        assertThat(only(replace("id: api-limit", "id: members-read")))
                .isEqualTo("policy.yaml:16: rules[2].id: \"members-read\" is already the id of rules[0] (line 3); rule ids must be unique");
    }

    @Test
    void aDuplicateKey() {
        assertThat(only(replace("    effect: allow\n    principals: [\"spiffe://example.org/app/*\"]",
                "    effect: allow\n    principals: [\"spiffe://example.org/app/*\"]\n    effect: deny")))
                .isEqualTo("policy.yaml:6: rules[0].effect: appears twice (first on line 4); write each field once");
    }

    @Test
    void emptyPrincipals() {
        assertThat(only(replace("principals: [\"spiffe://example.org/app/*\"]", "principals: []")))
                .isEqualTo("policy.yaml:5: rules[0].principals: must list at least one principal (a rule that matches nothing is a mistake; delete it instead)");
    }

    @Test
    void principalsThatAreNotAList() {
        assertThat(only(replace("principals: [\"spiffe://example.org/app/*\"]", "principals: spiffe://example.org/app/*")))
                .isEqualTo("policy.yaml:5: rules[0].principals: must be a list, e.g. [\"spiffe://example.org/app/*\"], got \"spiffe://example.org/app/*\"");
    }

    @Test
    void aBadPrincipalPattern() {
        assertThat(only(replace("principals: [\"spiffe://example.org/node/*\"]", "principals: [\"spiffe://example.org/node/*\", \"spiffe://*.org/node/x\"]")))
                .isEqualTo("policy.yaml:18: rules[2].principals[1]: \"spiffe://*.org/node/x\": the trust domain must be written out; a '*' there could match another trust domain");
        assertThat(only(replace("principals: [\"spiffe://example.org/node/*\"]", "principals: [\"spiffe://Example.org/node/*\"]")))
                .isEqualTo("policy.yaml:18: rules[2].principals[0]: \"spiffe://Example.org/node/*\" is not a valid SPIFFE ID pattern: trust domain must be lower case ('E' at position 0)");
    }

    @Test
    void aPrincipalOnItsOwnLineIsReportedThere() {
        String yaml = replace("    principals: [\"spiffe://example.org/app/*\"]",
                "    principals:\n      - spiffe://example.org/app/*\n      - spiffe://example.org/app//x");
        assertThat(only(yaml)).isEqualTo("policy.yaml:7: rules[0].principals[1]: \"spiffe://example.org/app//x\" is not a valid SPIFFE ID pattern: path has an empty segment ('//')");
    }

    @Test
    void aBadResourceOrAction() {
        assertThat(only(replace("resources: [network, nodes]", "resources: [network, \"no des\"]")))
                .isEqualTo("policy.yaml:6: rules[0].resources[1]: \"no des\" has ' '; a resource is made of a-z, A-Z, 0-9, '.', '_', ':', '/', '-' and '*'");
        assertThat(only(replace("actions: [read]\n  - id: interns", "actions: [\"\"]\n  - id: interns")))
                .isEqualTo("policy.yaml:7: rules[0].actions[0]: must be a non-empty string, got nothing");
    }

    @Test
    void aValueOfTheWrongType() {
        assertThat(only(replace("actions: [read]\n  - id: interns", "actions: [on]\n  - id: interns")))
                .isEqualTo("policy.yaml:7: rules[0].actions[0]: must be a non-empty string, got on (a boolean (quote it to make it a string))");
        assertThat(only(replace("id: api-limit", "id: 42")))
                .isEqualTo("policy.yaml:16: rules[2].id: must be a non-empty string, got 42 (a number)");
    }

    @ParameterizedTest(name = "source {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            10.0.0.0/33      | "10.0.0.0/33": prefix length 33 is more than 32 (IPv4)
            10.0.0.1/8       | "10.0.0.1/8" has address bits set after the first 8; the range is 10.0.0.0/8
            10.0.0/8         | "10.0.0/8" is not an address range; write a.b.c.d/n (IPv4) or x:x::x/n (IPv6), e.g. 10.0.0.0/8
            10.0.0.256/32    | "10.0.0.256/32": 256 is not an octet (0..255)
            010.0.0.0/8      | "010.0.0.0/8": '010' has a leading zero, which some tools read as octal; write it without
            10.0.0.0/        | "10.0.0.0/": the prefix length after '/' must be a whole number 0..32
            10.0.0.0/08      | "10.0.0.0/08": the prefix length after '/' must be a whole number 0..32
            localhost        | "localhost" is not an address range; write a.b.c.d/n (IPv4) or x:x::x/n (IPv6), e.g. 10.0.0.0/8
            2001:db8::/129   | "2001:db8::/129": prefix length 129 is more than 128 (IPv6)
            2001:db8::1/32   | "2001:db8::1/32" has address bits set after the first 32; the range is 2001:db8:0:0:0:0:0:0/32
            2001:db8:::1/64  | "2001:db8:::1/64": "2001:db8:::1" is not an IPv6 address
            fe80::1%eth0/128 | "fe80::1%eth0/128": '%' cannot appear in an IPv6 address (zone ids are not allowed)
            ::ffff:10.0.0.0/104 | "::ffff:10.0.0.0/104" is an IPv4-mapped IPv6 address; write the IPv4 range instead
            """)
    void aBadAddressRange(String cidr, String message) {
        assertThat(only(replace("source: [\"10.0.0.0/8\"]", "source: [\"" + cidr + "\"]")))
                .isEqualTo("policy.yaml:15: rules[1].conditions.source[0]: " + message);
    }

    @Test
    void anEmptySourceList() {
        assertThat(only(replace("source: [\"10.0.0.0/8\"]", "source: []")))
                .isEqualTo("policy.yaml:15: rules[1].conditions.source: must list at least one address range (a rule that matches nothing is a mistake; delete it instead)");
    }

    @ParameterizedTest(name = "hours_utc {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            9:00-17:00   | "9:00-17:00" is not a window; write HH:MM-HH:MM in UTC, e.g. 09:00-17:00
            09:00-24:00  | "09:00-24:00": 24:00 is not a time of day; hours are 00-23 and minutes 00-59 (write 18:00-00:00 for 'until midnight')
            09:60-17:00  | "09:60-17:00": 09:60 is not a time of day; hours are 00-23 and minutes 00-59 (write 18:00-00:00 for 'until midnight')
            09:00-09:00  | "09:00-09:00" starts and ends at the same time; leave hours_utc out for the whole day
            09:00 17:00  | "09:00 17:00" is not a window; write HH:MM-HH:MM in UTC, e.g. 09:00-17:00
            """)
    void aBadWindow(String window, String message) {
        assertThat(only(replace("hours_utc: \"17:00-09:00\"", "hours_utc: \"" + window + "\"")))
                .isEqualTo("policy.yaml:14: rules[1].conditions.hours_utc: " + message);
    }

    @Test
    void aBadInstantAndAnImpossibleInterval() {
        assertThat(only(replace("      hours_utc: \"17:00-09:00\"", "      not_before: 2026-13-01")))
                .isEqualTo("policy.yaml:14: rules[1].conditions.not_before: \"2026-13-01\" is not an instant; write one in ISO-8601 UTC, e.g. 2026-01-01T00:00:00Z");
        assertThat(only(replace("      hours_utc: \"17:00-09:00\"", "      not_before: 2026-06-01T00:00:00Z\n      not_after: 2026-05-01T00:00:00Z")))
                .isEqualTo("policy.yaml:15: rules[1].conditions.not_after: \"2026-05-01T00:00:00Z\" is before not_before \"2026-06-01T00:00:00Z\"; the rule could never apply");
    }

    @ParameterizedTest(name = "rate_limit {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            100          | must be a non-empty string, got 100 (a number)
            100/day      | "100/day": the unit must be s, min or h; write N/s, N/min or N/h with N a whole number 1..1000000, e.g. 100/s
            0/s          | "0/s" is not a rate; write N/s, N/min or N/h with N a whole number 1..1000000, e.g. 100/s
            1.5/s        | "1.5/s" is not a rate; write N/s, N/min or N/h with N a whole number 1..1000000, e.g. 100/s
            2000000/s    | "2000000/s": 2000000 is more than 1000000 per unit; write N/s, N/min or N/h with N a whole number 1..1000000, e.g. 100/s
            /s           | "/s" is not a rate; write N/s, N/min or N/h with N a whole number 1..1000000, e.g. 100/s
            """)
    void aBadRate(String rate, String message) {
        assertThat(only(replace("rate_limit: 100/s", "rate_limit: " + rate)))
                .isEqualTo("policy.yaml:22: rules[2].conditions.rate_limit: " + message);
    }

    @Test
    void aRateLimitOnADenyRule() {
        assertThat(only(replace("      source: [\"10.0.0.0/8\"]", "      rate_limit: 100/s")))
                .isEqualTo("policy.yaml:15: rules[1].conditions.rate_limit: only allow rules take a rate limit; a deny rule refuses every request it matches");
    }

    @Test
    void aBadOrReservedRuleId() {
        assertThat(only(replace("id: api-limit", "id: \"api limit\"")))
                .isEqualTo("policy.yaml:16: rules[2].id: \"api limit\" has ' '; a rule id is made of a-z, A-Z, 0-9, '.', '_' and '-'");
        assertThat(only(replace("id: api-limit", "id: default-deny")))
                .isEqualTo("policy.yaml:16: rules[2].id: \"default-deny\" is reserved for decisions no rule made; choose another id");
    }

    @Test
    void aRuleThatIsNotAMapping() {
        assertThat(only("version: 1\nrules:\n  - allow everyone\n"))
                .isEqualTo("policy.yaml:3: rules[0]: must be a mapping with id, effect, principals, resources and actions");
        assertThat(only("version: 1\nrules: everyone\n"))
                .isEqualTo("policy.yaml:2: rules: must be a list of rules (each starting with '- id: ...'), got \"everyone\"");
        assertThat(only(replace("    conditions:\n      rate_limit: 100/s", "    conditions: none")))
                .isEqualTo("policy.yaml:21: rules[2].conditions: must be a mapping of conditions (hours_utc, not_before, not_after, source, rate_limit); leave it out for none, got \"none\"");
    }

    @Test
    void notValidYaml() {
        assertThat(only(replace("    effect: allow", "    effect: allow: deny")))
                .isEqualTo("policy.yaml:4: not valid YAML: mapping values are not allowed here");
        assertThat(only(replace("resources: [network, nodes]", "resources: [network, nodes")))
                .isEqualTo("policy.yaml:7: not valid YAML: expected ',' or ']', but got : (while parsing a flow sequence started on line 6)");
        assertThat(only("version: 1\n\trules: []\n"))
                .isEqualTo("policy.yaml:2: not valid YAML: found character '\\t(TAB)' that cannot start any token. "
                        + "(Do not use \\t(TAB) for indentation) (while scanning for the next token)");
    }

    @Test
    void notAMappingAtTheTopOrEmpty() {
        assertThat(only("- version: 1\n")).isEqualTo("policy.yaml:1: a policy must be a mapping with version: and rules: (see docs/policy.md)");
        assertThat(only("")).isEqualTo("policy.yaml:1: the document is empty; a policy starts with version: and rules:");
        assertThat(only("# nothing but a comment\n")).isEqualTo("policy.yaml:1: the document is empty; a policy starts with version: and rules:");
    }

    @Test
    void yamlAliasesAreRefused() {
        String yaml = replace("resources: [network, nodes]", "resources: &r [network, nodes]")
                .replace("resources: [ledger]", "resources: *r");
        assertThat(only(yaml)).isEqualTo("policy.yaml:19: rules[2].resources: YAML aliases (*r) are not allowed in a policy; write the value out");
    }

    @Test
    void aSecondDocumentIsRefused() {
        assertThat(only(VALID + "---\nversion: 2\nrules: []\n"))
                .isEqualTo("policy.yaml:24: a second YAML document starts here; a policy is a single document");
    }

    @Test
    void invalidUtf8IsRefusedWithItsLine() {
        byte[] bytes = VALID.getBytes(StandardCharsets.UTF_8);
        int at = VALID.indexOf("members-read");
        bytes[at] = (byte) 0xC3;
        bytes[at + 1] = (byte) 0x28;
        assertThatThrownBy(() -> Policy.parse(bytes, "policy.yaml"))
                .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.problems()).singleElement()
                        .hasToString("policy.yaml:3: not valid UTF-8 (byte " + at + ")"));
    }

    @Test
    void anOversizedDocumentIsRefusedBeforeParsing() {
        byte[] big = new byte[Policy.MAX_BYTES + 1];
        assertThatThrownBy(() -> Policy.parse(big, "policy.yaml"))
                .hasMessage("policy.yaml:1: the document is " + (Policy.MAX_BYTES + 1) + " bytes; the limit is " + Policy.MAX_BYTES);
        assertThatThrownBy(() -> Policy.parse("#".repeat(Policy.MAX_BYTES + 1), "policy.yaml"))
                .hasMessage("policy.yaml:1: the document is larger than " + Policy.MAX_BYTES + " bytes");
    }

    /** Hostile text: whatever the damage, the parser answers with a policy or a list of located problems, never anything else. */
    @Test
    void randomlyDamagedDocumentsGiveAPolicyOrLocatedProblems() {
        String alphabet = " \n\t-:[]{}\"'*&!#%@|>,?/.0123456789aeflrstwxyz\\\u00e9\u0000";
        Random random = new Random(20261124);
        int parsed = 0;
        for (int round = 0; round < 3_000; round++) {
            StringBuilder b = new StringBuilder(VALID);
            for (int edits = 1 + random.nextInt(4); edits > 0; edits--) {
                int at = random.nextInt(b.length());
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(3)) {
                    case 0 -> b.deleteCharAt(at);
                    case 1 -> b.insert(at, c);
                    default -> b.setCharAt(at, c);
                }
            }
            String text = b.toString();
            long lines = text.lines().count() + 1;
            try {
                Policy.parse(text, "fuzz.yaml");
                parsed++;
            } catch (PolicyException e) {
                assertThat(e.problems()).as(text).isNotEmpty().allSatisfy(p -> {
                    assertThat(p.line()).as(text).isBetween(1, (int) lines);
                    assertThat(p.source()).isEqualTo("fuzz.yaml");
                    assertThat(p.message()).isNotBlank();
                });
            }
        }
        assertThat(parsed).as("some damage is harmless (inside a comment-free value, say)").isPositive();
    }

    @Test
    void everyProblemIsReportedAtOnceInLineOrder() {
        String yaml = replace("effect: deny", "effect: alow")
                .replace("rate_limit: 100/s", "rate_limit: lots")
                .replace("principals: [\"spiffe://example.org/app/*\"]", "principals: []")
                .replace("version: 1", "version: 0");
        assertThatThrownBy(() -> Policy.parse(yaml, "policy.yaml"))
                .isInstanceOfSatisfying(PolicyException.class, e -> {
                    assertThat(e.problems()).extracting(PolicyException.Problem::line, PolicyException.Problem::field)
                            .map(t -> t.toList())
                            .containsExactly(List.of(1, "version"), List.of(5, "rules[0].principals"), List.of(9, "rules[1].effect"),
                                    List.of(22, "rules[2].conditions.rate_limit"));
                    assertThat(e.getMessage()).startsWith("policy.yaml: 4 problems\n  policy.yaml:1: version: ");
                });
    }
}
