package io.x0tta6bl4.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvelopeCommandTest {
    private static final String MESSAGE = "{\"type\":\"CONFIG_UPDATE\",\"key\":\"probe.interval\",\"value\":\"100ms\"}\n";

    @TempDir static Path ca;
    @TempDir Path tmp;
    private static Path plaintext;

    @BeforeAll
    static void enrolThreeNodes() throws Exception {
        ok(Cli.run("ca", "init", "--dir", ca.toString(), "--trust-domain", "mesh.example.org"));
        for (String n : new String[] {"node-a", "node-b", "node-c"}) {
            ok(Cli.run("ca", "issue-node", "--dir", ca.toString(), "--name", n));
        }
        plaintext = Files.writeString(ca.resolve("message.json"), MESSAGE);
    }

    private static Cli ok(Cli r) {
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    private Path seal(String suite) {
        Path out = tmp.resolve("message." + suite + ".env");
        Cli r = ok(Cli.run("envelope", "seal", "--dir", ca.toString(), "--from", "node-a", "--to", "node-b", "--in", plaintext.toString(),
                "--out", out.toString(), "--suite", suite));
        assertThat(r.out()).contains("bytes sealed from spiffe://mesh.example.org/node/node-a to spiffe://mesh.example.org/node/node-b")
                .contains("(" + suite + ")");
        return out;
    }

    private static Cli open(String as, Path envelope) {
        return Cli.runCapturingSystemOut("envelope", "open", "--dir", ca.toString(), "--as", as, "--in", envelope.toString());
    }

    @Test
    void sealThenOpenAsTheRecipientPrintsThePlaintext() {
        Path envelope = seal("xwing");

        Cli r = open("node-b", envelope);

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo(MESSAGE);
        assertThat(r.err()).isEmpty();
    }

    /** A kept envelope can be inspected after its freshness window, as of the instant it was sent; without --at it is stale. */
    @Test
    void atChecksAnEnvelopeAsOfAnInstantAndABadInstantIsAUsageError() {
        Path envelope = seal("xwing");
        String later = java.time.Instant.now().plusSeconds(120).toString();
        Cli stale = Cli.runCapturingSystemOut("envelope", "open", "--dir", ca.toString(), "--as", "node-b", "--in", envelope.toString(), "--at", later);
        assertThat(stale.exit()).as(stale.toString()).isEqualTo(1);
        assertThat(stale.err()).contains("stale");
        Cli sent = Cli.runCapturingSystemOut("envelope", "open", "--dir", ca.toString(), "--as", "node-b", "--in", envelope.toString(), "--at",
                java.time.Instant.now().toString());
        assertThat(sent.exit()).as(sent.toString()).isZero();
        assertThat(sent.out()).isEqualTo(MESSAGE);
        Cli bad = Cli.run("envelope", "open", "--dir", ca.toString(), "--as", "node-b", "--in", envelope.toString(), "--at", "yesterday");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--at yesterday: not an ISO-8601 instant");
    }

    @Test
    void theMlKemOnlySuiteRoundTripsToo() {
        Cli r = open("node-b", seal("mlkem768"));

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo(MESSAGE);
    }

    @Test
    void theEnvelopeDoesNotContainThePlaintext() throws Exception {
        byte[] envelope = Files.readAllBytes(seal("xwing"));

        assertThat(new String(envelope, StandardCharsets.ISO_8859_1)).doesNotContain("probe.interval");
    }

    @Test
    void openingAsAThirdNodeIsRefusedAsWrongRecipient() {
        Cli r = open("node-c", seal("xwing"));

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("refused: wrong_recipient: ");
    }

    @Test
    void anEnvelopeWithOneFlippedByteIsRefused() throws Exception {
        Path envelope = seal("xwing");
        byte[] bytes = Files.readAllBytes(envelope);
        bytes[bytes.length / 2] ^= 0x01;
        Path flipped = Files.write(tmp.resolve("flipped.env"), bytes);

        Cli r = open("node-b", flipped);

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("refused: ");
        assertThat(open("node-b", envelope).exit()).as("the untouched envelope still opens").isZero();
    }

    @Test
    void anUnknownSuiteExitsTwoNamingTheValidOnes() {
        Path out = tmp.resolve("x.env");

        Cli r = Cli.run("envelope", "seal", "--dir", ca.toString(), "--from", "node-a", "--to", "node-b", "--in", plaintext.toString(),
                "--out", out.toString(), "--suite", "nope");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("unknown suite 'nope'; use one of: mlkem768, xwing");
        assertThat(out).doesNotExist();
    }

    @Test
    void aMissingInputFileExitsTwoNamingIt() {
        Path missing = tmp.resolve("no-such-file.json");

        Cli seal = Cli.run("envelope", "seal", "--dir", ca.toString(), "--from", "node-a", "--to", "node-b", "--in", missing.toString(),
                "--out", tmp.resolve("x.env").toString());
        Cli open = open("node-b", missing);

        assertThat(seal.exit()).as(seal.toString()).isEqualTo(2);
        assertThat(seal.err()).contains("--in " + missing + ": no such file");
        assertThat(open.exit()).as(open.toString()).isEqualTo(2);
        assertThat(open.err()).contains("--in " + missing + ": no such file");
    }

    @Test
    void anExistingOutputFileIsNeverOverwritten() throws Exception {
        Path existing = Files.writeString(tmp.resolve("keep.env"), "keep me");

        Cli r = Cli.run("envelope", "seal", "--dir", ca.toString(), "--from", "node-a", "--to", "node-b", "--in", plaintext.toString(),
                "--out", existing.toString());

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("--out " + existing + ": already exists");
        assertThat(Files.readString(existing)).isEqualTo("keep me");
    }

    @Test
    void sealingToANodeThatIsNotEnrolledExitsTwo() {
        Cli r = Cli.run("envelope", "seal", "--dir", ca.toString(), "--from", "node-a", "--to", "node-z", "--in", plaintext.toString(),
                "--out", tmp.resolve("x.env").toString());

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("--to node-z: no valid identity document").contains("ca issue-node");
    }

    @Test
    void anEnvelopeFromAnotherCaIsRefused() {
        Path other = tmp.resolve("other");
        ok(Cli.run("ca", "init", "--dir", other.toString(), "--trust-domain", "mesh.example.org"));
        ok(Cli.run("ca", "issue-node", "--dir", other.toString(), "--name", "node-a"));
        ok(Cli.run("ca", "issue-node", "--dir", other.toString(), "--name", "node-b"));
        Path forged = tmp.resolve("forged.env");
        ok(Cli.run("envelope", "seal", "--dir", other.toString(), "--from", "node-a", "--to", "node-b", "--in", plaintext.toString(),
                "--out", forged.toString()));

        Cli r = open("node-b", forged);

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("refused: ");
    }
}
