package io.x0tta6bl4.ledger;

import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.TrustBundle;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * A replicated ledger group of several replicas in this process, on loopback ports the kernel
 * picks: the first replica forms the group, each other one joins it and is added by the leader,
 * one at a time, as a voter while the group has fewer than {@link RaftLedgerConfig#MAX_VOTERS}
 * and as a listener after that. What the mesh's membership does between node processes, done
 * directly, for the ledger's own tests, the demo and the ledger benchmark.
 */
public final class LocalGroup {
    private LocalGroup() {}

    /**
     * Starts one replica per node, in {@code dir/<name>}, and returns them once every one is a
     * member and knows the leader.
     *
     * @param tweak applied to each replica's default configuration (snapshot interval, say)
     */
    public static List<RaftLedger> start(List<NodeCredentials> nodes, Path dir, TrustBundle bundle, InstantSource clock,
                                         UnaryOperator<RaftLedgerConfig> tweak, Duration timeout) {
        List<RaftLedger> group = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            NodeCredentials first = nodes.getFirst();
            String firstName = name(first);
            RaftLedger leader = RaftLedger.start(tweak.apply(RaftLedgerConfig.of(firstName, dir.resolve(firstName),
                    new RaftLedgerConfig.Start.Bootstrap(), first, bundle, clock)));
            group.add(leader);
            await(leader, deadline);
            List<Replica> voters = new ArrayList<>(List.of(leader.self()));
            List<Replica> listeners = new ArrayList<>();
            for (NodeCredentials node : nodes.subList(1, nodes.size())) {
                String name = name(node);
                RaftLedger replica = RaftLedger.start(tweak.apply(RaftLedgerConfig.of(name, dir.resolve(name),
                        new RaftLedgerConfig.Start.Join(List.of(leader.self())), node, bundle, clock)));
                group.add(replica);
                (voters.size() < RaftLedgerConfig.MAX_VOTERS ? voters : listeners).add(replica.self());
                RaftLedger current = leaderOf(group);
                current.reconfigure(voters, listeners).get(remaining(deadline), TimeUnit.NANOSECONDS);
                await(replica, deadline);
            }
            return group;
        } catch (ExecutionException | TimeoutException e) {
            group.forEach(RaftLedger::close);
            throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "the local ledger group did not form within " + timeout + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.forEach(RaftLedger::close);
            throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "interrupted while forming the local ledger group", e);
        } catch (RuntimeException e) {
            group.forEach(RaftLedger::close);
            throw e;
        }
    }

    private static String name(NodeCredentials node) {
        String path = node.id().path();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static void await(RaftLedger replica, long deadline) throws ExecutionException, TimeoutException, InterruptedException {
        replica.ready().get(remaining(deadline), TimeUnit.NANOSECONDS);
    }

    private static RaftLedger leaderOf(List<RaftLedger> group) {
        return group.stream().filter(RaftLedger::isLeader).findFirst().orElse(group.getFirst());
    }

    private static long remaining(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }
}
