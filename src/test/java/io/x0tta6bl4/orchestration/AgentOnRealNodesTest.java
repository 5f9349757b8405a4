package io.x0tta6bl4.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.SvidCredentials;
import io.x0tta6bl4.monitor.PeerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host agent with real nodes (issue 12, "done when"): a killed agent loses no node and its
 * successor adopts them by pid and start instant; a node asks the agent to restart another node
 * with its own credentials and it happens, while an application's SVID is refused by the policy.
 */
@Timeout(600)
class AgentOnRealNodesTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;
    @RegisterExtension final NodeThreadDumps dumps = new NodeThreadDumps(() -> dir);
    private final List<String> progress = java.util.Collections.synchronizedList(new ArrayList<>());
    private static final Optional<Long> ME = Optional.of(ProcessHandle.current().pid());

    @AfterEach
    void down() throws Exception {
        progress.forEach(System.out::println);
        if (Files.exists(dir.resolve(ClusterState.FILE))) {
            try (LocalCluster c = LocalCluster.open(dir, line -> {})) {
                c.down();
            } finally {
                HostAgentTestSupport.recordedPids(dir).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            }
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Whether every node (asked directly, at the port it published) sees every other alive. */
    private boolean allSeeAllAlive(List<String> names) {
        HostLayout layout = new HostLayout(dir);
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String n : names) {
            ports.put(n, NodeEndpoints.read(layout.endpoints(n)).orElseThrow().endpoints().api());
        }
        try (NodeClient client = NodeClient.forCa(layout.ca(), Duration.ofSeconds(2))) {
            Map<String, NodeClient.Answer> answers = client.views(ports);
            return names.stream().allMatch(n -> answers.get(n) instanceof NodeClient.Answer.Seen s
                    && names.stream().allMatch(o -> o.equals(n) || s.view().stateOf(o).orElse(PeerState.DOWN) == PeerState.ALIVE));
        }
    }

    @Test
    void aKilledAgentLosesNoNodeAndANodeMayRestartAnotherButAnApplicationMayNot() throws Exception {
        List<String> names = List.of("node-1", "node-2", "node-3");
        Map<String, Long> pids = new LinkedHashMap<>();
        try (LocalCluster cluster = LocalCluster.up(dir, LocalCluster.Settings.defaults(3), NodeLaunch.current(), Duration.ofSeconds(300), ME,
                progress::add)) {
            cluster.handles().forEach((n, h) -> pids.put(n, h.pid()));
        }
        HostLayout layout = new HostLayout(dir);

        // d. Kill the host agent: the nodes keep running and keep seeing each other; a new agent adopts them.
        ProcessHandle agent = AgentRecord.read(layout.agentRecord()).orElseThrow().running().orElseThrow();
        agent.destroyForcibly();
        assertThat(NodeProcesses.awaitExit(agent, Duration.ofSeconds(10))).isTrue();
        assertThat(pids.values()).allSatisfy(pid -> assertThat(alive(pid)).isTrue());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> allSeeAllAlive(names));
        try (HostAgentClient operator = HostAgentClient.operator(dir)) {
            assertThat(operator.agentRunning()).isFalse();
            assertThat(AgentProcess.ensure(layout, operator, ME, progress::add)).isTrue();
            assertThat(operator.list().join()).extracting(NodeHandle::name, NodeHandle::pid, NodeHandle::state).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("node-1", pids.get("node-1"), ProcessState.RUNNING),
                    org.assertj.core.groups.Tuple.tuple("node-2", pids.get("node-2"), ProcessState.RUNNING),
                    org.assertj.core.groups.Tuple.tuple("node-3", pids.get("node-3"), ProcessState.RUNNING));

            // e. node-1 asks its host, with its own credentials, to restart node-2: it happens.
            try (HostAgentClient asNode = HostAgentClient.node(dir, "node-1")) {
                NodeHandle restarted = asNode.restart("node-2").join();
                assertThat(restarted.pid()).isNotEqualTo(pids.get("node-2"));
                assertThat(alive(pids.get("node-2"))).isFalse();
                assertThat(restarted.requireEndpoints()).as("a node keeps its ports across restarts")
                        .isEqualTo(NodeEndpoints.read(layout.endpoints("node-2")).orElseThrow().endpoints());
            }
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> allSeeAllAlive(names));

            // ... an application's SVID is refused by the policy, and nothing happens to node-3.
            CertificateAuthority ca = CertificateAuthority.load(layout.ca());
            SvidCredentials app = ca.issueClient(SpiffeId.app(ca.trustDomain(), "dashboard"), Duration.ofHours(1), Instant.now(), new SecureRandom(),
                    dir.resolve("dashboard"));
            try (HostAgentClient asApp = HostAgentClient.of(dir, app)) {
                OrchestratorException denied;
                try {
                    asApp.restart("node-3").join();
                    throw new AssertionError("an application restarted a node");
                } catch (RuntimeException e) {
                    denied = OrchestratorException.unwrap(e);
                }
                assertThat(denied.code()).isEqualTo(OrchestratorException.Code.ACCESS_DENIED);
                assertThat(denied).hasMessageContaining("no rule allows spiffe://x0tta6bl4.local/app/dashboard restart orchestration");
            }
            assertThat(alive(pids.get("node-3"))).isTrue();
            assertThat(operator.list().join().stream().filter(h -> h.name().equals("node-3")).findFirst().orElseThrow().pid()).isEqualTo(pids.get("node-3"));

            // The adopted node-3 stops through the new agent.
            assertThat(operator.stop("node-3").join().outcome()).isEqualTo(Orchestrator.Stopped.Outcome.STOPPED);
            assertThat(alive(pids.get("node-3"))).isFalse();
        }
        assertThat(Files.readString(layout.agentLog())).contains("adopted node-3 (pid " + pids.get("node-3"),
                "spiffe://x0tta6bl4.local/node/node-1 restart node-2: allowed by rule nodes-orchestrate",
                "spiffe://x0tta6bl4.local/app/dashboard restart node-3: denied");
    }
}
