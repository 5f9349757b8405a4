package io.x0tta6bl4.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.orchestration.ClusterState;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(240)
class DemoCommandTest {
    @TempDir Path tmp;

    @Test
    void theDemoRunsAndShowsTheRefusalsAndItsSuggestedCommandWorks() {
        Path dir = tmp.resolve("demo");

        Cli r = Cli.run("demo", "--dir", dir.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out())
                .contains("Trust domain spiffe://demo.x0tta6bl4.local in " + dir)
                .contains("plaintext: {\"type\":\"CONFIG_UPDATE\",\"key\":\"probe.interval\",\"value\":\"100ms\"}")
                .contains("suite xwing")
                .contains("suite mlkem768")
                .contains("refused: replayed")
                .contains("refused: wrong_recipient")
                .doesNotContain("was accepted");
        assertThat(r.out().substring(0, r.out().indexOf("Scenario 5:")).lines().filter(l -> l.contains("refused: ")).count()).isEqualTo(6);
        assertThat(dir.resolve("config-update.xwing.env")).exists();
        assertThat(dir.resolve("config-update.mlkem768.env")).exists();

        // The demo tells the user to try this; it must work whenever they do, long after the envelope's
        // 30 s freshness window: the hint checks it as of the instant it was sent. Run exactly what it prints.
        String hint = r.out().lines().filter(l -> l.strip().startsWith("./x0tta6bl4 envelope open")).findFirst().orElseThrow().strip();
        assertThat(hint).startsWith("./x0tta6bl4 envelope open --dir " + dir + " --as node-b --in " + dir.resolve("config-update.xwing.env") + " --at ");
        String[] args = hint.substring("./x0tta6bl4 ".length()).split(" ");
        assertThat(java.time.Instant.parse(args[args.length - 1])).isBefore(java.time.Instant.now());
        Cli open = Cli.runCapturingSystemOut(args);
        assertThat(open.exit()).as(open.toString()).isZero();
        assertThat(open.out()).isEqualTo("{\"type\":\"CONFIG_UPDATE\",\"key\":\"probe.interval\",\"value\":\"100ms\"}");

        // Node B's ledger entries for both accepted messages, proven against a cosigned checkpoint,
        // and the ledger the demo points at verifies on its own.
        assertThat(r.out()).contains("entry 0 committed").contains("entry 1 committed")
                .contains("checkpoint at size 2").contains("verifies against the checkpoint root");
        Cli verify = Cli.run("ledger", "verify", "--data", dir.resolve("ledger").resolve("node-b").toString());
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains("ok: 2 entries");

        // Scenario 1 on real node processes: a 200 with the mesh's status, the refusals, and the audit trail.
        String s1 = r.out().substring(r.out().indexOf("Scenario 1:"));
        // The figures are the node's at that instant (a young JVM on a busy machine can miss probes), so only their presence is checked.
        assertThat(s1).contains("with it: HTTP 200").containsPattern("\"nodes\" : 3,\\s+\"nodes_alive\" : [123],");
        assertThat(s1).contains("no Authorization header: HTTP 401", "\"error\":\"invalid_token\",\"reason\":\"missing\"")
                .contains("a token for audience 'billing': HTTP 401", "\"reason\":\"wrong_audience\"")
                .contains("a token that expired 10 min ago: HTTP 401", "\"reason\":\"expired\"")
                .contains("a token signed by another CA: HTTP 401")
                .contains("a valid token for /ops/intruder (not app/*, not node/*): HTTP 403", "\"error\":\"access_denied\",\"rule\":\"default-deny\"");
        assertThat(s1).containsPattern("\\d+ +spiffe://demo.x0tta6bl4.local/app/demo-dashboard +GET_NETWORK_STATUS +/api/network/status +SUCCESS +members-read")
                .containsPattern("\\d+ +spiffe://demo.x0tta6bl4.local/ops/intruder +GET_NETWORK_STATUS +/api/network/status +DENIED +default-deny");
        // Scenario 5 on the same nodes: a CONFIG_UPDATE passes with signed votes and every node applies it; a forged vote is refused; a second proposal is
        // defeated; a third does harm under the demo's load, and the rollback the impact watch proposes passes.
        String s5 = r.out().substring(r.out().indexOf("Scenario 5:"));
        assertThat(s5).contains("YES 13 vs NO 1 power (seed: weight²) = 92.86 % approval", "participation 3/3 = 100 %   ->  EXECUTED")
                .contains("refused: node-3's ballot signed with node-2's key: HTTP 409", "signature does not verify")
                .containsPattern("GET /api/config on node-1: api.max_connections = 50000 \\(set by [0-9a-f]{16}\\)")
                .containsPattern("GET /api/config on node-3: api.max_connections = 50000 \\(set by [0-9a-f]{16}\\)")
                .contains("defeated: YES 0 vs NO")
                .containsPattern("impact of [0-9a-f]{16} \\(IMPACT entry, 10 s before vs after the execution, all nodes\\)")
                .contains("rollback: not needed", "rollback: proposed")
                .containsPattern("the leader proposed [0-9a-f]{16}: \"Roll back [0-9a-f]{16}: error rate \\+\\d+\\.\\d\\d points\"")
                .containsPattern("GET /api/config on node-2: api.max_connections = 50000 again \\(the setting of [0-9a-f]{16}, restored by [0-9a-f]{16}\\)");
        assertThat(s1).contains("cluster down: 3 node processes ended").containsPattern("scenarios 1 and 5 took \\d+\\.\\d s");
        assertThat(r.out()).containsPattern("demo done in \\d+\\.\\d s");

        // Nothing of the demo's cluster is left running.
        Path cluster = dir.resolve("cluster");
        assertThat(io.x0tta6bl4.orchestration.HostAgentTestSupport.recordedPids(cluster)).isNotEmpty()
                .allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid).isFalse());
        assertThat(dir.resolve("cluster").resolve("policy.yaml")).exists();
    }

    @Test
    void theDemoRefusesADirectoryThatAlreadyHoldsACa() {
        Path dir = tmp.resolve("demo");
        assertThat(Cli.run("ca", "init", "--dir", dir.toString(), "--trust-domain", "demo.x0tta6bl4.local").exit()).isZero();

        Cli r = Cli.run("demo", "--dir", dir.toString());

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("ca.json").contains("a CA already exists here");
    }
}
