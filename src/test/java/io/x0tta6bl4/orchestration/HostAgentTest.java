package io.x0tta6bl4.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.identity.SvidCredentials;
import io.x0tta6bl4.identity.SvidTls;
import io.x0tta6bl4.identity.TrustBundle;
import io.x0tta6bl4.monitor.DetectorSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host agent as a real process ({@code x0tta6bl4 host run}), asked over mutual TLS by
 * {@link HostAgentClient}, running {@link StandInNode} processes: spawn, list, pause, resume,
 * kill, restart, stop; refusals by the policy, of bad bodies, of unknown nodes and conflicts;
 * adoption after the agent itself is killed; {@code --exit-with}; and sqlite-jdbc's native
 * library kept out of the system temporary directory. Every agent here exits with this JVM, and
 * each test stops what it started.
 */
@Timeout(300)
class HostAgentTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;
    private final List<String> progress = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<AutoCloseable> closing = new ArrayList<>();
    private CertificateAuthority ca;

    private static final long ME = ProcessHandle.current().pid();

    private HostLayout layout() {
        return new HostLayout(dir);
    }

    private HostAgentClient operator() {
        HostAgentClient c = HostAgentClient.operator(dir);
        closing.add(c);
        return c;
    }

    /** The directory of a cluster with the contract's policy and stand-in nodes, and its agent started (exits with this JVM). */
    private HostAgentClient agent(String policy) {
        ca = HostAgentTestSupport.hostDirectory(dir, policy, HostAgentTestSupport.standIn());
        HostAgentClient c = operator();
        assertThat(AgentProcess.ensure(layout(), c, Optional.of(ME), progress::add)).isTrue();
        return c;
    }

    @AfterEach
    void stopEverything() throws Exception {
        progress.forEach(System.out::println);
        if (Files.exists(layout().agentLog())) {
            System.out.println("--- " + layout().agentLog() + "\n" + Files.readString(layout().agentLog()));
        }
        try (HostAgentClient c = HostAgentClient.operator(dir)) {
            if (c.agentRunning()) {
                for (NodeHandle h : c.list().join()) {
                    c.stop(h.name()).join();
                }
            }
        } catch (RuntimeException e) {
            System.out.println("clean-up through the agent: " + e);
        } finally {
            AgentProcess.stop(layout());
            // A backstop: nothing this test started survives it.
            HostAgentTestSupport.recordedPids(dir).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            // As root the agent grouped its nodes; the agent stopped here by SIGTERM leaves the group to whoever ends the cluster.
            CpuGroup.removeIfEmpty(dir);
            for (AutoCloseable c : closing) {
                c.close();
            }
        }
    }

    private static NodeSpec bootstrap(String name) {
        return new NodeSpec(name, new NodeSpec.Join.Bootstrap(), DetectorSettings.Kind.CONSECUTIVE_MISSES, Duration.ofHours(1));
    }

    private static NodeSpec joiner(String name, NodeHandle seed) {
        return new NodeSpec(name, new NodeSpec.Join.Seeds(List.of(seed.requireEndpoints().seed(seed.name()))),
                DetectorSettings.Kind.CONSECUTIVE_MISSES, Duration.ofHours(1));
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static OrchestratorException refusal(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            return OrchestratorException.unwrap(e);
        }
        throw new AssertionError("expected a refusal");
    }

    private static NodeHandle find(List<NodeHandle> all, String name) {
        return all.stream().filter(h -> h.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void spawnListPauseResumeKillRestartAndStop() throws Exception {
        HostAgentClient agent = agent(HostAgentTestSupport.contractPolicy());
        NodeHandle one = agent.spawn(bootstrap("node-1")).join();
        assertThat(one.state()).isEqualTo(ProcessState.RUNNING);
        assertThat(alive(one.pid())).isTrue();
        NodeEndpoints e1 = one.requireEndpoints();
        assertThat(NodeEndpoints.read(layout().endpoints("node-1")).orElseThrow().endpoints()).as("what it published").isEqualTo(e1);
        assertThat(Files.readString(layout().config("node-1"))).contains("bootstrap: true", "bundle_dir: ../bundle", "credentials_dir: credentials");
        NodeHandle two = agent.spawn(joiner("node-2", one)).join();
        assertThat(Files.readString(layout().config("node-2"))).contains("seeds: [\"node-1@127.0.0.1:" + e1.raft() + "\"]");
        // Enrolled by this host's issuer: the SVID chain is leaf, then the host's intermediate.
        assertThat(io.x0tta6bl4.identity.NodeCredentials.load(layout().credentials("node-2")).svidChain()).hasSize(2);

        OrchestratorException again = refusal(() -> agent.spawn(bootstrap("node-1")).join());
        assertThat(again.code()).isEqualTo(OrchestratorException.Code.CONFLICT);
        assertThat(again).hasMessageContaining("node-1 is already on this host (running)");

        assertThat(agent.list().join()).extracting(NodeHandle::name, NodeHandle::pid, NodeHandle::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("node-1", one.pid(), ProcessState.RUNNING),
                        org.assertj.core.groups.Tuple.tuple("node-2", two.pid(), ProcessState.RUNNING));

        Orchestrator.Signalled paused = agent.pause("node-2").join();
        assertThat(paused.pid()).isEqualTo(two.pid());
        assertThat(find(agent.list().join(), "node-2").state()).isEqualTo(ProcessState.PAUSED);
        assertThat(refusal(() -> agent.pause("node-2").join()).code()).isEqualTo(OrchestratorException.Code.CONFLICT);
        agent.resume("node-2").join();
        assertThat(find(agent.list().join(), "node-2").state()).isEqualTo(ProcessState.RUNNING);
        assertThat(refusal(() -> agent.resume("node-2").join())).hasMessageContaining("node-2 is not paused");

        Instant before = Instant.now();
        Orchestrator.Signalled killed = agent.kill("node-2").join();
        assertThat(killed.signalled()).isBetween(before, Instant.now());
        assertThat(alive(two.pid())).isFalse();
        NodeHandle dead = find(agent.list().join(), "node-2");
        assertThat(dead.state()).isEqualTo(ProcessState.EXITED);
        assertThat(dead.endpoints()).as("what it published last").isEqualTo(two.endpoints());
        OrchestratorException notRunning = refusal(() -> agent.kill("node-2").join());
        assertThat(notRunning.code()).isEqualTo(OrchestratorException.Code.CONFLICT);
        assertThat(notRunning).hasMessageContaining("node-2 is not running (pid " + two.pid() + " has exited)");

        NodeHandle back = agent.restart("node-2").join();
        assertThat(back.pid()).isNotEqualTo(two.pid());
        assertThat(back.state()).isEqualTo(ProcessState.RUNNING);
        assertThat(back.spec()).isEqualTo(two.spec());
        assertThat(Files.readString(layout().log("node-2"))).as("the log is appended to")
                .containsPattern("(?s)starting node-2 at .*starting node-2 at ");

        Orchestrator.Stopped stopped = agent.stop("node-1").join();
        assertThat(stopped.outcome()).isEqualTo(Orchestrator.Stopped.Outcome.STOPPED);
        assertThat(alive(one.pid())).isFalse();
        assertThat(agent.stop("node-1").join().outcome()).isEqualTo(Orchestrator.Stopped.Outcome.NOT_RUNNING);
        OrchestratorException unknown = refusal(() -> agent.stop("node-9").join());
        assertThat(unknown.code()).isEqualTo(OrchestratorException.Code.UNKNOWN_NODE);
        assertThat(unknown).hasMessage("no node 'node-9' on this host; it knows node-1, node-2");
        assertThat(Files.readString(layout().agentLog())).contains("spiffe://x0tta6bl4.local/operator/cli kill node-2: allowed by rule operators");
    }

    @Test
    void aCallerThePolicyDoesNotAllowIsRefusedAndNothingHappensWhileANodeMayRestartAnother() throws Exception {
        HostAgentClient agent = agent(HostAgentTestSupport.contractPolicy());
        NodeHandle one = agent.spawn(bootstrap("node-1")).join();
        NodeHandle two = agent.spawn(joiner("node-2", one)).join();
        SvidCredentials app = ca.issueClient(SpiffeId.app("x0tta6bl4.local", "intruder"), Duration.ofHours(1), Instant.now(), new SecureRandom(),
                dir.resolve("intruder"));
        HostAgentClient intruder = HostAgentClient.of(dir, app);
        closing.add(intruder);
        for (Function<HostAgentClient, java.util.concurrent.CompletableFuture<?>> call : List.<Function<HostAgentClient, java.util.concurrent.CompletableFuture<?>>>of(
                c -> c.kill("node-2"), c -> c.restart("node-2"), c -> c.list(), c -> c.spawn(bootstrap("node-3")))) {
            OrchestratorException denied = refusal(() -> call.apply(intruder).join());
            assertThat(denied.code()).isEqualTo(OrchestratorException.Code.ACCESS_DENIED);
            assertThat(denied.rule()).contains("default-deny");
            assertThat(denied).hasMessageStartingWith("no rule allows spiffe://x0tta6bl4.local/app/intruder ");
        }
        assertThat(alive(two.pid())).as("nothing happened").isTrue();
        assertThat(agent.list().join()).extracting(NodeHandle::name).containsExactly("node-1", "node-2");
        assertThat(layout().nodeDir("node-3")).doesNotExist();

        // node-1, with its own credentials, asks its host to restart node-2: the policy lets nodes orchestrate.
        try (HostAgentClient asNode = HostAgentClient.node(dir, "node-1")) {
            NodeHandle restarted = asNode.restart("node-2").join();
            assertThat(restarted.pid()).isNotEqualTo(two.pid());
            assertThat(alive(two.pid())).isFalse();
        }
        assertThat(Files.readString(layout().agentLog()))
                .contains("spiffe://x0tta6bl4.local/app/intruder kill node-2: denied")
                .contains("spiffe://x0tta6bl4.local/node/node-1 restart node-2: allowed by rule nodes-orchestrate");
    }

    /** Raw HTTPS with the operator's SVID, as any client could send it. */
    private HttpResponse<String> post(String path, String body) throws Exception {
        TrustBundle bundle = TrustBundle.load(layout().bundle());
        try (HttpClient http = HttpClient.newBuilder().sslContext(SvidTls.sslContext(SvidCredentials.load(layout().operator()),
                SvidTls.trustManager(bundle, InstantSource.system(), id -> true, r -> { }))).build()) {
            int port = AgentRecord.read(layout().agentRecord()).orElseThrow().port();
            return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void aBadBodyIsRefusedNamingTheFieldAndChangesNothing() throws Exception {
        agent(HostAgentTestSupport.contractPolicy());
        String good = "\"join\":{\"bootstrap\":true},\"detector\":\"consecutive-misses\",\"svid_ttl_seconds\":3600";
        record Case(String body, String field, String message) {}
        for (Case c : List.of(
                new Case("not json", "", "not valid JSON"),
                new Case("{\"name\":\"node-1\"," + good + ",\"colour\":\"red\"}", "colour", "is not a known field"),
                new Case("{\"name\":\"Node 1\"," + good + "}", "name", "node name 'Node 1' must be"),
                new Case("{\"name\":\"node-1\",\"join\":{\"seeds\":[\"127.0.0.1:41234\"]},\"detector\":\"consecutive-misses\",\"svid_ttl_seconds\":3600}",
                        "join.seeds[0]", "write name@host:raftport"),
                new Case("{\"name\":\"node-1\",\"join\":{\"bootstrap\":true,\"seeds\":[]},\"detector\":\"consecutive-misses\",\"svid_ttl_seconds\":3600}",
                        "join", "exactly one of bootstrap"),
                new Case("{\"name\":\"node-1\",\"join\":{\"bootstrap\":true},\"detector\":\"gut\",\"svid_ttl_seconds\":3600}", "detector", "not a detector"),
                new Case("{\"name\":\"node-1\",\"join\":{\"bootstrap\":true},\"detector\":\"consecutive-misses\",\"svid_ttl_seconds\":\"1h\"}",
                        "svid_ttl_seconds", "must be an integer"),
                new Case("{\"name\":\"node-1\",\"join\":{\"bootstrap\":true},\"detector\":\"consecutive-misses\",\"svid_ttl_seconds\":8640000}",
                        "svid_ttl_seconds", "would outlive the issuer"))) {
            HttpResponse<String> r = post("/v1/nodes", c.body());
            assertThat(r.statusCode()).as(c.body() + " -> " + r.body()).isEqualTo(400);
            var json = JsonReader.MAPPER.readTree(r.body());
            assertThat(json.path("error").asText()).isEqualTo("bad_request");
            assertThat(json.path("field").asText()).as(r.body()).isEqualTo(c.field());
            assertThat(json.path("message").asText()).as(r.body()).contains(c.message());
        }
        assertThat(operator().list().join()).as("nothing was spawned").isEmpty();
        assertThat(layout().nodeDir("node-1").resolve("node.yaml")).doesNotExist();
        HttpResponse<String> op = post("/v1/nodes/node-1/explode", "");
        assertThat(op.statusCode()).isEqualTo(400);
        assertThat(op.body()).contains("\"field\":\"op\"", "'explode' is not an operation");
        HttpResponse<String> route = post("/v2/nodes", "");
        assertThat(route.statusCode()).isEqualTo(404);
        assertThat(route.body()).contains("\"error\":\"no_route\"", "POST /v2/nodes is not a route of the host agent");
    }

    @Test
    void aKilledAgentLosesNoNodeAndItsSuccessorAdoptsThemBySameProcess() throws Exception {
        HostAgentClient agent = agent(HostAgentTestSupport.contractPolicy());
        NodeHandle one = agent.spawn(bootstrap("node-1")).join();
        NodeHandle two = agent.spawn(joiner("node-2", one)).join();
        AgentRecord first = AgentRecord.read(layout().agentRecord()).orElseThrow();
        ProcessHandle agentProcess = first.running().orElseThrow();
        agentProcess.destroyForcibly();
        assertThat(NodeProcesses.awaitExit(agentProcess, Duration.ofSeconds(10))).isTrue();
        assertThat(alive(one.pid()) && alive(two.pid())).as("the nodes run in their own sessions").isTrue();
        OrchestratorException gone = refusal(() -> agent.list().join());
        assertThat(gone.code()).isEqualTo(OrchestratorException.Code.UNAVAILABLE);
        assertThat(gone).hasMessageContaining("(pid " + first.pid() + " in " + layout().agentRecord() + ") is not running");

        assertThat(AgentProcess.ensure(layout(), agent, Optional.of(ME), progress::add)).isTrue();
        List<NodeHandle> adopted = agent.list().join();
        assertThat(adopted).extracting(NodeHandle::name, NodeHandle::pid, NodeHandle::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple("node-1", one.pid(), ProcessState.RUNNING),
                org.assertj.core.groups.Tuple.tuple("node-2", two.pid(), ProcessState.RUNNING));
        assertThat(find(adopted, "node-2").endpoints()).isEqualTo(two.endpoints());
        assertThat(Files.readString(layout().agentLog())).contains("adopted node-1 (pid " + one.pid(), "adopted node-2 (pid " + two.pid());
        assertThat(agent.stop("node-2").join().outcome()).isEqualTo(Orchestrator.Stopped.Outcome.STOPPED);
        assertThat(alive(two.pid())).isFalse();
    }

    @Test
    void aPidThatNoLongerBelongsToTheNodeIsNeverSignalled() throws Exception {
        HostAgentClient agent = agent(HostAgentTestSupport.contractPolicy());
        NodeHandle one = agent.spawn(bootstrap("node-1")).join();
        AgentProcess.stop(layout());
        // As if node-1 had died and the system had given its pid to another process an hour later.
        HostState s = HostState.load(layout().state());
        HostState.Entry e = s.nodes().getFirst();
        new HostState(List.of(new HostState.Entry(e.spec(), Optional.of(new NodeProcess(one.pid(), one.started().minusSeconds(3600))))))
                .save(layout().state());
        AgentProcess.ensure(layout(), agent, Optional.of(ME), progress::add);
        assertThat(find(agent.list().join(), "node-1").state()).isEqualTo(ProcessState.EXITED);
        assertThat(refusal(() -> agent.kill("node-1").join()).code()).isEqualTo(OrchestratorException.Code.CONFLICT);
        assertThat(agent.stop("node-1").join().outcome()).isEqualTo(Orchestrator.Stopped.Outcome.NOT_RUNNING);
        assertThat(alive(one.pid())).as("the other process is untouched").isTrue();
        ProcessHandle.of(one.pid()).ifPresent(ProcessHandle::destroyForcibly);
    }

    @Test
    void aNodeThatExitsAtOnceFailsItsSpawnWithTheEndOfItsLog() throws Exception {
        // A node that refuses its config exits at once with one line saying why; this stand-in does the same.
        ca = HostAgentTestSupport.hostDirectory(dir, HostAgentTestSupport.contractPolicy(),
                HostAgentTestSupport.standIn("-Dstandin.failAtStart=node.yaml:3: ports.api: must be a port number 0..65535, got -1"));
        HostAgentClient agent = operator();
        AgentProcess.ensure(layout(), agent, Optional.of(ME), progress::add);
        OrchestratorException failed = refusal(() -> agent.spawn(bootstrap("node-1")).join());
        assertThat(failed.code()).isEqualTo(OrchestratorException.Code.FAILED);
        assertThat(failed).hasMessageContaining("node-1 (pid ").hasMessageContaining("exited before it answered; the end of " + layout().log("node-1"))
                .hasMessageContaining("ports.api: must be a port number");
        assertThat(Files.readString(layout().log("node-1"))).startsWith("--- x0tta6bl4 host: starting node-1 at ");
        assertThat(find(agent.list().join(), "node-1").state()).isEqualTo(ProcessState.EXITED);
        assertThat(refusal(() -> agent.spawn(bootstrap("node-1")).join()).code()).as("the name is taken; restart it").isEqualTo(OrchestratorException.Code.CONFLICT);
    }

    @Test
    void exitWithEndsEveryNodeAndTheAgentWhenThatProcessIsGone() throws Exception {
        ca = HostAgentTestSupport.hostDirectory(dir, HostAgentTestSupport.contractPolicy(), HostAgentTestSupport.standIn());
        Process parent = new ProcessBuilder("sleep", "600").start();
        closing.add(parent::destroyForcibly);
        HostAgentClient agent = operator();
        AgentProcess.ensure(layout(), agent, Optional.of(parent.pid()), progress::add);
        NodeHandle one = agent.spawn(bootstrap("node-1")).join();
        NodeHandle two = agent.spawn(joiner("node-2", one)).join();
        ProcessHandle agentProcess = AgentRecord.read(layout().agentRecord()).orElseThrow().running().orElseThrow();
        parent.destroyForcibly();
        assertThat(NodeProcesses.awaitExit(agentProcess, Duration.ofSeconds(60))).as("the agent exits").isTrue();
        assertThat(alive(one.pid()) || alive(two.pid())).as("its nodes are stopped first").isFalse();
        assertThat(layout().agentRecord()).as("agent.json is removed").doesNotExist();
        assertThat(Files.readString(layout().agentLog())).contains("pid " + parent.pid() + " has exited (--exit-with)", "node-1 stopped", "node-2 stopped");
    }

    @Test
    void nodesLoadSqliteFromTheHostsFolderAndLeaveNothingInTheSystemTempDirectory() throws Exception {
        List<String> before = HostAgentTestSupport.sqliteCopiesInTmp();
        HostAgentClient agent = agent(HostAgentTestSupport.contractPolicy());
        NodeHandle one = agent.spawn(bootstrap("node-1")).join();
        List<Long> pids = new ArrayList<>(List.of(one.pid()));
        for (int i = 0; i < 3; i++) {
            agent.kill("node-1").join();
            pids.add(agent.restart("node-1").join().pid());
        }
        long live = pids.getLast();
        String maps = Files.readString(Path.of("/proc/" + live + "/maps"));
        Path lib = layout().nativeLibraries();
        assertThat(maps.lines().filter(l -> l.contains("sqlitejdbc")).toList()).as("where node-1 loaded sqlite-jdbc's library from")
                .isNotEmpty().allSatisfy(l -> assertThat(l).contains(lib.toString() + "/sqlite-jdbc-"));
        try (var files = Files.walk(lib)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> lib.relativize(p).toString()).toList()).as("one extracted copy, whatever the kills")
                    .singleElement().satisfies(f -> assertThat(f).matches("sqlite-jdbc-[0-9.]+/libsqlitejdbc\\.so"));
        }
        // Other processes on this machine may extract sqlite-jdbc into /tmp meanwhile; none of these nodes mapped one from there.
        List<String> added = new ArrayList<>(HostAgentTestSupport.sqliteCopiesInTmp());
        added.removeAll(before);
        assertThat(added).as("copies that appeared in the system temporary directory during the test").allSatisfy(f ->
                assertThat(maps).doesNotContain(f));
        agent.stop("node-1").join();
        assertThatThrownBy(() -> agent.pause("node-1").join()).hasMessageContaining("node-1 is not running");
    }
}
