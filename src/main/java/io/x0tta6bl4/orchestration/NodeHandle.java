package io.x0tta6bl4.orchestration;

import java.time.Instant;
import java.util.Optional;

/**
 * One node as its host knows it.
 *
 * @param pid       its main process (for a pod, the container's); the last one if it has exited
 * @param started   when that process started, as the operating system says: with the pid, the
 *                  process's identity (a pid alone may since belong to another process)
 * @param state     what the operating system says about that process now
 * @param endpoints what the node published; empty until it has (a node still starting), and
 *                  what it published last for a node that has exited
 * @param spec      what it was spawned with
 */
public record NodeHandle(String name, long pid, Instant started, ProcessState state, Optional<NodeEndpoints> endpoints, NodeSpec spec) {
    public NodeHandle {
        if (!name.equals(spec.name())) {
            throw new IllegalArgumentException("handle of " + name + " carries the spec of " + spec.name());
        }
    }

    /** The endpoints, or a refusal naming the node: for callers that need it to have published them. */
    public NodeEndpoints requireEndpoints() {
        return endpoints.orElseThrow(() -> new OrchestratorException(OrchestratorException.Code.CONFLICT,
                name + " has not published its endpoints yet (pid " + pid + ", " + state.wire() + ")"));
    }
}
