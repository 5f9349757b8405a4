package io.x0tta6bl4.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCommandTest {
    private static final String SUBJECT = "spiffe://mesh.example.org/app/billing";

    @TempDir static Path tmp;
    private static String dir;

    @BeforeAll
    static void init() {
        dir = tmp.resolve("ca").toString();
        Cli r = Cli.run("ca", "init", "--dir", dir, "--trust-domain", "mesh.example.org");
        assertThat(r.exit()).as(r.toString()).isZero();
    }

    private static String issue(String... extra) {
        String[] args = new String[6 + extra.length];
        System.arraycopy(new String[] {"token", "issue", "--dir", dir, "--subject", SUBJECT}, 0, args, 0, 6);
        System.arraycopy(extra, 0, args, 6, extra.length);
        Cli r = Cli.run(args);
        assertThat(r.exit()).as(r.toString()).isZero();
        return r.out().strip();
    }

    @Test
    void issuePrintsTheTokenAloneOnOneLine() {
        Cli r = Cli.run("token", "issue", "--dir", dir, "--subject", SUBJECT, "--audience", "api");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).endsWith("\n");
        String token = r.out().substring(0, r.out().length() - 1);
        assertThat(token).doesNotContain("\n").doesNotContain(" ").matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    }

    @Test
    void verifyWithTheRightAudiencePrintsTheClaimsAsJson() throws Exception {
        String token = issue("--audience", "api", "--audience", "ledger", "--ttl", "10m");

        Cli r = Cli.run("token", "verify", "--dir", dir, "--audience", "ledger", token);

        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode claims = JsonMapper.builder().build().readTree(r.out());
        assertThat(claims.get("sub").textValue()).isEqualTo(SUBJECT);
        assertThat(claims.get("aud").toString()).isEqualTo("[\"api\",\"ledger\"]");
        Instant exp = Instant.parse(claims.get("exp").textValue());
        Instant iat = Instant.parse(claims.get("iat").textValue());
        assertThat(java.time.Duration.between(iat, exp)).hasMinutes(10);
        assertThat(claims.get("jti").textValue()).matches("[0-9a-f]{32}");
    }

    @Test
    void verifyReadsTheTokenFromStdinForDash() {
        String token = issue("--audience", "api");
        InputStream saved = System.in;
        Cli r;
        try {
            System.setIn(new ByteArrayInputStream((token + "\n").getBytes(StandardCharsets.US_ASCII)));
            r = Cli.run("token", "verify", "--dir", dir, "--audience", "api", "-");
        } finally {
            System.setIn(saved);
        }

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains(SUBJECT);
    }

    @Test
    void verifyWithTheWrongAudienceExitsOne() {
        String token = issue("--audience", "api");

        Cli r = Cli.run("token", "verify", "--dir", dir, "--audience", "admin", token);

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("refused: wrong_audience: ").contains("not 'admin'");
    }

    @Test
    void verifyOfGarbageExitsOneMalformed() {
        Cli r = Cli.run("token", "verify", "--dir", dir, "--audience", "api", "not-a-token");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).startsWith("refused: malformed: ");
    }

    @Test
    void verifyAgainstAnotherCaExitsOneUnknownKey() {
        String other = tmp.resolve("other").toString();
        assertThat(Cli.run("ca", "init", "--dir", other, "--trust-domain", "mesh.example.org").exit()).isZero();
        String token = issue("--audience", "api");

        Cli r = Cli.run("token", "verify", "--dir", other, "--audience", "api", token);

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).startsWith("refused: unknown_key: ");
    }

    @Test
    void issueForAForeignTrustDomainExitsTwo() {
        Cli r = Cli.run("token", "issue", "--dir", dir, "--subject", "spiffe://evil.org/app/x", "--audience", "api");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("error: --subject: spiffe://evil.org/app/x is not in trust domain mesh.example.org");
    }

    @Test
    void issueWithAnInvalidSubjectExitsTwo() {
        Cli r = Cli.run("token", "issue", "--dir", dir, "--subject", "spiffe://mesh.example.org/app/", "--audience", "api");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: --subject: invalid SPIFFE ID").contains("path must not end with '/'");
    }

    @Test
    void aTtlThatIsNotADurationExitsTwoSayingWhatADurationLooksLike() {
        Cli r = Cli.run("token", "issue", "--dir", dir, "--subject", SUBJECT, "--audience", "api", "--ttl", "banana");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("--ttl").contains("'banana' is not a duration; use e.g. 30s, 5m, 24h or 7d");
    }

    @Test
    void durationsInEveryDocumentedForm() throws Exception {
        for (String ttl : new String[] {"90s", "5m", "1h", "1d", "PT2M", "1500ms"}) {
            String token = issue("--audience", "api", "--ttl", ttl);
            Cli r = Cli.run("token", "verify", "--dir", dir, "--audience", "api", token);
            assertThat(r.exit()).as(ttl + ": " + r).isZero();
        }
    }

    @Test
    void missingRequiredOptionExitsTwo() {
        Cli r = Cli.run("token", "issue", "--dir", dir, "--subject", SUBJECT);

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required option").contains("--audience");
    }
}
