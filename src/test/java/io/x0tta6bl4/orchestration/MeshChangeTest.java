package io.x0tta6bl4.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.x0tta6bl4.ledger.LedgerVerifier;
import io.x0tta6bl4.monitor.NodeView;
import io.x0tta6bl4.monitor.PeerState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mesh that changes shape while it runs, on real node processes run by a real host agent
 * (issue 12, "done when"): a sixth and a seventh node join a running 5-node cluster as listeners,
 * every member probes them, and their ledgers catch up and verify; a node (node-7) is removed; a
 * fenced voter's slot goes to the remaining listener (node-6) and the group keeps five voters and
 * commits. One cluster for all three, to stay within the CI budget.
 */
@Timeout(900)
class MeshChangeTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;
    @RegisterExtension final NodeThreadDumps dumps = new NodeThreadDumps(() -> dir);
    private final List<String> progress = java.util.Collections.synchronizedList(new ArrayList<>());
    private LocalCluster cluster;

    @AfterEach
    void down() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (Files.exists(dir.resolve(ClusterState.FILE))) {
            try (LocalCluster c = LocalCluster.open(dir, line -> {})) {
                c.down();
            } finally {
                HostAgentTestSupport.recordedPids(dir).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            }
        }
    }

    private static ClusterCommandTest.Run cli(String... args) {
        return ClusterCommandTest.cli(args);
    }

    /** Every running member other than {@code node} sees it alive, and says what role it has. */
    private static void everyMemberSeesAlive(ClusterStatus s, String node, String role) {
        for (ClusterStatus.NodeStatus n : s.nodes()) {
            if (n.name().equals(node) || n.outOfMesh() || !n.process().live()) {
                continue;
            }
            NodeView v = n.view().orElseThrow(() -> new AssertionError(n.name() + " did not answer: " + n.answer()));
            assertThat(v.stateOf(node)).as(n.name() + " probes " + node).contains(PeerState.ALIVE);
            assertThat(v.peers().stream().filter(p -> p.name().equals(node)).findFirst().orElseThrow().membership())
                    .as(n.name() + "'s view of " + node + "'s role").hasValueSatisfying(m -> assertThat(m.role()).isEqualTo(role));
        }
    }

    /** {@code GET /api/network/status} on the leader with the cluster's token: audited before it is answered. */
    private int auditedCall() throws Exception {
        ClusterStatus s = cluster.status();
        int api = s.node(s.leader().orElseThrow()).endpoints().orElseThrow().api();
        try (HttpClient http = HttpClient.newBuilder().sslContext(NodeClient.trusting(io.x0tta6bl4.identity.TrustBundle.load(dir.resolve("bundle")).x509Root()))
                .build()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + api + "/api/network/status"))
                    .header("Authorization", "Bearer " + ClusterToken.fromCa(dir.resolve("ca")).get()).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode();
        }
    }

    @Test
    void twoNodesJoinAsListenersAFencedVotersSlotGoesToOneAndANodeIsRemoved() throws Exception {
        cluster = LocalCluster.up(dir, LocalCluster.Settings.defaults(5), NodeLaunch.current(), Duration.ofSeconds(400),
                Optional.of(ProcessHandle.current().pid()), progress::add);
        assertThat(cluster.members().voters()).hasSize(5);

        // a. node-6 and node-7 join a running 5-node cluster: listeners, probed by every member, caught up.
        long leaderSize = cluster.status().nodes().stream().flatMap(n -> n.view().stream()).mapToLong(NodeView::ledgerSize).max().orElseThrow();
        for (String name : List.of("node-6", "node-7")) {
            ClusterCommandTest.Run add = cli("cluster", "add-node", "--dir", dir.toString(), "--timeout", "240s");
            assertThat(add.exit()).as(add.err()).isZero();
            assertThat(add.out()).startsWith(name + " added (pid ").contains("role listener", "seen alive by every member");
        }
        // A loaded machine may delay one answer past the client's deadline: look again rather than fail on one late view.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            ClusterStatus s = cluster.status();
            everyMemberSeesAlive(s, "node-6", "listener");
            everyMemberSeesAlive(s, "node-7", "listener");
        });
        ClusterStatus seven = cluster.status();
        Members members = cluster.members();
        assertThat(members.voters()).containsExactlyInAnyOrder("node-1", "node-2", "node-3", "node-4", "node-5");
        assertThat(members.listeners()).containsExactlyInAnyOrder("node-6", "node-7");
        assertThat(members.nextName()).isEqualTo("node-8");
        assertThat(seven.node("node-7").view().map(NodeView::ledgerSize)).as("node-7 has caught up")
                .hasValueSatisfying(size -> assertThat(size).isGreaterThanOrEqualTo(leaderSize));

        // c. Remove a node: node-7, a listener, leaves; no member lists it, and it is stopped.
        String listener = "node-7";
        NodeHandle leaving = cluster.handle(listener);
        ClusterCommandTest.Run remove = cli("cluster", "remove-node", listener, "--dir", dir.toString(), "--timeout", "240s");
        assertThat(remove.exit()).as(remove.err()).isZero();
        assertThat(remove.out()).isEqualTo(listener + " removed: it left the membership, no member lists it, and it was stopped (pid "
                + leaving.pid() + ")\n");
        assertThat(ProcessHandle.of(leaving.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(cluster.nodes()).doesNotContain(listener);
        assertThat(cluster.members().member(listener).map(Members.Member::status)).isIn(Optional.empty(), Optional.of("left"));
        assertThat(cluster.status().nodes()).allSatisfy(n -> assertThat(n.view().flatMap(v -> v.stateOf(listener))).as(n.name()).isEmpty());
        assertThat(cluster.members().listeners()).containsExactly("node-6");

        // b. Fence a voter that is not the leader: the leader promotes the caught-up listener node-6 into its slot; five voters, and it commits.
        String leader = cluster.status().leader().orElseThrow();
        String fenced = List.of("node-2", "node-3").stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        ClusterCommandTest.Run fence = cli("cluster", "fence", fenced, "--dir", dir.toString());
        assertThat(fence.exit()).as(fence.err()).isZero();
        assertThat(fence.out()).startsWith(fenced + " fenced (ledger entry ").contains("now fenced");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Members m = cluster.members();
            assertThat(m.voters()).hasSize(5).doesNotContain(fenced).contains("node-6");
            assertThat(m.member(fenced).orElseThrow().status()).isEqualTo("fenced");
            assertThat(cluster.status().activeVoters()).isEqualTo(5);
        });
        assertThat(auditedCall()).as("an audited API call on the re-formed group").isEqualTo(200);
        String promoted = "node-6";

        // The joiners' ledgers verify from their bytes alone, once stopped.
        assertThat(cluster.stop(promoted).outcome()).isEqualTo(Orchestrator.Stopped.Outcome.STOPPED);
        for (String joiner : List.of("node-6", "node-7")) {
            LedgerVerifier.Report r = LedgerVerifier.verify(new HostLayout(dir).data(joiner));
            assertThat(r.ok()).as(joiner + ": " + r.problem()).isTrue();
            assertThat(r.head().size()).as(joiner + "'s ledger caught up with the leader's size before it joined").isGreaterThanOrEqualTo(leaderSize);
        }
        progress.forEach(System.out::println);
    }
}
