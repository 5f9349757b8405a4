package io.x0tta6bl4.identity;

import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * A real TLS 1.3 handshake between two {@link SvidTls} contexts, in memory: two JDK SSLEngines
 * whose network buffers are handed to each other on the test's thread. No socket, no thread, no
 * sleep; the same handshake messages, certificate checks and trust managers as over loopback.
 */
final class Handshake {
    /** What one side saw: the peer's chain if the handshake completed, and every refusal its trust manager reported. */
    record Side(List<X509Certificate> peerChain, List<SvidTls.Refusal> refusals) {}

    /** The outcome: both sides, and the exception that stopped the handshake (null if it completed). */
    record Result(Side client, Side server, SSLException failure) {
        boolean completed() {
            return failure == null;
        }
    }

    private Handshake() {}

    /** Runs a mutual-TLS handshake: {@code client} calls {@code server}; each trusts {@code bundle} at {@code clock}'s time. */
    static Result run(X509Credentials client, X509Credentials server, TrustBundle bundle, InstantSource clock, Predicate<SpiffeId> authorized) {
        List<SvidTls.Refusal> clientRefusals = new CopyOnWriteArrayList<>();
        List<SvidTls.Refusal> serverRefusals = new CopyOnWriteArrayList<>();
        SSLContext clientContext = SvidTls.sslContext(client, SvidTls.trustManager(bundle, clock, authorized, clientRefusals::add));
        SSLContext serverContext = SvidTls.sslContext(server, SvidTls.trustManager(bundle, clock, authorized, serverRefusals::add));
        SSLEngine c = clientContext.createSSLEngine("node", 1);
        c.setUseClientMode(true);
        c.setEnabledProtocols(new String[] {"TLSv1.3"});
        SSLEngine s = serverContext.createSSLEngine();
        s.setUseClientMode(false);
        s.setNeedClientAuth(true);
        s.setEnabledProtocols(new String[] {"TLSv1.3"});
        SSLException failure = null;
        try {
            pump(c, s);
        } catch (SSLException e) {
            failure = e;
        }
        return new Result(new Side(failure == null ? chain(c.getSession()) : List.of(), List.copyOf(clientRefusals)),
                new Side(failure == null ? chain(s.getSession()) : List.of(), List.copyOf(serverRefusals)), failure);
    }

    private static List<X509Certificate> chain(SSLSession session) {
        try {
            Certificate[] peer = session.getPeerCertificates();
            return java.util.Arrays.stream(peer).map(X509Certificate.class::cast).toList();
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    /**
     * Each round, as the JDK's SSLEngine sample does: both engines wrap (a flight, or nothing),
     * then both unwrap what the other sent, running delegated tasks after every call. A refusal by
     * a trust manager surfaces as the SSLException of the engine that refused.
     */
    private static void pump(SSLEngine client, SSLEngine server) throws SSLException {
        int packet = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
        int app = Math.max(client.getSession().getApplicationBufferSize(), server.getSession().getApplicationBufferSize());
        ByteBuffer toServer = ByteBuffer.allocate(4 * packet);
        ByteBuffer toClient = ByteBuffer.allocate(4 * packet);
        ByteBuffer empty = ByteBuffer.allocate(0);
        ByteBuffer clientIn = ByteBuffer.allocate(app);
        ByteBuffer serverIn = ByteBuffer.allocate(app);
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < 100; round++) {
            client.wrap(empty, toServer);
            tasks(client);
            server.wrap(empty, toClient);
            tasks(server);
            toServer.flip();
            toClient.flip();
            client.unwrap(toClient, clientIn);
            tasks(client);
            server.unwrap(toServer, serverIn);
            tasks(server);
            toServer.compact();
            toClient.compact();
            clientIn.clear();
            serverIn.clear();
            if (idle(client) && idle(server) && toServer.position() == 0 && toClient.position() == 0) {
                return;
            }
        }
        throw new SSLException("the handshake did not finish in 100 rounds");
    }

    private static boolean idle(SSLEngine e) {
        return e.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING;
    }

    private static void tasks(SSLEngine e) {
        Runnable task;
        while ((task = e.getDelegatedTask()) != null) {
            task.run();
        }
    }
}
