package io.x0tta6bl4.bench;

import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.x0tta6bl4.orchestration.ClusterException;
import io.x0tta6bl4.orchestration.NodeClient;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The API load harness of issue 5: how fast does a node answer {@code GET /api/network/status}
 * (token verified, policy decided, audit entry committed through Raft) compared with
 * {@code GET /health} (the same listener, no token, no audit) in the same run?
 *
 * <p>{@code concurrency} client threads (virtual), each with its own kept-alive TLS connection,
 * send requests back to back: a closed loop, so throughput is what the node sustains and latency
 * is what each request saw. The endpoints take turns in rounds ({@code /health} for one phase,
 * then the status for one phase, and so on) after a warm-up of both, so that drift of a noisy
 * machine falls on both alike. The client runs on the same two cores as the cluster: the figures
 * are for this machine, and the ratio is the number to compare.
 */
public final class ApiLoad {
    /** What was measured for one endpoint. */
    public record Result(String path, long requests, long failures, Duration elapsed, Duration p50, Duration p99, Duration max) {
        public double perSecond() {
            return requests / (elapsed.toNanos() / 1e9);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-20s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms  (%d requests, %d failed)", path, perSecond(),
                    p50.toNanos() / 1e6, p99.toNanos() / 1e6, max.toNanos() / 1e6, requests, failures);
        }
    }

    /** Both endpoints, and the throughput ratio status / health. */
    public record Report(Result health, Result status) {
        public double ratio() {
            return status.perSecond() / health.perSecond();
        }
    }

    /** The run's shape. */
    public record Plan(int concurrency, Duration warmUp, Duration phase, int rounds) {
        public Plan {
            if (concurrency < 1 || rounds < 1 || phase.isNegative() || phase.isZero() || warmUp.isNegative()) {
                throw ClusterException.usage("the load plan needs concurrency >= 1, rounds >= 1 and a positive phase, got " + concurrency + ", "
                        + rounds + ", " + phase);
            }
        }
    }

    static final String HEALTH = "/health";
    static final String STATUS = "/api/network/status";

    private final String host;
    private final int port;
    private final SSLContext tls;
    private final Supplier<String> token;
    private final Consumer<String> progress;

    /** @param token the bearer token of each status request (asked per request, so a long run can renew it) */
    public ApiLoad(String host, int port, X509Certificate root, Supplier<String> token, Consumer<String> progress) {
        this.host = host;
        this.port = port;
        this.tls = NodeClient.trusting(root);
        this.token = token;
        this.progress = progress;
    }

    public Report run(Plan plan) {
        List<WebClient> clients = new ArrayList<>();
        for (int i = 0; i < plan.concurrency(); i++) {
            clients.add(WebClient.builder()
                    .baseUri("https://" + host + ":" + port)
                    .tls(Tls.builder().sslContext(tls).build())
                    .protocolPreference(List.of("http/1.1"))
                    .shareConnectionCache(false)
                    .socketOptions(o -> o.tcpNoDelay(true))
                    .readTimeout(Duration.ofSeconds(10))
                    .build());
        }
        try {
            if (plan.warmUp().isPositive()) {
                progress.accept("warming up for " + plan.warmUp().toSeconds() + " s on each endpoint ...");
                phase(clients, HEALTH, plan.warmUp());
                phase(clients, STATUS, plan.warmUp());
            }
            List<Phase> health = new ArrayList<>();
            List<Phase> status = new ArrayList<>();
            for (int r = 1; r <= plan.rounds(); r++) {
                health.add(phase(clients, HEALTH, plan.phase()));
                status.add(phase(clients, STATUS, plan.phase()));
                progress.accept(String.format(Locale.ROOT, "round %d/%d: /health %.0f req/s, status %.0f req/s", r, plan.rounds(),
                        health.getLast().perSecond(), status.getLast().perSecond()));
            }
            return new Report(merge(HEALTH, health), merge(STATUS, status));
        } finally {
            clients.forEach(WebClient::closeResource);
        }
    }

    /** One endpoint, all workers, for {@code length}: per-request latencies and failures. */
    private record Phase(long[] latencies, long failures, long elapsedNanos) {
        double perSecond() {
            return latencies.length / (elapsedNanos / 1e9);
        }
    }

    private Phase phase(List<WebClient> clients, String path, Duration length) {
        long start = System.nanoTime();
        long end = start + length.toNanos();
        AtomicLong failures = new AtomicLong();
        long[][] perWorker = new long[clients.size()][];
        CountDownLatch done = new CountDownLatch(clients.size());
        for (int w = 0; w < clients.size(); w++) {
            int worker = w;
            WebClient client = clients.get(w);
            // One header per worker and phase: a token lives for minutes, a phase for seconds, and
            // the client's own cost must be the same on both routes.
            String authorization = path.equals(STATUS) ? "Bearer " + token.get() : null;
            Thread.ofVirtual().name("api-load-" + w).start(() -> {
                long[] lat = new long[1024];
                int n = 0;
                try {
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        var request = client.get(path);
                        if (authorization != null) {
                            request.header(io.helidon.http.HeaderNames.AUTHORIZATION, authorization);
                        }
                        boolean ok;
                        try (HttpClientResponse res = request.request()) {
                            ok = res.status().code() == 200;
                            res.entity().consume();
                        } catch (RuntimeException e) {
                            ok = false;
                        }
                        long t1 = System.nanoTime();
                        if (ok) {
                            if (n == lat.length) {
                                lat = Arrays.copyOf(lat, n * 2);
                            }
                            lat[n++] = t1 - t0;
                        } else {
                            failures.incrementAndGet();
                        }
                    }
                } finally {
                    perWorker[worker] = Arrays.copyOf(lat, n);
                    done.countDown();
                }
            });
        }
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ClusterException.failed("interrupted while measuring " + path);
        }
        long elapsed = System.nanoTime() - start;
        return new Phase(Arrays.stream(perWorker).flatMapToLong(Arrays::stream).toArray(), failures.get(), elapsed);
    }

    private static Result merge(String path, List<Phase> phases) {
        long[] all = phases.stream().flatMapToLong(p -> Arrays.stream(p.latencies())).sorted().toArray();
        long elapsed = phases.stream().mapToLong(Phase::elapsedNanos).sum();
        long failures = phases.stream().mapToLong(Phase::failures).sum();
        if (all.length == 0) {
            throw ClusterException.failed(path + ": no request succeeded (" + failures + " failed); is the node up and the token allowed?");
        }
        return new Result(path, all.length, failures, Duration.ofNanos(elapsed), Duration.ofNanos(Percentiles.nearestRank(all, 0.50)),
                Duration.ofNanos(Percentiles.nearestRank(all, 0.99)), Duration.ofNanos(all[all.length - 1]));
    }
}
