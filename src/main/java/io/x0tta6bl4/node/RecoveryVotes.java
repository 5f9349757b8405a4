package io.x0tta6bl4.node;

import io.x0tta6bl4.governance.Choice;
import io.x0tta6bl4.governance.Governance;
import io.x0tta6bl4.governance.GovernanceFold;
import io.x0tta6bl4.governance.Proposal;
import io.x0tta6bl4.governance.ProposalState;
import io.x0tta6bl4.governance.ProposalType;
import io.x0tta6bl4.governance.Vote;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.Folded;
import io.x0tta6bl4.ledger.Ledger;
import io.x0tta6bl4.monitor.PeerState;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's vote on every RECOVERY proposal it may vote on, cast as soon as the proposal is
 * folded: YES when its own failure detector holds the target DOWN, NO otherwise, weight 1, the
 * detector's state as the rationale. So a recovery passes only when the nodes see for themselves
 * what the proposer claims, and one observer cut off from a healthy node can never have it
 * restarted (issue 14). Votes are signed and written on a thread of their own; each proposal is
 * voted on once per process (the fold refuses a second vote anyway).
 */
final class RecoveryVotes {
    private static final Logger LOG = LoggerFactory.getLogger(RecoveryVotes.class);

    private final String self;
    private final NodeCredentials credentials;
    private final Ledger ledger;
    private final Folded<Governance> governance;
    private final Supplier<Map<String, PeerState>> detector;
    private final Executor signer;
    private final java.time.InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private final Set<String> voted = ConcurrentHashMap.newKeySet();

    RecoveryVotes(String self, NodeCredentials credentials, Ledger ledger, Folded<Governance> governance, Supplier<Map<String, PeerState>> detector,
                  java.time.InstantSource clock, Executor signer) {
        this.clock = clock;
        this.self = self;
        this.credentials = credentials;
        this.ledger = ledger;
        this.governance = governance;
        this.detector = detector;
        this.signer = signer;
    }

    void start() {
        governance.onChange((before, after, entry) -> {
            if (entry.type() == EntryType.PROPOSAL) {
                after.madeAt(entry.seq()).ifPresent(this::consider);
            }
        });
        governance.state().list(java.util.Optional.of(ProposalState.ACTIVE)).forEach(this::consider);
    }

    private void consider(Proposal p) {
        String me = credentials.id().toString();
        // A proposal whose voting is over is one the fold is replaying (a restart): its vote would be refused.
        if (p.type() != ProposalType.RECOVERY || p.state() != ProposalState.ACTIVE || !p.eligible().contains(me) || p.votes().containsKey(me)
                || !clock.instant().isBefore(p.deadline()) || !voted.add(p.id())) {
            return;
        }
        try {
            signer.execute(() -> vote(p));
        } catch (RejectedExecutionException e) {
            voted.remove(p.id()); // closing
        }
    }

    private void vote(Proposal p) {
        String target = p.payload().get("node").asText();
        PeerState seen = detector.get().get(target);
        boolean down = seen == PeerState.DOWN;
        String rationale = self + "'s failure detector holds " + target + " "
                + (seen == null ? "unknown (not probed)" : seen.name().toLowerCase(Locale.ROOT));
        Vote.Signed v = new Vote(p.id(), credentials.id(), down ? Choice.YES : Choice.NO, 1, rationale).sign(credentials, random);
        ledger.append(GovernanceFold.vote(v)).whenComplete((seq, e) -> {
            if (e != null) {
                LOG.warn("could not write this node's vote on recovery proposal {}: {}", p.id(), e.getMessage());
            } else {
                LOG.info("voted {} on recovery proposal {} ({}), ledger entry {}", down ? "YES" : "NO", p.id(), rationale, seq);
            }
        });
    }
}
