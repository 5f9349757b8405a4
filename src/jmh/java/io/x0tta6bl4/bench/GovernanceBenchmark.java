package io.x0tta6bl4.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.x0tta6bl4.governance.Choice;
import io.x0tta6bl4.governance.Governance;
import io.x0tta6bl4.governance.GovernanceFold;
import io.x0tta6bl4.governance.ProposalType;
import io.x0tta6bl4.governance.Tally;
import io.x0tta6bl4.governance.TallyMode;
import io.x0tta6bl4.governance.Vote;
import io.x0tta6bl4.governance.VoteCheck;
import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.LedgerEntry;
import io.x0tta6bl4.ledger.Submission;
import io.x0tta6bl4.mesh.Endpoints;
import io.x0tta6bl4.mesh.MembershipFold;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The DAO's three targets (issue 13), on real ML-DSA-65 keys of five enrolled nodes:
 *
 * <ul>
 *   <li>{@link #tallyTenThousandSignedVotes}: 10,000 signed votes (2,000 proposals × 5 voters)
 *       checked ({@link VoteCheck}: identity document, then the ballot's signature) on
 *       {@code threads} threads, then tallied per proposal. Target ≤ 0.7 s on 2 cores; the
 *       1-thread figure is the baseline of the same run.
 *   <li>{@link #foldThousandProposals}: the states of 1,000 proposals with 5 votes each (6,005
 *       entries: joins, proposals, votes), rebuilt from the entries by {@link GovernanceFold},
 *       which checks every vote's signature on one thread. Target ≤ 100 ms.
 *   <li>{@link #foldThousandProposalsVerified}: the same fold with every vote's signature already
 *       checked (a warm {@link VoteCheck} that remembers ballots): what the fold costs beyond
 *       the signature checks.
 * </ul>
 * Run: {@code ./mvnw -q -Pbench test-compile exec:exec -Djmh.args="GovernanceBenchmark"}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(1)
@State(Scope.Benchmark)
public class GovernanceBenchmark {
    static final String DOMAIN = "bench.local";
    static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Param({"1", "2"})
    int threads;

    private CertificateAuthority ca;
    private Path dir;
    private final List<Vote.Signed> tenThousand = new ArrayList<>();
    private final List<LedgerEntry> thousandProposals = new ArrayList<>();
    private ForkJoinPool pool;
    private VoteCheck warm;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("governance-bench");
        SecureRandom random = new SecureRandom();
        ca = CertificateAuthority.init(dir.resolve("ca"), DOMAIN, T0.minusSeconds(60), random);
        Map<String, NodeCredentials> nodes = new HashMap<>();
        for (int i = 1; i <= 5; i++) {
            nodes.put("node-" + i, ca.issueNode("node-" + i, Duration.ofDays(30), T0.minusSeconds(60), random));
        }
        Choice[] choices = {Choice.YES, Choice.YES, Choice.NO, Choice.ABSTAIN};
        for (int p = 0; p < 2000; p++) {
            for (int i = 1; i <= 5; i++) {
                NodeCredentials c = nodes.get("node-" + i);
                tenThousand.add(new Vote("proposal-" + p, c.id(), choices[(p + i) % 4], 1 + (p + i) % 3, "r")
                        .sign(c, random));
            }
        }
        // The ledger of 1,000 proposals: five joins, then per proposal its PROPOSAL and five VOTE entries.
        GovernanceFold fold = new GovernanceFold(new VoteCheck(ca.bundle()));
        Governance g = Governance.EMPTY;
        for (int i = 1; i <= 5; i++) {
            SpiffeId id = SpiffeId.node(DOMAIN, "node-" + i);
            g = add(fold, g, MembershipFold.join(id, "node-" + i, new Endpoints("127.0.0.1", 40000 + i, 41000 + i, 42000 + i)), id.toString());
        }
        for (int p = 0; p < 1000; p++) {
            long seq = thousandProposals.size();
            g = add(fold, g, GovernanceFold.propose(SpiffeId.node(DOMAIN, "node-1"), ProposalType.CONFIG_UPDATE, "proposal " + p, "",
                    JSON.createObjectNode().set("set", JSON.createObjectNode().put("governance.credits", Integer.toString(10 + p))),
                    Optional.of(Duration.ofHours(1)), Optional.of(Duration.ZERO)), "spiffe://" + DOMAIN + "/node/node-1");
            Governance made = g;
            String id = g.madeAt(seq).orElseThrow(() -> new IllegalStateException("proposal " + seq + " was refused: " + made.refusal(seq))).id();
            for (int i = 1; i <= 5; i++) {
                NodeCredentials c = nodes.get("node-" + i);
                Vote.Signed v = new Vote(id, c.id(), choices[(p + i) % 4], 1 + (p + i) % 3, "r").sign(c, random);
                g = add(fold, g, GovernanceFold.vote(v), "spiffe://" + DOMAIN + "/node/node-1");
            }
        }
        long counted = g.list(Optional.empty()).stream().mapToLong(x -> x.votes().size()).sum();
        if (counted != 5000) {
            throw new IllegalStateException("expected 5000 counted votes, got " + counted);
        }
        pool = new ForkJoinPool(threads);
        warm = new VoteCheck(ca.bundle());
        foldWith(warm);
    }

    private Governance foldWith(VoteCheck check) {
        GovernanceFold fold = new GovernanceFold(check);
        Governance g = fold.initial();
        for (LedgerEntry e : thousandProposals) {
            g = fold.apply(g, e);
        }
        return g;
    }

    private Governance add(GovernanceFold fold, Governance g, Submission s, String submitter) {
        LedgerEntry e = new LedgerEntry(thousandProposals.size(), T0.plusMillis(thousandProposals.size()), s, submitter, thousandProposals.size());
        thousandProposals.add(e);
        return fold.apply(g, e);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdown();
    }

    @Benchmark
    public Map<String, Tally> tallyTenThousandSignedVotes() throws Exception {
        VoteCheck check = new VoteCheck(ca.bundle());
        Instant at = T0.plusSeconds(1);
        List<Vote.Signed> valid = pool.submit(() -> tenThousand.parallelStream().filter(v -> check.problem(v, at).isEmpty()).toList()).get();
        if (valid.size() != tenThousand.size()) {
            throw new IllegalStateException(tenThousand.size() - valid.size() + " votes did not verify");
        }
        Map<String, List<Tally.Counted>> byProposal = new HashMap<>();
        for (Vote.Signed v : valid) {
            byProposal.computeIfAbsent(v.vote().proposal(), k -> new ArrayList<>()).add(new Tally.Counted(v.vote().choice(), v.vote().weight()));
        }
        Map<String, Tally> out = new HashMap<>();
        byProposal.forEach((k, votes) -> out.put(k, Tally.of(TallyMode.SEED, 5, votes)));
        return out;
    }

    @Benchmark
    public Governance foldThousandProposals() {
        return foldWith(new VoteCheck(ca.bundle()));
    }

    @Benchmark
    public Governance foldThousandProposalsVerified() {
        return foldWith(warm);
    }
}
