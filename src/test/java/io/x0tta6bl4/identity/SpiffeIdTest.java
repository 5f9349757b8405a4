package io.x0tta6bl4.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpiffeIdTest {

    @Test
    void parsesATrustDomainIdWithoutPath() {
        SpiffeId id = SpiffeId.parse("spiffe://example.org");

        assertThat(id.trustDomain()).isEqualTo("example.org");
        assertThat(id.path()).isEmpty();
        assertThat(id).hasToString("spiffe://example.org");
    }

    @Test
    void parsesAWorkloadIdWithPath() {
        SpiffeId id = SpiffeId.parse("spiffe://mesh-1.example_org/node/node-a");

        assertThat(id.trustDomain()).isEqualTo("mesh-1.example_org");
        assertThat(id.path()).isEqualTo("/node/node-a");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "spiffe://example.org",
            "spiffe://example.org/node/node-1",
            "spiffe://example.org/app/Billing_Service.v2-x",
            "spiffe://0.a-b_c/A/B/C/d.e/...x/x..",
            "spiffe://x/y"})
    void toStringGivesBackTheParsedText(String text) {
        assertThat(SpiffeId.parse(text).toString()).isEqualTo(text);
        assertThat(SpiffeId.parse(SpiffeId.parse(text).toString())).isEqualTo(SpiffeId.parse(text));
    }

    @Test
    void acceptsATrustDomainOfExactly255Characters() {
        String td = "a".repeat(SpiffeId.MAX_TRUST_DOMAIN);

        assertThat(SpiffeId.parse("spiffe://" + td + "/x").trustDomain()).hasSize(255);
        assertThat(SpiffeId.checkTrustDomain(td)).isEqualTo(td);
    }

    @Test
    void acceptsAnIdOfExactly2048Bytes() {
        String prefix = "spiffe://example.org/";
        String id = prefix + "a".repeat(SpiffeId.MAX_BYTES - prefix.length());

        assertThat(id.getBytes(StandardCharsets.UTF_8)).hasSize(2048);
        assertThat(SpiffeId.parse(id).toString()).isEqualTo(id);
    }

    @Test
    void refusesAnIdOf2049BytesAndKeepsTheMessageShort() {
        String prefix = "spiffe://example.org/";
        String id = prefix + "a".repeat(SpiffeId.MAX_BYTES + 1 - prefix.length());

        assertThatThrownBy(() -> SpiffeId.parse(id))
                .isInstanceOf(InvalidSpiffeIdException.class)
                .hasMessageEndingWith(": longer than 2048 bytes")
                .hasMessageContaining("spiffe://example.org/aaa")
                .hasMessageContaining("...")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
    }

    @Test
    void theRecordConstructorEnforcesTheLengthLimitToo() {
        assertThatThrownBy(() -> new SpiffeId("example.org", "/" + "a".repeat(2048)))
                .isInstanceOf(InvalidSpiffeIdException.class)
                .hasMessageContaining("longer than 2048 bytes");
    }

    static Stream<Arguments> violations() {
        return Stream.of(
                Arguments.of("empty", "", "invalid SPIFFE ID '': it is empty"),
                Arguments.of("no scheme", "example.org/node/a", "no scheme; expected spiffe://trust-domain/path"),
                Arguments.of("wrong scheme", "http://example.org/node/a", "scheme must be 'spiffe', got 'http'"),
                Arguments.of("upper-case scheme", "SPIFFE://example.org/node/a", "scheme must be 'spiffe' in lower case, got 'SPIFFE'"),
                Arguments.of("missing ://", "spiffe:/x", "scheme must be followed by '://'"),
                Arguments.of("missing trust domain", "spiffe:///path", "trust domain is missing"),
                Arguments.of("upper-case trust domain", "spiffe://Example.org/x", "trust domain must be lower case ('E' at position 0)"),
                Arguments.of("port", "spiffe://example.org:8443/x", "trust domain must not contain a port"),
                Arguments.of("user info", "spiffe://admin@example.org/x", "trust domain must not contain user info ('@')"),
                Arguments.of("invalid trust domain char", "spiffe://exa$mple.org/x",
                        "trust domain has '$' at position 3; only a-z, 0-9, '.', '-' and '_' are allowed"),
                Arguments.of("trust domain of 256", "spiffe://" + "a".repeat(256) + "/x", "trust domain is 256 characters; the limit is 255"),
                Arguments.of("trailing slash", "spiffe://example.org/node/", "path must not end with '/'"),
                Arguments.of("lone slash", "spiffe://example.org/", "path must not end with '/'"),
                Arguments.of("empty segment", "spiffe://example.org/node//a", "path has an empty segment ('//')"),
                Arguments.of("dot segment", "spiffe://example.org/node/./a", "path segments must not be '.' or '..'"),
                Arguments.of("dot-dot segment", "spiffe://example.org/node/../a", "path segments must not be '.' or '..'"),
                Arguments.of("final dot-dot", "spiffe://example.org/..", "path segments must not be '.' or '..'"),
                Arguments.of("query", "spiffe://example.org/node/a?x=1", "a SPIFFE ID must not have a query ('?')"),
                Arguments.of("fragment", "spiffe://example.org/node/a#top", "a SPIFFE ID must not have a fragment ('#')"),
                Arguments.of("percent-encoding", "spiffe://example.org/node/a%2Fb", "percent-encoding is not allowed in a SPIFFE ID path"),
                Arguments.of("space in path", "spiffe://example.org/node/a b",
                        "path has ' '; only a-z, A-Z, 0-9, '.', '-' and '_' are allowed in a segment"),
                Arguments.of("star in path", "spiffe://example.org/node/*", "path has '*'"),
                Arguments.of("non-ASCII in path", "spiffe://example.org/node/caf\u00e9", "path has '\u00e9'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("violations")
    void eachBrokenRuleHasItsOwnMessage(String rule, String input, String message) {
        assertThatThrownBy(() -> SpiffeId.parse(input))
                .as(rule)
                .isInstanceOf(InvalidSpiffeIdException.class)
                .hasMessageStartingWith("invalid SPIFFE ID '")
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).endsWith("': " + ((InvalidSpiffeIdException) e).problem()));
    }

    @Test
    void nullIsRefusedAsEmpty() {
        assertThatThrownBy(() -> SpiffeId.parse(null))
                .isInstanceOf(InvalidSpiffeIdException.class)
                .hasMessageContaining("it is empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"spiffe://example.org?x=1", "spiffe://example.org#top", "spiffe://example.org%41"})
    void queryFragmentOrEscapeRightAfterTheTrustDomainIsStillRefused(String input) {
        assertThatThrownBy(() -> SpiffeId.parse(input)).isInstanceOf(InvalidSpiffeIdException.class);
    }

    @Test
    void nodeAndAppHelpersBuildTheConventionalPaths() {
        SpiffeId node = SpiffeId.node("example.org", "node-1");
        SpiffeId app = SpiffeId.app("example.org", "billing");

        assertThat(node).hasToString("spiffe://example.org/node/node-1").isEqualTo(SpiffeId.parse("spiffe://example.org/node/node-1"));
        assertThat(app).hasToString("spiffe://example.org/app/billing").isEqualTo(SpiffeId.parse("spiffe://example.org/app/billing"));
        assertThat(node).isNotEqualTo(app);
    }

    @Test
    void helpersValidateLikeParse() {
        assertThatThrownBy(() -> SpiffeId.node("Example.org", "n"))
                .isInstanceOf(InvalidSpiffeIdException.class)
                .hasMessageContaining("lower case");
        assertThatThrownBy(() -> SpiffeId.app("example.org", ".."))
                .isInstanceOf(InvalidSpiffeIdException.class)
                .hasMessageContaining("'.' or '..'");
        assertThatThrownBy(() -> SpiffeId.node("example.org", "a/../../b"))
                .isInstanceOf(InvalidSpiffeIdException.class);
    }

    @Test
    void memberOfComparesTheWholeTrustDomain() {
        SpiffeId id = SpiffeId.parse("spiffe://example.org/node/a");

        assertThat(id.memberOf("example.org")).isTrue();
        assertThat(id.memberOf("org")).isFalse();
        assertThat(id.memberOf("evil-example.org")).isFalse();
        assertThat(id.memberOf("example.org.evil")).isFalse();
    }

    @Test
    void checkTrustDomainRefusesWhatParseRefusesAndNamesTheTrustDomain() {
        assertThatThrownBy(() -> SpiffeId.checkTrustDomain("Mesh"))
                .isInstanceOf(InvalidSpiffeIdException.class)
                .hasMessage("invalid trust domain 'Mesh': trust domain must be lower case ('M' at position 0)")
                .satisfies(e -> assertThat(((InvalidSpiffeIdException) e).problem())
                        .isEqualTo("trust domain must be lower case ('M' at position 0)"));
        assertThatThrownBy(() -> SpiffeId.checkTrustDomain("")).hasMessageContaining("trust domain is missing");
        assertThatThrownBy(() -> SpiffeId.checkTrustDomain("mesh.example.org:443")).hasMessageContaining("port");
        assertThatThrownBy(() -> SpiffeId.checkTrustDomain("mesh/x")).hasMessageContaining("trust domain has '/'");
    }

    private static final String TD_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789.-_";
    private static final String SEGMENT_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";

    /**
     * Property: every ID built from the grammar parses back to itself, and putting one character
     * that the grammar forbids anywhere after the scheme makes it invalid.
     */
    @Test
    void randomIdsFromTheGrammarRoundTripAndOneForbiddenCharacterBreaksThem() {
        long seed = Long.getLong("test.seed", new Random().nextLong());
        Random r = new Random(seed);
        String forbidden = "?#%@: *+=!~$&'()[]{}\\\"<>|^`\u00e9\u00df\u4e2d";
        for (int i = 0; i < 2000; i++) {
            StringBuilder td = new StringBuilder();
            int tdLength = 1 + r.nextInt(40);
            for (int j = 0; j < tdLength; j++) {
                td.append(TD_CHARS.charAt(r.nextInt(TD_CHARS.length())));
            }
            StringBuilder path = new StringBuilder();
            int segments = r.nextInt(5);
            for (int s = 0; s < segments; s++) {
                String seg;
                do {
                    StringBuilder b = new StringBuilder();
                    int len = 1 + r.nextInt(12);
                    for (int j = 0; j < len; j++) {
                        b.append(SEGMENT_CHARS.charAt(r.nextInt(SEGMENT_CHARS.length())));
                    }
                    seg = b.toString();
                } while (seg.equals(".") || seg.equals(".."));
                path.append('/').append(seg);
            }
            String text = "spiffe://" + td + path;
            SpiffeId id = SpiffeId.parse(text);
            assertThat(id.toString()).as("seed %d, id %s", seed, text).isEqualTo(text);
            assertThat(id.trustDomain()).as("seed %d", seed).isEqualTo(td.toString());

            int at = "spiffe://".length() + r.nextInt(text.length() - "spiffe://".length() + 1);
            char bad = forbidden.charAt(r.nextInt(forbidden.length()));
            String broken = text.substring(0, at) + bad + text.substring(at);
            assertThatThrownBy(() -> SpiffeId.parse(broken))
                    .as("seed %d: '%s' must be refused", seed, broken)
                    .isInstanceOf(InvalidSpiffeIdException.class);
        }
    }
}
