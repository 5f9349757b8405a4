package io.x0tta6bl4.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.x0tta6bl4.monitor.DetectorSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The host agent's JSON and the membership's, both ways, without a process: what the agent and its clients exchange. */
class AgentJsonTest {
    private static final NodeSpec SPEC = new NodeSpec("node-3", new NodeSpec.Join.Seeds(List.of(NodeSpec.Seed.parse("node-1@127.0.0.1:41234"))),
            DetectorSettings.Kind.PHI_ACCRUAL, Duration.ofHours(24));

    private static JsonReader r() {
        return new JsonReader("test");
    }

    @Test
    void everyAnswerRoundTrips() {
        NodeHandle h = new NodeHandle("node-3", 4242, Instant.parse("2026-12-06T21:00:00.120Z"), ProcessState.PAUSED,
                Optional.of(new NodeEndpoints("127.0.0.1", 41001, 41002, 41003)), SPEC);
        assertThat(AgentJson.handle(r(), r().parseObject(AgentJson.handle(h).toString()), "")).isEqualTo(h);
        NodeHandle starting = new NodeHandle("node-3", 4242, h.started(), ProcessState.RUNNING, Optional.empty(), SPEC);
        assertThat(AgentJson.handle(r(), r().parseObject(AgentJson.handle(starting).toString()), "")).isEqualTo(starting);
        Orchestrator.Stopped s = new Orchestrator.Stopped("node-3", 4242, Orchestrator.Stopped.Outcome.KILLED, Duration.ofMillis(10_250));
        assertThat(AgentJson.stopped(r(), r().parseObject(AgentJson.stopped(s).toString()))).isEqualTo(s);
        Orchestrator.Signalled k = new Orchestrator.Signalled("node-3", 4242, Instant.parse("2026-12-06T21:00:01.000123Z"));
        assertThat(AgentJson.signalled(r(), r().parseObject(AgentJson.signalled(k).toString()))).isEqualTo(k);
        NodeSpec first = new NodeSpec("node-1", new NodeSpec.Join.Bootstrap(), DetectorSettings.Kind.CONSECUTIVE_MISSES, Duration.ofMinutes(5));
        assertThat(AgentJson.spec(r(), r().parseObject(AgentJson.spec(first).toString()), "")).isEqualTo(first);
    }

    @Test
    void refusalsKeepTheirCodeFieldAndRule() {
        OrchestratorException denied = OrchestratorException.denied("default-deny", "no rule allows spiffe://td/app/x kill orchestration");
        OrchestratorException back = AgentJson.error(403, AgentJson.error(denied).toString()).orElseThrow();
        assertThat(back.code()).isEqualTo(OrchestratorException.Code.ACCESS_DENIED);
        assertThat(back.rule()).contains("default-deny");
        assertThat(back).hasMessage("no rule allows spiffe://td/app/x kill orchestration");
        OrchestratorException bad = AgentJson.error(400, AgentJson.error(OrchestratorException.badRequest("join.seeds[0]", "not a seed")).toString()).orElseThrow();
        assertThat(bad.field()).contains("join.seeds[0]");
        assertThat(AgentJson.error(500, "<html>oops</html>")).as("not the agent's JSON").isEmpty();
    }

    @Test
    void aSpecIsParsedStrictly() {
        assertThatThrownBy(() -> AgentJson.spec(r(), r().parseObject("{\"name\":\"node-1\",\"join\":{\"bootstrap\":false},"
                + "\"detector\":\"consecutive-misses\",\"svid_ttl_seconds\":3600}"), ""))
                .isInstanceOfSatisfying(JsonReader.FieldProblem.class, e -> assertThat(e.field).isEqualTo("join.bootstrap"));
        assertThatThrownBy(() -> AgentJson.spec(r(), r().parseObject("{\"name\":\"node-1\",\"join\":{\"seeds\":[]},"
                + "\"detector\":\"consecutive-misses\",\"svid_ttl_seconds\":3600}"), ""))
                .isInstanceOfSatisfying(JsonReader.FieldProblem.class, e -> assertThat(e.field).isEqualTo("join.seeds"));
        assertThatThrownBy(() -> AgentJson.spec(r(), r().parseObject("{\"name\":\"node-1\",\"join\":{\"bootstrap\":true},"
                + "\"detector\":\"consecutive-misses\",\"svid_ttl_seconds\":3}"), ""))
                .isInstanceOfSatisfying(JsonReader.FieldProblem.class, e -> assertThat(e.field).isEqualTo("svid_ttl_seconds"));
    }

    @Test
    void theMembershipReadsAsTheNodeRendersIt() {
        // As ApiServer renders GET /api/members: sequence numbers for joined_at and since, the Raft group, recent refusals.
        String json = """
                {"members":[{"name":"node-1","spiffe_id":"spiffe://x0tta6bl4.local/node/node-1","role":"voter","status":"active",
                  "host":"127.0.0.1","api_port":41001,"peer_port":41002,"raft_port":41003,"joined_at":2,"since":2,"reason":null},
                 {"name":"node-6","spiffe_id":"spiffe://x0tta6bl4.local/node/node-6","role":"listener","status":"fenced",
                  "host":"127.0.0.1","api_port":41061,"peer_port":41062,"raft_port":41063,"joined_at":40,"since":57,"reason":"by hand"}],
                 "next_name":"node-7","raft":{"voters":["node-1"],"listeners":["node-6"],"leader":"node-1","changing":false},
                 "refusals":[{"seq":12,"op":"leave","node":"node-1","reason":"the only voter"}]}
                """;
        Members m = Members.parse("node-1 /api/members", json);
        assertThat(m.nextName()).isEqualTo("node-7");
        assertThat(m.active()).extracting(Members.Member::name).containsExactly("node-1");
        assertThat(m.member("node-6")).hasValueSatisfying(x -> {
            assertThat(x.status()).isEqualTo("fenced");
            assertThat(x.reason()).contains("by hand");
            assertThat(x.since()).isEqualTo(57);
        });
        assertThat(m.active().getFirst().seed()).isEqualTo(new NodeSpec.Seed("node-1", "127.0.0.1", 41003));
        assertThat(m.voters()).containsExactly("node-1");
        assertThatThrownBy(() -> Members.parse("n", json.replace("\"next_name\":\"node-7\",", "")))
                .hasMessageContaining("next_name: is missing");
    }
}
