package io.x0tta6bl4.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertThat(r.out().lines().filter(l -> l.contains("refused: ")).count()).isEqualTo(6);
        assertThat(dir.resolve("config-update.xwing.env")).exists();
        assertThat(dir.resolve("config-update.mlkem768.env")).exists();

        // The demo tells the user to try this; it must work (within the 30 s freshness window).
        String hint = "./x0tta6bl4 envelope open --dir " + dir + " --as node-b --in " + dir.resolve("config-update.xwing.env");
        assertThat(r.out()).contains(hint);
        Cli open = Cli.runCapturingSystemOut("envelope", "open", "--dir", dir.toString(), "--as", "node-b",
                "--in", dir.resolve("config-update.xwing.env").toString());
        assertThat(open.exit()).as(open.toString()).isZero();
        assertThat(open.out()).isEqualTo("{\"type\":\"CONFIG_UPDATE\",\"key\":\"probe.interval\",\"value\":\"100ms\"}");

        // Node B's ledger entries for both accepted messages, proven against a cosigned checkpoint,
        // and the ledger the demo points at verifies on its own.
        assertThat(r.out()).contains("entry 0 committed").contains("entry 1 committed")
                .contains("checkpoint at size 2").contains("verifies against the checkpoint root");
        Cli verify = Cli.run("ledger", "verify", "--data", dir.resolve("ledger").resolve("node-b").toString());
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains("ok: 2 entries");
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
