package io.x0tta6bl4.identity;

import static io.x0tta6bl4.identity.Fixtures.DAY;
import static io.x0tta6bl4.identity.Fixtures.DOMAIN;
import static io.x0tta6bl4.identity.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS 1.3 handshakes ({@link Handshake}) between parties the root enrolled and parties a host agent enrolled. */
class IssuedNodeTlsTest {
    private static final InstantSource AT_T0 = InstantSource.fixed(T0);

    @TempDir Path tmp;

    private CertificateAuthority ca;
    private NodeIssuer host;
    private NodeCredentials direct;
    private NodeCredentials hosted;

    @BeforeEach
    void setUp() {
        ca = Fixtures.ca(tmp.resolve("ca"), DOMAIN, 1);
        host = Fixtures.issuer(ca, tmp.resolve("host-1"), "host-1", 10);
        direct = Fixtures.node(ca, "node-a", 2);
        hosted = Fixtures.node(host, tmp.resolve("node-h"), "node-h", 20);
    }

    @Test
    void aHostIssuedNodeAndARootIssuedNodeHandshakeBothWays() throws Exception {
        Handshake.Result hostedCalls = Handshake.run(hosted, direct, ca.bundle(), AT_T0, id -> true);
        Handshake.Result directCalls = Handshake.run(direct, hosted, ca.bundle(), AT_T0, id -> true);

        assertThat(hostedCalls.completed()).as("%s", hostedCalls).isTrue();
        assertThat(hostedCalls.server().peerChain()).as("the intermediate travels with the leaf").containsExactlyElementsOf(hosted.svidChain());
        assertThat(hostedCalls.server().peerChain().get(1)).isEqualTo(host.credentials().svidChain().get(1));
        assertThat(SvidTls.acceptedPeer(hostedCalls.server().peerChain().getFirst())).isEqualTo(hosted.id());
        assertThat(hostedCalls.server().refusals()).isEmpty();
        assertThat(directCalls.completed()).as("%s", directCalls).isTrue();
        assertThat(directCalls.client().peerChain()).containsExactlyElementsOf(hosted.svidChain());
        assertThat(directCalls.client().refusals()).isEmpty();
    }

    @Test
    void anOperatorReachesAHostAgentWithTheHostsOwnSvid() throws Exception {
        SvidCredentials operator = ca.issueClient(SpiffeId.app(DOMAIN, "operator"), DAY, T0, new TestRandom(5), tmp.resolve("operator"));

        Handshake.Result r = Handshake.run(operator, host.credentials(), ca.bundle(), AT_T0, id -> true);

        assertThat(r.completed()).as("%s", r).isTrue();
        assertThat(SvidTls.acceptedPeer(r.client().peerChain().getFirst())).isEqualTo(host.id());
    }

    @Test
    void aHostIssuedServerThatSendsItsLeafWithoutTheIntermediateIsRefusedSayingSo() {
        SvidCredentials leafOnly = new SvidCredentials(hosted.id(), List.of(hosted.svidChain().getFirst()), hosted.svidKey());

        Handshake.Result r = Handshake.run(direct, leafOnly, ca.bundle(), AT_T0, id -> true);

        assertThat(r.completed()).isFalse();
        assertThat(r.client().refusals()).singleElement().satisfies(refusal -> {
            assertThat(refusal.leaf()).isEqualTo(hosted.svidChain().getFirst());
            assertThat(refusal.reason()).contains("which is not the root; an SVID issued by a host's intermediate CA must be sent with it");
        });
    }

    @Test
    void aHostIssuedClientWithoutItsIntermediateHasNoCertificateToOffer() {
        // The server asks for certificates under the root; the JDK's key manager offers a chain only
        // if one of its certificates names the root as issuer, so a bare leaf is never sent.
        SvidCredentials leafOnly = new SvidCredentials(hosted.id(), List.of(hosted.svidChain().getFirst()), hosted.svidKey());

        Handshake.Result r = Handshake.run(leafOnly, direct, ca.bundle(), AT_T0, id -> true);

        assertThat(r.completed()).isFalse();
        assertThat(r.failure()).hasMessageContaining("Empty client certificate chain");
        assertThat(r.server().refusals()).isEmpty();
    }

    @Test
    void aNodeOfAnotherCasHostIsRefused() {
        CertificateAuthority impostor = Fixtures.ca(tmp.resolve("impostor"), DOMAIN, 99);
        NodeIssuer fakeHost = Fixtures.issuer(impostor, tmp.resolve("fake-host"), "host-1", 12);
        NodeCredentials fake = Fixtures.node(fakeHost, tmp.resolve("fake-node"), "node-h", 13);

        Handshake.Result r = Handshake.run(fake, direct, ca.bundle(), AT_T0, id -> true);

        assertThat(r.completed()).isFalse();
        assertThat(r.server().refusals()).extracting(SvidTls.Refusal::reason).singleElement().asString()
                .contains("names the root as its issuer but is not signed by its key");
    }

    @Test
    void afterTheIssuerExpiresItsNodesAreRefused() {
        InstantSource later = InstantSource.fixed(host.notAfter().plusSeconds(1));
        NodeCredentials longLived = ca.issueNode("node-l", java.time.Duration.ofDays(60), T0, new TestRandom(3));

        Handshake.Result r = Handshake.run(host.credentials(), longLived, ca.bundle(), later, id -> true);

        assertThat(r.completed()).isFalse();
        assertThat(r.server().refusals()).extracting(SvidTls.Refusal::reason).singleElement().asString()
                .contains("intermediate CA 'CN=x0tta6bl4 host issuer host-1,OU=example.org,O=x0tta6bl4' is valid from");
    }
}
