package io.x0tta6bl4.orchestration;

import io.x0tta6bl4.monitor.NodeView;
import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.JwtSvidClaims;
import io.x0tta6bl4.identity.NodeCredentials;
import io.x0tta6bl4.identity.TrustBundle;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status client against in-process HTTPS servers that present a node's real X.509-SVID and
 * check its bearer token as a node does ({@link NodeApiStandIn}): it trusts only the cluster's
 * root, checks the host name, sends the cluster's token, and names why a node did not answer or
 * refused it.
 */
class NodeClientTest {
    @TempDir Path dir;
    private final List<NodeApiStandIn> servers = new ArrayList<>();
    private CertificateAuthority ca;
    private NodeCredentials n1;

    @BeforeEach
    void ca() {
        SecureRandom random = new SecureRandom();
        ca = CertificateAuthority.init(dir.resolve("ca"), "x0tta6bl4.local", Instant.now(), random);
        n1 = ca.issueNode("node-1", Duration.ofHours(1), Instant.now(), random);
    }

    @AfterEach
    void stopServers() {
        servers.forEach(NodeApiStandIn::close);
    }

    private int serve(NodeCredentials node, TrustBundle bundle, String audience, NodeApiStandIn.Responder responder) throws Exception {
        NodeApiStandIn s = NodeApiStandIn.start(node, bundle, audience, 0, responder);
        servers.add(s);
        return s.port();
    }

    private int serve(NodeCredentials node, int status, String body, Duration delay) throws Exception {
        return serve(node, ca.bundle(), ClusterToken.AUDIENCE, caller -> new NodeApiStandIn.Response(status, body, delay));
    }

    @Test
    void readsViewsOverTlsTrustingOnlyTheClusterRootAndSaysWhyANodeDidNotAnswer() throws Exception {
        SecureRandom random = new SecureRandom();
        Instant now = Instant.now();
        CertificateAuthority other = CertificateAuthority.init(dir.resolve("other"), "x0tta6bl4.local", now, random);
        NodeCredentials foreign = other.issueNode("node-2", Duration.ofHours(1), now, random);

        int good = serve(n1, 200, io.x0tta6bl4.monitor.NodeViewTest.SAMPLE, Duration.ZERO);
        int foreignPort = serve(foreign, 200, io.x0tta6bl4.monitor.NodeViewTest.SAMPLE.replace("node-1", "node-2"), Duration.ZERO);
        int slow = serve(n1, 200, io.x0tta6bl4.monitor.NodeViewTest.SAMPLE, Duration.ofMillis(1200));
        int broken = serve(n1, 500, "oops", Duration.ZERO);
        int unavailable = serve(n1, 503, "{\"error\":\"audit_unavailable\",\"message\":\"the audit entry could not be committed\"}", Duration.ZERO);
        int closed = 1; // tcpmux: nothing listens there on a machine of this kind, so a connection is refused

        try (NodeClient client = NodeClient.forCa(ca.dir(), Duration.ofMillis(500))) {
            assertThat(client.view("node-1", good)).isInstanceOfSatisfying(NodeClient.Answer.Seen.class,
                    s -> assertThat(s.view().leader()).contains("node-2"));
            assertThat(client.view("node-3", good)).isEqualTo(new NodeClient.Answer.NoAnswer(
                    "bad answer: port " + good + " is served by 'node-1', not node-3"));
            assertThat(client.view("node-2", foreignPort)).isInstanceOfSatisfying(NodeClient.Answer.NoAnswer.class,
                    n -> assertThat(n.reason()).startsWith("TLS failure"));
            assertThat(client.view("node-1", closed)).isEqualTo(new NodeClient.Answer.NoAnswer("connection refused"));
            assertThat(client.view("node-1", broken)).isEqualTo(new NodeClient.Answer.NoAnswer("bad answer: HTTP 500"));
            assertThat(client.view("node-1", unavailable)).isEqualTo(new NodeClient.Answer.NoAnswer(
                    "HTTP 503 audit_unavailable: the audit entry could not be committed"));

            Map<String, Integer> ask = new LinkedHashMap<>();
            ask.put("node-1", good);
            ask.put("node-2", foreignPort);
            ask.put("node-3", closed);
            Map<String, NodeClient.Answer> answers = client.views(ask);
            assertThat(answers).containsOnlyKeys("node-1", "node-2", "node-3");
            assertThat(answers.get("node-1")).isInstanceOf(NodeClient.Answer.Seen.class);
            assertThat(answers.get("node-3")).isEqualTo(new NodeClient.Answer.NoAnswer("connection refused"));

            long t0 = System.nanoTime();
            assertThat(client.view("node-1", slow)).isEqualTo(new NodeClient.Answer.NoAnswer("no answer within 500 ms"));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2500));
        }
    }

    @Test
    void sendsTheClustersOwnTokenAndReusesItAcrossRequests() throws Exception {
        NodeApiStandIn server = NodeApiStandIn.start(n1, ca.bundle(), ClusterToken.AUDIENCE, 0, caller -> NodeApiStandIn.Response.ok(io.x0tta6bl4.monitor.NodeViewTest.SAMPLE));
        servers.add(server);
        try (NodeClient client = NodeClient.forCa(ca.dir(), Duration.ofSeconds(2))) {
            for (int i = 0; i < 3; i++) {
                assertThat(client.view("node-1", server.port())).isInstanceOf(NodeClient.Answer.Seen.class);
            }
        }
        assertThat(server.callers).hasSize(3);
        JwtSvidClaims first = server.callers.getFirst();
        assertThat(first.subject().toString()).isEqualTo("spiffe://x0tta6bl4.local/operator/x0tta6bl4-cluster");
        assertThat(first.audience()).containsExactly("x0tta6bl4");
        assertThat(Duration.between(first.issuedAt(), first.expiresAt())).isEqualTo(ClusterToken.TTL);
        assertThat(server.callers).extracting(JwtSvidClaims::jwtId).as("one token, minted once").containsOnly(first.jwtId());
    }

    @Test
    void aNodeThatRefusesTheTokenSaysSoInsteadOfLookingSilent() throws Exception {
        SecureRandom random = new SecureRandom();
        CertificateAuthority other = CertificateAuthority.init(dir.resolve("other"), "x0tta6bl4.local", Instant.now(), random);
        // Three real refusals: a node expecting another audience, a node trusting another CA's
        // token key, a policy that does not allow the cluster; and the 403 of a node with no policy yet.
        int wrongAudience = serve(n1, ca.bundle(), "billing", caller -> NodeApiStandIn.Response.ok(io.x0tta6bl4.monitor.NodeViewTest.SAMPLE));
        int otherCa = serve(n1, other.bundle(), ClusterToken.AUDIENCE, caller -> NodeApiStandIn.Response.ok(io.x0tta6bl4.monitor.NodeViewTest.SAMPLE));
        int denied = serve(n1, 403, "{\"error\":\"access_denied\",\"rule\":\"default-deny\",\"reason\":\"no rule allows "
                + "spiffe://x0tta6bl4.local/operator/x0tta6bl4-cluster to read nodes\"}", Duration.ZERO);
        int pending = serve(n1, ca.bundle(), ClusterToken.AUDIENCE, caller -> NodeApiStandIn.Response.policyPending());

        try (NodeClient client = NodeClient.forCa(ca.dir(), Duration.ofSeconds(2))) {
            assertThat(client.view("node-1", wrongAudience)).isInstanceOfSatisfying(NodeClient.Answer.Refused.class, r -> {
                assertThat(r.explain()).isEqualTo("refused the cluster's token: HTTP 401 invalid_token (wrong_audience): "
                        + "token is for [x0tta6bl4], not 'billing'");
                assertThat(r.policyPending()).isFalse();
            });
            assertThat(client.view("node-1", otherCa)).isInstanceOfSatisfying(NodeClient.Answer.Refused.class,
                    r -> assertThat(r.explain()).startsWith("refused the cluster's token: HTTP 401 invalid_token ("));
            assertThat(client.view("node-1", denied)).isInstanceOfSatisfying(NodeClient.Answer.Refused.class, r -> {
                assertThat(r.explain()).isEqualTo("refused the cluster's token: HTTP 403 access_denied, rule default-deny: "
                        + "no rule allows spiffe://x0tta6bl4.local/operator/x0tta6bl4-cluster to read nodes");
                assertThat(r.policyPending()).as("a policy is in force; waiting will not help").isFalse();
            });
            assertThat(client.view("node-1", pending)).isInstanceOfSatisfying(NodeClient.Answer.Refused.class,
                    r -> assertThat(r.policyPending()).isTrue());
            assertThat(LocalCluster.noView(client.view("node-1", pending))).isEqualTo("waiting for the policy to be installed");
        }
    }
}
