package io.x0tta6bl4.identity;

import io.x0tta6bl4.crypto.EnvelopeOpener;
import io.x0tta6bl4.crypto.PeerKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The verified public keys of the nodes of one trust domain, by SPIFFE ID. Only documents that
 * the trust bundle's ML-DSA-65 root signed, and that are valid at the given time, get in; the
 * rest are listed in {@link #refused()} with the reason.
 */
public final class PeerDirectory implements EnvelopeOpener.Senders {
    private final Map<String, PeerKeys> peers;
    private final Map<Path, String> refused;

    private PeerDirectory(Map<String, PeerKeys> peers, Map<Path, String> refused) {
        this.peers = Map.copyOf(peers);
        this.refused = Map.copyOf(refused);
    }

    /** Reads {@code nodes/<name>/identity.json} of every node enrolled in a CA directory. */
    public static PeerDirectory ofCaDirectory(CertificateAuthority ca, Instant at) {
        Map<String, PeerKeys> peers = new LinkedHashMap<>();
        Map<Path, String> refused = new LinkedHashMap<>();
        for (String name : ca.nodes()) {
            Path file = ca.nodeDir(name).resolve(NodeCredentials.IDENTITY);
            if (!Files.exists(file)) {
                continue;
            }
            try {
                PqIdentityDocument doc = PqIdentityDocument.fromJson(file.toString(), CredentialFiles.read(file, ""));
                PeerKeys keys = ca.bundle().verifyIdentity(doc, at);
                peers.put(keys.id(), keys);
            } catch (IllegalArgumentException | IdentityVerificationException e) {
                refused.put(file, e.getMessage());
            }
        }
        return new PeerDirectory(peers, refused);
    }

    @Override
    public Optional<PeerKeys> lookup(String id) {
        return Optional.ofNullable(peers.get(id));
    }

    public Map<Path, String> refused() {
        return refused;
    }
}
