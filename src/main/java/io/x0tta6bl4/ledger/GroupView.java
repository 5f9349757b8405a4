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

    /**
     * On the leader, with the configuration settled: the listeners of the configuration it sends
     * no log to. Ratis drops the log appender of every replica it does not count as caught up
     * when a change of configuration times out, and it never counts a listener added by a change
     * as caught up; a listener left so receives nothing until the next leader, and, not voting,
     * it never calls an election. The leader reports on the replicas it has an appender for, so
     * such a listener is missing from {@link #commitIndexes}. Empty when a voter is missing too:
     * the leader is only starting its appenders, or a voter's was dropped (which that voter
     * repairs itself, by campaigning).
     */
    public List<String> unreplicatedListeners() {
        if (!leading || changing || !voters.stream().allMatch(v -> commitIndexes.containsKey(v.name()))) {
            return List.of();
        }
        return listeners.stream().map(Replica::name).filter(n -> !commitIndexes.containsKey(n)).toList();
    }
}
