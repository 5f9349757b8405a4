package io.x0tta6bl4.node;

import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.Folded;
import io.x0tta6bl4.ledger.GroupView;
import io.x0tta6bl4.ledger.Ledger;
import io.x0tta6bl4.ledger.ReplicaGroup;
import io.x0tta6bl4.mesh.Endpoints;
import io.x0tta6bl4.mesh.GroupPlan;
import io.x0tta6bl4.mesh.Member;
import io.x0tta6bl4.mesh.Membership;
import io.x0tta6bl4.mesh.MembershipFold;
import io.x0tta6bl4.mesh.MembershipOp;
import io.x0tta6bl4.monitor.PeerState;
import io.x0tta6bl4.time.Scheduler;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in the membership, on one scheduler thread ("membership"):
 *
 * <ul>
 *   <li><b>Joining.</b> Once its fold has read what its own replica holds, a node whose entry is
 *       missing, or lists other endpoints than the ones it bound, writes its JOIN (again until it
 *       commits). A fenced or retired node does not: it says so in its log and stays out.
 *   <li><b>Reconciling, on the leader.</b> Whenever the membership, the Raft group or this node's
 *       detector changes, and once a second while it leads, the leader asks {@link GroupPlan}
 *       for the next step and takes it: one configuration change or one PROMOTE entry at a
 *       time, the next only after the last committed. A new leader simply continues.
 * </ul>
 */
final class MembershipAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MembershipAgent.class);
    /** How often the leader looks again while it leads (a step that failed is retried at this pace). */
    static final Duration RECONCILE_EVERY = Duration.ofSeconds(1);
    static final Duration JOIN_RETRY = Duration.ofSeconds(2);

    private final String self;
    private final SpiffeId id;
    private final Endpoints endpoints;
    private final Ledger ledger;
    private final ReplicaGroup group;
    private final Folded<Membership> membership;
    private final Supplier<Map<String, PeerState>> detector;
    private final Scheduler scheduler;
    private volatile boolean closed;
    // ---- scheduler only ----
    private boolean joined;
    private boolean joining;
    private boolean toldExcluded;
    private boolean stepping;
    private String lastStep = "";
    /** The listeners the leader did not replicate to at the last tick (a second ago): see {@link GroupPlan#next}. */
    private Set<String> unreplicatedAtLastTick = Set.of();

    MembershipAgent(String self, SpiffeId id, Endpoints endpoints, Ledger ledger, ReplicaGroup group, Folded<Membership> membership,
                    Supplier<Map<String, PeerState>> detector, Scheduler scheduler) {
        this.self = self;
        this.id = id;
        this.endpoints = endpoints;
        this.ledger = ledger;
        this.group = group;
        this.membership = membership;
        this.detector = detector;
        this.scheduler = scheduler;
    }

    void start() {
        membership.onChange((before, after, entry) -> nudge());
        group.onChange(this::nudge);
        scheduler.execute(this::join);
        tick();
    }

    /** Something changed: reconcile soon. Safe from any thread. */
    void nudge() {
        if (!closed) {
            scheduler.execute(this::reconcile);
        }
    }

    private void tick() {
        if (closed) {
            return;
        }
        scheduler.schedule(RECONCILE_EVERY.toNanos(), () -> {
            reconcile();
            unreplicatedAtLastTick = Set.copyOf(group.group().unreplicatedListeners()); // empty off the leader
            tick();
        });
    }

    private void join() {
        if (closed || joined || joining) {
            return;
        }
        if (membership.position() < ledger.head().size()) {
            scheduler.schedule(Duration.ofMillis(100).toNanos(), this::join); // still folding what this replica holds
            return;
        }
        Optional<Member> me = membership.state().member(self);
        if (me.isPresent() && !me.get().active()) {
            if (!toldExcluded) {
                LOG.warn("{} is {} in the ledger's membership ({}); it does not join until an operator readmits it", self,
                        me.get().status().name().toLowerCase(java.util.Locale.ROOT), me.get().reason());
                toldExcluded = true;
            }
            return;
        }
        if (me.isPresent() && me.get().endpoints().equals(endpoints)) {
            joined = true;
            return;
        }
        joining = true;
        LOG.info("{} {} the mesh at api {}, peer {}, raft {}", self, me.isPresent() ? "announces new endpoints to" : "joins", endpoints.api(),
                endpoints.peer(), endpoints.raft());
        ledger.append(MembershipFold.join(id, self, endpoints)).thenCompose(membership::awaitFolded).whenComplete((m, e) ->
                scheduler.execute(() -> {
                    joining = false;
                    if (e != null) {
                        LOG.info("{}: the JOIN did not commit ({}); trying again in {} s", self, e.getMessage(), JOIN_RETRY.toSeconds());
                        scheduler.schedule(JOIN_RETRY.toNanos(), this::join);
                        return;
                    }
                    Optional<Member> now = m.member(self);
                    if (now.isPresent() && now.get().active() && now.get().endpoints().equals(endpoints)) {
                        joined = true;
                        LOG.info("{} is a member: {}", self, now.get().role().name().toLowerCase(java.util.Locale.ROOT));
                    } else {
                        m.refusals().stream().filter(r -> self.equals(r.node())).reduce((a, b) -> b)
                                .ifPresent(r -> LOG.warn("{}: the membership refused its JOIN: {}", self, r.reason()));
                    }
                }));
    }

    private void reconcile() {
        if (closed || stepping || !ledger.isLeader()) {
            return;
        }
        if (membership.position() < ledger.head().size()) {
            // A new leader whose fold has not read every entry it holds would undo a PROMOTE or a
            // READMIT it has not seen yet; the fold's next change brings it back here.
            scheduler.schedule(Duration.ofMillis(100).toNanos(), this::reconcile);
            return;
        }
        Membership m = membership.state();
        GroupView g = group.group();
        Map<String, PeerState> states = detector.get();
        // This node leads, so it is alive; its detector does not watch itself. A member its
        // detector does not watch at all (this node is fenced and probes no one, or the member is
        // not probed yet) counts as alive if Raft holds it caught up: it answers the leader now.
        Optional<GroupPlan.Step> next = GroupPlan.next(m, g, name -> name.equals(self) || states.get(name) == PeerState.ALIVE
                || (!states.containsKey(name) && GroupPlan.caughtUp(g, name)), unreplicatedAtLastTick);
        if (next.isEmpty()) {
            return;
        }
        stepping = true;
        GroupPlan.Step step = next.get();
        String what = switch (step) {
            case GroupPlan.Step.Reconfigure r -> r.why();
            case GroupPlan.Step.Promote p -> "promote " + p.member() + " (" + p.why() + ")";
        };
        if (!what.equals(lastStep)) {
            LOG.info("ledger group: {}", what);
            lastStep = what;
        }
        var done = switch (step) {
            case GroupPlan.Step.Reconfigure r -> group.reconfigure(r.voters(), r.listeners());
            case GroupPlan.Step.Promote p -> ledger.append(MembershipFold.change(id, MembershipOp.PROMOTE, p.member(), p.why()))
                    .thenCompose(membership::awaitFolded).thenApply(x -> (Void) null);
        };
        done.whenComplete((ok, e) -> scheduler.execute(() -> {
            stepping = false;
            if (e != null) {
                LOG.info("ledger group: '{}' did not complete ({}); the next look tries again", what, e.getMessage());
            } else {
                lastStep = "";
                reconcile();
            }
        }));
    }

    @Override
    public void close() {
        closed = true;
    }
}
