package io.x0tta6bl4.crypto;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Remembers message ids for as long as their timestamps could still pass the freshness window,
 * in bounded memory.
 *
 * <p>An id only needs remembering while its timestamp is within the window; older messages are
 * refused as stale anyway, so expired ids are dropped. When the cache is full of fresh ids it does
 * not forget one silently (which would reopen a replay): it drops the oldest and raises a
 * watermark, and from then on refuses any message not newer than the watermark. Under a flood
 * the cache degrades to refusing old-but-fresh messages, never to accepting a replay.
 */
final class ReplayCache {
    private record Seen(long timestampMillis, MessageId id) implements Comparable<Seen> {
        @Override
        public int compareTo(Seen o) {
            int c = Long.compare(timestampMillis, o.timestampMillis);
            if (c != 0) {
                return c;
            }
            c = Long.compare(id.high(), o.id.high());
            return c != 0 ? c : Long.compare(id.low(), o.id.low());
        }
    }

    private final int capacity;
    private final long windowMillis;
    private final TreeSet<Seen> byAge = new TreeSet<>();
    private final Set<MessageId> ids = new HashSet<>();
    private long watermarkMillis = Long.MIN_VALUE;

    ReplayCache(int capacity, long windowMillis) {
        if (capacity < 1) {
            throw new IllegalArgumentException("replay cache capacity must be at least 1");
        }
        this.capacity = capacity;
        this.windowMillis = windowMillis;
    }

    /**
     * Records {@code id} and returns true the first time it is seen; false for a replay or for a
     * message at or below the watermark.
     */
    synchronized boolean firstSighting(MessageId id, long timestampMillis, long nowMillis) {
        expire(nowMillis);
        if (timestampMillis <= watermarkMillis || ids.contains(id)) {
            return false;
        }
        while (ids.size() >= capacity) {
            Seen oldest = byAge.pollFirst();
            ids.remove(oldest.id());
            watermarkMillis = Math.max(watermarkMillis, oldest.timestampMillis());
        }
        if (timestampMillis <= watermarkMillis) {
            return false;
        }
        byAge.add(new Seen(timestampMillis, id));
        ids.add(id);
        return true;
    }

    synchronized int size() {
        return ids.size();
    }

    private void expire(long nowMillis) {
        long oldestFresh = nowMillis - windowMillis;
        while (!byAge.isEmpty() && byAge.first().timestampMillis() < oldestFresh) {
            ids.remove(byAge.pollFirst().id());
        }
    }
}
