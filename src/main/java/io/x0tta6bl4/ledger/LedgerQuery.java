package io.x0tta6bl4.ledger;

import java.time.Instant;
import java.util.Optional;

/**
 * Which entries to read: all filters are optional and combine with AND; results are in sequence
 * order starting at {@code fromSeq}, at most {@code limit} of them.
 */
public record LedgerQuery(Optional<EntryType> type, java.util.Set<EntryType> types, Optional<String> actor, Optional<String> resource,
                          Optional<Instant> since, Optional<Instant> until, long fromSeq, int limit) {
    public static final int MAX_LIMIT = 10_000;

    /** @param types the entry may be of any of these; empty for any type (besides {@code type}, which must also match) */
    public LedgerQuery {
        types = java.util.Set.copyOf(types);
        if (fromSeq < 0) {
            throw new IllegalArgumentException("from must be >= 0, got " + fromSeq);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", got " + limit);
        }
    }

    public static LedgerQuery all(long fromSeq, int limit) {
        return new LedgerQuery(Optional.empty(), java.util.Set.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), fromSeq, limit);
    }

    public LedgerQuery withType(EntryType t) {
        return new LedgerQuery(Optional.of(t), types, actor, resource, since, until, fromSeq, limit);
    }

    public LedgerQuery withActor(String a) {
        return new LedgerQuery(type, types, Optional.of(a), resource, since, until, fromSeq, limit);
    }

    public LedgerQuery withResource(String r) {
        return new LedgerQuery(type, types, actor, Optional.of(r), since, until, fromSeq, limit);
    }

    public LedgerQuery between(Instant from, Instant to) {
        return new LedgerQuery(type, types, actor, resource, Optional.of(from), Optional.of(to), fromSeq, limit);
    }

    /** Only entries of one of {@code any}. */
    public LedgerQuery withTypes(java.util.Set<EntryType> any) {
        return new LedgerQuery(type, any, actor, resource, since, until, fromSeq, limit);
    }

    /** The same filters from {@code seq} on, at most {@code max} entries. */
    public LedgerQuery page(long seq, int max) {
        return new LedgerQuery(type, types, actor, resource, since, until, seq, max);
    }
}
