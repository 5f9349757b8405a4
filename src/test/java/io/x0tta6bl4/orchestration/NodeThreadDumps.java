package io.x0tta6bl4.orchestration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * When a test on real node processes fails, writes each live node's thread dump next to its log
 * ({@code DIR/node-N/threads.txt}, kept because the test directory is kept on failure) before the
 * test's clean-up stops the nodes. A node that is stuck rather than dead (a follower that stops
 * applying the Raft log, say) is otherwise gone without evidence.
 */
final class NodeThreadDumps implements AfterTestExecutionCallback {
    private final Supplier<Path> clusterDir;

    NodeThreadDumps(Supplier<Path> clusterDir) {
        this.clusterDir = clusterDir;
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        Path dir = clusterDir.get();
        if (context.getExecutionException().isEmpty() || dir == null || !Files.exists(dir.resolve(ClusterState.FILE))) {
            return;
        }
        HostLayout layout = new HostLayout(dir);
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        for (HostState.Entry entry : HostState.load(layout.state()).nodes()) {
            String name = entry.spec().name();
            entry.process().flatMap(p -> NodeProcesses.live(p, layout.config(name))).ifPresent(p -> {
                Path out = layout.nodeDir(name).resolve("threads.txt");
                try {
                    Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(p.pid()), "Thread.print")
                            .redirectErrorStream(true).redirectOutput(out.toFile()).start();
                    if (!dump.waitFor(20, TimeUnit.SECONDS)) {
                        dump.destroyForcibly();
                    }
                    System.err.println("thread dump of " + name + " (pid " + p.pid() + "): " + out);
                } catch (IOException e) {
                    System.err.println("no thread dump of " + name + ": " + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }
}
