package io.x0tta6bl4.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.x0tta6bl4.crypto.Digests;
import io.x0tta6bl4.crypto.Hex;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a loaded policy exposes for storing in the ledger and serving: version, digest, source, rules. */
class PolicyDocumentTest {
    private static final String DOC = PolicyParseErrorTest.VALID;

    @Test
    void versionSourceAndDigestOfTheText() {
        Policy p = Policy.parse(DOC.replace("version: 1", "version: 17"), "policy.yaml");
        assertThat(p.version()).isEqualTo(17);
        assertThat(p.sourceName()).isEqualTo("policy.yaml");
        assertThat(p.source()).isEqualTo(DOC.replace("version: 1", "version: 17"));
        assertThat(p.digest()).isEqualTo(Digests.sha256(p.source().getBytes(StandardCharsets.UTF_8)));
        assertThat(p.digestHex()).isEqualTo(Hex.encode(p.digest())).hasSize(64);
        assertThat(p.toString()).isEqualTo("Policy[policy.yaml, version 17, 3 rules, sha256 " + p.digestHex() + "]");
    }

    @Test
    void theDigestCoversComments() {
        Policy a = Policy.parse(DOC, "a");
        Policy b = Policy.parse("# reviewed by ops\n" + DOC, "b");
        assertThat(a.digestHex()).isNotEqualTo(b.digestHex());
        assertThat(a.rules()).isEqualTo(b.rules());
    }

    @Test
    void lineEndingsAndAByteOrderMarkAreCanonicalised() {
        Policy lf = Policy.parse(DOC, "lf");
        Policy crlf = Policy.parse("\uFEFF" + DOC.replace("\n", "\r\n"), "crlf");
        Policy cr = Policy.parse(DOC.replace("\n", "\r"), "cr");
        assertThat(crlf.source()).isEqualTo(DOC);
        assertThat(cr.source()).isEqualTo(DOC);
        assertThat(crlf.digestHex()).isEqualTo(lf.digestHex()).isEqualTo(cr.digestHex());
    }

    @Test
    void utf8BytesParseLikeTheText() {
        Policy fromBytes = Policy.parse(DOC.getBytes(StandardCharsets.UTF_8), "policy.yaml");
        assertThat(fromBytes.source()).isEqualTo(DOC);
        assertThat(fromBytes.digestHex()).isEqualTo(Policy.parse(DOC, "policy.yaml").digestHex());
    }

    @Test
    void theSourceParsesBackToTheSamePolicy() {
        Policy p = Policy.parse(DOC, "policy.yaml");
        Policy again = Policy.parse(p.source(), "ledger entry 7");
        assertThat(again.rules()).isEqualTo(p.rules());
        assertThat(again.digestHex()).isEqualTo(p.digestHex());
    }

    @Test
    void rulesAreAReadOnlyViewAsWritten() {
        List<Rule> rules = Policy.parse(DOC, "policy.yaml").rules();
        assertThat(rules.get(1)).isEqualTo(new Rule("interns-office-hours", Effect.DENY, List.of("spiffe://example.org/app/intern-*"),
                List.of("*"), List.of("*"), new Conditions("17:00-09:00", null, null, List.of("10.0.0.0/8"), null)));
        assertThat(rules.get(0).conditions()).isEqualTo(Conditions.NONE);
        assertThat(rules.get(0).conditions().isEmpty()).isTrue();
        assertThat(rules.get(2).conditions().rateLimit()).isEqualTo("100/s");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> rules.add(rules.getFirst())).isInstanceOf(UnsupportedOperationException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> rules.getFirst().principals().clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rulesSerialiseToJsonWithTheDocumentsFieldNames() throws Exception {
        String json = new ObjectMapper().writeValueAsString(Policy.parse(DOC, "policy.yaml").rules());
        assertThat(json).isEqualTo("""
                [{"id":"members-read","effect":"allow","principals":["spiffe://example.org/app/*"],"resources":["network","nodes"],\
                "actions":["read"],"conditions":{}},\
                {"id":"interns-office-hours","effect":"deny","principals":["spiffe://example.org/app/intern-*"],"resources":["*"],\
                "actions":["*"],"conditions":{"hours_utc":"17:00-09:00","source":["10.0.0.0/8"]}},\
                {"id":"api-limit","effect":"allow","principals":["spiffe://example.org/node/*"],"resources":["ledger"],\
                "actions":["read"],"conditions":{"rate_limit":"100/s"}}]""");
    }

    @Test
    void policiesFromDifferentSourcesWithTheSameTextHaveTheSameDigest() {
        assertThat(Policy.parse(DOC, "one").digest()).isEqualTo(Policy.parse(DOC, "two").digest());
    }
}
