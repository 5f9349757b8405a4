package io.x0tta6bl4.node;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.x0tta6bl4.identity.NodeName;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.ledger.Replica;
import io.x0tta6bl4.policy.Policy;
import io.x0tta6bl4.policy.PolicyException;
import io.x0tta6bl4.monitor.DetectorSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a node's YAML configuration strictly: unknown fields, missing fields, wrong types and
 * values out of range are all reported, each with the file, line and field path
 * ({@code node.yaml:14: peers[1].raft_port: must be 1..65535, got 70000}), and nothing is
 * returned unless every field is valid. Relative paths are resolved against the file's folder.
 */
public final class NodeConfigLoader {
    private static final YAMLFactory YAML = YAMLFactory.builder().build();
    private static final ObjectMapper MAPPER = new ObjectMapper(YAML);

    private NodeConfigLoader() {}

    public static NodeConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, List.of(file + ": does not exist; write one (see docs/node-config.md) or run x0tta6bl4 cluster up"));
        } catch (IOException e) {
            throw new ConfigException(file, List.of(file + ": cannot read: " + e.getMessage()));
        }
        return parse(file, text);
    }

    static NodeConfig parse(Path file, String yaml) {
        Reader r = new Reader(file);
        JsonNode root;
        try {
            r.indexLines(yaml);
            root = MAPPER.readTree(yaml);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new ConfigException(file, List.of(file + ":" + line + ": not valid YAML: " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException(file, List.of(file + ": cannot read: " + e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(file, List.of(file + ":1: the file must be a YAML mapping (name: ..., trust_domain: ..., ...)"));
        }
        Path base = file.toAbsolutePath().getParent();
        r.only(root, "", "name", "trust_domain", "host", "data_dir", "ca_dir", "bundle_dir", "credentials_dir", "ports", "join", "probe", "load",
                "api", "host_agent");

        String name = r.text(root, "", "name");
        if (name != null) {
            r.check("name", () -> NodeName.check(name));
        }
        String domain = r.text(root, "", "trust_domain");
        if (domain != null) {
            r.check("trust_domain", () -> SpiffeId.checkTrustDomain(domain));
        }
        String listenHost = root.has("host") ? r.text(root, "", "host") : NodeConfig.DEFAULT_HOST;
        String dataDir = r.text(root, "", "data_dir");
        Path bundleDir = null;
        Path credentialsDir = null;
        if (root.has("ca_dir")) {
            // The hand-made form: bundle and credentials in one CA directory (ca issue-node).
            if (root.has("bundle_dir") || root.has("credentials_dir")) {
                r.problem("ca_dir", "give either ca_dir (a CA directory with nodes/<name>/) or bundle_dir and credentials_dir, not both");
            }
            String caDir = r.text(root, "", "ca_dir");
            if (caDir != null && name != null) {
                bundleDir = base.resolve(caDir).normalize();
                credentialsDir = bundleDir.resolve("nodes").resolve(name);
            }
        } else {
            String bundle = root.has("bundle_dir") ? r.text(root, "", "bundle_dir") : null;
            String credentials = root.has("credentials_dir") ? r.text(root, "", "credentials_dir") : null;
            if (bundle == null || credentials == null) {
                if (bundle == null && !root.has("bundle_dir")) {
                    r.problem("", "field 'bundle_dir' is missing (the trust bundle; or give ca_dir for a CA directory)");
                }
                if (credentials == null && !root.has("credentials_dir")) {
                    r.problem("", "field 'credentials_dir' is missing (this node's own credentials; or give ca_dir)");
                }
            } else {
                bundleDir = base.resolve(bundle).normalize();
                credentialsDir = base.resolve(credentials).normalize();
            }
        }

        NodeConfig.Ports ports = NodeConfig.Ports.ANY;
        JsonNode portsNode = r.object(root, "", "ports", false);
        if (portsNode != null) {
            r.only(portsNode, "ports", "api", "peer", "raft");
            Integer api = r.portOrAny(portsNode, "ports", "api");
            Integer peer = r.portOrAny(portsNode, "ports", "peer");
            Integer raft = r.portOrAny(portsNode, "ports", "raft");
            if (api != null && peer != null && raft != null) {
                if ((api != 0 && (api.equals(peer) || api.equals(raft))) || (peer != 0 && peer.equals(raft))) {
                    r.problem("ports", "api, peer and raft must be three different ports, got " + api + ", " + peer + ", " + raft);
                }
                ports = new NodeConfig.Ports(api, peer, raft);
            }
        }
        NodeConfig.Join join = join(r, root.get("join"));

        DetectorSettings detector = probe(r, root.get("probe"));
        NodeConfig.LoadThresholds load = load(r, root.get("load"));
        NodeConfig.Api api = api(r, root, base);
        String agent = root.has("host_agent") ? r.text(root, "", "host_agent") : null;
        Optional<Path> hostAgent = agent == null ? Optional.empty() : Optional.of(base.resolve(agent).normalize());

        if (!r.problems.isEmpty()) {
            throw new ConfigException(file, r.problems);
        }
        return new NodeConfig(file, name, domain, listenHost, base.resolve(dataDir).normalize(), bundleDir, credentialsDir, ports, join,
                detector, load, api, hostAgent);
    }

    /** The {@code join} section: {@code bootstrap: true}, or {@code seeds: [name@host:port, ...]}. */
    private static NodeConfig.Join join(Reader r, JsonNode node) {
        if (node == null || node.isNull()) {
            r.problem("", "field 'join' is missing: write join: {bootstrap: true} for the first node of a new mesh, or "
                    + "join: {seeds: [\"node-1@127.0.0.1:7101\"]} with the raft address of a member");
            return null;
        }
        if (!node.isObject()) {
            r.problem("join", "must be a mapping {bootstrap: true} or {seeds: [...]}");
            return null;
        }
        r.only(node, "join", "bootstrap", "seeds");
        boolean bootstrap = r.bool(node, "join", "bootstrap", false);
        JsonNode seeds = node.get("seeds");
        if (bootstrap && seeds != null) {
            r.problem("join", "give bootstrap: true or seeds, not both");
            return null;
        }
        if (bootstrap) {
            return new NodeConfig.Join.Bootstrap();
        }
        if (seeds == null || !seeds.isArray() || seeds.isEmpty()) {
            r.problem("join.seeds", "must be a non-empty list of members' raft addresses, name@host:port (e.g. node-1@127.0.0.1:7101)");
            return null;
        }
        List<Replica> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < seeds.size(); i++) {
            String path = "join.seeds[" + i + "]";
            JsonNode seed = seeds.get(i);
            if (!seed.isTextual()) {
                r.problem(path, "must be a string name@host:port");
                continue;
            }
            try {
                Replica replica = Replica.parse(seed.asText());
                NodeName.check(replica.name());
                if (!names.add(replica.name())) {
                    r.problem(path, "'" + replica.name() + "' appears twice");
                }
                out.add(replica);
            } catch (IllegalArgumentException e) {
                r.problem(path, e.getMessage());
            }
        }
        return new NodeConfig.Join.Seeds(out);
    }

    private static DetectorSettings probe(Reader r, JsonNode node) {
        DetectorSettings d = DetectorSettings.sourceDefaults();
        if (node == null || node.isNull()) {
            return d;
        }
        if (!node.isObject()) {
            r.problem("probe", "must be a mapping {interval, timeout, misses, detector}");
            return d;
        }
        r.only(node, "probe", "interval", "timeout", "misses", "suspect_after", "detector", "max_lateness", "admit_after");
        Duration interval = r.duration(node, "probe", "interval", d.interval());
        Duration timeout = r.duration(node, "probe", "timeout", d.timeout());
        Duration lateness = r.duration(node, "probe", "max_lateness", d.maxLateness());
        int misses = r.integer(node, "probe", "misses", d.downAfter(), 1, 100);
        int suspect = r.integer(node, "probe", "suspect_after", Math.max(1, misses - 1), 1, 100);
        int admit = r.integer(node, "probe", "admit_after", d.admitAfter(), 1, 10_000);
        DetectorSettings.Kind kind = d.kind();
        JsonNode k = node.get("detector");
        if (k != null) {
            kind = null;
            for (DetectorSettings.Kind candidate : DetectorSettings.Kind.values()) {
                if (candidate.configName().equals(k.asText())) {
                    kind = candidate;
                }
            }
            if (kind == null) {
                r.problem("probe.detector", "'" + k.asText() + "' is not a detector; use consecutive-misses or phi-accrual");
                kind = d.kind();
            }
        }
        try {
            return new DetectorSettings(kind, interval, timeout, suspect, misses, d.phiSuspect(), d.phiDown(), d.minDeviation(), lateness, admit);
        } catch (IllegalArgumentException e) {
            r.problem("probe", e.getMessage());
            return d;
        }
    }

    /** What fits in a POLICY_CHANGE entry's payload with its JSON envelope (the ledger's limit is 64 KiB). */
    static final int MAX_BOOTSTRAP_POLICY_BYTES = 56 * 1024;

    /**
     * The {@code api} section. A bootstrap policy file is read and parsed here, so a bad one stops
     * the node at start with the policy file's own line and field, not at the first request.
     */
    private static NodeConfig.Api api(Reader r, JsonNode root, Path base) {
        JsonNode node = r.object(root, "", "api", false);
        if (node == null) {
            return NodeConfig.Api.DEFAULTS;
        }
        r.only(node, "api", "audience", "bootstrap_policy");
        String audience = node.has("audience") ? r.text(node, "api", "audience") : NodeConfig.Api.DEFAULT_AUDIENCE;
        Optional<Policy> policy = Optional.empty();
        if (node.has("bootstrap_policy")) {
            String file = r.text(node, "api", "bootstrap_policy");
            if (file != null) {
                Path path = base.resolve(file).normalize();
                try {
                    String text = Files.readString(path, StandardCharsets.UTF_8);
                    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
                    if (bytes > MAX_BOOTSTRAP_POLICY_BYTES) {
                        r.problem("api.bootstrap_policy", path + " is " + bytes + " bytes; a policy is stored whole in one ledger entry, so at most "
                                + MAX_BOOTSTRAP_POLICY_BYTES + " bytes");
                        return new NodeConfig.Api(audience == null ? NodeConfig.Api.DEFAULT_AUDIENCE : audience, Optional.empty());
                    }
                    policy = Optional.of(Policy.parse(text, path.toString()));
                } catch (NoSuchFileException e) {
                    r.problem("api.bootstrap_policy", path + " does not exist");
                } catch (IOException e) {
                    r.problem("api.bootstrap_policy", "cannot read " + path + ": " + e.getMessage());
                } catch (PolicyException e) {
                    r.problem("api.bootstrap_policy", e.getMessage());
                }
            }
        }
        return new NodeConfig.Api(audience == null ? NodeConfig.Api.DEFAULT_AUDIENCE : audience, policy);
    }

    private static NodeConfig.LoadThresholds load(Reader r, JsonNode node) {
        NodeConfig.LoadThresholds d = NodeConfig.LoadThresholds.DEFAULTS;
        if (node == null || node.isNull()) {
            return d;
        }
        if (!node.isObject()) {
            r.problem("load", "must be a mapping {cpu_percent, memory_percent, latency_p99, error_rate_percent, queue_length, sustain}");
            return d;
        }
        r.only(node, "load", "cpu_percent", "memory_percent", "latency_p99", "error_rate_percent", "queue_length", "sustain");
        return new NodeConfig.LoadThresholds(
                r.percent(node, "load", "cpu_percent", d.cpuPercent()),
                r.percent(node, "load", "memory_percent", d.memoryPercent()),
                r.duration(node, "load", "latency_p99", d.latencyP99()),
                r.percent(node, "load", "error_rate_percent", d.errorRatePercent()),
                r.integer(node, "load", "queue_length", d.queueLength(), 1, Integer.MAX_VALUE),
                r.duration(node, "load", "sustain", d.sustain()));
    }

    /** Field access that records problems with their line instead of failing at the first. */
    private static final class Reader {
        private final Path file;
        private final Map<String, Integer> lines = new HashMap<>();
        private final List<String> problems = new ArrayList<>();

        Reader(Path file) {
            this.file = file;
        }

        /** Remembers the line of every field path, for messages. */
        void indexLines(String yaml) throws IOException {
            try (JsonParser p = YAML.createParser(yaml)) {
                if (p.nextToken() != null) {
                    walk(p, "");
                }
            }
        }

        private void walk(JsonParser p, String path) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String child = path.isEmpty() ? p.currentName() : path + "." + p.currentName();
                    lines.put(child, p.currentLocation().getLineNr());
                    p.nextToken();
                    walk(p, child);
                }
            } else if (t == JsonToken.START_ARRAY) {
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    String child = path + "[" + i++ + "]";
                    lines.putIfAbsent(child, p.currentLocation().getLineNr());
                    walk(p, child);
                }
            }
        }

        void problem(String path, String message) {
            String at = path;
            Integer line = null;
            while (line == null && at != null) {
                line = lines.get(at);
                at = at.isEmpty() ? null : parent(at);
            }
            problems.add(file + ":" + (line == null ? 1 : line) + ": " + (path.isEmpty() ? "" : path + ": ") + message);
        }

        private static String parent(String path) {
            int dot = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
            return dot < 0 ? "" : path.substring(0, dot);
        }

        void check(String path, Runnable validation) {
            try {
                validation.run();
            } catch (IllegalArgumentException e) {
                problem(path, e.getMessage());
            }
        }

        void only(JsonNode node, String path, String... allowed) {
            Set<String> ok = Set.of(allowed);
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!ok.contains(f)) {
                    problem(join(path, f), "unknown field; allowed here: " + String.join(", ", allowed));
                }
            }
        }

        private static String join(String path, String field) {
            return path.isEmpty() ? field : path + "." + field;
        }

        String text(JsonNode node, String path, String field) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                problem(path, "field '" + field + "' is missing");
                return null;
            }
            if (!v.isTextual() || v.asText().isBlank()) {
                problem(join(path, field), "must be a non-empty string");
                return null;
            }
            return v.asText();
        }

        JsonNode object(JsonNode node, String path, String field, boolean required) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                if (required) {
                    problem(path, "field '" + field + "' is missing");
                }
                return null;
            }
            if (!v.isObject()) {
                problem(join(path, field), "must be a mapping");
                return null;
            }
            return v;
        }

        /** A port, or 0 for "any free port"; absent is 0. */
        Integer portOrAny(JsonNode node, String path, String field) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return 0;
            }
            if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > 65535) {
                problem(join(path, field), "must be a port number 1..65535, or 0 for a free one, got " + v.asText());
                return null;
            }
            return v.asInt();
        }

        Integer port(JsonNode node, String path, String field) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                problem(path, "field '" + field + "' is missing");
                return null;
            }
            if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > 65535) {
                problem(join(path, field), "must be a port number 1..65535, got " + v.asText());
                return null;
            }
            return v.asInt();
        }

        int integer(JsonNode node, String path, String field, int fallback, int min, int max) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
                problem(join(path, field), "must be a whole number " + min + ".." + max + ", got " + v.asText());
                return fallback;
            }
            return v.asInt();
        }

        double percent(JsonNode node, String path, String field, double fallback) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isNumber() || v.asDouble() < 0 || v.asDouble() > 100) {
                problem(join(path, field), "must be a percentage 0..100, got " + v.asText());
                return fallback;
            }
            return v.asDouble();
        }

        boolean bool(JsonNode node, String path, String field, boolean fallback) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isBoolean()) {
                problem(join(path, field), "must be true or false, got " + v.asText());
                return fallback;
            }
            return v.asBoolean();
        }

        Duration duration(JsonNode node, String path, String field, Duration fallback) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return fallback;
            }
            Duration d = Durations.parse(v.asText()).orElse(null);
            if (d == null || d.isNegative() || d.isZero()) {
                problem(join(path, field), "'" + v.asText() + "' is not a positive duration; write e.g. 100ms, 2s, 5m");
                return fallback;
            }
            return d;
        }
    }
}
