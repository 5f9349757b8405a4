package io.x0tta6bl4.ledger;

import static io.x0tta6bl4.ledger.LedgerTestSupport.await;
import static io.x0tta6bl4.ledger.LedgerTestSupport.hex;
import static io.x0tta6bl4.ledger.LedgerTestSupport.refusal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.x0tta6bl4.crypto.MlDsaPublicKey;
import io.x0tta6bl4.crypto.SeededRandom;
import io.x0tta6bl4.identity.SpiffeId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The contract of {@link Ledger}, run against every implementation (as Apache Ratis runs one
 * suite over each transport): {@link InMemoryLedgerContractTest} and {@link RaftLedgerContractTest}.
 *
 * <p>A subclass starts one ledger for the whole class (a Raft group is too slow to start per
 * test), so every test works from the head it finds rather than from an empty ledger; only the
 * first test, ordered first, sees the ledger empty. After every test the tree head is checked
 * against RFC 9162's MTH over the entries read back from the ledger, re-encoded.
 *
 * <p>What differs between implementations is behind the hooks: how long a replica may lag
 * behind the acknowledgement of an append, and when a checkpoint appears.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LedgerContract {
    static final String DOMAIN = LedgerFixtures.DOMAIN;

    /** The ledger under test, the same one for every test of the class. */
    protected abstract Ledger ledger();

    /** The SPIFFE ID of the node whose appends the ledger signs: every entry's submitter. */
    protected abstract String submitterId();

    /** The ML-DSA-65 public key of every replica that may cosign a checkpoint. */
    protected abstract Map<String, MlDsaPublicKey> replicaKeys();

    /** How many matching cosignatures make a checkpoint. */
    protected abstract int quorum();

    /** A new, empty ledger of the same kind, closed by the caller (so no test depends on running first). */
    protected abstract Ledger openFresh();

    /** Moves the clock that stamps entries forward by a second. */
    protected abstract void tick();

    /** Returns once the ledger under test serves at least {@code size} entries (an acknowledged append may be applied here later). */
    protected abstract void awaitSize(long size);

    /** Returns the latest checkpoint once it covers at least {@code size} entries. */
    protected abstract Checkpoint awaitCheckpointCovering(long size);

    // ---- helpers ---------------------------------------------------------------------------------

    /** A tag unique to one test run, so tests on the shared ledger can find their own entries. */
    private static String tag() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static SpiffeId app(String name) {
        return SpiffeId.app(DOMAIN, name);
    }

    private static Submission sub(EntryType type, String actor, String resource, String payload) {
        return new Submission(type, app(actor), "ACT_" + type.name(), resource, "SUCCESS", payload);
    }

    private long size() {
        return ledger().head().size();
    }

    private List<Long> appendAll(List<Submission> subs) {
        List<Long> seqs = await(ledger().appendAll(subs));
        awaitSize(seqs.getLast() + 1);
        return seqs;
    }

    private long append(Submission s) {
        return appendAll(List.of(s)).getFirst();
    }

    private static List<Long> range(long from, int count) {
        return LongStream.range(from, from + count).boxed().toList();
    }

    private List<LedgerEntry> readAll() {
        long n = size();
        List<LedgerEntry> out = new ArrayList<>();
        while (out.size() < n) {
            out.addAll(ledger().read(out.size(), (int) Math.min(LedgerQuery.MAX_LIMIT, n - out.size())));
        }
        return out;
    }

    @AfterEach
    void theHeadIsTheMerkleTreeOfTheStoredEntries() {
        TreeHead head = ledger().head();
        List<LedgerEntry> entries = new ArrayList<>();
        while (entries.size() < head.size()) {
            entries.addAll(ledger().read(entries.size(), (int) Math.min(LedgerQuery.MAX_LIMIT, head.size() - entries.size())));
        }
        assertThat(entries).hasSize((int) head.size());
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            assertThat(entries.get(i).seq()).isEqualTo(i);
            assertThat(entries.get(i).submitter()).isEqualTo(submitterId());
            leaves.add(entries.get(i).leafHash());
        }
        assertThat(hex(head.root())).as("head root vs. MTH of the %d stored entries", head.size()).isEqualTo(hex(Rfc9162Reference.mth(leaves)));
    }

    // ---- appends ---------------------------------------------------------------------------------

    @Test
    void aNewLedgerIsEmptyAndNumbersEntriesFromZero() {
        try (Ledger fresh = openFresh()) {
            assertThat(fresh.head()).isEqualTo(new TreeHead(0, MerkleTree.emptyRoot()));
            assertThat(fresh.read(0, 10)).isEmpty();
            assertThat(fresh.entry(0)).isEmpty();
            assertThat(await(fresh.append(LedgerFixtures.audit(0)))).isZero();
            assertThat(await(fresh.append(LedgerFixtures.audit(1)))).isEqualTo(1);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> fresh.head().size() == 2);
        }
    }

    @Test
    void appendReturnsIncreasingSequenceNumbersFromTheHead() {
        long head = size();
        for (int i = 0; i < 5; i++) {
            assertThat(append(LedgerFixtures.audit(i))).isEqualTo(head + i);
        }
        assertThat(size()).isEqualTo(head + 5);
    }

    @Test
    void appendAllIsContiguousAlsoWhenAppendsRace() {
        long head = size();
        assertThat(appendAll(List.of(LedgerFixtures.audit(1), LedgerFixtures.audit(2), LedgerFixtures.audit(3)))).isEqualTo(range(head, 3));

        List<CompletableFuture<List<Long>>> racing = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            List<Submission> group = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                group.add(LedgerFixtures.audit(100 * t + i));
            }
            racing.add(ledger().appendAll(group));
        }
        Set<Long> all = new HashSet<>();
        for (CompletableFuture<List<Long>> f : racing) {
            List<Long> seqs = await(f);
            assertThat(seqs).as("one appendAll is contiguous").isEqualTo(range(seqs.getFirst(), 5));
            all.addAll(seqs);
        }
        assertThat(all).as("no two appends share a number").hasSize(40);
        assertThat(all).containsExactlyInAnyOrderElementsOf(range(head + 3, 40));
        awaitSize(head + 43);
        for (CompletableFuture<List<Long>> f : racing) {
            List<Long> seqs = f.join();
            // Each group's entries are the group's submissions, in order.
            List<LedgerEntry> entries = ledger().read(seqs.getFirst(), 5);
            int t = racing.indexOf(f);
            assertThat(entries).extracting(LedgerEntry::submission).containsExactlyElementsOf(
                    range(0, 5).stream().map(i -> LedgerFixtures.audit((int) (100 * t + i))).toList());
        }
        assertThat(size()).isEqualTo(head + 43);
    }

    @Test
    void entryReturnsWhatWasAppended() {
        String tag = tag();
        List<Submission> subs = List.of(
                new Submission(EntryType.CONFIG_CHANGE, app("operator-" + tag), "SET_PROBE_INTERVAL", "/config/" + tag, "APPLIED",
                        "{\"probe_interval_ms\":100,\"note\":\"ünïcode ✓\"}"),
                new Submission(EntryType.SECURITY_EVENT, SpiffeId.node(DOMAIN, "node-7"), "REFUSED_HANDSHAKE", "peer/" + tag, "DENIED", null),
                new Submission(EntryType.VOTE, app("voter-" + tag), "CAST_VOTE", "/proposals/" + tag, "YES", "[2,1,3]"));
        long head = size();
        List<Long> seqs = appendAll(subs);
        assertThat(seqs).isEqualTo(range(head, 3));
        for (int i = 0; i < subs.size(); i++) {
            LedgerEntry e = ledger().entry(seqs.get(i)).orElseThrow();
            Submission s = subs.get(i);
            assertThat(e.seq()).isEqualTo(seqs.get(i));
            assertThat(e.type()).isEqualTo(s.type());
            assertThat(e.submission().actor()).isEqualTo(s.actor());
            assertThat(e.submission().action()).isEqualTo(s.action());
            assertThat(e.submission().resource()).isEqualTo(s.resource());
            assertThat(e.submission().status()).isEqualTo(s.status());
            assertThat(e.submission().payload()).isEqualTo(s.payload());
            assertThat(e.submission()).isEqualTo(s);
            assertThat(e.submitter()).isEqualTo(submitterId());
            assertThat(e.batch()).as("the batch's first entry").isBetween(head, e.seq());
            assertThat(e.timestamp()).isNotNull();
        }
        assertThat(ledger().entry(seqs.get(1)).orElseThrow().submission().payload()).as("a null payload is stored as {}").isEqualTo("{}");
        assertThat(ledger().entry(size())).isEmpty();
        assertThat(ledger().entry(-1)).isEmpty();
        assertThat(ledger().entry(Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void timestampsNeverDecrease() {
        long head = size();
        List<Instant> stamps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tick();
            long seq = append(LedgerFixtures.audit(i));
            stamps.add(ledger().entry(seq).orElseThrow().timestamp());
        }
        for (int i = 1; i < stamps.size(); i++) {
            assertThat(stamps.get(i)).as("entry appended a second later").isAfter(stamps.get(i - 1));
        }
        List<LedgerEntry> all = readAll();
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).timestamp()).as("timestamp of %d", i).isAfterOrEqualTo(all.get(i - 1).timestamp());
        }
        assertThat(all).hasSizeGreaterThanOrEqualTo((int) head + 4);
    }

    @Test
    void readAndQueriesReturnTheMatchingEntriesInSequenceOrder() {
        String tag = tag();
        String r1 = "/contract/" + tag + "/one";
        String r2 = "/contract/" + tag + "/two";
        String alice = "alice-" + tag;
        String bob = "bob-" + tag;
        long head = size();
        List<Submission> subs = new ArrayList<>();
        // Three groups, each a second apart.
        tick();
        subs.addAll(List.of(sub(EntryType.AUDIT, alice, r1, "{}"), sub(EntryType.VOTE, bob, r1, "{}"), sub(EntryType.AUDIT, bob, r2, "{}")));
        appendAll(subs.subList(0, 3));
        tick();
        subs.addAll(List.of(sub(EntryType.VOTE, alice, r2, "{}"), sub(EntryType.AUDIT, alice, r1, "{}")));
        appendAll(subs.subList(3, 5));
        tick();
        subs.addAll(List.of(sub(EntryType.SCALING, bob, r1, "{}"), sub(EntryType.AUDIT, bob, r1, "{}"), sub(EntryType.VOTE, alice, r1, "{}")));
        appendAll(subs.subList(5, 8));
        List<LedgerEntry> mine = ledger().read(head, 100);
        assertThat(mine).extracting(LedgerEntry::seq).isEqualTo(range(head, 8));
        assertThat(mine).extracting(LedgerEntry::submission).isEqualTo(subs);

        // read(from, limit): pages in order, never more than limit.
        assertThat(ledger().read(head + 2, 3)).extracting(LedgerEntry::seq).isEqualTo(range(head + 2, 3));
        assertThat(ledger().read(head + 6, 100)).extracting(LedgerEntry::seq).isEqualTo(range(head + 6, 2));
        assertThat(ledger().read(head + 8, 100)).isEmpty();
        assertThat(ledger().read(0, 1)).extracting(LedgerEntry::seq).containsExactly(0L);

        LedgerQuery base = LedgerQuery.all(head, 100);
        assertQuery(base.withType(EntryType.AUDIT), mine, e -> e.type() == EntryType.AUDIT);
        assertQuery(base.withType(EntryType.VOTE), mine, e -> e.type() == EntryType.VOTE);
        assertQuery(base.withType(EntryType.PROPOSAL), mine, e -> false);
        assertQuery(base.withActor(app(alice).toString()), mine, e -> e.submission().actor().equals(app(alice)));
        assertQuery(base.withResource(r1), mine, e -> e.submission().resource().equals(r1));
        assertQuery(base.withType(EntryType.AUDIT).withActor(app(bob).toString()).withResource(r1), mine,
                e -> e.type() == EntryType.AUDIT && e.submission().actor().equals(app(bob)) && e.submission().resource().equals(r1));
        // Filters on actor and resource hold from seq 0 too: these values are unique to this test.
        assertQuery(LedgerQuery.all(0, 100).withResource(r2), mine, e -> e.submission().resource().equals(r2));
        // fromSeq and limit apply after the filters.
        assertQuery(LedgerQuery.all(head + 3, 100).withResource(r1), mine, e -> e.seq() >= head + 3 && e.submission().resource().equals(r1));
        assertThat(ledger().query(LedgerQuery.all(0, 2).withResource(r1))).extracting(LedgerEntry::seq)
                .isEqualTo(mine.stream().filter(e -> e.submission().resource().equals(r1)).limit(2).map(LedgerEntry::seq).toList());

        // Time windows [since, until): the middle group alone, then the first two.
        Instant t1 = mine.get(0).timestamp();
        Instant t2 = mine.get(3).timestamp();
        Instant t3 = mine.get(5).timestamp();
        assertThat(t1).isBefore(t2);
        assertThat(t2).isBefore(t3);
        assertQuery(base.between(t2, t3), mine, e -> e.seq() >= head + 3 && e.seq() < head + 5);
        assertQuery(base.between(t1, t3), mine, e -> e.seq() < head + 5);
        assertQuery(base.between(t3, t3.plusMillis(1)), mine, e -> e.seq() >= head + 5);
        assertQuery(base.between(t2, t2), mine, e -> false);
        assertQuery(base.between(t1, t3).withActor(app(alice).toString()), mine,
                e -> e.seq() < head + 5 && e.submission().actor().equals(app(alice)));
    }

    private void assertQuery(LedgerQuery q, List<LedgerEntry> mine, Predicate<LedgerEntry> expected) {
        List<LedgerEntry> got = ledger().query(q);
        assertThat(got).as("%s", q).isEqualTo(mine.stream().filter(expected).toList());
    }

    @Test
    void queryLimitsAreValidated() {
        assertThatThrownBy(() -> LedgerQuery.all(0, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
        assertThatThrownBy(() -> LedgerQuery.all(0, LedgerQuery.MAX_LIMIT + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LedgerQuery.all(-1, 10)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from");
        assertThatThrownBy(() -> ledger().read(-1, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theHeadGrowsByExactlyTheNumberAppended() {
        long head = size();
        appendAll(List.of(LedgerFixtures.audit(1), LedgerFixtures.audit(2)));
        append(LedgerFixtures.audit(3));
        appendAll(List.of(LedgerFixtures.audit(4), LedgerFixtures.audit(5), LedgerFixtures.audit(6), LedgerFixtures.audit(7)));
        TreeHead after = ledger().head();
        assertThat(after.size()).isEqualTo(head + 7);
        assertThat(ledger().read(0, (int) after.size() + 10)).hasSize((int) after.size());
    }

    // ---- proofs ----------------------------------------------------------------------------------

    @Test
    void everyEntryHasAVerifyingInclusionProofAtEveryTreeSize() {
        appendAll(List.of(LedgerFixtures.audit(1), LedgerFixtures.audit(2), LedgerFixtures.audit(3)));
        TreeHead head = ledger().head();
        List<LedgerEntry> entries = readAll().subList(0, (int) head.size());
        long seed = LedgerTestSupport.seed(getClass().getSimpleName() + ".inclusionProofs");
        Random rnd = new SeededRandom(seed);
        int n = (int) head.size();
        int checked = 0;
        for (int seq = 0; seq < n; seq++) {
            byte[] leaf = entries.get(seq).leafHash();
            // Every size up to 300 entries; beyond that the smallest, the largest and a sample.
            List<Long> sizes = n <= 300 ? LongStream.rangeClosed(seq + 1, n).boxed().toList()
                    : List.of((long) seq + 1, (long) n, seq + 1 + (long) rnd.nextInt(n - seq), seq + 1 + (long) rnd.nextInt(n - seq));
            for (long size : sizes) {
                InclusionProof p = ledger().inclusionProof(seq, size);
                assertThat(p.verify()).as("seed %d: inclusion of %d in %d", seed, seq, size).isTrue();
                assertThat(p.seq()).isEqualTo(seq);
                assertThat(p.leafHash()).as("proof leaf of %d is the entry's leaf hash", seq).isEqualTo(leaf);
                assertThat(p.head().size()).isEqualTo(size);
                checked++;
            }
            assertThat(ledger().inclusionProof(seq, n).head()).isEqualTo(head);
        }
        assertThat(checked).isGreaterThanOrEqualTo(n);
        InclusionProof p = ledger().inclusionProof(0, n);
        assertThat(new InclusionProof(0, entries.get(n - 1).leafHash(), p.head(), p.path()).verify()).as("another entry's leaf").isEqualTo(n == 1);
        assertThatThrownBy(() -> ledger().inclusionProof(n, n)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger().inclusionProof(0, n + 1L)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger().inclusionProof(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyPrefixHasAVerifyingConsistencyProofToTheHead() {
        appendAll(List.of(LedgerFixtures.audit(1), LedgerFixtures.audit(2)));
        TreeHead head = ledger().head();
        long n = head.size();
        for (long m = 0; m <= n; m++) {
            ConsistencyProof p = ledger().consistencyProof(m, n);
            assertThat(p.verify()).as("consistency %d -> %d", m, n).isTrue();
            assertThat(p.newer()).isEqualTo(head);
            assertThat(p.older().size()).isEqualTo(m);
            if (m > 0) {
                assertThat(p.older()).as("the older head is the one inclusion proofs at %d use", m).isEqualTo(ledger().inclusionProof(m - 1, m).head());
            }
            if (m > 0 && m < n) {
                TreeHead forged = new TreeHead(m, MerkleTree.leafHash(new byte[] {(byte) m}));
                assertThat(new ConsistencyProof(forged, p.newer(), p.path()).verify()).as("forged older root at %d", m).isFalse();
                assertThat(new ConsistencyProof(p.older(), new TreeHead(n, forged.root()), p.path()).verify()).isFalse();
            }
        }
        long mid = n / 2;
        assertThat(ledger().consistencyProof(1, mid).verify()).isTrue();
        assertThat(ledger().consistencyProof(mid, mid).verify()).isTrue();
        assertThatThrownBy(() -> ledger().consistencyProof(n, n - 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger().consistencyProof(1, n + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLatestCheckpointComesToCoverTheHeadAndIsCosignedByAQuorum() {
        appendAll(List.of(LedgerFixtures.audit(1), LedgerFixtures.audit(2)));
        long size = size();
        Checkpoint c = awaitCheckpointCovering(size);
        TreeHead head = c.head();
        assertThat(head.size()).isGreaterThanOrEqualTo(size);
        assertThat(ledger().consistencyProof(head.size(), head.size()).newer()).as("the checkpoint is a head of this ledger").isEqualTo(head);
        assertThat(c.cosignatures()).hasSizeGreaterThanOrEqualTo(quorum());
        assertThat(c.cosignatures()).extracting(Cosignature::signer).doesNotHaveDuplicates();
        for (Cosignature cs : c.cosignatures()) {
            assertThat(cs.head()).isEqualTo(head);
            assertThat(replicaKeys()).containsKey(cs.signer());
            assertThat(cs.verify(DOMAIN, replicaKeys().get(cs.signer()))).as("cosignature of %s", cs.signer()).isTrue();
        }
    }

    // ---- subscriptions ---------------------------------------------------------------------------

    @Test
    void aSubscriptionFromZeroDeliversEveryEntryExactlyOnceInOrder() throws InterruptedException {
        append(LedgerFixtures.audit(1));
        long existing = size();
        BlockingQueue<LedgerEntry> received = new LinkedBlockingQueue<>();
        List<LedgerEntry> got = new ArrayList<>();
        Ledger.Subscription subscription = ledger().subscribe(0, received::add);
        try {
            takeUntil(received, got, existing - 1);
            assertThat(got).extracting(LedgerEntry::seq).isEqualTo(range(0, (int) existing));

            List<Long> added = new ArrayList<>(appendAll(List.of(LedgerFixtures.audit(2), LedgerFixtures.audit(3))));
            added.add(append(LedgerFixtures.audit(4)));
            added.addAll(appendAll(List.of(LedgerFixtures.audit(5), LedgerFixtures.audit(6), LedgerFixtures.audit(7))));
            // A last entry: anything delivered twice would have arrived before it, in order.
            long sentinel = append(LedgerFixtures.audit(8));
            takeUntil(received, got, sentinel);
        } finally {
            subscription.close();
        }
        assertThat(got).extracting(LedgerEntry::seq).as("every entry once, in order").isEqualTo(range(0, (int) size()));
        assertThat(got).isEqualTo(readAll());
    }

    @Test
    void aSubscriptionFromTheMiddleStartsThere() throws InterruptedException {
        appendAll(List.of(LedgerFixtures.audit(1), LedgerFixtures.audit(2), LedgerFixtures.audit(3)));
        long from = size() - 2;
        BlockingQueue<LedgerEntry> received = new LinkedBlockingQueue<>();
        List<LedgerEntry> got = new ArrayList<>();
        Ledger.Subscription subscription = ledger().subscribe(from, received::add);
        try {
            long sentinel = append(LedgerFixtures.audit(4));
            takeUntil(received, got, sentinel);
        } finally {
            subscription.close();
        }
        assertThat(got).extracting(LedgerEntry::seq).isEqualTo(range(from, 3));
    }

    /** Moves deliveries into {@code got} until entry {@code lastSeq} arrives; waits without sleeping. */
    private static void takeUntil(BlockingQueue<LedgerEntry> received, List<LedgerEntry> got, long lastSeq) throws InterruptedException {
        while (got.isEmpty() || got.getLast().seq() < lastSeq) {
            LedgerEntry e = received.poll(20, TimeUnit.SECONDS);
            assertThat(e).as("delivery after %s (waiting for %d)", got.isEmpty() ? "none" : got.getLast().seq(), lastSeq).isNotNull();
            got.add(e);
        }
    }

    // ---- bad input -------------------------------------------------------------------------------

    @Test
    void anActorOfAForeignTrustDomainIsRefusedAndNothingIsAppended() {
        append(LedgerFixtures.audit(1));
        long head = size();
        Submission foreign = new Submission(EntryType.AUDIT, SpiffeId.parse("spiffe://other.test/app/x"), "GET_NETWORK_STATUS",
                "/api/network/status", "SUCCESS", "{}");
        LedgerException e = refusal(ledger().append(foreign));
        assertThat(e.reason()).isEqualTo(LedgerException.Reason.FOREIGN_ACTOR);
        assertThat(e.getMessage()).contains("spiffe://other.test/app/x");
        // One foreign actor refuses the whole append.
        LedgerException mixed = refusal(ledger().appendAll(List.of(LedgerFixtures.audit(2), foreign, LedgerFixtures.audit(3))));
        assertThat(mixed.reason()).isEqualTo(LedgerException.Reason.FOREIGN_ACTOR);
        assertThat(size()).isEqualTo(head);
        // Nothing of them slipped in later: the next append takes the next number.
        assertThat(append(LedgerFixtures.audit(4))).isEqualTo(head);
        assertThat(ledger().read(head, 10)).extracting(LedgerEntry::submission).containsExactly(LedgerFixtures.audit(4));
    }

    @Test
    void anEmptyOrOversizedAppendIsRefused() {
        append(LedgerFixtures.audit(1));
        long head = size();
        LedgerException empty = refusal(ledger().appendAll(List.of()));
        assertThat(empty.reason()).isEqualTo(LedgerException.Reason.INVALID_FIELD);
        List<Submission> tooMany = new ArrayList<>();
        for (int i = 0; i <= Batch.MAX_ENTRIES; i++) {
            tooMany.add(LedgerFixtures.audit(i));
        }
        assertThat(refusal(ledger().appendAll(tooMany)).reason()).isEqualTo(LedgerException.Reason.INVALID_FIELD);
        assertThat(size()).isEqualTo(head);
        assertThat(append(LedgerFixtures.audit(2))).isEqualTo(head);
    }

    @Test
    void aLeaderIsKnown() {
        assertThat(ledger().leader()).isPresent();
    }
}
