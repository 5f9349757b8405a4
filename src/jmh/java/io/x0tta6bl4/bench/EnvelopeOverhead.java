package io.x0tta6bl4.bench;

import io.x0tta6bl4.crypto.Suite;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Checks the envelope target, "seal + open ≤ 1.15 × the sum of its primitives measured in the
 * same run", from one JMH run:
 *
 * <pre>
 *   seal primitives = KEM encapsulate (suite's) + HKDF-SHA256 + AES-256-GCM seal 1 KiB + ML-DSA-65 sign (signed body)
 *   open primitives = ML-DSA-65 verify (signed body) + KEM decapsulate (suite's) + HKDF-SHA256 + AES-256-GCM open 1 KiB
 *   ratio           = (Envelope.seal + EnvelopeOpener.open) / (seal primitives + open primitives)
 * </pre>
 *
 * where the suite's KEM is ML-KEM-768 for mlkem768 and {@code HybridKem} for xwing, and the
 * signed body is the bytes a 1 KiB envelope of that suite signs (2256 / 2288). It runs the needed
 * {@link CryptoBenchmark} and {@link EnvelopeBenchmark} methods, then prints each mean with its
 * 99.9 % confidence half-width and the median of its iterations, the sums, the ratios with a
 * conservative interval (the extremes of the half-widths) and the ratio of the medians (a check
 * against one disturbed iteration), and PASS or FAIL per suite on the ratio of the means. Exits 1
 * when a suite fails.
 *
 * <p>Arguments are JMH's own options ({@code -f -wi -i -w -r -rf -rff -jvmArgsAppend ...}); any
 * given override the defaults here (1 fork, 12 × 1 s warmup, 5 × 1 s measurement: about 5 minutes
 * for the 15 benchmarks on 2 cores, where signing needs about 12 s of warmup before C2 settles).
 * The benchmark selection, mode and unit are fixed. Through Maven, pass {@code -Djmh.args=} (empty,
 * or only the options wanted), or the pom's default {@code jmh.args} replaces these defaults:
 * {@code ./mvnw -Pbench test-compile exec:exec -Djmh.main=io.x0tta6bl4.bench.EnvelopeOverhead -Djmh.args=}
 * (docs/benchmarks.md).
 */
public final class EnvelopeOverhead {
    static final double TARGET = 1.15;

    private static final String CRYPTO = CryptoBenchmark.class.getName() + ".";
    private static final String ENVELOPE = EnvelopeBenchmark.class.getName() + ".";

    private EnvelopeOverhead() {}

    /**
     * One benchmark's mean, the half-width of its 99.9 % confidence interval and the median of its
     * measurement iterations, µs/op. Sums add means and medians, and add half-widths (the worst
     * case, not a root sum of squares).
     */
    record Score(double mean, double error, double median) {
        Score plus(Score o) {
            return new Score(mean + o.mean, err() + o.err(), median + o.median);
        }

        /** NaN (too few iterations for an interval) counts as zero width. */
        double err() {
            return Double.isNaN(error) ? 0 : error;
        }
    }

    public static void main(String[] args) throws CommandLineOptionException, RunnerException {
        CommandLineOptions cli = new CommandLineOptions(args);
        if (!cli.getIncludes().isEmpty()) {
            throw new IllegalArgumentException("EnvelopeOverhead chooses its own benchmarks; pass only JMH options, not "
                    + cli.getIncludes());
        }
        int mlkemBody = BenchFixtures.signedBodyLength(Suite.MLKEM768);
        int xwingBody = BenchFixtures.signedBodyLength(Suite.XWING);
        ChainedOptionsBuilder b = new OptionsBuilder().parent(cli)
                .include("^" + quote(CRYPTO) + "(mlKemEncapsulate|mlKemDecapsulate|hybridEncapsulate|hybridDecapsulate"
                        + "|hkdfDerive|aesGcmSeal1KiB|aesGcmOpen1KiB|mlDsaSign|mlDsaVerify)$")
                .include("^" + quote(ENVELOPE) + "(seal|open)$")
                .param("messageBytes", String.valueOf(mlkemBody), String.valueOf(xwingBody))
                .mode(Mode.AverageTime)
                .timeUnit(TimeUnit.MICROSECONDS);
        if (!cli.getForkCount().hasValue()) {
            b.forks(1);
        }
        if (!cli.getWarmupIterations().hasValue()) {
            b.warmupIterations(12);
        }
        if (!cli.getWarmupTime().hasValue()) {
            b.warmupTime(TimeValue.seconds(1));
        }
        if (!cli.getMeasurementIterations().hasValue()) {
            b.measurementIterations(5);
        }
        if (!cli.getMeasurementTime().hasValue()) {
            b.measurementTime(TimeValue.seconds(1));
        }
        Options options = b.build();
        Collection<RunResult> results = new Runner(options).run();

        Map<String, Score> scores = new HashMap<>();
        for (RunResult r : results) {
            Result<?> primary = r.getPrimaryResult();
            if (!"us/op".equals(primary.getScoreUnit())) {
                throw new IllegalStateException("expected us/op, got " + primary.getScoreUnit());
            }
            scores.put(key(r), new Score(primary.getScore(), primary.getScoreError(), primary.getStatistics().getPercentile(50)));
        }

        RunResult any = results.iterator().next();
        System.out.println();
        System.out.println("Envelope overhead: JMH " + any.getParams().getJmhVersion() + ", average time, µs/op,"
                + " mean ± 99.9 % CI half-width, [median of iterations]; all figures from this one run");
        System.out.printf(Locale.ROOT, "JDK %s (%s, %s), %d CPUs, %s; forks %d, warmup %d × %s, measurement %d × %s%n",
                any.getParams().getJdkVersion(), System.getProperty("java.vendor.version", "?"), any.getParams().getVmName(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), any.getParams().getForks(),
                any.getParams().getWarmup().getCount(), any.getParams().getWarmup().getTime(),
                any.getParams().getMeasurement().getCount(), any.getParams().getMeasurement().getTime());

        List<String> verdicts = new ArrayList<>();
        boolean allPass = true;
        for (Suite suite : Suite.values()) {
            int body = BenchFixtures.signedBodyLength(suite);
            boolean hybrid = suite == Suite.XWING;
            String kemName = hybrid ? "X25519+ML-KEM-768" : "ML-KEM-768";
            Score enc = scores.get(CRYPTO + (hybrid ? "hybridEncapsulate" : "mlKemEncapsulate"));
            Score dec = scores.get(CRYPTO + (hybrid ? "hybridDecapsulate" : "mlKemDecapsulate"));
            Score hkdf = scores.get(CRYPTO + "hkdfDerive");
            Score aesSeal = scores.get(CRYPTO + "aesGcmSeal1KiB");
            Score aesOpen = scores.get(CRYPTO + "aesGcmOpen1KiB");
            Score sign = scores.get(CRYPTO + "mlDsaSign messageBytes=" + body);
            Score verify = scores.get(CRYPTO + "mlDsaVerify messageBytes=" + body);
            Score seal = scores.get(ENVELOPE + "seal suite=" + suite.name());
            Score open = scores.get(ENVELOPE + "open suite=" + suite.name());
            if (java.util.stream.Stream.of(enc, dec, hkdf, aesSeal, aesOpen, sign, verify, seal, open)
                    .anyMatch(java.util.Objects::isNull)) {
                System.out.println("\nsuite " + suite.cliName() + ": not all benchmarks ran (filtered by -p?); skipped");
                continue;
            }
            Score sealSum = enc.plus(hkdf).plus(aesSeal).plus(sign);
            Score openSum = verify.plus(dec).plus(hkdf).plus(aesOpen);
            Score primitives = sealSum.plus(openSum);
            Score envelope = seal.plus(open);

            System.out.printf(Locale.ROOT, "%nsuite %s (1 KiB plaintext, signed body %d B)%n", suite.cliName(), body);
            row("  " + kemName + " encapsulate", enc);
            row("  HKDF-SHA256 derive", hkdf);
            row("  AES-256-GCM seal 1 KiB", aesSeal);
            row("  ML-DSA-65 sign " + body + " B", sign);
            row("  = seal primitives", sealSum);
            row("  Envelope.seal", seal);
            ratioRow("  seal ratio", seal, sealSum);
            row("  ML-DSA-65 verify " + body + " B", verify);
            row("  " + kemName + " decapsulate", dec);
            row("  HKDF-SHA256 derive", hkdf);
            row("  AES-256-GCM open 1 KiB", aesOpen);
            row("  = open primitives", openSum);
            row("  EnvelopeOpener.open", open);
            ratioRow("  open ratio", open, openSum);
            row("  seal + open primitives", primitives);
            row("  Envelope.seal + EnvelopeOpener.open", envelope);
            double ratio = ratioRow("  seal+open ratio", envelope, primitives);
            boolean pass = ratio <= TARGET;
            allPass &= pass;
            verdicts.add(String.format(Locale.ROOT,
                    "%-9s seal+open %.1f µs / primitives %.1f µs = %.3f (medians: %.3f)  target ≤ %.2f  %s",
                    suite.cliName(), envelope.mean(), primitives.mean(), ratio, envelope.median() / primitives.median(),
                    TARGET, pass ? "PASS" : "FAIL"));
        }
        System.out.println();
        verdicts.forEach(System.out::println);
        if (!allPass) {
            System.exit(1);
        }
    }

    private static String key(RunResult r) {
        String name = r.getParams().getBenchmark();
        for (String p : r.getParams().getParamsKeys()) {
            name += " " + p + "=" + r.getParams().getParam(p);
        }
        return name;
    }

    private static String quote(String s) {
        return s.replace(".", "\\.");
    }

    private static void row(String label, Score s) {
        System.out.printf(Locale.ROOT, "%-42s %10.2f ± %-8.2f [%.2f]%n", label, s.mean(), s.err(), s.median());
    }

    /**
     * Prints and returns {@code a / b} of the means, with the interval from the extremes of both
     * half-widths, and the ratio of the medians.
     */
    private static double ratioRow(String label, Score a, Score b) {
        double ratio = a.mean() / b.mean();
        double low = (a.mean() - a.err()) / (b.mean() + b.err());
        double high = (a.mean() + a.err()) / Math.max(b.mean() - b.err(), Double.MIN_VALUE);
        System.out.printf(Locale.ROOT, "%-42s %10.3f   (%.3f .. %.3f) [%.3f]%n", label, ratio, low, high,
                a.median() / b.median());
        return ratio;
    }
}
