package io.x0tta6bl4.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The ledger commands as an operator runs them: one small bench run, then the read tools on its data. */
@Timeout(180)
class LedgerCommandTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    @TempDir static Path dir;
    private static Cli bench;

    @BeforeAll
    static void runBench() {
        bench = Cli.run("ledger", "bench", "--replicas", "3", "--entries", "1000", "--clients", "64", "--dir", dir.resolve("b").toString());
    }

    private static Path node1() {
        return dir.resolve("b").resolve("node-1");
    }

    @Test
    void benchCommitsOnThreeReplicasThatAgree() {
        assertThat(bench.exit()).as(bench.toString()).isZero();
        assertThat(bench.out()).contains("1,000 entries committed").contains("entries/s").contains("p99");
        // warm-up (1,000) + measured (1,000) entries; every replica reports the same root
        assertThat(bench.out().lines().filter(l -> l.contains("size 2,000 root")).map(l -> l.substring(l.indexOf("root"))).distinct()).hasSize(1);
        assertThat(bench.out().lines().filter(l -> l.matches("\\s+node-\\d: size 2,000 root [0-9a-f]{64}"))).hasSize(3);
    }

    @Test
    void benchRefusesADirectoryThatAlreadyHoldsARun() {
        Cli again = Cli.run("ledger", "bench", "--replicas", "1", "--entries", "10", "--dir", dir.resolve("b").toString());
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err()).contains("--dir").contains("already holds a bench run");
    }

    @Test
    void verifyReportsSizeRootAndCheckpoint() {
        Cli r = Cli.run("ledger", "verify", "--data", node1().toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("ok: 2,000 entries, root [0-9a-f]{64}").contains("ML-DSA-65 root sha256").contains("entries/s");
    }

    @Test
    void showPrintsATableFilteredByType() {
        Cli r = Cli.run("ledger", "show", "--data", node1().toString(), "--from", "10", "--limit", "5", "--type", "AUDIT");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out().lines()).hasSize(6).first().asString().startsWith("SEQ");
        assertThat(r.out()).contains("GET_NETWORK_STATUS").contains("spiffe://bench.x0tta6bl4.local/app/client-");
    }

    @Test
    void proofIsVerifiedJson() throws Exception {
        Cli r = Cli.run("ledger", "proof", "--data", node1().toString(), "--seq", "1234");
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode proof = JSON.readTree(r.out());
        assertThat(proof.get("seq").asLong()).isEqualTo(1234);
        assertThat(proof.get("tree_size").asLong()).isEqualTo(2000);
        assertThat(proof.get("verified").asBoolean()).isTrue();
        assertThat(proof.get("path")).hasSize(11);
    }

    @Test
    void exportWritesOneJsonObjectPerEntry() throws Exception {
        Cli r = Cli.run("ledger", "export", "--data", node1().toString(), "--from", "1990");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out().lines()).hasSize(10);
        JsonNode last = JSON.readTree(r.out().lines().toList().getLast());
        assertThat(last.get("seq").asLong()).isEqualTo(1999);
        assertThat(last.get("leaf_hash").asText()).hasSize(64);
        assertThat(last.get("payload").isObject()).isTrue();
    }

    @Test
    void aDirectoryWithoutALedgerIsAUsageErrorNamingTheFile() {
        Path empty = dir.resolve("empty");
        for (String command : new String[] {"show", "export", "verify"}) {
            Cli r = Cli.run("ledger", command, "--data", empty.toString());
            assertThat(r.exit()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).contains("--data").contains("ledger.db does not exist");
        }
        assertThat(Files.exists(empty)).isFalse();
    }

    @Test
    void badArgumentsAreUsageErrors() {
        Cli type = Cli.run("ledger", "show", "--data", node1().toString(), "--type", "BOGUS");
        assertThat(type.exit()).isEqualTo(2);
        assertThat(type.err()).contains("--type BOGUS").contains("AUDIT");
        Cli seq = Cli.run("ledger", "proof", "--data", node1().toString(), "--seq", "99999");
        assertThat(seq.exit()).isEqualTo(2);
        assertThat(seq.err()).contains("--seq 99999").contains("0..1999");
        Cli limit = Cli.run("ledger", "show", "--data", node1().toString(), "--limit", "0");
        assertThat(limit.exit()).isEqualTo(2);
        assertThat(limit.err()).contains("limit");
        Cli peer = Cli.run("ledger", "serve", "--ca", dir.resolve("b/ca").toString(), "--name", "node-1", "--data", dir.resolve("x").toString(),
                "--join", "node-1:127.0.0.1");
        assertThat(peer.exit()).isEqualTo(2);
        assertThat(peer.err()).contains("--join", "name@host:port");
        Cli replicas = Cli.run("ledger", "bench", "--replicas", "7", "--dir", dir.resolve("c").toString());
        assertThat(replicas.exit()).isEqualTo(2);
        assertThat(replicas.err()).contains("--replicas 7");
    }
}
