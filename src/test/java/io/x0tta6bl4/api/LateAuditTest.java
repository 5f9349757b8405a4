package io.x0tta6bl4.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.x0tta6bl4.ledger.Checkpoint;
import io.x0tta6bl4.ledger.ConsistencyProof;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.InMemoryLedger;
import io.x0tta6bl4.ledger.InclusionProof;
import io.x0tta6bl4.ledger.Ledger;
import io.x0tta6bl4.ledger.LedgerEntry;
import io.x0tta6bl4.ledger.LedgerQuery;
import io.x0tta6bl4.ledger.Submission;
import io.x0tta6bl4.ledger.TreeHead;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request whose audit entry misses its deadline is answered 503; if that entry commits later
 * anyway (it was already on its way to the leader), the ledger also holds a second entry with the
 * same request id saying what the client got: 503.
 */
class LateAuditTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;

    private static final MeshView HEALTHY = new OneNodeMesh() {
        @Override
        public NetworkStatus networkStatus() {
            return new NetworkStatus(Health.HEALTHY, 1, 1, 0, 100, Optional.of("node-1"), 0, Instant.now());
        }

        @Override
        public List<NodeStatus> nodes() {
            return List.of();
        }
    };

    /** A mesh whose membership changes are counted, and always applied. */
    private static final class CountingMesh implements MeshView {
        final java.util.concurrent.atomic.AtomicInteger changes = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public NetworkStatus networkStatus() {
            return HEALTHY.networkStatus();
        }

        @Override
        public List<NodeStatus> nodes() {
            return List.of();
        }

        @Override
        public io.x0tta6bl4.monitor.NodeView nodeView() {
            return HEALTHY.nodeView();
        }

        /** Two voters, node-1 and node-2. */
        final io.x0tta6bl4.mesh.Membership members;

        CountingMesh() {
            var fold = new io.x0tta6bl4.mesh.MembershipFold(ApiFixture.DOMAIN);
            var m = io.x0tta6bl4.mesh.Membership.EMPTY;
            for (int n = 1; n <= 2; n++) {
                var id = io.x0tta6bl4.identity.SpiffeId.node(ApiFixture.DOMAIN, "node-" + n);
                Submission join = io.x0tta6bl4.mesh.MembershipFold.join(id, "node-" + n, new io.x0tta6bl4.mesh.Endpoints("127.0.0.1", 1, 2, 3));
                m = fold.apply(m, new LedgerEntry(n, Instant.EPOCH, join, id.toString(), n));
            }
            members = m;
        }

        @Override
        public io.x0tta6bl4.mesh.Membership membership() {
            return members;
        }

        @Override
        public MembershipOutcome changeMembership(io.x0tta6bl4.identity.SpiffeId actor, io.x0tta6bl4.mesh.MembershipOp op, String member,
                                                  String reason) {
            changes.incrementAndGet();
            return new MembershipOutcome.Applied(9, members.member(member).orElseThrow());
        }

        @Override
        public io.x0tta6bl4.ledger.GroupView group() {
            return HEALTHY.group();
        }
    }

    /** The real ledger, except that the first audit entry with status {@code hold} is held back until {@link #release}: a commit that comes late. */
    private static final class SlowFirstCommit implements Ledger {
        private final InMemoryLedger real;
        private final String hold;
        private Submission held;
        private CompletableFuture<List<Long>> heldDone;

        SlowFirstCommit(InMemoryLedger real) {
            this(real, "SUCCESS");
        }

        SlowFirstCommit(InMemoryLedger real, String hold) {
            this.real = real;
            this.hold = hold;
        }

        @Override
        public synchronized CompletableFuture<List<Long>> appendAll(List<Submission> submissions) {
            if (held == null && submissions.size() == 1 && submissions.getFirst().status().equals(hold)) {
                held = submissions.getFirst();
                heldDone = new CompletableFuture<>();
                return heldDone;
            }
            return real.appendAll(submissions);
        }

        synchronized void release() {
            real.appendAll(List.of(held)).whenComplete((seqs, e) -> {
                if (e == null) {
                    heldDone.complete(seqs);
                } else {
                    heldDone.completeExceptionally(e);
                }
            });
        }

        @Override
        public List<LedgerEntry> query(LedgerQuery query) {
            return real.query(query);
        }

        @Override
        public Optional<LedgerEntry> entry(long seq) {
            return real.entry(seq);
        }

        @Override
        public TreeHead head() {
            return real.head();
        }

        @Override
        public InclusionProof inclusionProof(long seq, long treeSize) {
            return real.inclusionProof(seq, treeSize);
        }

        @Override
        public ConsistencyProof consistencyProof(long oldSize, long newSize) {
            return real.consistencyProof(oldSize, newSize);
        }

        @Override
        public Optional<Checkpoint> latestCheckpoint() {
            return real.latestCheckpoint();
        }

        @Override
        public Subscription subscribe(long fromSeq, Consumer<LedgerEntry> listener) {
            return real.subscribe(fromSeq, listener);
        }

        @Override
        public Subscription subscribe(io.x0tta6bl4.ledger.LedgerQuery filter, Consumer<LedgerEntry> listener) {
            return real.subscribe(filter, listener);
        }

        @Override
        public boolean isLeader() {
            return real.isLeader();
        }

        @Override
        public Optional<String> leader() {
            return real.leader();
        }

        @Override
        public void close() {
            real.close();
        }
    }

    @Test
    void anAuditEntryThatCommitsAfterItsDeadlineIsFollowedByOneRecordingThe503() throws Exception {
        try (ApiFixture api = new ApiFixture(dir);
             InMemoryLedger real = InMemoryLedger.open(api.ca.bundle(), api.node, InstantSource.system(), new SecureRandom())) {
            SlowFirstCommit ledger = new SlowFirstCommit(real);
            api.start(HEALTHY, ledger, () -> new byte[0], Duration.ofMillis(300));
            HttpResponse<String> r = api.get("/api/network/status", api.token());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).contains(ApiServer.RETRY_AFTER_SECONDS);
            assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("audit_unavailable");

            ledger.release(); // the held entry commits now, after the client was answered 503
            await().atMost(Duration.ofSeconds(10)).until(() -> real.query(LedgerQuery.all(0, 10).withType(EntryType.AUDIT)).size() == 2);
            List<LedgerEntry> audits = real.query(LedgerQuery.all(0, 10).withType(EntryType.AUDIT));
            JsonNode late = payload(audits, "SUCCESS");
            JsonNode answered = payload(audits, "ERROR");
            assertThat(late.get("http_status").asInt()).isEqualTo(200);
            assertThat(answered.get("http_status").asInt()).isEqualTo(503);
            assertThat(answered.get("error").asText()).isEqualTo("audit_unavailable");
            assertThat(answered.get("request_id").asText()).as("both entries name the same request")
                    .isEqualTo(late.get("request_id").asText()).isNotBlank();
            assertThat(audits).allSatisfy(e -> {
                assertThat(e.submission().actor().toString()).isEqualTo("spiffe://" + ApiFixture.DOMAIN + "/app/ops");
                assertThat(e.submission().action()).isEqualTo("GET_NETWORK_STATUS");
                assertThat(e.submission().resource()).isEqualTo("/api/network/status");
            });

            // The next request commits in time: one entry, with its own request id.
            HttpResponse<String> ok = api.get("/api/network/status", api.token());
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            List<LedgerEntry> after = real.query(LedgerQuery.all(0, 10).withType(EntryType.AUDIT));
            assertThat(after).hasSize(3);
            assertThat(JSON.readTree(after.getLast().submission().payload()).get("request_id").asText())
                    .isNotEqualTo(late.get("request_id").asText());
        }
    }

    @Test
    void aChangeIsNotMadeWhenItsAcceptedEntryDoesNotCommitAndIsAnsweredWithItsOutcomeWhenItDoes() throws Exception {
        try (ApiFixture api = new ApiFixture(dir);
             InMemoryLedger real = InMemoryLedger.open(api.ca.bundle(), api.node, InstantSource.system(), new SecureRandom())) {
            SlowFirstCommit ledger = new SlowFirstCommit(real, "ACCEPTED");
            CountingMesh mesh = new CountingMesh();
            api.start(mesh, ledger, () -> new byte[0], Duration.ofMillis(300));
            HttpResponse<String> r = api.post("/api/members/node-2", "{\"op\":\"fence\"}", api.operatorToken());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("audit_unavailable");
            assertThat(mesh.changes).as("nothing is changed before the change is recorded").hasValue(0);

            // Committed in time: the change is made, and answered with what it did.
            HttpResponse<String> made = api.post("/api/members/node-2", "{\"op\":\"fence\"}", api.operatorToken());
            assertThat(made.statusCode()).as(made.body()).isEqualTo(200);
            assertThat(mesh.changes).hasValue(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> real.query(LedgerQuery.all(0, 10).withType(EntryType.AUDIT)).size() == 3);
            List<LedgerEntry> audits = real.query(LedgerQuery.all(0, 10).withType(EntryType.AUDIT));
            // The first request's 503, then the second's ACCEPTED and its outcome, which share a request id.
            assertThat(audits).extracting(e -> e.submission().status()).containsExactly("ERROR", "ACCEPTED", "SUCCESS");
            JsonNode accepted = JSON.readTree(audits.get(1).submission().payload());
            JsonNode outcome = JSON.readTree(audits.get(2).submission().payload());
            assertThat(accepted.has("http_status")).as("not answered yet when it is recorded").isFalse();
            assertThat(outcome.get("http_status").asInt()).isEqualTo(200);
            assertThat(outcome.get("request_id").asText()).isEqualTo(accepted.get("request_id").asText());
            assertThat(audits).allSatisfy(e -> assertThat(e.submission().action()).isEqualTo("CHANGE_MEMBERSHIP"));
        }
    }

    private static JsonNode payload(List<LedgerEntry> audits, String status) throws Exception {
        LedgerEntry e = audits.stream().filter(a -> a.submission().status().equals(status)).findFirst().orElseThrow();
        return JSON.readTree(e.submission().payload());
    }
}
