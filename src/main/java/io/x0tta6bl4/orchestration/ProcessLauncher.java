package io.x0tta6bl4.orchestration;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Starts a long-lived background process the way a host runs its infrastructure: in its own
 * session ({@code setsid}, where it exists), so that neither a Ctrl-C in the terminal nor the end
 * of the process that started it reaches it; stdin from /dev/null; stdout and stderr appended to
 * its log, each start marked with a banner line; and, for nodes run as root, at a raised priority
 * ({@link #prioritized}). {@code setsid} and {@code nice} exec the next program in place, so the
 * pid of the returned process is the JVM's own.
 */
final class ProcessLauncher {
    /** The nice value node processes run at when the host may raise priority (it runs as root). */
    static final int NODE_NICE = -10;

    private ProcessLauncher() {}

    /** Starts {@code command} in {@code workDir}, appending its output to {@code log} after a {@code banner} line. */
    static Process start(List<String> command, boolean prioritized, Path workDir, Path log, String banner) throws IOException {
        List<String> full = new ArrayList<>();
        detached().ifPresent(full::add);
        if (prioritized) {
            full.addAll(prioritized());
        }
        full.addAll(command);
        Files.createDirectories(log.getParent());
        Files.writeString(log, "--- " + banner + " ---\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(full).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        File devNull = new File("/dev/null");
        if (devNull.exists()) {
            pb.redirectInput(ProcessBuilder.Redirect.from(devNull));
        }
        return pb.start();
    }

    /** The process's identity: its pid and the start instant the operating system gives it. */
    static NodeProcess identity(Process process, Instant fallback) {
        return new NodeProcess(process.pid(), process.toHandle().info().startInstant().orElse(fallback));
    }

    /**
     * {@code nice -n -10} when this process runs as root: a node is the mesh's infrastructure, and
     * its failure detector must keep its 50 ms deadlines while other work saturates the machine,
     * as a system daemon would be set up with {@code Nice=} or a CPU weight. Measured: a 5-node
     * cluster with 2 CPU-burning threads on 2 cores gave false SUSPECT/DOWN verdicts at equal
     * priority (docs/benchmarks.md). Without root the nodes run at the caller's priority, and
     * docs/cluster.md says how to give it to them.
     *
     * <p>Where the kernel schedules by session groups (autogroup), this orders a node's threads
     * only within its own session, not against other sessions; giving each node's group the same
     * priority was tried and made the soak worse (docs/cluster.md), so it is not done. The nodes
     * of a host share one CPU group instead ({@link CpuGroup}).
     */
    static List<String> prioritized() {
        Optional<String> nice = executable("/usr/bin/nice", "/bin/nice");
        if (nice.isEmpty() || !runsAsRoot()) {
            return List.of();
        }
        return List.of(nice.get(), "-n", Integer.toString(NODE_NICE));
    }

    /** Whether the effective user id is 0, from {@code /proc/self/status} (false where that does not exist). */
    static boolean runsAsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] ids = line.substring(4).trim().split("\\s+");
                    return ids.length > 1 && ids[1].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** {@code setsid}, so that the process has its own session and the terminal's signals do not reach it. */
    private static Optional<String> detached() {
        return executable("/usr/bin/setsid", "/bin/setsid");
    }

    /** The first of {@code paths} that is an executable file. */
    private static Optional<String> executable(String... paths) {
        return Stream.of(paths).filter(p -> Files.isExecutable(Path.of(p))).findFirst();
    }
}
