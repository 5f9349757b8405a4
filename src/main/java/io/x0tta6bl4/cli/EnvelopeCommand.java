package io.x0tta6bl4.cli;

import io.x0tta6bl4.crypto.Envelope;
import io.x0tta6bl4.crypto.EnvelopeOpener;
import io.x0tta6bl4.crypto.EnvelopeRejectedException;
import io.x0tta6bl4.crypto.Opened;
import io.x0tta6bl4.crypto.PeerKeys;
import io.x0tta6bl4.crypto.Suite;
import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.PeerDirectory;
import io.x0tta6bl4.identity.SpiffeId;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "envelope", description = "Seal and open node-to-node messages (ML-KEM-768, AES-256-GCM, ML-DSA-65).",
        mixinStandardHelpOptions = true, subcommands = {EnvelopeCommand.Seal.class, EnvelopeCommand.Open.class})
final class EnvelopeCommand {

    @Command(name = "seal", description = "Encrypt FILE from one enrolled node to another and sign it.")
    static final class Seal implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = "--dir", required = true, description = "CA directory holding both nodes.") Path dir;
        @Option(names = "--from", required = true, description = "Sending node name.") String from;
        @Option(names = "--to", required = true, description = "Receiving node name.") String to;
        @Option(names = "--in", required = true, description = "Plaintext file.") Path in;
        @Option(names = "--out", required = true, description = "Envelope file to write (must not exist).") Path out;
        @Option(names = "--suite", defaultValue = "xwing", description = "xwing (X25519 + ML-KEM-768, default) or mlkem768.") String suite;
        @Option(names = "--content-type", defaultValue = "CONFIG_UPDATE", description = "Content type (default ${DEFAULT-VALUE}).") String contentType;

        @Override
        public void run() {
            Suite s = Suite.byName(suite);
            CertificateAuthority ca = CertificateAuthority.load(dir);
            Instant now = Instant.now();
            NodeCredentials sender = NodeCredentials.load(ca.nodeDir(from));
            PeerKeys recipient = PeerDirectory.ofCaDirectory(ca, now).lookup(SpiffeId.node(ca.trustDomain(), to).toString())
                    .orElseThrow(() -> new Main.UsageProblem("--to " + to + ": no valid identity document for that node in "
                            + ca.nodeDir(to) + "; enrol it with: x0tta6bl4 ca issue-node --dir " + dir + " --name " + to));
            byte[] envelope = Envelope.seal(s, sender.keys(), recipient, contentType, read(in, "--in"), now, new SecureRandom());
            try (OutputStream o = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW)) {
                o.write(envelope);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                throw new Main.UsageProblem("--out " + out + ": already exists; choose a new file");
            } catch (IOException e) {
                throw new Main.UsageProblem("--out " + out + ": cannot write: " + e.getMessage());
            }
            spec.commandLine().getOut().println(envelope.length + " bytes sealed from " + sender.id() + " to " + recipient.id()
                    + " (" + s.cliName() + ") in " + out);
        }
    }

    @Command(name = "open", description = {"Check and decrypt an envelope: exit 0 and the plaintext on stdout, or exit 1 and the reason.",
                "The replay check spans this one process; a running node keeps it for its lifetime."})
    static final class Open implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = "--dir", required = true, description = "CA directory.") Path dir;
        @Option(names = "--as", required = true, description = "Receiving node name.") String as;
        @Option(names = "--in", required = true, description = "Envelope file.") Path in;
        @Option(names = "--at", description = {"Check it as of this instant (ISO-8601, e.g. 2026-12-06T21:00:00Z): to inspect a kept envelope",
                "after its 30-second freshness window, give the time it was sent. Default: now."}) String at;

        @Override
        public void run() {
            Instant when;
            try {
                when = at == null ? Instant.now() : Instant.parse(at);
            } catch (java.time.format.DateTimeParseException e) {
                throw new Main.UsageProblem("--at " + at + ": not an ISO-8601 instant; write e.g. 2026-12-06T21:00:00Z");
            }
            CertificateAuthority ca = CertificateAuthority.load(dir);
            NodeCredentials self = NodeCredentials.load(ca.nodeDir(as));
            PeerDirectory senders = PeerDirectory.ofCaDirectory(ca, when);
            EnvelopeOpener opener = new EnvelopeOpener(self.keys(), senders, at == null ? InstantSource.system() : InstantSource.fixed(when));
            try {
                Opened opened = opener.open(read(in, "--in"));
                System.out.write(opened.plaintext());
                System.out.flush();
            } catch (EnvelopeRejectedException e) {
                throw new Main.Refused(e.getMessage());
            } catch (IOException e) {
                throw new Main.UsageProblem("cannot write to stdout: " + e.getMessage());
            }
        }
    }

    static byte[] read(Path file, String option) {
        try {
            if (Files.size(file) > Envelope.MAX_PLAINTEXT + 64 * 1024) {
                throw new Main.UsageProblem(option + " " + file + ": larger than the 16 MiB message limit");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new Main.UsageProblem(option + " " + file + ": no such file");
        } catch (IOException e) {
            throw new Main.UsageProblem(option + " " + file + ": cannot read: " + e.getMessage());
        }
    }
}
