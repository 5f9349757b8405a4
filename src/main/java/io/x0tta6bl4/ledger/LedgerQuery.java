package io.x0tta6bl4.ledger;

import java.time.Instant;
import java.util.Optional;

/**
 * Which entries to read: all filters are optional and combine with AND; results are in sequence
 * order starting at {@code fromSeq}, at most {@code limit} of them.
 */
public record LedgerQuery(Optional<EntryType> type, Optional<String> actor, Optional<String> resource,
                          Optional<Instant> since, Optional<Instant> until, long fromSeq, int limit) {
    public static final int MAX_LIMIT = 10_000;

    public LedgerQuery {
        if (fromSeq < 0) {
            throw new IllegalArgumentException("from must be >= 0, got " + fromSeq);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", got " + limit);
        }
    }

    public static LedgerQuery all(long fromSeq, int limit) {
        return new LedgerQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), fromSeq, limit);
    }

    public LedgerQuery withType(EntryType t) {
        return new LedgerQuery(Optional.of(t), actor, resource, since, until, fromSeq, limit);
    }

    public LedgerQuery withActor(String a) {
        return new LedgerQuery(type, Optional.of(a), resource, since, until, fromSeq, limit);
    }

    public LedgerQuery withResource(String r) {
        return new LedgerQuery(type, actor, Optional.of(r), since, until, fromSeq, limit);
    }

    public LedgerQuery between(Instant from, Instant to) {
        return new LedgerQuery(type, actor, resource, Optional.of(from), Optional.of(to), fromSeq, limit);
    }
}
