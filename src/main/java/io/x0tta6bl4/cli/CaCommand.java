package io.x0tta6bl4.cli;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.NodeIssuer;
import io.x0tta6bl4.identity.NodeName;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.TrustBundle;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "ca", description = "The trust domain's certificate authority.", mixinStandardHelpOptions = true,
        subcommands = {CaCommand.Init.class, CaCommand.IssueNode.class, CaCommand.IssueHost.class, CaCommand.Bundle.class})
final class CaCommand {

    @Command(name = "init", description = "Create a CA: EC P-256 root (X.509, TLS), ML-DSA-65 root (post-quantum), JWT-SVID key.")
    static final class Init implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = "--dir", required = true, description = "Directory for the CA (created if missing).") Path dir;
        @Option(names = "--trust-domain", required = true, description = "Trust domain, e.g. mesh.example.org.") String trustDomain;

        @Override
        public void run() {
            try {
                SpiffeId.checkTrustDomain(trustDomain);
            } catch (IllegalArgumentException e) {
                throw new Main.UsageProblem("--trust-domain: " + e.getMessage() + " (for example mesh.example.org)");
            }
            CertificateAuthority ca = CertificateAuthority.init(dir, trustDomain, Instant.now(), new SecureRandom());
            var out = spec.commandLine().getOut();
            out.println("CA for spiffe://" + ca.trustDomain() + " in " + dir);
            out.println("  root.crt        EC P-256 root, " + ca.bundle().x509Root().getSubjectX500Principal().getName());
            out.println("  root-mldsa.crt  ML-DSA-65 root");
            out.println("  jwt.pub         ML-DSA-65 JWT-SVID key");
            out.println("  private keys    root.key, root-mldsa.key, jwt.key (mode 0600)");
        }
    }

    @Command(name = "issue-node", description = "Enrol a node: X.509-SVID, ML-DSA-65/ML-KEM-768/X25519 keys, PQ identity document.")
    static final class IssueNode implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = "--dir", required = true, description = "CA directory.") Path dir;
        @Option(names = "--name", required = true, description = "Node name (a-z, 0-9, '-').") String name;
        @Option(names = "--ttl", defaultValue = "24h", description = "SVID lifetime (default ${DEFAULT-VALUE}).") Duration ttl;

        @Override
        public void run() {
            try {
                NodeName.check(name);
            } catch (IllegalArgumentException e) {
                throw new Main.UsageProblem("--name: " + e.getMessage());
            }
            NodeCredentials node = CertificateAuthority.load(dir).issueNode(name, ttl, Instant.now(), new SecureRandom());
            spec.commandLine().getOut().println(node.id() + " enrolled in " + node.dir() + " (valid until "
                    + node.identity().notAfter() + ")");
        }
    }

    @Command(name = "issue-host", description = "Make a host agent's issuing credentials: an intermediate CA and a PQ issuer document "
            + "signed by the roots, with which the host enrols its nodes while the CA stays offline, and the host's own X.509-SVID.")
    static final class IssueHost implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = "--dir", required = true, description = "CA directory.") Path dir;
        @Option(names = "--name", required = true, description = "Host name (a-z, 0-9, '-'); the host's ID is spiffe://DOMAIN/host/NAME.") String name;
        @Option(names = "--out", required = true, description = "Directory for the host's credentials (new or empty).") Path out;
        @Option(names = "--ttl", defaultValue = "720h", description = "Lifetime of the issuer and the host's SVID (default ${DEFAULT-VALUE}).") Duration ttl;

        @Override
        public void run() {
            try {
                NodeName.check(name);
            } catch (IllegalArgumentException e) {
                throw new Main.UsageProblem("--name: " + e.getMessage());
            }
            NodeIssuer issuer = CertificateAuthority.load(dir).issueIssuer(name, ttl, Instant.now(), new SecureRandom(), out);
            var o = spec.commandLine().getOut();
            o.println(issuer.id() + " issuer in " + out + " (valid until " + issuer.notAfter() + ")");
            o.println("  issuer.crt          EC P-256 intermediate CA, signed by the root");
            o.println("  issuer-mldsa.json   PQ issuer document, signed by the ML-DSA-65 root");
            o.println("  svid.crt            the host's own X.509-SVID, then issuer.crt");
            o.println("  private keys        issuer.key, issuer-mldsa.key, svid.key (mode 0600)");
        }
    }

    @Command(name = "bundle", description = "Print the X.509 root certificate (PEM), for TLS clients such as curl --cacert.")
    static final class Bundle implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = "--dir", required = true, description = "CA directory.") Path dir;

        @Override
        public void run() {
            spec.commandLine().getOut().print(TrustBundle.load(dir).x509RootPem());
            spec.commandLine().getOut().flush();
        }
    }
}
