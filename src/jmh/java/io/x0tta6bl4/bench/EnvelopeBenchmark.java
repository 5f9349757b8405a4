package io.x0tta6bl4.bench;

import io.x0tta6bl4.crypto.Envelope;
import io.x0tta6bl4.crypto.EnvelopeOpener;
import io.x0tta6bl4.crypto.EnvelopeRejectedException;
import io.x0tta6bl4.crypto.Opened;
import io.x0tta6bl4.crypto.PeerKeys;
import io.x0tta6bl4.crypto.Suite;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Envelope#seal} and {@link EnvelopeOpener#open} of a 1 KiB CONFIG_UPDATE from node-a to
 * node-b, for both suites. Compare with {@link CryptoBenchmark}: the envelope's overhead is what
 * these cost beyond the sum of their primitives ({@link EnvelopeOverhead} computes the ratio).
 *
 * <p><b>Open and the replay cache.</b> An opener refuses a message id it has already accepted, so
 * the same bytes cannot be opened twice by one opener. The trial setup seals a pool of
 * {@value #POOL} distinct envelopes (distinct ids, nonces, KEM ciphertexts and signatures); the
 * benchmark opens them in turn with one opener, and when the pool wraps around it starts a new
 * opener (an empty replay cache: two empty collections, nanoseconds, amortised over
 * {@value #POOL} opens). So every measured open is a full, successful open that inserts into a
 * replay cache holding 0..{@value #POOL} ids, as a node's cache would under a steady stream.
 *
 * <p><b>Time.</b> Envelopes carry their seal time and the opener accepts ±30 s. The opener's
 * clock is an {@link InstantSource#fixed} at the seal time, so a pool sealed once stays fresh for
 * the whole run; reading it costs no more than a system clock. Seal gets that instant as its
 * {@code now} argument, as a caller passes its clock's reading.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 12, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"}) // see docs/benchmarks.md, "Heap"
public class EnvelopeBenchmark {
    /** Envelopes sealed ahead for the open benchmark (a 1 s iteration opens 5-8 k, so the pool wraps). */
    static final int POOL = 4096;

    /** Sender and recipient keys and a 1 KiB plaintext, for one suite. */
    static final class Fixture {
        final Suite suite;
        final SecureRandom random = new SecureRandom();
        final BenchFixtures.Party sender;
        final BenchFixtures.Party recipient;
        final byte[] plaintext = new byte[BenchFixtures.PLAINTEXT_BYTES];
        final Instant now = Instant.now();

        Fixture(Suite suite) {
            this.suite = suite;
            sender = BenchFixtures.Party.generate(BenchFixtures.SENDER, random);
            recipient = BenchFixtures.Party.generate(BenchFixtures.RECIPIENT, random);
            random.nextBytes(plaintext);
            BenchFixtures.checkLayout(suite, sender, recipient, random);
        }

        byte[] seal() {
            return Envelope.seal(suite, sender.local(), recipient.peer(), BenchFixtures.CONTENT_TYPE, plaintext, now, random);
        }

        EnvelopeOpener newOpener() {
            PeerKeys senderKeys = sender.peer();
            return new EnvelopeOpener(recipient.local(),
                    id -> id.equals(senderKeys.id()) ? Optional.of(senderKeys) : Optional.empty(),
                    InstantSource.fixed(now));
        }
    }

    /*
     * Each state builds its own Fixture rather than depending on a shared state: JMH 1.37 gives a
     * state injected into another state's @Setup a different instance from the one passed to the
     * benchmark method, which would seal with one key pair and open with another.
     */

    @State(Scope.Thread)
    public static class Parties {
        @Param({"MLKEM768", "XWING"})
        public Suite suite;

        Fixture f;

        @Setup(Level.Trial)
        public void setup() {
            f = new Fixture(suite);
        }
    }

    /** {@value #POOL} distinct envelopes to open, and the opener currently opening them. */
    @State(Scope.Thread)
    public static class Pool {
        @Param({"MLKEM768", "XWING"})
        public Suite suite;

        Fixture f;
        byte[][] envelopes;
        EnvelopeOpener opener;
        int next;

        @Setup(Level.Trial)
        public void setup() throws EnvelopeRejectedException {
            f = new Fixture(suite);
            envelopes = new byte[POOL][];
            for (int i = 0; i < POOL; i++) {
                envelopes[i] = f.seal();
            }
            EnvelopeOpener check = f.newOpener();
            for (byte[] env : envelopes) {
                if (!Arrays.equals(check.open(env).plaintext(), f.plaintext)) {
                    throw new IllegalStateException("envelope did not round-trip");
                }
            }
            opener = f.newOpener();
            next = 0;
        }
    }

    @Benchmark
    public byte[] seal(Parties p) {
        return Envelope.seal(p.suite, p.f.sender.local(), p.f.recipient.peer(), BenchFixtures.CONTENT_TYPE, p.f.plaintext,
                p.f.now, p.f.random);
    }

    @Benchmark
    public Opened open(Pool pool) throws EnvelopeRejectedException {
        if (pool.next == POOL) {
            pool.next = 0;
            pool.opener = pool.f.newOpener();
        }
        return pool.opener.open(pool.envelopes[pool.next++]);
    }

    /** What starting a new opener costs (its replay cache is empty until the first open). */
    @Benchmark
    public EnvelopeOpener newOpener(Parties p) {
        return p.f.newOpener();
    }
}
