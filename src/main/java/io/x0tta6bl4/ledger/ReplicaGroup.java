package io.x0tta6bl4.ledger;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The ledger's Raft group as the mesh's membership drives it: read its configuration, change it
 * one step at a time. {@link RaftLedger} is the one implementation; the membership reconciler is
 * tested against a stand-in.
 */
public interface ReplicaGroup {
    /** The group as this replica sees it now. */
    GroupView group();

    /**
     * Asks the leader to make {@code voters} and {@code listeners} the group's configuration.
     * Replicas new to the group catch up first (Raft's staging), so a slow newcomer never costs
     * the group its quorum. Completes when the new configuration is committed; fails with a
     * {@link LedgerException} if this replica does not lead, another change is under way, or a
     * newcomer did not catch up. Asking for the configuration in force succeeds at once.
     */
    CompletableFuture<Void> reconfigure(List<Replica> voters, List<Replica> listeners);

    /** {@code listener} runs (on a ledger thread; it must be quick) whenever the configuration or the leader changes. */
    void onChange(Runnable listener);
}
