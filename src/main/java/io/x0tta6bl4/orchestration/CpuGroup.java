package io.x0tta6bl4.orchestration;

import io.x0tta6bl4.crypto.Digests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;

/**
 * One CPU control group for all the nodes of a local cluster, so that the kernel schedules their
 * threads against each other one by one instead of node against node.
 *
 * <p>Why: {@code setsid} gives every node its own session, and where the kernel groups tasks by
 * session ({@code kernel.sched_autogroup_enabled=1}) every node becomes a scheduling group of its
 * own. A node whose group had little load on a CPU then has little weight there, and a thread of
 * it that wakes up waits behind whatever another group runs. Traced with {@code sched_switch}
 * during a soak: one node's probe threads, poller and carrier sat runnable for 150-260 ms while
 * another node's C2 compiler thread held the CPU for 185 ms at a stretch, and all its peers marked
 * it down. With the five nodes moved into one group, the same cluster ran a 5-minute soak with no
 * false verdict (docs/benchmarks.md).
 *
 * <p>The group gets the weight of one session per node ({@code cpu.shares} 1024 each on cgroup v1,
 * {@code cpu.weight} 100 each on v2), so the cluster as a whole competes with other sessions
 * exactly as before; only the order among its own threads changes. Only root may do this; without
 * a writable CPU controller the nodes run as before, and {@link #find} says why in one line.
 */
final class CpuGroup {
    private static final Path MOUNT = Path.of("/sys/fs/cgroup");

    private final Path dir;

    private CpuGroup(Path dir) {
        this.dir = dir;
    }

    /** The outcome of looking for a usable CPU controller: a group, or why there is none. */
    record Found(Optional<CpuGroup> group, String reason) {}

    /** The group of the cluster in {@code clusterDir}, created if needed, under the system's cgroup mount. */
    static Found find(Path clusterDir, int nodes) {
        return find(MOUNT, clusterDir, nodes);
    }

    /**
     * @param root the cgroup mount: v1 when {@code root/cpu/cpu.shares} exists, v2 when
     *             {@code root/cgroup.subtree_control} lists {@code cpu}
     */
    static Found find(Path root, Path clusterDir, int nodes) {
        try {
            if (Files.isRegularFile(root.resolve("cpu").resolve("cpu.shares"))) {
                return new Found(Optional.of(create(v1(root, clusterDir), "cpu.shares", 1024L * nodes)), "");
            }
            Path control = root.resolve("cgroup.subtree_control");
            if (Files.isRegularFile(control) && Files.readString(control).contains("cpu")) {
                return new Found(Optional.of(create(v2(root, clusterDir), "cpu.weight", Math.min(10_000L, 100L * nodes))), "");
            }
            return new Found(Optional.empty(), "no CPU controller under " + root);
        } catch (IOException | RuntimeException e) {
            return new Found(Optional.empty(), "cannot use the CPU controller under " + root + ": " + e.getMessage());
        }
    }

    private static CpuGroup create(Path dir, String weightFile, long weight) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(weightFile), Long.toString(weight));
        return new CpuGroup(dir);
    }

    private static Path v1(Path root, Path clusterDir) {
        return root.resolve("cpu").resolve(name(clusterDir));
    }

    private static Path v2(Path root, Path clusterDir) {
        return root.resolve(name(clusterDir));
    }

    private static String name(Path clusterDir) {
        byte[] hash = Digests.sha256(clusterDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
        return "x0tta6bl4-" + HexFormat.of().formatHex(hash, 0, 6);
    }

    Path dir() {
        return dir;
    }

    /** Moves the process (all its threads) into this group. */
    void add(long pid) throws IOException {
        Files.writeString(dir.resolve("cgroup.procs"), Long.toString(pid));
    }

    /** Removes the cluster's group, if there is one and no process is left in it; it creates nothing. */
    static void removeIfEmpty(Path clusterDir) {
        removeIfEmpty(MOUNT, clusterDir);
    }

    static void removeIfEmpty(Path root, Path clusterDir) {
        for (Path dir : new Path[] {v1(root, clusterDir), v2(root, clusterDir)}) {
            try {
                if (Files.isDirectory(dir) && Files.readString(dir.resolve("cgroup.procs")).isBlank()) {
                    Files.deleteIfExists(dir);
                }
            } catch (IOException | RuntimeException e) {
                // still in use, or gone already
            }
        }
    }
}
