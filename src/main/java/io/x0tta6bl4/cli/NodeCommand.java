package io.x0tta6bl4.cli;

import io.x0tta6bl4.node.ConfigException;
import io.x0tta6bl4.node.NodeAgent;
import io.x0tta6bl4.node.NodeConfig;
import io.x0tta6bl4.node.NodeConfigLoader;
import io.x0tta6bl4.node.NodeRuntime;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code x0tta6bl4 node run --config FILE}: the long-running node agent. */
@Command(name = "node", description = "Run a node agent.", mixinStandardHelpOptions = true, subcommands = NodeCommand.Run.class)
final class NodeCommand {

    @Command(name = "run", description = "Run this node until SIGTERM (graceful stop, exit 0).", mixinStandardHelpOptions = true)
    static final class Run implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = "--config", required = true, description = "The node's YAML file (docs/node-config.md).") Path config;

        @Override
        public void run() {
            NodeConfig c;
            try {
                c = NodeConfigLoader.load(config);
            } catch (ConfigException e) {
                throw new Main.UsageProblem(e.getMessage());
            }
            NodeRuntime runtime = NodeRuntime.system();
            NodeAgent agent;
            try {
                agent = NodeAgent.start(c, runtime);
            } catch (ConfigException e) {
                runtime.close();
                throw new Main.UsageProblem(e.getMessage());
            } catch (RuntimeException e) {
                runtime.close();
                throw e;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(c.name() + " ready: api https://" + c.host() + ":" + agent.apiPort() + " peer " + c.host() + ":" + agent.peerPort()
                    + " raft " + c.host() + ":" + agent.raftPort());
            out.flush();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                agent.close();
                runtime.close();
                out.println(c.name() + " stopped");
                out.flush();
                stopped.countDown();
                // SIGTERM is the graceful stop an operator asks for: report it as success, not 143.
                Runtime.getRuntime().halt(0);
            }, "node-shutdown"));
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
