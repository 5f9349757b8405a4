package io.x0tta6bl4.orchestration;

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
    private final Path dir;
    private final boolean v2;

    private CpuGroup(Path dir, boolean v2) {
        this.dir = dir;
        this.v2 = v2;
    }

    /** The outcome of looking for a usable CPU controller: a group, or why there is none. */
    record Found(Optional<CpuGroup> group, String reason) {}

    /** The group of the cluster in {@code clusterDir}, created if needed, under the system's cgroup mount. */
    static Found find(Path clusterDir, int nodes) {
        return find(Path.of("/sys/fs/cgroup"), clusterDir, nodes);
    }

    /**
     * @param root the cgroup mount: v1 when {@code root/cpu/cpu.shares} exists, v2 when
     *             {@code root/cgroup.subtree_control} lists {@code cpu}
     */
    static Found find(Path root, Path clusterDir, int nodes) {
        String name = "x0tta6bl4-" + HexFormat.of().formatHex(
                io.x0tta6bl4.crypto.Digests.sha256(clusterDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8)), 0, 6);
        try {
            if (Files.isRegularFile(root.resolve("cpu").resolve("cpu.shares"))) {
                Path dir = root.resolve("cpu").resolve(name);
                Files.createDirectories(dir);
                Files.writeString(dir.resolve("cpu.shares"), Long.toString(1024L * nodes));
                return new Found(Optional.of(new CpuGroup(dir, false)), "cgroup v1 " + dir);
            }
            Path control = root.resolve("cgroup.subtree_control");
            if (Files.isRegularFile(control) && Files.readString(control).contains("cpu")) {
                Path dir = root.resolve(name);
                Files.createDirectories(dir);
                Files.writeString(dir.resolve("cpu.weight"), Long.toString(Math.min(10_000L, 100L * nodes)));
                return new Found(Optional.of(new CpuGroup(dir, true)), "cgroup v2 " + dir);
            }
            return new Found(Optional.empty(), "no CPU controller under " + root);
        } catch (IOException | RuntimeException e) {
            return new Found(Optional.empty(), "cannot use the CPU controller under " + root + ": " + e.getMessage());
        }
    }

    Path dir() {
        return dir;
    }

    /** Moves the process (all its threads) into this group. */
    void add(long pid) throws IOException {
        Files.writeString(dir.resolve("cgroup.procs"), Long.toString(pid));
    }

    /** Removes the group once no process is left in it; a group still in use is left alone. */
    void removeIfEmpty() {
        try {
            if (Files.readString(dir.resolve("cgroup.procs")).isBlank()) {
                Files.deleteIfExists(dir);
            }
        } catch (IOException | RuntimeException e) {
            // still in use, or gone already
        }
    }

    @Override
    public String toString() {
        return (v2 ? "cgroup v2 " : "cgroup v1 ") + dir;
    }
}
