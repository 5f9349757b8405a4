package io.x0tta6bl4.ledger;

/**
 * One replica of the ledger's Raft group: its node's name and the address its Raft listener
 * announces. The name is the replica's identity (its node's SPIFFE ID is built from it); the
 * address is where the others reach it.
 */
public record Replica(String name, String host, int port) {
    public Replica {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a replica needs a name");
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("replica " + name + ": no host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("replica " + name + ": port " + port + " is not 1..65535");
        }
    }

    public String address() {
        return host + ":" + port;
    }

    /** {@code name@host:port}, as seeds are written in configuration files. */
    @Override
    public String toString() {
        return name + "@" + address();
    }

    /** Parses {@code name@host:port}; the message names what is wrong. */
    public static Replica parse(String text) {
        int at = text.indexOf('@');
        int colon = text.lastIndexOf(':');
        if (at <= 0 || colon < at + 2 || colon == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not name@host:port, e.g. node-1@127.0.0.1:7101");
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': the port is not a number");
        }
        return new Replica(text.substring(0, at), text.substring(at + 1, colon), port);
    }
}
