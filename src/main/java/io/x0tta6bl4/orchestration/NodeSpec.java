package io.x0tta6bl4.orchestration;

import io.x0tta6bl4.identity.NodeName;
import io.x0tta6bl4.monitor.DetectorSettings;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an {@link Orchestrator} needs to start a node: everything of its node.yaml (version 2)
 * that is not the host's own business. Where the node's files go, which trust bundle and
 * bootstrap policy it names and which port it binds (0: the kernel picks, the node publishes and
 * keeps it) are the host's layout; what is here is what differs from one node to the next.
 *
 * @param name     a DNS label, as in {@code spiffe://<domain>/node/<name>}
 * @param join     how it enters the mesh: it forms a new one, or it joins through seeds
 * @param detector the failure detector it runs ({@code probe.detector})
 * @param svidTtl  how long the credentials it is enrolled with are valid
 */
public record NodeSpec(String name, Join join, DetectorSettings.Kind detector, Duration svidTtl) {
    public NodeSpec {
        try {
            NodeName.check(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("name: " + e.getMessage());
        }
        if (join == null) {
            throw new IllegalArgumentException("join: required (bootstrap, or seeds)");
        }
        if (detector == null) {
            throw new IllegalArgumentException("detector: required");
        }
        if (svidTtl == null || !svidTtl.isPositive()) {
            throw new IllegalArgumentException("svid_ttl_seconds: must be positive, got " + svidTtl);
        }
    }

    /** How a node enters the mesh: {@code join:} in node.yaml, exactly one of the two. */
    public sealed interface Join permits Join.Bootstrap, Join.Seeds {
        /** The first node of a new mesh: it forms a ledger group of one voter. */
        record Bootstrap() implements Join {}

        /**
         * A joiner: the Raft addresses of members already up. One live seed is enough; naming all
         * the members the caller knows lets it join while some of them are down.
         */
        record Seeds(List<Seed> seeds) implements Join {
            public Seeds {
                seeds = List.copyOf(seeds);
                if (seeds.isEmpty()) {
                    throw new IllegalArgumentException("join.seeds: at least one seed (name@host:raftport)");
                }
            }
        }
    }

    /** A member's Raft address, written {@code name@host:raftport} in node.yaml. */
    public record Seed(String name, String host, int raftPort) {
        private static final Pattern FORM = Pattern.compile("([^@]+)@([^:@]+):(\\d{1,5})");

        public Seed {
            NodeName.check(name);
            if (host == null || host.isBlank() || host.contains(":") || host.contains("@")) {
                throw new IllegalArgumentException("seed host '" + host + "' must be a host name or IPv4 address");
            }
            if (raftPort < 1 || raftPort > 65535) {
                throw new IllegalArgumentException("seed raft port must be 1..65535, got " + raftPort);
            }
        }

        /** Parses {@code name@host:raftport}; the message says what a seed looks like. */
        public static Seed parse(String text) {
            Matcher m = FORM.matcher(text == null ? "" : text);
            if (!m.matches()) {
                throw new IllegalArgumentException("'" + text + "' is not a seed; write name@host:raftport, for example node-1@127.0.0.1:41234");
            }
            return new Seed(m.group(1), m.group(2), Integer.parseInt(m.group(3)));
        }

        @Override
        public String toString() {
            return name + "@" + host + ":" + raftPort;
        }
    }
}
