package io.x0tta6bl4.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.ledger.Folded;
import io.x0tta6bl4.ledger.Ledger;
import io.x0tta6bl4.mesh.Member;
import io.x0tta6bl4.mesh.Membership;
import io.x0tta6bl4.mesh.MembershipFold;
import io.x0tta6bl4.mesh.MembershipOp;
import io.x0tta6bl4.orchestration.ClusterState;
import io.x0tta6bl4.orchestration.HostAgentClient;
import io.x0tta6bl4.orchestration.NodeHandle;
import io.x0tta6bl4.orchestration.NodeSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What executed proposals ask of the host agent that started this node (node.yaml
 * {@code host_agent}): a RESOURCE_SCALING and a RECOVERY restart.
 *
 * <p>A RESOURCE_SCALING brings the number of active members to the target
 * through the host agent that started this node (node.yaml {@code host_agent}), one node at a
 * time. Up: the agent enrols and starts {@link Membership#nextName}, seeded with every active
 * member's Raft address and the spec of a node it already runs, and the step is done when that
 * node's JOIN is folded (the leader's reconciliation then makes it a voter or a listener, as for
 * {@code cluster add-node}). Down: this node writes a LEAVE for the member with the highest
 * number (never itself), and once it is folded the agent stops that node.
 *
 * <p>The target is absolute, so a new leader that executes the same proposal again after a
 * leader change starts only what is still missing. Blocking: runs on a thread of its own.
 */
final class HostActions {
    private static final Logger LOG = LoggerFactory.getLogger(HostActions.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a started node may take to publish its JOIN; a cold JVM joining a busy mesh takes 10-30 s here. */
    static final Duration JOIN_TIMEOUT = Duration.ofMinutes(3);

    /** Why a scaling stopped short, with what it had done by then. */
    static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient ObjectNode detail;

        Failed(String message, ObjectNode detail) {
            super(message);
            this.detail = detail;
        }
    }

    private final String self;
    private final NodeCredentials credentials;
    private final Optional<Path> clusterDir;
    private final Folded<Membership> membership;
    private final Ledger ledger;

    HostActions(String self, NodeCredentials credentials, Optional<Path> clusterDir, Folded<Membership> membership, Ledger ledger) {
        this.self = self;
        this.credentials = credentials;
        this.clusterDir = clusterDir;
        this.membership = membership;
        this.ledger = ledger;
    }

    /**
     * Restarts member {@code name} through the host agent (a RECOVERY's {@code restart}): the
     * agent stops it if it still runs (SIGTERM, then SIGKILL) and starts it again with its spec
     * and data. The EXECUTE detail, or {@link Failed}.
     */
    ObjectNode restart(String name, java.time.Instant queued, java.util.function.BooleanSupplier leading) {
        ObjectNode detail = JSON.createObjectNode().put("node", name).put("action", "restart");
        if (clusterDir.isEmpty()) {
            throw failed(detail, self + " was not started by a host agent (its node.yaml has no host_agent), so it cannot restart " + name);
        }
        try (HostAgentClient host = HostAgentClient.of(clusterDir.get(), credentials)) {
            // A leader before this one may have restarted it already and died before its EXECUTE committed.
            Optional<NodeHandle> now = call(host.list(), "list the host agent's nodes").stream().filter(h -> h.name().equals(name)).findFirst();
            if (now.isPresent() && now.get().state().live() && now.get().started().isAfter(queued)) {
                LOG.info("recovery: {} already runs since {}, after the proposal was queued; not restarted again", name, now.get().started());
                return detail.put("pid", now.get().pid()).put("started", now.get().started().toString()).put("already_restarted", true);
            }
            if (!leading.getAsBoolean()) {
                throw new IllegalStateException(self + " no longer leads the ledger");
            }
            LOG.info("recovery: the host agent of {} restarts {}", clusterDir.get(), name);
            NodeHandle h = call(host.restart(name), "restart " + name);
            return detail.put("pid", h.pid()).put("started", h.started().toString());
        } catch (RuntimeException e) {
            throw failed(detail, String.valueOf(e.getMessage()));
        }
    }

    /** Scales to {@code target} active members; the EXECUTE detail, or {@link Failed}. */
    ObjectNode scaleTo(int target, String proposal, java.util.function.BooleanSupplier leading) {
        int before = membership.state().active().size();
        ObjectNode detail = JSON.createObjectNode().put("nodes_before", before).put("nodes_target", target);
        ArrayNode started = detail.putArray("started");
        ArrayNode stopped = detail.putArray("stopped");
        if (clusterDir.isEmpty()) {
            throw failed(detail, self + " was not started by a host agent (its node.yaml has no host_agent), so it cannot start or stop nodes");
        }
        Path dir = clusterDir.get();
        try (HostAgentClient host = HostAgentClient.of(dir, credentials)) {
            while (membership.state().active().size() < target) {
                stillLeading(leading);
                String name = up(host, dir);
                started.add(name);
            }
            while (membership.state().active().size() > target) {
                stillLeading(leading);
                String name = down(host, dir, proposal);
                stopped.add(name);
            }
        } catch (Failed e) {
            throw e;
        } catch (RuntimeException e) {
            throw failed(detail, String.valueOf(e.getMessage()));
        } finally {
            detail.put("nodes_after", membership.state().active().size());
        }
        return detail;
    }

    private void stillLeading(java.util.function.BooleanSupplier leading) {
        if (!leading.getAsBoolean()) {
            throw new IllegalStateException(self + " no longer leads the ledger; the next leader carries on from the membership as it is");
        }
    }

    private String up(HostAgentClient host, Path dir) {
        Membership m = membership.state();
        String name = m.nextName();
        List<NodeSpec.Seed> seeds = m.active().stream().map(x -> new NodeSpec.Seed(x.name(), x.endpoints().host(), x.endpoints().raft())).toList();
        NodeSpec template = call(host.list(), "list the host agent's nodes").stream().filter(h -> h.state().live()).map(NodeHandle::spec)
                .findFirst().orElseThrow(() -> new IllegalStateException("the host agent of " + dir + " runs no node to copy the spec from"));
        ClusterState.enlist(dir, name);
        LOG.info("scaling: starting {} through the host agent of {} (seeds {})", name, dir, seeds);
        NodeHandle h;
        try {
            h = call(host.spawn(new NodeSpec(name, new NodeSpec.Join.Seeds(seeds), template.detector(), template.svidTtl())), "start " + name);
        } catch (RuntimeException e) {
            ClusterState.delist(dir, name); // it never ran: no ghost in cluster.json
            throw e;
        }
        LOG.info("scaling: {} runs (pid {}); waiting for its JOIN", name, h.pid());
        await(x -> x.member(name).map(Member::active).orElse(false), name + "'s JOIN");
        return name;
    }

    private String down(HostAgentClient host, Path dir, String proposal) {
        Member victim = membership.state().active().stream().filter(x -> !x.name().equals(self))
                .max(Comparator.comparingLong(HostActions::number).thenComparing(Member::name))
                .orElseThrow(() -> new IllegalStateException("no member other than " + self + " to stop"));
        String name = victim.name();
        LOG.info("scaling: {} leaves the membership, then the host agent stops it", name);
        call(ledger.append(MembershipFold.change(credentials.id(), MembershipOp.LEAVE, name, "RESOURCE_SCALING proposal " + proposal)),
                "write " + name + "'s LEAVE");
        await(x -> !x.member(name).map(Member::active).orElse(false), name + "'s LEAVE");
        call(host.stop(name), "stop " + name);
        ClusterState.delist(dir, name);
        return name;
    }

    private static long number(Member m) {
        String n = m.name();
        int dash = n.lastIndexOf('-');
        try {
            return dash < 0 ? -1 : Long.parseLong(n.substring(dash + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Waits until the folded membership satisfies {@code done}, at most {@link #JOIN_TIMEOUT}. */
    private void await(Predicate<Membership> done, String what) {
        CompletableFuture<Void> reached = new CompletableFuture<>();
        Folded.Listener<Membership> listener = (before, after, entry) -> {
            if (done.test(after)) {
                reached.complete(null);
            }
        };
        membership.onChange(listener);
        try {
            if (done.test(membership.state())) {
                reached.complete(null);
            }
            call(reached, what + " to be folded");
        } finally {
            membership.removeListener(listener);
        }
    }

    private static <T> T call(CompletableFuture<T> f, String what) {
        try {
            return f.get(JOIN_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to " + what);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("gave up waiting for " + what + " after " + JOIN_TIMEOUT.toSeconds() + " s");
        }
    }

    /** {@code message} may carry the host agent's answer: control characters replaced, at most 1000 characters, before it reaches a log or the ledger. */
    private static Failed failed(ObjectNode detail, String message) {
        String clean = message.replaceAll("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]", "?");
        clean = clean.length() > 1000 ? clean.substring(0, 1000) + "..." : clean;
        detail.put("error", clean);
        return new Failed(clean, detail);
    }
}
