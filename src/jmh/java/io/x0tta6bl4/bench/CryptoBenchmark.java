package io.x0tta6bl4.bench;

import io.x0tta6bl4.crypto.AesGcm;
import io.x0tta6bl4.crypto.AesKey;
import io.x0tta6bl4.crypto.Encapsulation;
import io.x0tta6bl4.crypto.Hkdf;
import io.x0tta6bl4.crypto.HybridKem;
import io.x0tta6bl4.crypto.MlDsa;
import io.x0tta6bl4.crypto.MlKem;
import io.x0tta6bl4.crypto.SharedSecret;
import io.x0tta6bl4.crypto.X25519;
import java.security.SecureRandom;
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
 * The primitives an envelope is made of, one operation each, through the same facades
 * ({@code io.x0tta6bl4.crypto}) the envelope calls, on the inputs a 1 KiB envelope gives them:
 *
 * <ul>
 *   <li>ML-KEM-768 encapsulate / decapsulate (suite mlkem768's KEM);
 *   <li>hybrid X25519 + ML-KEM-768 encapsulate / decapsulate (suite xwing's KEM), and its X25519
 *       part alone: a static-static agreement, and an ephemeral key generation plus agreement,
 *       which is what the hybrid sender does;
 *   <li>HKDF-SHA256 derivation of the AES-256 key (info = 21-byte prefix + 110-byte header);
 *   <li>AES-256-GCM seal and open of 1 KiB with the header as associated data;
 *   <li>ML-DSA-65 sign and verify over {@code messageBytes}: 64 B, the signed body of a 1 KiB
 *       envelope (2256 B mlkem768, 2288 B xwing) and 4608 B (about a JWT-SVID).
 * </ul>
 *
 * Signing uses a real {@link SecureRandom} (hedged ML-DSA, as in production). Every fixture is
 * built once per trial; the measured methods only call the facade and return its result.
 *
 * <p>All benchmark classes here fork with a fixed, pre-touched 1 GiB heap: on the VMs this project
 * is built on, a JVM whose heap grows (or gives memory back) pays for page faults in the guest
 * kernel, which turned a 0.2 µs 4.6 KB string copy into 13 µs. 12 × 1 s of warmup: on 2 cores C2
 * needs that long before ML-DSA signing and the X25519 code settle.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 12, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"}) // see docs/benchmarks.md, "Heap"
@State(Scope.Thread)
public class CryptoBenchmark {
    private SecureRandom random;
    private MlKem kem;
    private X25519 x25519;
    private X25519 x25519Peer;
    private byte[] mlKemCiphertext;
    private byte[] hybridCiphertext;
    private SharedSecret secret;
    private byte[] kdfInfo;
    private AesKey aesKey;
    private byte[] header;
    private byte[] plaintext;
    private byte[] nonce;
    private byte[] sealedNonce;
    private byte[] sealed;
    private long nonceCounter;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        random = new SecureRandom();
        kem = MlKem.generate(random);
        x25519 = X25519.generate(random);
        x25519Peer = X25519.generate(random);
        mlKemCiphertext = kem.publicKey().encapsulate(random).ciphertext();
        hybridCiphertext = HybridKem.encapsulate(kem.publicKey(), x25519.publicKey(), random).ciphertext();
        if (!kem.privateKey().decapsulate(mlKemCiphertext).equals(kem.privateKey().decapsulate(mlKemCiphertext))) {
            throw new IllegalStateException("ML-KEM-768 decapsulation is not deterministic");
        }
        Encapsulation e = kem.publicKey().encapsulate(random);
        secret = e.secret();

        header = new byte[BenchFixtures.headerLength()];
        random.nextBytes(header);
        kdfInfo = new byte[BenchFixtures.KDF_INFO_PREFIX.length + header.length];
        System.arraycopy(BenchFixtures.KDF_INFO_PREFIX, 0, kdfInfo, 0, BenchFixtures.KDF_INFO_PREFIX.length);
        System.arraycopy(header, 0, kdfInfo, BenchFixtures.KDF_INFO_PREFIX.length, header.length);
        aesKey = Hkdf.aes256(secret, new byte[0], kdfInfo);

        plaintext = new byte[BenchFixtures.PLAINTEXT_BYTES];
        random.nextBytes(plaintext);
        nonce = new byte[AesGcm.NONCE_LENGTH];
        sealedNonce = new byte[AesGcm.NONCE_LENGTH];
        random.nextBytes(sealedNonce);
        sealed = AesGcm.seal(aesKey, sealedNonce, header, plaintext);
        if (!java.util.Arrays.equals(AesGcm.open(aesKey, sealedNonce, header, sealed), plaintext)) {
            throw new IllegalStateException("AES-GCM round trip failed");
        }
    }

    /** A message of {@code messageBytes} random bytes, a key pair, and a signature to verify. */
    @State(Scope.Thread)
    public static class Signing {
        /** 64 B; 2256 / 2288 B = signed body of a 1 KiB mlkem768 / xwing envelope; 4608 B. */
        @Param({"64", "2256", "2288", "4608"})
        public int messageBytes;

        SecureRandom random;
        MlDsa dsa;
        byte[] message;
        byte[] signature;

        @Setup(Level.Trial)
        public void setup() {
            random = new SecureRandom();
            dsa = MlDsa.generate(random);
            message = new byte[messageBytes];
            random.nextBytes(message);
            signature = dsa.privateKey().sign(message, random);
            if (!dsa.publicKey().verify(message, signature)) {
                throw new IllegalStateException("ML-DSA-65 signature does not verify");
            }
        }
    }

    @Benchmark
    public Encapsulation mlKemEncapsulate() {
        return kem.publicKey().encapsulate(random);
    }

    @Benchmark
    public SharedSecret mlKemDecapsulate() throws Exception {
        return kem.privateKey().decapsulate(mlKemCiphertext);
    }

    @Benchmark
    public Encapsulation hybridEncapsulate() {
        return HybridKem.encapsulate(kem.publicKey(), x25519.publicKey(), random);
    }

    @Benchmark
    public SharedSecret hybridDecapsulate() throws Exception {
        return HybridKem.decapsulate(kem.privateKey(), x25519.privateKey(), x25519.publicKey(), hybridCiphertext);
    }

    /** Static-static X25519: one scalar multiplication. */
    @Benchmark
    public SharedSecret x25519Agree() throws Exception {
        return x25519.privateKey().agree(x25519Peer.publicKey());
    }

    /** What the hybrid sender does for its X25519 half: a fresh key pair, then an agreement. */
    @Benchmark
    public SharedSecret x25519EphemeralAgree() throws Exception {
        return X25519.generate(random).privateKey().agree(x25519Peer.publicKey());
    }

    @Benchmark
    public AesKey hkdfDerive() {
        return Hkdf.aes256(secret, new byte[0], kdfInfo);
    }

    /**
     * Seals 1 KiB under a fresh nonce each time (a counter: as cheap as it gets, and it never
     * repeats a nonce under the key, unlike a fixed one).
     */
    @Benchmark
    public byte[] aesGcmSeal1KiB() {
        long n = ++nonceCounter;
        for (int i = 0; i < 8; i++) {
            nonce[i] = (byte) (n >>> (56 - 8 * i));
        }
        return AesGcm.seal(aesKey, nonce, header, plaintext);
    }

    @Benchmark
    public byte[] aesGcmOpen1KiB() throws Exception {
        return AesGcm.open(aesKey, sealedNonce, header, sealed);
    }

    @Benchmark
    public byte[] mlDsaSign(Signing s) {
        return s.dsa.privateKey().sign(s.message, s.random);
    }

    @Benchmark
    public boolean mlDsaVerify(Signing s) {
        return s.dsa.publicKey().verify(s.message, s.signature);
    }
}
