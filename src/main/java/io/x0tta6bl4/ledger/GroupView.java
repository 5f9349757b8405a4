package io.x0tta6bl4.ledger;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ledger's Raft group as this replica sees it now: who votes, who listens, whether a change
 * of configuration is under way, and, on the leader, how far each replica has committed (what
 * tells a caught-up replica from one still catching up).
 *
 * @param voters        the voting replicas of the newest configuration this replica knows
 * @param listeners     replicas that receive the log but do not vote
 * @param changing      a configuration change is under way (joint or not yet committed): no other may start
 * @param leader        the leader's name, if one is known
 * @param leading       whether this replica leads
 * @param commitIndex   this replica's committed Raft index
 * @param commitIndexes on the leader, each replica's committed index as the leader last heard it; empty elsewhere
 */
public record GroupView(List<Replica> voters, List<Replica> listeners, boolean changing, Optional<String> leader, boolean leading,
                        long commitIndex, Map<String, Long> commitIndexes) {
    public GroupView {
        voters = List.copyOf(voters);
        listeners = List.copyOf(listeners);
        commitIndexes = Map.copyOf(commitIndexes);
    }

    public boolean isVoter(String name) {
        return voters.stream().anyMatch(r -> r.name().equals(name));
    }

    public boolean isListener(String name) {
        return listeners.stream().anyMatch(r -> r.name().equals(name));
    }

    public boolean contains(String name) {
        return isVoter(name) || isListener(name);
    }
}
