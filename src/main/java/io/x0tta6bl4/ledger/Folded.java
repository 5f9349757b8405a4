package io.x0tta6bl4.ledger;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LedgerFold} kept up to date: it subscribes to the ledger from the first entry, folds
 * each entry of the fold's types as it commits, and publishes the result. Readers on any thread
 * see the newest state ({@link #state}); listeners are told of each change on the ledger's
 * subscription thread, in ledger order. Rebuilt from entry 0 at every start, so a restarted
 * node holds what every other replica holds.
 *
 * @param <S> the fold's state
 */
public final class Folded<S> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Folded.class);

    /** Told of each entry that was folded, with the states before and after it. */
    public interface Listener<S> {
        void changed(S before, S after, LedgerEntry entry);
    }

    private final String name;
    private final LedgerFold<S> fold;
    private final List<Listener<S>> listeners = new CopyOnWriteArrayList<>();
    /** Futures waiting for the fold to pass a sequence number, by that number. */
    private final TreeMap<Long, List<CompletableFuture<S>>> waiting = new TreeMap<>();
    private volatile S state;
    private volatile long folded = -1;
    private final Ledger.Subscription subscription;

    private Folded(String name, Ledger ledger, LedgerFold<S> fold) {
        this.name = name;
        this.fold = fold;
        this.state = fold.initial();
        LedgerQuery filter = fold.types().isEmpty() ? LedgerQuery.all(0, 1) : LedgerQuery.all(0, 1).withTypes(fold.types());
        this.subscription = ledger.subscribe(filter, this::accept);
    }

    /** Starts folding {@code ledger}'s entries; {@code name} is for the log. */
    public static <S> Folded<S> follow(String name, Ledger ledger, LedgerFold<S> fold) {
        return new Folded<>(name, ledger, fold);
    }

    private void accept(LedgerEntry entry) {
        S before = state;
        S after;
        try {
            after = fold.apply(before, entry);
        } catch (RuntimeException e) {
            // A fold must not throw; if one does, the entry is skipped here as it is on every
            // replica running the same code, and the log says so.
            LOG.error("{} fold failed on ledger entry {}; the entry is skipped", name, entry.seq(), e);
            after = before;
        }
        state = after;
        folded = entry.seq();
        if (after != before) {
            for (Listener<S> l : listeners) {
                try {
                    l.changed(before, after, entry);
                } catch (RuntimeException e) {
                    LOG.warn("a listener of the {} fold failed on entry {}", name, entry.seq(), e);
                }
            }
        }
        completeWaiting(entry.seq());
    }

    private void completeWaiting(long seq) {
        List<CompletableFuture<S>> due = new java.util.ArrayList<>();
        synchronized (waiting) {
            Map<Long, List<CompletableFuture<S>>> head = waiting.headMap(seq, true);
            head.values().forEach(due::addAll);
            head.clear();
        }
        S now = state;
        due.forEach(f -> f.complete(now));
    }

    /** The state after every entry folded so far. */
    public S state() {
        return state;
    }

    /** Every entry below this sequence number has been folded (or is not of the fold's types). */
    public long position() {
        return Math.max(subscription.position(), folded + 1);
    }

    /**
     * Completes with the state once entry {@code seq} (an entry of the fold's types, typically one
     * this node just appended) has been folded.
     */
    public CompletableFuture<S> awaitFolded(long seq) {
        CompletableFuture<S> f = new CompletableFuture<>();
        synchronized (waiting) {
            if (folded >= seq) {
                f.complete(state);
                return f;
            }
            waiting.computeIfAbsent(seq, k -> new java.util.ArrayList<>()).add(f);
        }
        if (folded >= seq) {
            completeWaiting(seq);
        }
        return f;
    }

    /** {@code listener} is told of every change from now on. */
    public void onChange(Listener<S> listener) {
        listeners.add(listener);
    }

    /** {@code listener} is told of nothing more (a wait that is over). */
    public void removeListener(Listener<S> listener) {
        listeners.remove(listener);
    }

    @Override
    public void close() {
        subscription.close();
    }
}
