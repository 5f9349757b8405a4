package io.x0tta6bl4.api;

import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.GroupView;
import io.x0tta6bl4.mesh.Member;
import io.x0tta6bl4.mesh.Membership;
import io.x0tta6bl4.mesh.MembershipOp;
import io.x0tta6bl4.monitor.LoadSample;
import io.x0tta6bl4.monitor.NodeView;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the API reads of the live mesh. The node implements it over its failure detector, its
 * peers' probe answers and its ledger replica; every call computes from the current state, so
 * two calls a second apart may differ, and nothing here is cached or constant.
 */
public interface MeshView {

    NetworkStatus networkStatus();

    /** Every member, this node first, then its peers in configuration order. */
    List<NodeStatus> nodes();

    default Optional<NodeStatus> node(String name) {
        return nodes().stream().filter(n -> n.name().equals(name)).findFirst();
    }

    /** This node's own view (its detector's peers and recent changes), as docs/api.md shows it. */
    NodeView nodeView();

    /** The ledger's membership as this node has folded it. */
    Membership membership();

    /** The ledger's Raft group as this node's replica sees it. */
    GroupView group();

    /**
     * Writes {@code op} on {@code member} to the ledger for {@code actor} and waits (a few
     * seconds at most) until the membership has folded it. The caller has checked the policy;
     * the membership decides whether the change fits.
     */
    MembershipOutcome changeMembership(SpiffeId actor, MembershipOp op, String member, String reason);

    /** What became of a membership change. */
    sealed interface MembershipOutcome {
        /** Folded: the member as it is now. */
        record Applied(long seq, Member member) implements MembershipOutcome {}

        /** The membership refused it (another change got there first, say), with why. */
        record Refused(long seq, String reason) implements MembershipOutcome {}
    }

    /** The overall verdict of {@code GET /api/network/status}. */
    enum Health {
        /** Every member alive and a ledger leader known. */
        HEALTHY,
        /** A majority alive and a leader known, but not everyone. */
        DEGRADED,
        /** No majority alive, or no leader: the ledger cannot commit, so nothing can change. */
        CRITICAL
    }

    /**
     * @param nodes      members of the mesh, this node included
     * @param nodesAlive members this node sees alive (itself included: it is answering)
     * @param latencyMs  mean round trip of the latest probe to each live peer; 0 with no live peer
     * @param meshHealth percentage of member pairs with a live link, as both ends see it
     * @param leader     the ledger's Raft leader, if one is known
     */
    record NetworkStatus(Health status, int nodes, int nodesAlive, double latencyMs, double meshHealth, Optional<String> leader,
                         long ledgerSize, Instant timestamp) {}

    /** The latest probe of a peer: when it ended, and its round trip or why it failed. */
    record LastProbe(Instant at, Optional<Double> roundTripMs, Optional<String> failure) {}

    /**
     * One member as this node sees it. {@code lastProbe} is empty for this node itself and for a
     * peer not probed yet; {@code load} is the member's latest load sample (its own for this node,
     * the one its last probe answer carried for a peer).
     */
    record NodeStatus(String name, SpiffeId id, String state, boolean self, Optional<LastProbe> lastProbe, Optional<LoadSample> load) {}
}
