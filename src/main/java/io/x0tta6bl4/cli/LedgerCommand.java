package io.x0tta6bl4.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.x0tta6bl4.api.LedgerJson;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.InclusionProof;
import io.x0tta6bl4.ledger.LedgerEntry;
import io.x0tta6bl4.ledger.LedgerException;
import io.x0tta6bl4.ledger.LedgerFiles;
import io.x0tta6bl4.ledger.LedgerQuery;
import io.x0tta6bl4.ledger.LedgerVerifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "ledger", description = "The Raft-replicated, Merkle-provable ledger.", mixinStandardHelpOptions = true,
        subcommands = {io.x0tta6bl4.bench.LedgerBench.class, io.x0tta6bl4.bench.LedgerServe.class, LedgerCommand.Verify.class, LedgerCommand.Show.class,
                LedgerCommand.Proof.class, LedgerCommand.Export.class})
final class LedgerCommand {

    @Command(name = "verify", description = {"Recompute every hash, the Merkle tree and all signatures from a node's ledger file.",
            "Exit 0 with the size and root, or 1 naming the first bad entry."})
    static final class Verify implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = "--data", required = true, description = "A node's data directory (holds ledger.db).") Path data;

        @Override
        public void run() {
            long start = System.nanoTime();
            LedgerVerifier.Report r;
            try {
                r = LedgerVerifier.verify(data);
            } catch (LedgerException e) {
                throw new Main.UsageProblem("--data " + data + ": " + e.getMessage());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!r.ok()) {
                throw new Main.Refused(r.problem().orElseThrow() + r.badSeq().map(s -> " (first bad entry: " + s + ")").orElse(""));
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "ok: %,d entries, root %s%n", r.head().size(), r.head().rootHex());
            out.println("trust domain " + r.trustDomain() + ", ML-DSA-65 root sha256 " + r.pqRootSha256() + " (compare with your CA's root-mldsa.crt)");
            out.println(r.checkpoint().map(c -> "checkpoint at size " + c.head().size() + " cosigned by "
                    + c.cosignatures().stream().map(x -> x.signer()).toList() + ", matches the entries").orElse("no checkpoint yet"));
            out.printf(Locale.ROOT, "verified in %.2f s (%,.0f entries/s)%n", seconds, r.head().size() / Math.max(seconds, 1e-9));
        }
    }

    @Command(name = "show", description = "Print entries as a table.")
    static final class Show implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = "--data", required = true, description = "A node's data directory.") Path data;
        @Option(names = "--from", defaultValue = "0", description = "First sequence number (default 0).") long from;
        @Option(names = "--limit", defaultValue = "50", description = "How many (default 50, at most 10000).") int limit;
        @Option(names = "--type", description = "Only this type, e.g. AUDIT.") String type;

        @Override
        public void run() {
            LedgerQuery q = query(from, limit);
            if (type != null) {
                q = q.withType(EntryType.parse(type).orElseThrow(() -> new Main.UsageProblem("--type " + type + ": not one of "
                        + java.util.Arrays.toString(EntryType.values()))));
            }
            PrintWriter out = spec.commandLine().getOut();
            try (LedgerFiles files = open(data)) {
                out.printf("%-8s %-24s %-15s %-40s %-22s %-28s %s%n", "SEQ", "TIME", "TYPE", "ACTOR", "ACTION", "RESOURCE", "STATUS");
                for (LedgerEntry e : files.query(q)) {
                    out.printf("%-8d %-24s %-15s %-40s %-22s %-28s %s%n", e.seq(), e.timestamp(), e.type(), e.submission().actor(),
                            e.submission().action(), e.submission().resource(), e.submission().status());
                }
            }
        }
    }

    @Command(name = "proof", description = "Inclusion proof of one entry in the whole tree, verified before it is printed (JSON).")
    static final class Proof implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = "--data", required = true, description = "A node's data directory.") Path data;
        @Option(names = "--seq", required = true, description = "Sequence number of the entry.") long seq;

        @Override
        public void run() {
            try (LedgerFiles files = open(data)) {
                InclusionProof p;
                try {
                    p = files.inclusionProof(seq);
                } catch (IllegalArgumentException e) {
                    throw new Main.UsageProblem(e.getMessage());
                }
                if (!p.verify()) {
                    throw new Main.Refused("the inclusion proof of entry " + seq + " does not verify: the ledger file is corrupt (run ledger verify)");
                }
                spec.commandLine().getOut().println(LedgerJson.proof(p).toPrettyString());
            }
        }
    }

    @Command(name = "export", description = "Every entry as one JSON object per line.")
    static final class Export implements Runnable {
        @Spec CommandSpec spec;
        @Option(names = "--data", required = true, description = "A node's data directory.") Path data;
        @Option(names = "--from", defaultValue = "0", description = "First sequence number (default 0).") long from;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            try (LedgerFiles files = open(data)) {
                files.forEach(from, stored -> {
                    ObjectNode n = LedgerJson.entry(stored.entry());
                    n.put("leaf_hash", HexFormat.of().formatHex(stored.storedLeaf()));
                    out.println(n);
                });
            }
            out.flush();
        }
    }

    static LedgerQuery query(long from, int limit) {
        try {
            return LedgerQuery.all(from, limit);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageProblem("--from/--limit: " + e.getMessage());
        }
    }

    static LedgerFiles open(Path data) {
        try {
            return LedgerFiles.open(data);
        } catch (LedgerException e) {
            throw new Main.UsageProblem("--data " + data + ": " + e.getMessage());
        }
    }


}
