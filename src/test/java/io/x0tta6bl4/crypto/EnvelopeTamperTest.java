package io.x0tta6bl4.crypto;

import static io.x0tta6bl4.crypto.EnvelopeRejectedException.Reason.DECRYPTION_FAILED;
import static io.x0tta6bl4.crypto.EnvelopeRejectedException.Reason.REPLAYED;
import static io.x0tta6bl4.crypto.EnvelopeRejectedException.Reason.STALE_TIMESTAMP;
import static io.x0tta6bl4.crypto.Fixtures.ALICE;
import static io.x0tta6bl4.crypto.Fixtures.BOB;
import static io.x0tta6bl4.crypto.Fixtures.PLAINTEXT;
import static io.x0tta6bl4.crypto.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.crypto.EnvelopeRejectedException.Reason;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Property: changing any single byte of an envelope, anywhere, gets it refused, and by a check
 * that runs before the clock, the replay cache or the KEM see it: the signature covers every byte
 * the parser does not already pin.
 *
 * <p>Every position is tried, each XORed with a random non-zero mask. The masks come from a seed
 * that is fresh on every run and printed on failure; replay one with {@code -Dtamper.seed=<seed>}.
 * Each attempt uses a fresh opener whose clock is fixed at the seal time, so neither freshness nor
 * the replay cache can be what catches it.
 */
class EnvelopeTamperTest {
    private static final long SEED = Long.getLong("tamper.seed", new SecureRandom().nextLong());
    /** Reasons that only a correctly signed envelope can reach. */
    private static final Set<Reason> AFTER_SIGNATURE = EnumSet.of(STALE_TIMESTAMP, REPLAYED, DECRYPTION_FAILED);

    @ParameterizedTest
    @EnumSource(Suite.class)
    void flippingAnySingleByteGetsTheEnvelopeRefusedBeforeDecryption(Suite suite) {
        byte[] envelope = Fixtures.seal(suite);
        Random masks = new Random(SEED);
        List<String> failures = new ArrayList<>();
        Map<Reason, Integer> seen = new EnumMap<>(Reason.class);

        for (int i = 0; i < envelope.length; i++) {
            int mask = 1 + masks.nextInt(255);
            byte[] tampered = Fixtures.flip(envelope, i, mask);
            try {
                Opened opened = freshOpener().open(tampered);
                failures.add("byte " + i + " ^ 0x" + Integer.toHexString(mask) + " opened to " + opened.plaintext().length + " bytes");
            } catch (EnvelopeRejectedException e) {
                seen.merge(e.reason(), 1, Integer::sum);
                if (AFTER_SIGNATURE.contains(e.reason())) {
                    failures.add("byte " + i + " ^ 0x" + Integer.toHexString(mask) + " got past the signature: " + e.getMessage());
                }
            } catch (RuntimeException e) {
                failures.add("byte " + i + " ^ 0x" + Integer.toHexString(mask) + " crashed the opener: " + e);
            }
        }

        assertThat(failures.size())
                .as("flips not refused before decryption; suite %s, %d bytes, -Dtamper.seed=%d; first ones: %s",
                        suite.cliName(), envelope.length, SEED, failures.subList(0, Math.min(20, failures.size())))
                .isZero();
        assertThat(seen.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(envelope.length);
        assertThat(seen).as("the signature catches most flips, the parser the rest").containsKeys(Reason.BAD_SIGNATURE, Reason.MALFORMED);
        assertThat(Fixtures.open(freshOpener(), envelope).plaintext()).as("the untouched original").isEqualTo(PLAINTEXT);
    }

    private static EnvelopeOpener freshOpener() {
        return Fixtures.opener(BOB, InstantSource.fixed(T0), ALICE);
    }
}
