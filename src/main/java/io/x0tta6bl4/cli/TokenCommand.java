package io.x0tta6bl4.cli;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.JwtSvidClaims;
import io.x0tta6bl4.identity.JwtSvidVerifier;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.TokenRejectedException;
import io.x0tta6bl4.identity.TrustBundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "token", description = "JWT-SVID bearer tokens signed with ML-DSA-65.", mixinStandardHelpOptions = true,
        subcommands = {TokenCommand.Issue.class, TokenCommand.Verify.class})
final class TokenCommand {

    @Command(name = "issue", description = "Issue a JWT-SVID; prints the token alone.")
    static final class Issue implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = "--dir", required = true, description = "CA directory.") Path dir;
        @Option(names = "--subject", required = true, description = "SPIFFE ID, e.g. spiffe://DOMAIN/app/NAME.") String subject;
        @Option(names = "--audience", required = true, description = "Audience (repeatable).") List<String> audience;
        @Option(names = "--ttl", defaultValue = "5m", description = "Lifetime (default ${DEFAULT-VALUE}).") Duration ttl;

        @Override
        public void run() {
            SpiffeId sub;
            try {
                sub = SpiffeId.parse(subject);
            } catch (IllegalArgumentException e) {
                throw new Main.UsageProblem("--subject: " + e.getMessage());
            }
            CertificateAuthority ca = CertificateAuthority.load(dir);
            if (!sub.memberOf(ca.trustDomain())) {
                throw new Main.UsageProblem("--subject: " + sub + " is not in trust domain " + ca.trustDomain()
                        + "; this CA issues tokens for spiffe://" + ca.trustDomain() + "/...");
            }
            String token = ca.jwtIssuer(new SecureRandom()).issue(sub, audience, ttl, Instant.now());
            spec.commandLine().getOut().println(token);
        }
    }

    @Command(name = "verify", description = "Verify a JWT-SVID: exit 0 and the claims as JSON, or exit 1 and the reason.")
    static final class Verify implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = "--dir", required = true, description = "CA directory (its trust bundle is used).") Path dir;
        @Option(names = "--audience", required = true, description = "The audience this verifier is.") String audience;
        @Option(names = "--skew", defaultValue = "30s", description = "Clock skew allowance (default ${DEFAULT-VALUE}).") Duration skew;
        @Parameters(paramLabel = "TOKEN", description = "The token, or - to read it from stdin.") String token;

        @Override
        public void run() {
            String text = token.equals("-") ? stdin().strip() : token.strip();
            JwtSvidVerifier verifier = new JwtSvidVerifier(TrustBundle.load(dir), InstantSource.system(), skew, 1);
            try {
                JwtSvidClaims c = verifier.verify(text, audience);
                spec.commandLine().getOut().println(claimsJson(c));
            } catch (TokenRejectedException e) {
                throw new Main.Refused(e.getMessage());
            }
        }

        private static String stdin() {
            try {
                return new String(System.in.readAllBytes(), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new Main.UsageProblem("cannot read the token from stdin: " + e.getMessage());
            }
        }
    }

    static String claimsJson(JwtSvidClaims c) {
        ObjectNode n = JsonMapper.builder().build().createObjectNode();
        n.put("sub", c.subject().toString());
        c.audience().forEach(n.putArray("aud")::add);
        n.put("exp", c.expiresAt().toString());
        n.put("iat", c.issuedAt().toString());
        c.notBefore().ifPresent(nbf -> n.put("nbf", nbf.toString()));
        n.put("jti", c.jwtId());
        return n.toPrettyString();
    }
}
