package io.x0tta6bl4.orchestration;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code cluster} command's input errors, which are found before any process is asked
 * anything: these run in a second. What the commands do to processes is in
 * {@link LocalClusterStandInTest} (through a host agent, on stand-in nodes) and
 * {@link LocalClusterTest} (on real nodes).
 */
class ClusterCommandTest {
    @TempDir Path dir;

    record Run(int exit, String out, String err) {}

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void statusOnADirectoryWithoutAClusterSaysHowToMakeOne() {
        Run r = cli("cluster", "status", "--dir", dir.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: no cluster in " + dir).contains("run cluster up --nodes N --dir " + dir);
        Run missing = cli("cluster", "kill", "node-1", "--dir", dir.resolve("nowhere").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains(dir.resolve("nowhere") + " does not exist");
        Run add = cli("cluster", "add-node", "--dir", dir.toString());
        assertThat(add.exit()).isEqualTo(2);
        assertThat(add.err()).contains("run cluster up --nodes N --dir " + dir);
    }

    @Test
    void anUnknownNodeIsAUsageErrorNamingTheValidOnes() {
        new ClusterState(dir, "x0tta6bl4.local", Instant.now(), List.of("node-1", "node-2")).save();
        for (String cmd : List.of("kill", "stop", "start", "pause", "resume", "remove-node", "fence", "readmit")) {
            Run r = cli("cluster", cmd, "node-9", "--dir", dir.toString());
            assertThat(r.exit()).as(cmd + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).as(cmd).contains("no node 'node-9'").contains("the nodes are node-1, node-2");
        }
        assertThat(new HostLayout(dir).agentRecord()).as("no host agent was started for that").doesNotExist();
    }

    @Test
    void upChecksItsArguments() throws Exception {
        assertThat(cli("cluster", "up", "--nodes", "0", "--dir", dir.resolve("a").toString()).err()).contains("--nodes: a cluster has 1..64 nodes, got 0");
        Run detector = cli("cluster", "up", "--nodes", "3", "--detector", "gut-feeling", "--dir", dir.resolve("b").toString());
        assertThat(detector.exit()).isEqualTo(2);
        assertThat(detector.err()).contains("--detector: 'gut-feeling' is not a detector; use consecutive-misses or phi-accrual");
        Run join = cli("cluster", "up", "--nodes", "3", "--join", "stampede", "--dir", dir.resolve("b").toString());
        assertThat(join.exit()).isEqualTo(2);
        assertThat(join.err()).contains("--join: 'stampede' is not sequential or parallel");
        Run domain = cli("cluster", "up", "--trust-domain", "Not A Domain", "--dir", dir.resolve("c").toString());
        assertThat(domain.exit()).isEqualTo(2);
        assertThat(domain.err()).contains("--trust-domain:");
        Files.writeString(dir.resolve("d.txt"), "x");
        Run notEmpty = cli("cluster", "up", "--nodes", "1", "--dir", dir.toString());
        assertThat(notEmpty.exit()).isEqualTo(2);
        assertThat(notEmpty.err()).contains(dir + " is not empty and holds no cluster.json; choose a new or empty --dir");
        assertThat(Files.list(dir).toList()).containsExactly(dir.resolve("d.txt"));
    }

    @Test
    void hostRunSaysWhatIsMissing() {
        Run r = cli("host", "run", "--dir", dir.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(dir.resolve("host/issuer") + " does not exist: no host issuer in " + dir);
        Run exitWith = cli("host", "run", "--dir", dir.toString(), "--exit-with", "2147483647");
        assertThat(exitWith.exit()).isEqualTo(1);
        assertThat(exitWith.err()).contains("--exit-with 2147483647: no such process is running");
    }
}
