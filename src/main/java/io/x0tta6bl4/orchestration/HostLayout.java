package io.x0tta6bl4.orchestration;

import java.nio.file.Path;

/**
 * Where everything of a cluster directory lives (docs/cluster.md has the same table):
 *
 * <pre>
 * DIR/ca/               the CA roots; only the operator's CLI reads them (cluster up, tokens)
 * DIR/bundle/           the exported trust bundle: public, what every process loads
 * DIR/policy.yaml       the bootstrap policy the nodes install and the host agent decides by
 * DIR/operator/         the operator's X.509-SVID (spiffe://DOMAIN/operator/cli), for the agent's API
 * DIR/host/issuer/      the host agent's intermediate issuing key and its own SVID
 * DIR/host/launch.json  how this host starts a node (java, options, class path)
 * DIR/host/agent.json   published by the running agent: {format, pid, started, port}
 * DIR/host/agent.lock   held by the running agent, so that two never share a directory
 * DIR/host/state.json   the agent's record of its nodes (spec, pid, start instant)
 * DIR/host/agent.log    the agent's stdout and stderr
 * DIR/host/native/      sqlite-jdbc's native library, extracted once for every node
 * DIR/node-N/           node.yaml, credentials/, data/ (endpoints.json), node.log
 * </pre>
 */
public record HostLayout(Path dir) {
    public HostLayout {
        dir = dir.toAbsolutePath().normalize();
    }

    public Path ca() {
        return dir.resolve("ca");
    }

    public Path bundle() {
        return dir.resolve("bundle");
    }

    public Path policy() {
        return dir.resolve("policy.yaml");
    }

    public Path operator() {
        return dir.resolve("operator");
    }

    public Path host() {
        return dir.resolve("host");
    }

    public Path issuer() {
        return host().resolve("issuer");
    }

    public Path launch() {
        return host().resolve("launch.json");
    }

    public Path agentRecord() {
        return host().resolve("agent.json");
    }

    Path agentLock() {
        return host().resolve("agent.lock");
    }

    public Path state() {
        return host().resolve("state.json");
    }

    public Path agentLog() {
        return host().resolve("agent.log");
    }

    public Path nativeLibraries() {
        return host().resolve("native");
    }

    public Path nodeDir(String name) {
        return dir.resolve(name);
    }

    public Path config(String name) {
        return nodeDir(name).resolve("node.yaml");
    }

    public Path credentials(String name) {
        return nodeDir(name).resolve("credentials");
    }

    public Path data(String name) {
        return nodeDir(name).resolve("data");
    }

    public Path endpoints(String name) {
        return data(name).resolve("endpoints.json");
    }

    public Path log(String name) {
        return nodeDir(name).resolve("node.log");
    }
}
