package io.x0tta6bl4.node;

import io.x0tta6bl4.api.MeshView;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.Folded;
import io.x0tta6bl4.ledger.GroupView;
import io.x0tta6bl4.ledger.RaftLedger;
import io.x0tta6bl4.mesh.Membership;
import io.x0tta6bl4.mesh.MembershipFold;
import io.x0tta6bl4.mesh.MembershipOp;
import io.x0tta6bl4.monitor.LoadSample;
import io.x0tta6bl4.monitor.NodeView;
import io.x0tta6bl4.monitor.PeerState;
import io.x0tta6bl4.monitor.ProbeAnswer;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The node's {@link MeshView}: what its failure detector, its peers' latest probe answers, the
 * ledger's membership and its ledger replica say right now. Nothing is cached; each call reads
 * the current state. The members are the ones this node probes (the active members of the
 * ledger's membership) and itself; the voters are the Raft group's as its replica sees them.
 */
final class MeshState implements MeshView {
    private final String self;
    private final String trustDomain;
    private final Observations observations;
    private final Folded<Membership> membership;
    private final RaftLedger ledger;
    private final Supplier<LoadSample> ownLoad;
    private final InstantSource clock;
    private final Supplier<NodeView> view;

    MeshState(String self, String trustDomain, Observations observations, Folded<Membership> membership, RaftLedger ledger,
              Supplier<LoadSample> ownLoad, InstantSource clock, Supplier<NodeView> view) {
        this.self = self;
        this.trustDomain = trustDomain;
        this.observations = observations;
        this.membership = membership;
        this.ledger = ledger;
        this.ownLoad = ownLoad;
        this.clock = clock;
        this.view = view;
    }

    private Set<String> voters() {
        Set<String> voters = new HashSet<>();
        ledger.group().voters().forEach(r -> voters.add(r.name()));
        return voters;
    }

    @Override
    public NetworkStatus networkStatus() {
        Map<String, Observations.PeerInfo> info = observations.peers();
        return status(self, List.copyOf(info.keySet()), voters(), info, ledger.leader(), ledger.head().size(), clock.instant());
    }

    /**
     * The status as a pure function of one node's knowledge, so it can be tested on made-up views.
     *
     * <ul>
     *   <li>alive: this node (it is answering) and every peer its detector holds alive;</li>
     *   <li>latency: the mean of the latest round trip to each live peer;</li>
     *   <li>mesh health: of all member pairs, the share where both ends are alive and neither end
     *       reports the other suspect or down (a peer's report is its latest probe answer);</li>
     *   <li>critical without a ledger leader or without a majority of the ledger's voters alive
     *       (nothing can commit; listeners do not count);
     *       healthy when everyone is alive and every link is live; degraded in between.</li>
     * </ul>
     */
    static NetworkStatus status(String self, List<String> peers, Set<String> voters, Map<String, Observations.PeerInfo> info, Optional<String> leader,
                                long ledgerSize, Instant now) {
        Set<String> alive = new HashSet<>();
        alive.add(self);
        double rttSum = 0;
        int rttCount = 0;
        for (String p : peers) {
            Observations.PeerInfo i = info.get(p);
            if (i != null && i.state() == PeerState.ALIVE) {
                alive.add(p);
                if (i.lastRoundTripNanos() >= 0) {
                    rttSum += i.lastRoundTripNanos() / 1e6;
                    rttCount++;
                }
            }
        }
        List<String> members = new ArrayList<>(peers.size() + 1);
        members.add(self);
        members.addAll(peers);
        int n = members.size();
        long pairs = (long) n * (n - 1) / 2;
        long live = 0;
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                String x = members.get(a);
                String y = members.get(b);
                if (alive.contains(x) && alive.contains(y) && !accuses(info, x, y) && !accuses(info, y, x)) {
                    live++;
                }
            }
        }
        double meshHealth = pairs == 0 ? 100.0 : 100.0 * live / pairs;
        int nodesAlive = alive.size();
        Health health;
        long votersAlive = voters.stream().filter(alive::contains).count();
        if (leader.isEmpty() || votersAlive <= voters.size() / 2) {
            health = Health.CRITICAL;
        } else if (nodesAlive == n && live == pairs) {
            health = Health.HEALTHY;
        } else {
            health = Health.DEGRADED;
        }
        return new NetworkStatus(health, n, nodesAlive, rttCount == 0 ? 0 : rttSum / rttCount, meshHealth, leader, ledgerSize, now);
    }

    /** Whether {@code reporter}'s latest probe answer names {@code other} suspect or down. This node's own view is its detector's. */
    private static boolean accuses(Map<String, Observations.PeerInfo> info, String reporter, String other) {
        Observations.PeerInfo r = info.get(reporter);
        if (r == null) {
            return false; // this node: its view of `other` is the detector state, already required alive
        }
        ProbeAnswer a = r.lastAnswer();
        return a != null && (a.suspect().contains(other) || a.down().contains(other));
    }

    @Override
    public List<NodeStatus> nodes() {
        Map<String, Observations.PeerInfo> info = observations.peers();
        List<String> peers = List.copyOf(info.keySet());
        List<NodeStatus> out = new ArrayList<>(peers.size() + 1);
        out.add(new NodeStatus(self, SpiffeId.node(trustDomain, self), "alive", true, Optional.empty(), Optional.ofNullable(ownLoad.get())));
        for (String p : peers) {
            Observations.PeerInfo i = info.get(p);
            PeerState state = i == null ? PeerState.UNKNOWN : i.state();
            Optional<LastProbe> last = i == null || i.lastProbeAt() == null ? Optional.empty()
                    : Optional.of(new LastProbe(i.lastProbeAt(),
                            i.lastFailure() == null && i.lastRoundTripNanos() >= 0 ? Optional.of(i.lastRoundTripNanos() / 1e6) : Optional.empty(),
                            Optional.ofNullable(i.lastFailure()).map(f -> f.name().toLowerCase(Locale.ROOT))));
            Optional<LoadSample> load = i == null || i.lastAnswer() == null ? Optional.empty() : Optional.ofNullable(i.lastAnswer().load());
            out.add(new NodeStatus(p, SpiffeId.node(trustDomain, p), state.name().toLowerCase(Locale.ROOT), false, last, load));
        }
        return out;
    }

    @Override
    public NodeView nodeView() {
        return view.get();
    }

    @Override
    public Membership membership() {
        return membership.state();
    }

    @Override
    public MembershipOutcome changeMembership(SpiffeId actor, MembershipOp op, String member, String reason) {
        FoldedWrite.Done<Membership> done = FoldedWrite.write(ledger, membership, MembershipFold.change(actor, op, member, reason),
                "membership change", "GET /api/members");
        Optional<Membership.Refusal> refused = done.after().refusal(done.seq());
        if (refused.isPresent()) {
            return new MembershipOutcome.Refused(done.seq(), refused.get().reason());
        }
        return new MembershipOutcome.Applied(done.seq(), done.after().member(member).orElseThrow());
    }

    @Override
    public GroupView group() {
        return ledger.group();
    }
}
