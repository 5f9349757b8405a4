package io.x0tta6bl4.orchestration;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Starts and stops a cluster directory's host agent as a background process, for the cluster
 * commands: {@code host run --dir DIR} with the java and class path the host's nodes run
 * ({@code DIR/host/launch.json}), in its own session, its output in {@code DIR/host/agent.log}.
 * Started when a command needs it and none runs; it then outlives the command.
 */
final class AgentProcess {
    /** How long a starting agent has to publish agent.json and answer: a small JVM, a TLS listener. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(100);

    private AgentProcess() {}

    /**
     * Starts the agent unless one runs, and waits until it answers {@code GET /v1/nodes} to
     * {@code client}. Fails early, with the end of its log, if it exits first.
     *
     * @param exitWith a process whose end ends the agent and its nodes ({@code --exit-with})
     * @return whether an agent was started
     */
    static boolean ensure(HostLayout layout, HostAgentClient client, Optional<Long> exitWith, Consumer<String> progress) {
        if (client.agentRunning()) {
            return false;
        }
        NodeLaunch launch;
        try {
            launch = NodeLaunch.load(layout.launch());
        } catch (IllegalArgumentException e) {
            throw ClusterException.usage(e.getMessage());
        }
        List<String> extra = exitWith.map(pid -> List.of("--exit-with", Long.toString(pid))).orElse(List.of());
        Process process;
        try {
            process = ProcessLauncher.start(launch.agentCommand(layout.dir(), extra), false, layout.host(), layout.agentLog(),
                    "x0tta6bl4 cluster: starting the host agent at " + Instant.now());
        } catch (IOException e) {
            throw new ClusterException(ClusterException.Kind.FAILED, "cannot start the host agent (" + launch.java() + "): " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "it has not published " + layout.agentRecord() + " yet";
        while (true) {
            if (!process.isAlive()) {
                if (client.agentRunning()) {
                    // Another command started one at the same moment; ours found the directory's lock taken.
                    return false;
                }
                List<String> tail = NodeProcesses.tail(layout.agentLog(), 12);
                throw ClusterException.failed("the host agent (pid " + process.pid() + ") exited with " + process.exitValue()
                        + " before it answered; the end of " + layout.agentLog() + ":" + (tail.isEmpty() ? " (empty)" : "\n    " + String.join("\n    ", tail)));
            }
            Optional<AgentRecord> record;
            try {
                record = AgentRecord.read(layout.agentRecord()).filter(r -> r.pid() == process.pid());
            } catch (IllegalArgumentException e) {
                record = Optional.empty();
            }
            if (record.isPresent()) {
                try {
                    client.list().join();
                    progress.accept("host agent started (pid " + process.pid() + ", https://127.0.0.1:" + record.get().port() + ", log "
                            + layout.dir().relativize(layout.agentLog()) + exitWith.map(p -> "; it ends with pid " + p).orElse("") + ")");
                    return true;
                } catch (RuntimeException e) {
                    OrchestratorException o = OrchestratorException.unwrap(e);
                    if (o.code() == OrchestratorException.Code.ACCESS_DENIED) {
                        // Waiting will not change the policy's answer.
                        throw ClusterException.failed("the host agent (pid " + process.pid() + ") answers, but its policy (" + layout.policy()
                                + ") refuses the operator's SVID (" + layout.operator() + "): " + o.getMessage() + "; it is still running");
                    }
                    last = o.getMessage();
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw ClusterException.failed("the host agent (pid " + process.pid() + ") did not answer within " + START_TIMEOUT.toSeconds() + " s ("
                        + last + "); it is still running; see " + layout.agentLog());
            }
            LocalCluster.sleep(POLL);
        }
    }

    /**
     * SIGTERM to the running agent (it leaves its nodes, which the caller has stopped), SIGKILL
     * after {@link #STOP_TIMEOUT}. Returns its pid, or empty when none was running.
     */
    static Optional<Long> stop(HostLayout layout) {
        Optional<ProcessHandle> running;
        try {
            running = AgentRecord.read(layout.agentRecord()).flatMap(AgentRecord::running);
        } catch (IllegalArgumentException e) {
            running = Optional.empty();
        }
        if (running.isEmpty()) {
            return Optional.empty();
        }
        ProcessHandle h = running.get();
        h.destroy();
        if (!NodeProcesses.awaitExit(h, STOP_TIMEOUT)) {
            h.destroyForcibly();
            if (!NodeProcesses.awaitExit(h, ProcessOrchestrator.KILL_TIMEOUT)) {
                throw ClusterException.failed("the host agent (pid " + h.pid() + ") still runs after SIGTERM and SIGKILL");
            }
        }
        return Optional.of(h.pid());
    }
}
