package io.x0tta6bl4.node;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.x0tta6bl4.ledger.Ledger;
import io.x0tta6bl4.monitor.LoadSample;
import io.x0tta6bl4.monitor.PeerState;
import io.x0tta6bl4.monitor.ProbeResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The node's Prometheus metrics, in a registry of its own (not the library's global one, so two
 * nodes in one JVM, as in tests, do not mix). Names start with {@code x0tta6bl4_}; the list is in
 * docs/node.md.
 */
final class NodeMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter probes;
    private final Histogram probeLatency;
    private final Counter stateChanges;
    private final Counter refusals;
    private final Histogram commitLatency;
    private final Counter appendFailures;

    NodeMetrics(Supplier<Map<String, PeerState>> states, Supplier<LoadSample> load, Ledger ledger) {
        probes = Counter.builder().name("x0tta6bl4_probes_total").help("Probes of peers, by outcome")
                .labelNames("peer", "result").register(registry);
        probeLatency = Histogram.builder().name("x0tta6bl4_probe_latency_seconds").help("Round trip of answered probes")
                .labelNames("peer").classicOnly().classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1).register(registry);
        stateChanges = Counter.builder().name("x0tta6bl4_peer_state_changes_total").help("Failure detector state changes, by new state")
                .labelNames("peer", "to").register(registry);
        refusals = Counter.builder().name("x0tta6bl4_peer_tls_refusals_total")
                .help("Peer-channel handshakes refused because of the other side's certificate").labelNames("side").register(registry);
        commitLatency = Histogram.builder().name("x0tta6bl4_ledger_commit_latency_seconds").help("Time from append to commit of this node's entries")
                .classicOnly().classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5).register(registry);
        appendFailures = Counter.builder().name("x0tta6bl4_ledger_append_failures_total").help("Entries this node could not get committed")
                .register(registry);
        GaugeWithCallback.builder().name("x0tta6bl4_peer_state").help("1 for the state this node's detector holds for the peer")
                .labelNames("peer", "state").callback(cb -> states.get().forEach((peer, s) -> {
                    for (PeerState each : PeerState.values()) {
                        cb.call(each == s ? 1 : 0, peer, each.name().toLowerCase(Locale.ROOT));
                    }
                })).register(registry);
        loadGauge("x0tta6bl4_cpu_process_percent", "CPU used by this process, % of the machine", load, LoadSample::processCpuPercent);
        loadGauge("x0tta6bl4_cpu_system_percent", "CPU used on the machine, %", load, LoadSample::systemCpuPercent);
        loadGauge("x0tta6bl4_heap_percent", "Heap used, % of the maximum", load, LoadSample::heapPercent);
        loadGauge("x0tta6bl4_memory_percent", "Machine memory used (page cache counts as used), %", load, LoadSample::memoryPercent);
        loadGauge("x0tta6bl4_request_latency_p50_seconds", "API request latency p50 over the sliding window", load, l -> l.latencyP50Micros() / 1e6);
        loadGauge("x0tta6bl4_request_latency_p99_seconds", "API request latency p99 over the sliding window", load, l -> l.latencyP99Micros() / 1e6);
        loadGauge("x0tta6bl4_request_error_rate_percent", "API requests answered 5xx over the sliding window, %", load, LoadSample::errorRatePercent);
        loadGauge("x0tta6bl4_queue_length", "Ledger entries this node submitted that wait to be committed", load, l -> l.queueLength());
        loadGauge("x0tta6bl4_disk_write_seconds", "Latest 4 KiB write + fsync in the data directory", load,
                l -> l.diskWriteMicros() < 0 ? -1 : l.diskWriteMicros() / 1e6);
        loadGauge("x0tta6bl4_gc_pause_seconds", "GC pause time within the latest 100 ms sample", load, l -> l.gcPauseMillis() / 1e3);
        GaugeWithCallback.builder().name("x0tta6bl4_ledger_entries").help("Entries in this replica's ledger")
                .callback(cb -> cb.call(ledger.head().size())).register(registry);
        GaugeWithCallback.builder().name("x0tta6bl4_ledger_leader").help("1 while this replica leads the ledger's Raft group")
                .callback(cb -> cb.call(ledger.isLeader() ? 1 : 0)).register(registry);
    }

    private void loadGauge(String name, String help, Supplier<LoadSample> load, java.util.function.ToDoubleFunction<LoadSample> value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> {
            LoadSample l = load.get();
            if (l != null) {
                cb.call(value.applyAsDouble(l));
            }
        }).register(registry);
    }

    void probe(String peer, ProbeResult result) {
        switch (result) {
            case ProbeResult.Answered a -> {
                probes.labelValues(peer, "answered").inc();
                probeLatency.labelValues(peer).observe(a.roundTripNanos() / 1e9);
            }
            case ProbeResult.Failed f -> probes.labelValues(peer, f.kind().name().toLowerCase(Locale.ROOT)).inc();
        }
    }

    void stateChange(String peer, PeerState to) {
        stateChanges.labelValues(peer, to.name().toLowerCase(Locale.ROOT)).inc();
    }

    void refused(String side) {
        refusals.labelValues(side).inc();
    }

    void committed(long nanos) {
        commitLatency.observe(nanos / 1e9);
    }

    void appendFailed() {
        appendFailures.inc();
    }

    String contentType() {
        return writer.getContentType();
    }

    byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
