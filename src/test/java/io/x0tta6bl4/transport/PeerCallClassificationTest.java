package io.x0tta6bl4.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The four failure kinds are evidence for root-cause analysis; each cause must land in its own. */
class PeerCallClassificationTest {
    private static PeerCallException.Kind kind(RuntimeException e) {
        return PeerClient.classify("node-2", e).kind();
    }

    @Test
    void aTimeoutAnywhereInTheChainIsATimeout() {
        assertThat(kind(new UncheckedIOException(new SocketTimeoutException("Read timed out")))).isEqualTo(PeerCallException.Kind.TIMEOUT);
    }

    @Test
    void aRefusedConnectIsARefusal() {
        assertThat(kind(new UncheckedIOException(new ConnectException("Connection refused")))).isEqualTo(PeerCallException.Kind.REFUSED);
    }

    @Test
    void aResetConnectionIsALostConnectionNotABadAnswer() {
        // A killed peer's kernel resets the kept-alive connection; Helidon wraps the reset in its own
        // runtime exception. Before, this was reported as a bad answer.
        RuntimeException wrapped = new IllegalStateException("read failed", new SocketException("Connection reset"));
        PeerCallException e = PeerClient.classify("node-2", wrapped);
        assertThat(e.kind()).isEqualTo(PeerCallException.Kind.REFUSED);
        assertThat(e.getMessage()).isEqualTo("node-2: connection lost: Connection reset");
    }

    @Test
    void aBrokenHandshakeIsATlsFailure() {
        assertThat(kind(new IllegalStateException("x", new SSLHandshakeException("certificate_unknown")))).isEqualTo(PeerCallException.Kind.TLS_FAILURE);
    }

    @Test
    void anythingElseIsABadAnswer() {
        assertThat(kind(new IllegalArgumentException("Invalid HTTP status line"))).isEqualTo(PeerCallException.Kind.BAD_ANSWER);
    }
}
