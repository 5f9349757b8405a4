package io.x0tta6bl4.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.governance.Governance;
import io.x0tta6bl4.governance.GovernanceFold;
import io.x0tta6bl4.governance.Proposal;
import io.x0tta6bl4.governance.ProposalState;
import io.x0tta6bl4.governance.ProposalType;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.Folded;
import io.x0tta6bl4.ledger.Ledger;
import io.x0tta6bl4.ledger.Submission;
import io.x0tta6bl4.policy.Policy;
import io.x0tta6bl4.policy.PolicyException;
import io.x0tta6bl4.time.Scheduler;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the steps of proposals that time or votes make due (DESIGN.md §7), while this node
 * leads the ledger: CLOSE once voting is over or its outcome is settled, QUEUE a succeeded
 * proposal, and EXECUTE it when its delay is over. It looks on every change of the governance
 * fold and every {@link #TICK}. What is due is computed from the fold, so a new leader picks up
 * whatever its predecessor left, and the fold refuses a second EXECUTE of a proposal, so nothing
 * executes twice.
 *
 * <p>Execution: a CONFIG_UPDATE or ROLLBACK takes effect in the fold's runtime config when its
 * EXECUTE entry is folded. A POLICY_UPDATE writes the policy's POLICY_CHANGE entry and the
 * EXECUTE in one batch, so both commit or neither; its version must be above the version in
 * force, or the proposal is recorded EXECUTION_FAILED with the reason. A RESOURCE_SCALING and a
 * RECOVERY are carried out by {@link HostActions} through the host agent;
 * once an executed proposal's impact window is over, {@link ImpactWatch} measures it (an IMPACT
 * entry, and a ROLLBACK proposal when it did harm); its EXECUTE records the node counts
 * before and after and the nodes started or stopped, its FAIL the same and the error.
 */
final class Governor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Governor.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration TICK = Duration.ofMillis(200);
    /** How soon to look again when the fold is behind the ledger's head. */
    static final Duration RELOOK = Duration.ofMillis(2);

    private final SpiffeId self;
    private final Ledger ledger;
    private final Folded<Governance> governance;
    private final Supplier<Optional<Policy>> policy;
    private final Scheduler scheduler;
    private final InstantSource clock;
    private final HostActions host;
    private final ImpactWatch impact;
    private final Executor hostThread;
    /** Steps written and not yet folded, so each is written once per leader. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    /** A look is scheduled in {@link #RELOOK} (scheduler thread only). */
    private boolean relook;
    private Scheduler.Cancellable next;

    Governor(SpiffeId self, Ledger ledger, Folded<Governance> governance, Supplier<Optional<Policy>> policy, Scheduler scheduler, InstantSource clock,
             HostActions host, ImpactWatch impact, Executor hostThread) {
        this.host = host;
        this.impact = impact;
        this.hostThread = hostThread;
        this.self = self;
        this.ledger = ledger;
        this.governance = governance;
        this.policy = policy;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    void start() {
        governance.onChange((before, after, entry) -> nudge());
        scheduler.execute(this::tick);
    }

    /** Something changed (a vote, a leader): look again soon. Safe from any thread. */
    void nudge() {
        if (!closed) {
            scheduler.execute(this::look);
        }
    }

    private void tick() {
        if (closed) {
            return;
        }
        look();
        next = scheduler.schedule(TICK.toNanos(), this::tick);
    }

    private void look() {
        if (closed || !ledger.isLeader()) {
            return;
        }
        if (governance.position() < ledger.head().size()) {
            // Entries are committed that the fold has not read yet (often only other types, which
            // it skips): look again in a moment rather than at the next tick, because an early
            // close (a RECOVERY's) is waited for.
            if (!relook) {
                relook = true;
                scheduler.schedule(RELOOK.toNanos(), () -> {
                    relook = false;
                    look();
                });
            }
            return;
        }
        Governance g = governance.state();
        for (Governance.Due d : g.due(clock.instant())) {
            String key = d.proposal() + "/" + d.action();
            if (!inFlight.add(key)) {
                continue;
            }
            CompletableFuture<List<Submission>> batch;
            try {
                batch = step(g.proposal(d.proposal()).orElseThrow(), d);
            } catch (RuntimeException e) {
                LOG.error("could not prepare {} of proposal {}", d.action(), d.proposal(), e);
                inFlight.remove(key);
                continue;
            }
            write(key, batch, d.proposal(), d.action() + " -> " + d.to());
        }
        for (Proposal p : g.impactDue(clock.instant(), ImpactWatch.HORIZON)) {
            String key = p.id() + "/" + GovernanceFold.MEASURE;
            if (inFlight.add(key)) {
                try {
                    write(key, CompletableFuture.completedFuture(impact.measure(p)), p.id(), GovernanceFold.MEASURE);
                } catch (RuntimeException e) {
                    LOG.error("could not measure the impact of proposal {}", p.id(), e);
                    inFlight.remove(key);
                }
            }
        }
    }

    /** Writes a step's entries once they are ready; {@code key} stays in flight until the fold has read them. */
    private void write(String key, CompletableFuture<List<Submission>> batch, String proposal, String what) {
        batch.thenCompose(ledger::appendAll).whenComplete((seqs, e) -> {
            if (e != null) {
                LOG.warn("could not write {} of proposal {}: {}; trying again while this node leads", what, proposal, e.getMessage());
                inFlight.remove(key);
                return;
            }
            LOG.info("proposal {}: {} (ledger entry {})", proposal, what, seqs.getLast());
            governance.awaitFolded(seqs.getLast()).whenComplete((s, x) -> inFlight.remove(key));
        });
    }

    /**
     * The entries of one step. Execution work that is not a ledger entry happens here, before the
     * EXECUTE is written: a RESOURCE_SCALING or RECOVERY runs on the host-actions thread, and its EXECUTE (or FAIL)
     * is written when the nodes have joined or left; a RECOVERY's once the host agent has
     * restarted the node.
     */
    private CompletableFuture<List<Submission>> step(Proposal p, Governance.Due d) {
        if (d.action().equals(GovernanceFold.EXECUTE) && (p.type() == ProposalType.RESOURCE_SCALING || p.type() == ProposalType.RECOVERY)) {
            // One host action at a time (hostThread is a single thread), and only while this node leads:
            // a leader that lost its place leaves the proposal to the next, which finds it still QUEUED.
            java.time.Instant queued = p.timeline().stream().filter(e -> e.what().equals(GovernanceFold.QUEUE)).map(Proposal.Event::at)
                    .reduce((a, b) -> b).orElse(p.createdAt());
            return CompletableFuture.supplyAsync(() -> {
                if (!ledger.isLeader()) {
                    throw new java.util.concurrent.CancellationException("no longer the leader");
                }
                try {
                    ObjectNode done = p.type() == ProposalType.RECOVERY ? host.restart(p.payload().get("node").asText(), queued, ledger::isLeader)
                            : host.scaleTo(p.payload().get("nodes").asInt(), p.id(), ledger::isLeader);
                    if (!ledger.isLeader()) {
                        throw new java.util.concurrent.CancellationException("no longer the leader");
                    }
                    LOG.info("proposal {} carried out: {}", p.id(), done);
                    return List.of(GovernanceFold.result(self, p.id(), GovernanceFold.EXECUTE, ProposalState.EXECUTED, done));
                } catch (HostActions.Failed e) {
                    return List.of(failed(p, e.getMessage(), e.detail));
                }
            }, hostThread);
        }
        return CompletableFuture.completedFuture(entries(p, d));
    }

    private List<Submission> entries(Proposal p, Governance.Due d) {
        if (!d.action().equals(GovernanceFold.EXECUTE)) {
            return List.of(GovernanceFold.result(self, p.id(), d.action(), d.to(), null));
        }
        if (p.type() == ProposalType.POLICY_UPDATE) {
            Policy next;
            try {
                next = Policy.parse(p.payload().get("document").asText(), "proposal " + p.id());
            } catch (PolicyException e) {
                return List.of(failed(p, "the policy does not parse: " + e.getMessage()));
            }
            Optional<Policy> now = policy.get();
            if (now.isPresent() && next.version() <= now.get().version()) {
                return List.of(failed(p, "policy version " + next.version() + " is not above version " + now.get().version() + " in force"));
            }
            return List.of(PolicyStore.entry(self, next, "PROPOSAL_" + p.id().toUpperCase(java.util.Locale.ROOT)),
                    GovernanceFold.result(self, p.id(), GovernanceFold.EXECUTE, ProposalState.EXECUTED,
                            JSON.createObjectNode().put("policy_version", next.version()).put("policy_digest", next.digestHex())));
        }
        return List.of(GovernanceFold.result(self, p.id(), GovernanceFold.EXECUTE, ProposalState.EXECUTED, null));
    }

    private Submission failed(Proposal p, String error) {
        return failed(p, error, JSON.createObjectNode());
    }

    private Submission failed(Proposal p, String error, ObjectNode detail) {
        LOG.warn("proposal {} cannot execute: {}", p.id(), error);
        return GovernanceFold.result(self, p.id(), GovernanceFold.FAIL, ProposalState.EXECUTION_FAILED, detail.put("error", error));
    }

    @Override
    public void close() {
        closed = true;
        Scheduler.Cancellable n = next;
        if (n != null) {
            n.cancel();
        }
    }
}
