package io.x0tta6bl4.cli;

import io.x0tta6bl4.orchestration.HostAgent;
import io.x0tta6bl4.orchestration.OrchestratorException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code x0tta6bl4 host run --dir DIR [--exit-with PID]}: this host's agent ({@link HostAgent}).
 * Its log lines go to stdout, each stamped with the wall clock; {@code cluster up} starts it in
 * the background with its output in {@code DIR/host/agent.log}.
 */
@Command(name = "host", description = "Run this host's agent: it enrols and runs the host's nodes.", mixinStandardHelpOptions = true,
        subcommands = HostCommand.Run.class)
final class HostCommand {

    @Command(name = "run", mixinStandardHelpOptions = true, description = {
            "Run the host agent of a cluster directory until SIGTERM (its nodes keep running then).",
            "It holds the host's intermediate issuing key (DIR/host/issuer), never the roots, and serves a mutual-TLS API",
            "on 127.0.0.1 (published in DIR/host/agent.json) that the policy in DIR/policy.yaml guards.",
            "A restarted agent adopts the nodes that still run. It restarts nothing on its own."})
    static final class Run implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Option(names = "--dir", required = true, description = "The cluster directory (made by cluster up).") Path dir;
        @Option(names = "--exit-with", paramLabel = "PID", description = {"Watch process PID: when it is gone, stop every node (SIGTERM, then SIGKILL)",
                "and exit. For tests and harnesses, so that a cancelled run leaves no node behind."}) Long exitWith;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            HostAgent agent;
            try {
                agent = HostAgent.start(dir, Optional.ofNullable(exitWith), line -> {
                    synchronized (out) {
                        out.println(Instant.now() + " " + line);
                        out.flush();
                    }
                });
            } catch (OrchestratorException e) {
                throw switch (e.code()) {
                    case CONFLICT -> new Main.Refused(e.getMessage());
                    case BAD_REQUEST, UNKNOWN_NODE, NO_ROUTE -> new Main.UsageProblem(e.getMessage());
                    default -> e;
                };
            }
            Thread hook = new Thread(agent::close, "host-agent-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            agent.awaitClosed();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // SIGTERM: the hook has closed the agent
            }
            return Main.OK;
        }
    }
}
