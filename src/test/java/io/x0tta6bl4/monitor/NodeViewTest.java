package io.x0tta6bl4.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.time.Instant;
import org.junit.jupiter.api.Test;

public class NodeViewTest {
    public static final String SAMPLE = """
            {"name":"node-1","id":"spiffe://x0tta6bl4.local/node/node-1","pid":1234,"leader":"node-2","ledger_size":17,
             "peers":[{"name":"node-2","state":"alive","since":"2026-11-24T12:00:00.123456Z","last_failure":null},
                      {"name":"node-3","state":"down","since":"2026-11-24T12:00:05.000100Z","last_failure":"refused"}],
             "changes":[{"peer":"node-3","from":"alive","to":"suspect","at":"2026-11-24T12:00:04.900100Z","evidence":"2 misses"},
                        {"peer":"node-3","from":"suspect","to":"down","at":"2026-11-24T12:00:05.000100Z","evidence":"3 misses: refused"}],
             "load":{"cpu_percent":12.5}}
            """;

    @Test
    void parsesTheDocumentedShapeAndIgnoresFieldsItDoesNotKnow() {
        NodeView v = NodeView.parse("node-1", SAMPLE);
        assertThat(v.name()).isEqualTo("node-1");
        assertThat(v.pid()).isEqualTo(1234);
        assertThat(v.leader()).contains("node-2");
        assertThat(v.ledgerSize()).isEqualTo(17);
        assertThat(v.stateOf("node-2")).contains(PeerState.ALIVE);
        assertThat(v.stateOf("node-3")).contains(PeerState.DOWN);
        assertThat(v.stateOf("node-4")).isEmpty();
        assertThat(v.peers().get(1).lastFailure()).contains("refused");
        assertThat(v.peers().get(0).lastFailure()).isEmpty();
        assertThat(v.changes()).hasSize(2);
    }

    @Test
    void findsTheFirstChangeToAStateAfterAnInstant() {
        NodeView v = NodeView.parse("node-1", SAMPLE);
        Instant before = Instant.parse("2026-11-24T12:00:04Z");
        assertThat(v.firstChange("node-3", PeerState.DOWN, before)).hasValueSatisfying(c -> {
            assertThat(c.at()).isEqualTo(Instant.parse("2026-11-24T12:00:05.000100Z"));
            assertThat(c.evidence()).isEqualTo("3 misses: refused");
        });
        assertThat(v.firstChange("node-3", PeerState.DOWN, Instant.parse("2026-11-24T12:00:05.000100Z"))).as("strictly after").isEmpty();
        assertThat(v.firstChange("node-2", PeerState.DOWN, before)).isEmpty();
    }

    @Test
    void aNullLeaderAndMissingOptionalFieldsAreFine() {
        NodeView v = NodeView.parse("n", """
                {"name":"node-1","leader":null,"peers":[{"name":"node-2","state":"suspect"}]}""");
        assertThat(v.leader()).isEmpty();
        assertThat(v.changes()).isEmpty();
        assertThat(v.stateOf("node-2")).contains(PeerState.SUSPECT);
    }

    @Test
    void aBadAnswerNamesTheField() {
        assertThatThrownBy(() -> NodeView.parse("node-1 (127.0.0.1:4000)", """
                {"name":"node-1","peers":[{"name":"node-2","state":"zombie"}]}"""))
                .hasMessage("node-1 (127.0.0.1:4000): peers[0].state: 'zombie' is not joining, alive, suspect or down");
        assertThatThrownBy(() -> NodeView.parse("n", """
                {"name":"node-1","peers":[],"changes":[{"peer":"node-2","from":"alive","to":"down","at":"yesterday"}]}"""))
                .hasMessage("n: changes[0].at: 'yesterday' is not an ISO-8601 instant");
        assertThatThrownBy(() -> NodeView.parse("n", "{\"name\":\"node-1\"}")).hasMessage("n: peers: must be a list");
        assertThatThrownBy(() -> NodeView.parse("n", "[1]")).hasMessage("n: expected a JSON object");
    }

    /** What the node renders the cluster commands parse back, field for field. */
    @Test
    void whatANodeRendersParsesBackToTheSameView() {
        LoadSample load = new LoadSample(0, 12.5, 40, 33, 61, 800, 2100, 0.5, 3, 950, 1, 42.5);
        NodeView v = new NodeView("node-1", "spiffe://td/node/node-1", 4321, Optional.of(Instant.parse("2026-12-06T20:00:00Z")),
                Optional.of("node-2"), 99, "LISTENER", Optional.of(new NodeView.Membership("active", "listener")),
                List.of(new NodeView.Peer("node-2", PeerState.ALIVE, Optional.of(Instant.parse("2026-12-06T20:00:01Z")), Optional.empty(),
                                Optional.of(0.412), Optional.of(new NodeView.Membership("active", "voter")), List.of()),
                        new NodeView.Peer("node-6", PeerState.UNKNOWN, Optional.of(Instant.parse("2026-12-06T20:00:02Z")), Optional.of("refused"),
                                Optional.empty(), Optional.of(new NodeView.Membership("active", "listener")), List.of("node-3"))),
                List.of(new NodeView.Change("node-3", PeerState.ALIVE, PeerState.DOWN, Instant.parse("2026-12-06T20:00:03Z"), "3 misses")),
                Optional.of(load));
        String json = new String(v.toJson(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).contains("\"state\":\"joining\"");
        assertThat(NodeView.parse("node-1", json)).isEqualTo(v);
    }
}
