package io.x0tta6bl4.orchestration;

import java.util.List;

/**
 * Starts and stops the nodes of a cluster by name: the seam through which recovery plans act on
 * processes. {@link LocalCluster} runs them as local processes; a Kubernetes implementation
 * would act on pods.
 */
public interface Orchestrator {
    /** The node names, in order. */
    List<String> nodes();

    /** Starts a node that is not running and waits until it answers. */
    void start(String node);

    /** Asks a node to shut down (SIGTERM) and waits until it has. */
    void stop(String node);

    /** Ends a node at once (SIGKILL). */
    void kill(String node);
}
