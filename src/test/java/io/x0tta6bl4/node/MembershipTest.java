package io.x0tta6bl4.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.x0tta6bl4.ledger.Replica;
import io.x0tta6bl4.mesh.Member;
import io.x0tta6bl4.mesh.Membership;
import io.x0tta6bl4.monitor.PeerState;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live membership on real node agents in this JVM (real Raft, real TLS, real probes): nodes join
 * a running mesh, the first five vote and the rest listen, every member probes every other, a
 * fenced voter is replaced by a listener, a readmitted one comes back as a listener, and one that
 * leaves is forgotten. (The multi-process version, through the host agent, is in the
 * orchestration tests.)
 */
@Timeout(300)
class MembershipTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;
    private TestMesh mesh;

    @AfterEach
    void stop() {
        if (mesh != null) {
            mesh.close();
        }
    }

    /** The group as its leader sees it; with no leader (an election under way), an assertion error that awaitility retries. */
    private NodeAgent leader() {
        return mesh.agents.values().stream().filter(a -> a.ledger().isLeader()).findFirst()
                .orElseThrow(() -> new AssertionError("no leader at the moment"));
    }

    private Set<String> voters() {
        return leader().ledger().group().voters().stream().map(Replica::name).collect(Collectors.toSet());
    }

    private Set<String> listeners() {
        return leader().ledger().group().listeners().stream().map(Replica::name).collect(Collectors.toSet());
    }

    private PeerState seenBy(String observer, String peer) {
        return mesh.agents.get(observer).nodeView().stateOf(peer).orElse(null);
    }

    /** Every running node sees every other running node that is an active member alive. */
    private void everyoneSeesEveryoneAlive(List<String> names) {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            for (String a : names) {
                for (String b : names) {
                    if (!a.equals(b)) {
                        assertThat(seenBy(a, b)).as(a + " sees " + b).isEqualTo(PeerState.ALIVE);
                    }
                }
            }
        });
    }

    private JsonNode change(String node, String member, String op) throws Exception {
        HttpResponse<String> r = mesh.post(node, "/api/members/" + member, "{\"op\":\"" + op + "\",\"reason\":\"test\"}",
                "Bearer " + mesh.token("operator/test"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /**
     * Regression: fencing the leader shut it out of the others' Raft listeners at once, so it could
     * not commit its own removal and the group was left without a quorum. The fenced leader now
     * stays reachable to the group until the group has removed it.
     */
    @Test
    void fencingTheLeaderHandsTheGroupToTheOthers() throws Exception {
        mesh = new TestMesh(dir, 3);
        mesh.add("node-4");
        List<String> all = List.of("node-1", "node-2", "node-3", "node-4");
        everyoneSeesEveryoneAlive(all);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(voters()).hasSize(4));
        String leader = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> leader().name(), n -> n != null);
        String other = all.stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        change(other, leader, "fence");
        List<String> rest = all.stream().filter(n -> !n.equals(leader)).toList();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            NodeAgent now = rest.stream().map(mesh.agents::get).filter(a -> a.ledger().isLeader()).findFirst()
                    .orElseThrow(() -> new AssertionError("no leader among the others yet"));
            assertThat(now.ledger().group().voters()).extracting(Replica::name).containsExactlyInAnyOrderElementsOf(rest);
        });
        HttpResponse<String> status = mesh.get(rest.getFirst(), "/api/network/status", "Bearer " + mesh.token("app/test"));
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        for (String n : rest) {
            assertThat(mesh.agents.get(n).nodeView().stateOf(leader)).as(n + " does not probe the fenced " + leader).isEmpty();
        }
    }

    @Test
    void joinersVoteUpToFiveThenListenAFencedVoterIsReplacedAndALeaverIsForgotten() throws Exception {
        mesh = new TestMesh(dir, 3);
        everyoneSeesEveryoneAlive(List.of("node-1", "node-2", "node-3"));
        for (String name : List.of("node-4", "node-5", "node-6")) {
            mesh.add(name);
        }
        List<String> all = List.of("node-1", "node-2", "node-3", "node-4", "node-5", "node-6");
        everyoneSeesEveryoneAlive(all);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(voters()).containsExactlyInAnyOrder("node-1", "node-2", "node-3", "node-4", "node-5");
            assertThat(listeners()).containsExactly("node-6");
        });
        Membership m = mesh.agents.get("node-6").membership();
        assertThat(m.member("node-6").orElseThrow().role()).isEqualTo(Member.Role.LISTENER);
        assertThat(m.nextName()).isEqualTo("node-7");
        // The listener's ledger catches up: it holds what the leader holds.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(mesh.agents.get("node-6").ledger().head().size())
                .isGreaterThanOrEqualTo(mesh.agents.get("node-1").ledger().head().size() - 5));
        assertThat(mesh.agents.get("node-6").ledger().role()).as("it serves as a listener").isEqualTo("LISTENER");

        // Fence a voter that does not lead: the leader removes it and promotes the listener.
        String victim = all.stream().filter(n -> !n.equals("node-6") && !mesh.agents.get(n).ledger().isLeader()).findFirst().orElseThrow();
        JsonNode fenced = change("node-1".equals(victim) ? "node-3" : "node-1", victim, "fence");
        assertThat(fenced.get("member").get("status").asText()).isEqualTo("fenced");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(voters()).hasSize(5).doesNotContain(victim).contains("node-6");
            assertThat(listeners()).isEmpty();
        });
        List<String> rest = all.stream().filter(n -> !n.equals(victim)).toList();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String n : rest) {
                assertThat(mesh.agents.get(n).nodeView().stateOf(victim)).as(n + " no longer probes the fenced " + victim).isEmpty();
            }
        });
        // Quorum held throughout: an audited request commits.
        HttpResponse<String> status = mesh.get(rest.getFirst(), "/api/network/status", "Bearer " + mesh.token("app/test"));
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        assertThat(JSON.readTree(status.body()).get("nodes").asInt()).isEqualTo(5);

        // Readmitted, it comes back as a listener.
        change(rest.getFirst(), victim, "readmit");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(listeners()).containsExactly(victim));
        everyoneSeesEveryoneAlive(all);

        // It leaves for good: no one probes it, the group drops it, and its name is retired.
        change(rest.getFirst(), victim, "leave");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(listeners()).doesNotContain(victim);
            assertThat(voters()).doesNotContain(victim);
            for (String n : rest) {
                assertThat(mesh.agents.get(n).nodeView().stateOf(victim)).isEmpty();
            }
        });
        Map<String, Member> members = mesh.agents.get(rest.getFirst()).membership().asMap();
        assertThat(members.get(victim).status()).isEqualTo(Member.Status.LEFT);
        assertThat(mesh.agents.get(rest.getFirst()).membership().nextName()).isEqualTo("node-7");
    }
}
