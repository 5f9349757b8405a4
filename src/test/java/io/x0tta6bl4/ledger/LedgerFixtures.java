package io.x0tta6bl4.ledger;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A CA with enrolled nodes, free loopback ports, and submissions to append. */
final class LedgerFixtures {
    static final String DOMAIN = "ledger.test";

    private LedgerFixtures() {}

    static CertificateAuthority ca(Path dir) {
        return CertificateAuthority.init(dir.resolve("ca"), DOMAIN, Instant.now(), new SecureRandom());
    }

    static NodeCredentials node(CertificateAuthority ca, String name) {
        return ca.issueNode(name, Duration.ofHours(1), Instant.now(), new SecureRandom());
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<RaftLedgerConfig.Peer> peers(int n) {
        List<RaftLedgerConfig.Peer> peers = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            peers.add(new RaftLedgerConfig.Peer("node-" + i, "127.0.0.1", freePort(), true));
        }
        return peers;
    }

    static Submission audit(int i) {
        return new Submission(EntryType.AUDIT, SpiffeId.app(DOMAIN, "client-" + (i % 7)), "GET_NETWORK_STATUS",
                "/api/network/status", "SUCCESS", "{\"i\":" + i + "}");
    }
}
