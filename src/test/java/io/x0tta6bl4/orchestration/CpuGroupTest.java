package io.x0tta6bl4.orchestration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster's CPU group on fake cgroup hierarchies (the real one is exercised by LocalClusterTest as root). */
class CpuGroupTest {
    @TempDir Path root;
    @TempDir Path cluster;

    @Test
    void onCgroupV1TheGroupGetsOneSessionsSharesPerNodeAndTakesAProcess() throws Exception {
        Files.createDirectories(root.resolve("cpu"));
        Files.writeString(root.resolve("cpu").resolve("cpu.shares"), "1024");

        CpuGroup.Found found = CpuGroup.find(root, cluster, 5);

        assertThat(found.group()).isPresent();
        Path dir = found.group().get().dir();
        assertThat(dir.getParent()).isEqualTo(root.resolve("cpu"));
        assertThat(dir.getFileName().toString()).matches("x0tta6bl4-[0-9a-f]{12}");
        assertThat(Files.readString(dir.resolve("cpu.shares"))).isEqualTo("5120");
        found.group().get().add(4242);
        assertThat(Files.readString(dir.resolve("cgroup.procs"))).isEqualTo("4242");
        assertThat(CpuGroup.find(root, cluster, 5).group().orElseThrow().dir()).as("the same cluster, the same group").isEqualTo(dir);
    }

    @Test
    void onCgroupV2TheGroupGetsOneSessionsWeightPerNode() throws Exception {
        Files.writeString(root.resolve("cgroup.subtree_control"), "cpu memory pids\n");

        CpuGroup.Found found = CpuGroup.find(root, cluster, 3);

        assertThat(found.group()).isPresent();
        assertThat(Files.readString(found.group().get().dir().resolve("cpu.weight"))).isEqualTo("300");
    }

    @Test
    void withoutACpuControllerNothingIsCreatedAndTheReasonIsGiven() throws Exception {
        Files.writeString(root.resolve("cgroup.subtree_control"), "memory pids\n");

        CpuGroup.Found found = CpuGroup.find(root, cluster, 3);

        assertThat(found.group()).isEmpty();
        assertThat(found.reason()).isEqualTo("no CPU controller under " + root);
        try (var files = Files.list(root)) {
            assertThat(files).containsExactly(root.resolve("cgroup.subtree_control"));
        }
    }

    @Test
    void aGroupThatStillHoldsAProcessIsKept() throws Exception {
        Files.createDirectories(root.resolve("cpu"));
        Files.writeString(root.resolve("cpu").resolve("cpu.shares"), "1024");
        CpuGroup group = CpuGroup.find(root, cluster, 2).group().orElseThrow();
        group.add(4242);

        CpuGroup.removeIfEmpty(root, cluster);
        assertThat(group.dir()).as("a process is still in it").exists();
    }

    @Test
    void differentClustersGetDifferentGroups() throws Exception {
        Files.createDirectories(root.resolve("cpu"));
        Files.writeString(root.resolve("cpu").resolve("cpu.shares"), "1024");
        Path other = cluster.resolve("other");

        assertThat(CpuGroup.find(root, cluster, 2).group().orElseThrow().dir())
                .isNotEqualTo(CpuGroup.find(root, other, 2).group().orElseThrow().dir());
    }
}
