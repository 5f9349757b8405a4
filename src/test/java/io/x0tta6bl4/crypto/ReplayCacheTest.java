package io.x0tta6bl4.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The replay cache alone, on explicit timestamps: no clock, no sleeping. */
class ReplayCacheTest {
    private static final long NOW = 1_748_779_200_123L;
    private static final long WINDOW = 60_000;

    private static MessageId id(long n) {
        return new MessageId(0x1234, n);
    }

    @Test
    void firstSightingIsAcceptedAndTheSecondRefused() {
        ReplayCache cache = new ReplayCache(10, WINDOW);
        assertThat(cache.firstSighting(id(1), NOW, NOW)).isTrue();
        assertThat(cache.firstSighting(id(1), NOW, NOW)).isFalse();
        assertThat(cache.firstSighting(id(1), NOW, NOW + 1_000)).isFalse();
        assertThat(cache.firstSighting(id(2), NOW, NOW)).isTrue();
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void sizeNeverExceedsTheCapacity() {
        ReplayCache cache = new ReplayCache(4, WINDOW);
        for (int i = 0; i < 50; i++) {
            cache.firstSighting(id(i), NOW + i, NOW + i);
            assertThat(cache.size()).as("after %d insertions", i + 1).isLessThanOrEqualTo(4);
        }
        assertThat(cache.size()).isEqualTo(4);
    }

    @Test
    void afterOverflowIdsAtOrBelowTheWatermarkAreRefusedEvenIfNeverSeen() {
        ReplayCache cache = new ReplayCache(3, WINDOW);
        for (int i = 1; i <= 3; i++) {
            assertThat(cache.firstSighting(id(i), NOW + i, NOW)).isTrue();
        }
        assertThat(cache.firstSighting(id(4), NOW + 4, NOW)).as("fourth pushes out the oldest (t+1)").isTrue();

        assertThat(cache.firstSighting(id(1), NOW + 1, NOW)).as("the evicted id: a replay, still refused").isFalse();
        assertThat(cache.firstSighting(id(100), NOW + 1, NOW)).as("never seen, at the watermark").isFalse();
        assertThat(cache.firstSighting(id(101), NOW, NOW)).as("never seen, below the watermark").isFalse();
        assertThat(cache.firstSighting(id(2), NOW + 2, NOW)).as("still cached").isFalse();
        assertThat(cache.firstSighting(id(5), NOW + 5, NOW)).as("newer than the watermark").isTrue();
        assertThat(cache.size()).isEqualTo(3);
    }

    @Test
    void aNewMessageOlderThanEverythingCachedIsRefusedWhenFull() {
        ReplayCache cache = new ReplayCache(2, WINDOW);
        cache.firstSighting(id(1), NOW + 10, NOW);
        cache.firstSighting(id(2), NOW + 20, NOW);

        assertThat(cache.firstSighting(id(3), NOW + 5, NOW)).isFalse();
        assertThat(cache.firstSighting(id(1), NOW + 10, NOW)).as("and the flood did not reopen a replay").isFalse();
        assertThat(cache.firstSighting(id(2), NOW + 20, NOW)).isFalse();
    }

    @Test
    void expiredEntriesAreDropped() {
        ReplayCache cache = new ReplayCache(10, WINDOW);
        for (int i = 0; i < 5; i++) {
            cache.firstSighting(id(i), NOW, NOW);
        }
        cache.firstSighting(id(5), NOW + WINDOW, NOW + WINDOW);
        assertThat(cache.size()).as("exactly one window old: still remembered").isEqualTo(6);
        assertThat(cache.firstSighting(id(0), NOW, NOW + WINDOW)).isFalse();

        cache.firstSighting(id(6), NOW + WINDOW + 1, NOW + WINDOW + 1);

        assertThat(cache.size()).as("the five from NOW expired").isEqualTo(2);
    }

    @Test
    void aFreshIdIsAcceptedWhileThereIsRoom() {
        ReplayCache cache = new ReplayCache(1_000, WINDOW);
        for (int i = 0; i < 1_000; i++) {
            assertThat(cache.firstSighting(id(i), NOW - 500 + (i * 7919) % 1000, NOW)).as("message %d", i).isTrue();
        }
    }

    @Test
    void capacityMustBePositive() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ReplayCache(0, WINDOW));
    }

    /**
     * Seeded random traffic against a tiny cache, with replays of earlier messages mixed in: a
     * message accepted once is never accepted again while its timestamp is within the window (after
     * that the opener refuses it as stale, so the cache may forget it), and
     * the size bound holds after every call. Replay a failure with {@code -Dreplay.seed=<seed>}.
     */
    @Test
    void neverAcceptsAReplayWithinTheWindowUnderRandomTraffic() {
        long seed = Long.getLong("replay.seed", new SecureRandom().nextLong());
        Random rnd = new Random(seed);
        int capacity = 8;
        ReplayCache cache = new ReplayCache(capacity, WINDOW);
        List<long[]> sent = new ArrayList<>(); // {id, timestamp}
        Set<Long> accepted = new HashSet<>(); // ids
        long now = NOW;
        int acceptedCount = 0;

        for (int step = 0; step < 20_000; step++) {
            now += rnd.nextInt(200);
            long[] message;
            if (!sent.isEmpty() && rnd.nextInt(3) == 0) {
                message = sent.get(rnd.nextInt(sent.size()));
            } else {
                message = new long[] {step, now - WINDOW / 2 + rnd.nextInt((int) WINDOW)};
                sent.add(message);
            }
            boolean ok = cache.firstSighting(id(message[0]), message[1], now);

            if (ok) {
                boolean withinWindow = message[1] >= now - WINDOW;
                assertThat(accepted.contains(message[0]) && withinWindow)
                        .as("seed %d step %d: replay of id %d accepted within the window", seed, step, message[0]).isFalse();
                accepted.add(message[0]);
                acceptedCount++;
            }
            assertThat(cache.size()).as("seed %d step %d", seed, step).isLessThanOrEqualTo(capacity);
        }
        assertThat(acceptedCount).as("seed %d: the cache still lets fresh traffic through", seed).isGreaterThan(100);
    }
}
