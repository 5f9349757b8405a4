package io.x0tta6bl4.ledger;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A CA with enrolled nodes, groups of replicas, and submissions to append. */
final class LedgerFixtures {
    static final String DOMAIN = "ledger.test";

    private LedgerFixtures() {}

    static CertificateAuthority ca(Path dir) {
        return CertificateAuthority.init(dir.resolve("ca"), DOMAIN, Instant.now(), new SecureRandom());
    }

    static NodeCredentials node(CertificateAuthority ca, String name) {
        return ca.issueNode(name, Duration.ofHours(1), Instant.now(), new SecureRandom());
    }

    /** {@code node-1 ... node-n}, enrolled. */
    static List<NodeCredentials> nodes(CertificateAuthority ca, int n) {
        List<NodeCredentials> nodes = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            nodes.add(node(ca, "node-" + i));
        }
        return nodes;
    }

    /** A group of {@code n} replicas in {@code dir/node-N} on ports the kernel picked: up to five voters, then listeners. */
    static List<RaftLedger> group(CertificateAuthority ca, Path dir, int n, java.time.InstantSource clock,
                                  java.util.function.UnaryOperator<RaftLedgerConfig> tweak) {
        return LocalGroup.start(nodes(ca, n), dir, ca.bundle(), clock, tweak, Duration.ofSeconds(90));
    }

    static Submission audit(int i) {
        return new Submission(EntryType.AUDIT, SpiffeId.app(DOMAIN, "client-" + (i % 7)), "GET_NETWORK_STATUS",
                "/api/network/status", "SUCCESS", "{\"i\":" + i + "}");
    }
}
