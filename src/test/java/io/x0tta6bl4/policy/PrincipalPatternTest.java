package io.x0tta6bl4.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.identity.SpiffeId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The glob semantics of docs/policy.md, "Principals", case by case. */
class PrincipalPatternTest {
    private static boolean matches(String pattern, String id) {
        assertThat(Principals.check(pattern)).as("pattern %s is valid", pattern).isNull();
        return Principals.compile(List.of(pattern)).matches(SpiffeId.parse(id));
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            spiffe://example.org/app/*          | spiffe://example.org/app/foo              | true
            spiffe://example.org/app/*          | spiffe://example.org/app/a.b-c_D          | true
            spiffe://example.org/app/*          | spiffe://example.org/app/foo/bar          | false
            spiffe://example.org/app/*          | spiffe://example.org/app                  | false
            spiffe://example.org/app/*          | spiffe://example.org/application          | false
            spiffe://example.org/app/*          | spiffe://example.org/apps/foo             | false
            spiffe://example.org/app/*          | spiffe://example.org                      | false
            spiffe://example.org/app/*          | spiffe://other.org/app/foo                | false
            spiffe://example.org/app/*          | spiffe://example.org.evil/app/foo         | false
            spiffe://example.org/app/*          | spiffe://sub.example.org/app/foo          | false
            spiffe://example.org/app/*          | spiffe://example.org/node/foo             | false
            spiffe://example.org/app/*          | spiffe://example.org/x/app/foo            | false
            spiffe://example.org/app/intern-*   | spiffe://example.org/app/intern-7         | true
            spiffe://example.org/app/intern-*   | spiffe://example.org/app/intern-          | true
            spiffe://example.org/app/intern-*   | spiffe://example.org/app/intern           | false
            spiffe://example.org/app/intern-*   | spiffe://example.org/app/intern-7/x       | false
            spiffe://example.org/app/*-prod     | spiffe://example.org/app/web-prod         | true
            spiffe://example.org/app/*-prod     | spiffe://example.org/app/web-prod-2       | false
            spiffe://example.org/app/a*b*c      | spiffe://example.org/app/aXbYc            | true
            spiffe://example.org/app/a*b*c      | spiffe://example.org/app/abc              | true
            spiffe://example.org/app/a*b*c      | spiffe://example.org/app/acb              | false
            spiffe://example.org/*/web          | spiffe://example.org/app/web              | true
            spiffe://example.org/*/web          | spiffe://example.org/node/web             | true
            spiffe://example.org/*/web          | spiffe://example.org/web                  | false
            spiffe://example.org/*/web          | spiffe://example.org/a/b/web              | false
            spiffe://example.org/*/*            | spiffe://example.org/a/b                  | true
            spiffe://example.org/*/*            | spiffe://example.org/a                    | false
            spiffe://example.org/*              | spiffe://example.org/a                    | true
            spiffe://example.org/*              | spiffe://example.org/a/b                  | false
            spiffe://example.org/*              | spiffe://example.org                      | false
            spiffe://example.org/app/**         | spiffe://example.org/app/foo              | true
            spiffe://example.org/app/**         | spiffe://example.org/app/foo/bar/baz      | true
            spiffe://example.org/app/**         | spiffe://example.org/app                  | false
            spiffe://example.org/app/**         | spiffe://example.org/application/foo      | false
            spiffe://example.org/app/**         | spiffe://other.org/app/foo                | false
            spiffe://example.org/**             | spiffe://example.org/anything/at/all      | true
            spiffe://example.org/**             | spiffe://example.org                      | false
            spiffe://example.org/**             | spiffe://example.com/a                    | false
            spiffe://example.org/*/team-*/**    | spiffe://example.org/app/team-a/x/y       | true
            spiffe://example.org/*/team-*/**    | spiffe://example.org/app/team-a           | false
            spiffe://example.org/*/team-*/**    | spiffe://example.org/app/staff/x          | false
            spiffe://example.org/app/web        | spiffe://example.org/app/web              | true
            spiffe://example.org/app/web        | spiffe://example.org/app/web2             | false
            spiffe://example.org/app/web        | spiffe://example.org/app/web/x            | false
            spiffe://example.org                | spiffe://example.org                      | true
            spiffe://example.org                | spiffe://example.org/app                  | false
            """)
    void globSemantics(String pattern, String id, boolean expected) {
        assertThat(matches(pattern, id)).isEqualTo(expected);
    }

    @Test
    void aStarNeverCrossesIntoAnotherTrustDomainEvenWithASharedPrefix() {
        Principals p = Principals.compile(List.of("spiffe://example.org/app/*", "spiffe://example.org/**"));
        for (String id : List.of("spiffe://example.org2/app/x", "spiffe://example.or/app/x", "spiffe://xexample.org/app/x",
                "spiffe://example.org.attacker.net/app/x")) {
            assertThat(p.matches(SpiffeId.parse(id))).as(id).isFalse();
        }
    }

    @ParameterizedTest(name = "{0} is refused")
    @CsvSource(delimiter = '|', textBlock = """
            spiffe://*.org/app/x                | the trust domain must be written out
            spiffe://*/app/x                    | the trust domain must be written out
            https://example.org/app/x           | is not a SPIFFE ID pattern
            */app/x                             | is not a SPIFFE ID pattern
            spiffe://example.org/app/**/x       | '**' may only be the whole last segment
            spiffe://example.org/app/x**        | '**' may only be the whole last segment
            spiffe://example.org/app/***        | '**' may only be the whole last segment
            spiffe://Example.org/app/*          | trust domain must be lower case
            spiffe://example.org/app/           | path must not end with '/'
            spiffe://example.org//*             | empty segment
            spiffe://example.org/app/a b*       | path has ' '
            """)
    void invalidPatterns(String pattern, String problem) {
        assertThat(Principals.check(pattern)).contains(problem);
    }
}
