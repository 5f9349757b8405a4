package io.x0tta6bl4.orchestration;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Starts, stops and reports the nodes of one host: the seam through which the cluster CLI, the
 * benches and (later) recovery and scaling plans act on node processes.
 *
 * <p><b>Why asynchronous.</b> Starting a node takes seconds (a JVM, its credentials, its
 * listeners, its first ledger entries) and a caller that starts four joiners, or a MAPE-K plan
 * that starts a replacement while it isolates the failed node, must not hold a thread per node
 * or serialise them by accident. Every operation therefore returns a future at once; a failure
 * completes it exceptionally with an {@link OrchestratorException} whose
 * {@link OrchestratorException.Code} says what kind of refusal or failure it was.
 *
 * <p><b>Why typed.</b> The old seam took a node name and returned nothing: a caller could not say
 * how the node joins, could not learn where it listens, and had to read the process table itself
 * to learn when it was up. {@link #spawn} takes a {@link NodeSpec} and completes with a
 * {@link NodeHandle} only once the node answers on its published endpoints.
 *
 * <p><b>Implementations.</b> {@link HostAgentClient} asks a host agent ({@code x0tta6bl4 host
 * run}), which runs nodes as local processes and enrols each with the host's intermediate
 * issuing key. A Kubernetes implementation would run a pod per node whose init step enrols it;
 * nothing here is a local-process notion a pod lacks: a pod has a name, a start instant, a main
 * process (its pid in the container), a running or stopped state and its ports. {@link #pause}
 * and {@link #resume} (SIGSTOP and SIGCONT, used by the detection benchmark) have their pod
 * counterpart in freezing the container's cgroup.
 *
 * <p>The seam restarts nothing on its own: whether a node that exited comes back is the mesh's
 * decision, taken through this interface.
 */
public interface Orchestrator {
    /**
     * Enrols the node, writes its configuration, starts it, and completes when it answers
     * {@code GET /health} on the endpoints it published. Fails early, with the end of its log, if
     * the process exits first. A name this host already knows is a {@code CONFLICT}.
     */
    CompletableFuture<NodeHandle> spawn(NodeSpec spec);

    /** SIGTERM, then SIGKILL if it has not exited within the implementation's stop timeout. */
    CompletableFuture<Stopped> stop(String name);

    /**
     * SIGKILL (a crash). The result carries the instant read just before the signal was sent, so
     * a benchmark can time what follows from it.
     */
    CompletableFuture<Signalled> kill(String name);

    /** SIGSTOP: the node stays, silent; only its peers' timeouts can tell. */
    CompletableFuture<Signalled> pause(String name);

    /** SIGCONT to a paused node. */
    CompletableFuture<Signalled> resume(String name);

    /**
     * Stops the node if it runs, then starts it again with the same spec, credentials and data,
     * and completes as {@link #spawn} does.
     */
    CompletableFuture<NodeHandle> restart(String name);

    /** Every node this host knows, running or not, in the order they were first spawned. */
    CompletableFuture<List<NodeHandle>> list();

    /**
     * A signal was sent.
     *
     * @param signalled the wall-clock instant read just before the signal was sent
     */
    record Signalled(String name, long pid, Instant signalled) {}

    /** How a {@link #stop} ended. */
    record Stopped(String name, long pid, Outcome outcome, Duration took) {
        public enum Outcome {
            /** It exited after SIGTERM. */
            STOPPED,
            /** It did not exit within the stop timeout and was sent SIGKILL. */
            KILLED,
            /** It was not running; nothing was sent. */
            NOT_RUNNING
        }
    }
}
