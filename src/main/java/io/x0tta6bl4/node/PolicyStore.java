package io.x0tta6bl4.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.Folded;
import io.x0tta6bl4.ledger.Ledger;
import io.x0tta6bl4.ledger.LedgerEntry;
import io.x0tta6bl4.ledger.LedgerFold;
import io.x0tta6bl4.ledger.Submission;
import io.x0tta6bl4.policy.Policy;
import io.x0tta6bl4.policy.PolicyException;
import io.x0tta6bl4.time.Scheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy in force on this node: the first fold over the ledger ({@link Fold}, POLICY_CHANGE
 * entries). An entry's policy takes effect if it parses and its version is higher than the one
 * in force; anything else is logged and skipped, so a bad entry can never leave a node without a
 * policy or roll it back. Every node folds the same entries in the same order, so all serve the
 * same policy.
 *
 * <p>An empty ledger has no policy, and the API then refuses everything. The node that leads the
 * ledger installs the configured bootstrap policy (what {@code cluster up} writes) once it has
 * read its whole replica and found none: when it becomes leader, and again every
 * {@link #INSTALL_RETRY} while it leads and the install has not committed. Two leaders in quick
 * succession may both install it; the second entry has the same version and is skipped.
 */
final class PolicyStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String INSTALL_ACTION = "INSTALL_POLICY";
    static final Duration INSTALL_RETRY = Duration.ofSeconds(1);

    private final Ledger ledger;
    private final SpiffeId self;
    private final Optional<Policy> bootstrap;
    private final Scheduler scheduler;
    private final Folded<Optional<Policy>> folded;
    private volatile boolean closed;
    private boolean installing;

    /** POLICY_CHANGE entries, folded: the newest valid policy with a higher version than the last. */
    static final class Fold implements LedgerFold<Optional<Policy>> {
        @Override
        public Optional<Policy> initial() {
            return Optional.empty();
        }

        @Override
        public Set<EntryType> types() {
            return Set.of(EntryType.POLICY_CHANGE);
        }

        @Override
        public Optional<Policy> apply(Optional<Policy> now, LedgerEntry e) {
            Policy p;
            try {
                JsonNode payload = JSON.readTree(e.submission().payload());
                JsonNode doc = payload.get("document");
                if (doc == null || !doc.isTextual()) {
                    LOG.warn("ledger entry {} (POLICY_CHANGE) has no 'document'; skipped", e.seq());
                    return now;
                }
                p = Policy.parse(doc.asText(), "ledger entry " + e.seq());
            } catch (IOException | PolicyException ex) {
                LOG.warn("ledger entry {} (POLICY_CHANGE) does not hold a valid policy; skipped: {}", e.seq(), ex.getMessage());
                return now;
            }
            if (now.isPresent() && p.version() <= now.get().version()) {
                LOG.info("ledger entry {}: policy version {} is not above version {} in force; skipped", e.seq(), p.version(), now.get().version());
                return now;
            }
            LOG.info("policy version {} ({}) in force from ledger entry {}", p.version(), p.digestHex(), e.seq());
            return Optional.of(p);
        }
    }

    /** @param scheduler where installs are started and retried */
    PolicyStore(Ledger ledger, SpiffeId self, Optional<Policy> bootstrap, Scheduler scheduler) {
        this.ledger = ledger;
        this.self = self;
        this.bootstrap = bootstrap;
        this.scheduler = scheduler;
        this.folded = Folded.follow("policy", ledger, new Fold());
    }

    Optional<Policy> current() {
        return folded.state();
    }

    /** This node may have become the leader: install the bootstrap policy if the ledger has none. Safe from any thread. */
    void leadershipChanged() {
        if (!closed && bootstrap.isPresent()) {
            scheduler.execute(this::maybeInstall);
        }
    }

    private void maybeInstall() {
        if (closed || installing || current().isPresent() || !ledger.isLeader()) {
            return;
        }
        if (folded.position() < ledger.head().size()) {
            // This replica holds entries the fold has not read yet; one of them may be a policy.
            scheduler.schedule(Duration.ofMillis(100).toNanos(), this::maybeInstall);
            return;
        }
        Policy p = bootstrap.get();
        Submission install;
        try {
            install = entry(self, p, INSTALL_ACTION);
        } catch (RuntimeException e) {
            LOG.error("the bootstrap policy {} cannot be ledgered: {}", p.sourceName(), e.getMessage());
            return;
        }
        installing = true;
        ledger.append(install).whenComplete((seq, e) -> scheduler.execute(() -> {
            installing = false;
            if (e == null) {
                LOG.info("installed the bootstrap policy (version {}, {}) as ledger entry {}", p.version(), p.sourceName(), seq);
            } else {
                LOG.warn("could not install the bootstrap policy ({}); trying again in {} s while this node leads", e.getMessage(),
                        INSTALL_RETRY.toSeconds());
                scheduler.schedule(INSTALL_RETRY.toNanos(), this::maybeInstall);
            }
        }));
    }

    /** The POLICY_CHANGE entry that installs {@code p}: its document in full, so every replica can fold it. */
    static Submission entry(SpiffeId actor, Policy p, String action) {
        String payload = JSON.createObjectNode()
                .put("version", p.version())
                .put("digest", p.digestHex())
                .put("source_name", p.sourceName())
                .put("document", p.source())
                .toString();
        return new Submission(EntryType.POLICY_CHANGE, actor, action, "policy", "APPLIED", payload);
    }

    @Override
    public void close() {
        closed = true;
        folded.close();
    }
}
