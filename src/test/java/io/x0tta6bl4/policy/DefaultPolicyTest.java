package io.x0tta6bl4.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.x0tta6bl4.identity.SpiffeId;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy {@code cluster up} installs allows exactly what it says and nothing else. */
class DefaultPolicyTest {
    private static final String DOMAIN = "mesh.example.org";
    private static final List<String> RESOURCES = List.of("network", "nodes", "ledger", "policy", "membership", "governance");
    private static final Instant NOW = Instant.parse("2026-03-02T03:04:05Z");
    private final Policy policy = Policy.defaultPolicy(DOMAIN);

    private Decision decide(String principal, String action, String resource) {
        return policy.decide(new Request(SpiffeId.parse(principal), resource, action, InetAddress.getLoopbackAddress(), NOW), new RateLimiter());
    }

    @Test
    void itIsParsedFromTextThatCanBeStoredAsIs() {
        String text = Policy.defaultDocument(DOMAIN);
        assertThat(policy.source()).isEqualTo(text);
        assertThat(policy.version()).isEqualTo(1);
        assertThat(policy.sourceName()).isEqualTo("default policy");
        assertThat(Policy.parse(text, "ledger").digestHex()).isEqualTo(policy.digestHex());
        assertThat(policy.rules()).containsExactly(
                new Rule("members-read", Effect.ALLOW, List.of("spiffe://mesh.example.org/app/*", "spiffe://mesh.example.org/node/*"), RESOURCES,
                        List.of("read"), Conditions.NONE),
                new Rule("nodes-govern", Effect.ALLOW, List.of("spiffe://mesh.example.org/node/*"), List.of("governance"), List.of("propose", "vote"),
                        Conditions.NONE),
                new Rule("operators", Effect.ALLOW, List.of("spiffe://mesh.example.org/operator/*"), List.of("*"), List.of("*"), Conditions.NONE),
                new Rule("nodes-orchestrate", Effect.ALLOW, List.of("spiffe://mesh.example.org/node/*"), List.of("orchestration"), List.of("*"),
                        Conditions.NONE));
    }

    @Test
    void operatorsMayDoAnythingAndNodesMayAskTheirHostAgentButAppsMayNot() {
        assertThat(decide("spiffe://mesh.example.org/operator/cli", "write", "membership").rule()).isEqualTo("operators");
        assertThat(decide("spiffe://mesh.example.org/operator/cli", "restart", "orchestration").allowed()).isTrue();
        assertThat(decide("spiffe://mesh.example.org/node/node-2", "restart", "orchestration").rule()).isEqualTo("nodes-orchestrate");
        assertThat(decide("spiffe://mesh.example.org/node/node-2", "write", "membership").allowed()).isFalse();
        assertThat(decide("spiffe://mesh.example.org/app/cli", "restart", "orchestration").allowed()).isFalse();
        assertThat(decide("spiffe://mesh.example.org/node/node-2", "vote", "governance").rule()).isEqualTo("nodes-govern");
        assertThat(decide("spiffe://mesh.example.org/app/cli", "propose", "governance").allowed()).isFalse();
        assertThat(decide("spiffe://mesh.example.org/app/cli", "vote", "governance").allowed()).isFalse();
        assertThat(decide("spiffe://mesh.example.org/host/h1", "restart", "orchestration").allowed()).isFalse();
    }

    @Test
    void appsAndNodesOfTheDomainMayReadTheFiveResources() {
        for (String who : List.of("spiffe://mesh.example.org/app/cli", "spiffe://mesh.example.org/node/node-1")) {
            for (String resource : RESOURCES) {
                Decision d = decide(who, "read", resource);
                assertThat(d.allowed()).as("%s read %s", who, resource).isTrue();
                assertThat(d.rule()).isEqualTo("members-read");
                assertThat(d.reason()).isEqualTo("rule \"members-read\" allows " + who + " read " + resource);
            }
        }
    }

    @Test
    void nothingElseIsAllowed() {
        String app = "spiffe://mesh.example.org/app/cli";
        for (String action : List.of("write", "delete", "vote", "Read", "read ", "*")) {
            for (String resource : RESOURCES) {
                assertThat(decide(app, action, resource).allowed()).as("%s %s", action, resource).isFalse();
            }
        }
        for (String resource : List.of("config", "keys", "network-status", "", "*", "NETWORK", "orchestration")) {
            assertThat(decide(app, "read", resource).allowed()).as(resource).isFalse();
        }
        for (String who : List.of("spiffe://other.org/app/cli", "spiffe://mesh.example.org/other/x", "spiffe://mesh.example.org",
                "spiffe://mesh.example.org/app", "spiffe://mesh.example.org/app/cli/sub", "spiffe://mesh.example.org/node/n/x",
                "spiffe://mesh.example.org/application/cli", "spiffe://mesh.example.org.evil/app/cli", "spiffe://example.org/app/cli")) {
            assertThat(decide(who, "read", "network").allowed()).as(who).isFalse();
        }
    }

    @Test
    void aRefusalSaysItIsTheDefault() {
        assertThat(decide("spiffe://mesh.example.org/app/cli", "write", "policy")).isEqualTo(new Decision(false, Decision.DEFAULT_DENY,
                "no rule allows spiffe://mesh.example.org/app/cli write policy (deny by default)"));
    }

    @Test
    void anInvalidTrustDomainIsRefused() {
        assertThatThrownBy(() -> Policy.defaultDocument("Mesh.Example")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lower case");
        assertThatThrownBy(() -> Policy.defaultDocument("a\"b")).isInstanceOf(IllegalArgumentException.class);
    }
}
