package io.x0tta6bl4.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.crypto.Digests;
import io.x0tta6bl4.crypto.Hex;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.SvidTls;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.Submission;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns refused peer-channel handshakes into SECURITY_EVENT ledger entries. A refused party
 * usually retries at once (a misconfigured node probes ten times a second), so the same refusal
 * (same certificate, same reason, same side) is ledgered at most once per {@link #WINDOW}; the
 * entry after a quiet window carries how many were suppressed in between. Every refusal is
 * counted in the metrics and logged at most once per window too.
 */
final class SecurityEvents {
    private static final Logger LOG = LoggerFactory.getLogger(SecurityEvents.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WINDOW = Duration.ofMinutes(1);
    private static final int MAX_TRACKED = 10_000;

    private final String self;
    private final SpiffeId selfId;
    private final InstantSource clock;
    private final LedgerWriter ledger;
    private final NodeMetrics metrics;
    private final Map<String, Window> recent = new HashMap<>();

    private static final class Window {
        Instant started;
        long suppressed;
    }

    SecurityEvents(String self, SpiffeId selfId, InstantSource clock, LedgerWriter ledger, NodeMetrics metrics) {
        this.self = self;
        this.selfId = selfId;
        this.clock = clock;
        this.ledger = ledger;
        this.metrics = metrics;
    }

    /** A client's certificate refused by this node's peer listener. */
    void refusedClient(SvidTls.Refusal r) {
        refused("server", r);
    }

    /** A peer's server certificate refused by this node's client. */
    void refusedServer(SvidTls.Refusal r) {
        refused("client", r);
    }

    private void refused(String side, SvidTls.Refusal r) {
        metrics.refused(side);
        String fingerprint = fingerprint(r.leaf());
        String key = side + "|" + fingerprint + "|" + r.reason();
        Instant now = clock.instant();
        long suppressed;
        synchronized (recent) {
            Window w = recent.get(key);
            if (w != null && Duration.between(w.started, now).compareTo(WINDOW) < 0) {
                w.suppressed++;
                return;
            }
            if (recent.size() >= MAX_TRACKED) {
                recent.entrySet().removeIf(e -> Duration.between(e.getValue().started, now).compareTo(WINDOW) >= 0);
            }
            suppressed = w == null ? 0 : w.suppressed;
            Window fresh = new Window();
            fresh.started = now;
            recent.put(key, fresh);
        }
        LOG.warn("{} refused a peer-channel {} at {}: {}", self, "server".equals(side) ? "client" : "server", r.remote(), r.reason());
        ObjectNode payload = JSON.createObjectNode()
                .put("observer", self)
                .put("side", side)
                .put("remote", r.remote())
                .put("reason", r.reason())
                .put("certificate_sha256", fingerprint)
                .put("repeats_since_last_entry", suppressed)
                .put("at", now.toString());
        if (r.leaf() != null) {
            payload.put("subject", r.leaf().getSubjectX500Principal().getName());
            payload.put("issuer", r.leaf().getIssuerX500Principal().getName());
            payload.put("uri_san", uriSan(r.leaf()));
        }
        ledger.append(new Submission(EntryType.SECURITY_EVENT, selfId, "PEER_TLS_REFUSED", "peer-channel/" + r.remote(), "REFUSED",
                payload.toString()));
    }

    private static String fingerprint(X509Certificate leaf) {
        if (leaf == null) {
            return "none";
        }
        try {
            return Hex.encode(Digests.sha256(leaf.getEncoded()));
        } catch (CertificateEncodingException e) {
            return "unencodable";
        }
    }

    private static String uriSan(X509Certificate leaf) {
        try {
            return String.join(",", SvidTls.uriSans(leaf));
        } catch (CertificateParsingException e) {
            return "unparseable";
        }
    }
}
