package io.x0tta6bl4.orchestration;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Distinct free TCP ports on the loopback interface, found by letting the kernel pick: all the
 * sockets are bound at once (so no port is handed out twice) and closed before the ports are
 * returned. Another process may bind one of them before the node does; the node then fails to
 * start, says so in its log, and {@code cluster up} reports it.
 */
final class FreePorts {
    private FreePorts() {}

    static List<Integer> pick(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 50, loopback));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new ClusterException(ClusterException.Kind.FAILED, "cannot find " + count + " free ports on "
                    + InetAddress.getLoopbackAddress().getHostAddress() + ": " + e.getMessage(), e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // the port is free again either way
                }
            }
        }
    }
}
