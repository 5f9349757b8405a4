package io.x0tta6bl4.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.Ledger;
import io.x0tta6bl4.ledger.LedgerEntry;
import io.x0tta6bl4.ledger.LedgerQuery;
import io.x0tta6bl4.ledger.Submission;
import io.x0tta6bl4.policy.Policy;
import io.x0tta6bl4.policy.PolicyException;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy in force on this node: a fold over the ledger's POLICY_CHANGE entries. An entry's
 * policy takes effect if it parses and its version is higher than the one in force; anything
 * else is logged and skipped, so a bad entry can never leave a node without a policy or roll it
 * back. Every node folds the same entries in the same order, so all serve the same policy.
 *
 * <p>An empty ledger has no policy, and the API then refuses everything. The node that leads the
 * ledger installs the configured bootstrap policy (what {@code cluster up} writes) once it sees
 * none. Two leaders in quick succession may both install it; the second entry has the same
 * version and is skipped by the fold.
 *
 * <p>{@link #refresh} is called on one scheduler thread; {@link #current} from any thread.
 */
final class PolicyStore {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String INSTALL_ACTION = "INSTALL_POLICY";

    private final Ledger ledger;
    private final SpiffeId self;
    private final Optional<Policy> bootstrap;
    private final AtomicBoolean installing = new AtomicBoolean();
    private volatile Optional<Policy> current = Optional.empty();
    private long next;

    PolicyStore(Ledger ledger, SpiffeId self, Optional<Policy> bootstrap) {
        this.ledger = ledger;
        this.self = self;
        this.bootstrap = bootstrap;
    }

    Optional<Policy> current() {
        return current;
    }

    /** Folds new POLICY_CHANGE entries; installs the bootstrap policy if this node leads and there is none. */
    void refresh() {
        List<LedgerEntry> entries;
        do {
            entries = ledger.query(LedgerQuery.all(next, 100).withType(EntryType.POLICY_CHANGE));
            for (LedgerEntry e : entries) {
                apply(e);
                next = e.seq() + 1;
            }
        } while (entries.size() == 100);
        if (current.isEmpty() && bootstrap.isPresent() && ledger.isLeader() && installing.compareAndSet(false, true)) {
            Policy p = bootstrap.get();
            Submission install;
            try {
                install = entry(self, p, INSTALL_ACTION);
            } catch (RuntimeException e) {
                installing.set(false);
                LOG.error("the bootstrap policy {} cannot be ledgered: {}", p.sourceName(), e.getMessage());
                return;
            }
            ledger.append(install).whenComplete((seq, e) -> {
                installing.set(false);
                if (e == null) {
                    LOG.info("installed the bootstrap policy (version {}, {}) as ledger entry {}", p.version(), p.sourceName(), seq);
                } else {
                    LOG.warn("could not install the bootstrap policy: {}", e.getMessage());
                }
            });
        }
    }

    private void apply(LedgerEntry e) {
        Policy p;
        try {
            JsonNode payload = JSON.readTree(e.submission().payload());
            JsonNode doc = payload.get("document");
            if (doc == null || !doc.isTextual()) {
                LOG.warn("ledger entry {} (POLICY_CHANGE) has no 'document'; skipped", e.seq());
                return;
            }
            p = Policy.parse(doc.asText(), "ledger entry " + e.seq());
        } catch (IOException | PolicyException ex) {
            LOG.warn("ledger entry {} (POLICY_CHANGE) does not hold a valid policy; skipped: {}", e.seq(), ex.getMessage());
            return;
        }
        Optional<Policy> now = current;
        if (now.isPresent() && p.version() <= now.get().version()) {
            LOG.info("ledger entry {}: policy version {} is not above version {} in force; skipped", e.seq(), p.version(), now.get().version());
            return;
        }
        current = Optional.of(p);
        LOG.info("policy version {} ({}) in force from ledger entry {}", p.version(), p.digestHex(), e.seq());
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
}
