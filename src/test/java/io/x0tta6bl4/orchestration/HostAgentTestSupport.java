package io.x0tta6bl4.orchestration;

import io.x0tta6bl4.identity.CertificateAuthority;
import io.x0tta6bl4.identity.SpiffeId;
import io.x0tta6bl4.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Fixtures for tests on a host agent: directories, launches of stand-in nodes, and what a test leaves behind. */
public final class HostAgentTestSupport {
    private HostAgentTestSupport() {}

    /** The node pids a cluster directory's state.json records (every node its agent ever started). */
    public static List<Long> recordedPids(Path dir) {
        List<Long> pids = new ArrayList<>();
        HostState.load(new HostLayout(dir).state()).nodes().forEach(e -> e.process().ifPresent(p -> pids.add(p.pid())));
        return pids;
    }

    /** After a test on real nodes: the cluster in {@code dir} (if any) is brought down, and any process it recorded that survived is killed. */
    static void endCluster(Path dir) {
        if (!java.nio.file.Files.exists(dir.resolve(ClusterState.FILE))) {
            return;
        }
        try (LocalCluster c = LocalCluster.open(dir, line -> {})) {
            c.down();
        } finally {
            // A backstop in case down itself failed: nothing the test started survives it.
            recordedPids(dir).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    /** A node launch that runs {@link StandInNode} on a small heap instead of the real node. */
    static NodeLaunch standIn(String... extraOptions) {
        NodeLaunch real = NodeLaunch.current();
        List<String> options = new ArrayList<>(List.of("-XX:+UseSerialGC", "-Xmx48m", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        options.addAll(List.of(extraOptions));
        return new NodeLaunch(real.java(), options, real.classPath(), StandInNode.class.getName(), real.arguments());
    }

    /**
     * What {@code cluster up} makes before it starts anything, without the cluster.json: CA,
     * bundle, host issuer, operator, the given policy and launch. Returns the CA (for more clients).
     */
    static CertificateAuthority hostDirectory(Path dir, String policy, NodeLaunch launch) {
        HostLayout layout = new HostLayout(dir);
        Instant now = Instant.now();
        SecureRandom random = new SecureRandom();
        CertificateAuthority ca = CertificateAuthority.init(layout.ca(), "x0tta6bl4.local", now, random);
        ca.bundle().export(layout.bundle());
        ca.issueIssuer("local", Duration.ofDays(2), now, random, layout.issuer());
        ca.issueClient(new SpiffeId("x0tta6bl4.local", "/operator/cli"), Duration.ofDays(2), now, random, layout.operator());
        try {
            Files.writeString(layout.policy(), policy);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        launch.save(layout.launch());
        return ca;
    }

    /** The bootstrap policy cluster up writes: members read, operators do anything, nodes may orchestrate. */
    static String contractPolicy() {
        return Policy.defaultDocument("x0tta6bl4.local");
    }

    /** Entries of the system temporary directory whose name starts like sqlite-jdbc's extracted library. */
    static List<String> sqliteCopiesInTmp() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("sqlite-")).sorted().toList();
        }
    }
}
