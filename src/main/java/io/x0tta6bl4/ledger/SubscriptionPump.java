package io.x0tta6bl4.ledger;

import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers committed entries to one subscriber on a thread of its own (from the ledger's loops): it reads forward from
 * the store whenever the core signals an append, so catching up on history and following live
 * appends are the same loop, and a slow subscriber never holds up the ledger.
 */
final class SubscriptionPump implements Ledger.Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionPump.class);
    private static final int PAGE = 1000;

    private final java.util.function.Supplier<LedgerCore> core;
    private final Consumer<LedgerEntry> listener;
    private final LedgerQuery filter;
    private final Semaphore signal = new Semaphore(1);
    private final Runnable wake = () -> signal.release();
    private volatile Thread thread;
    private final Consumer<SubscriptionPump> onClose;
    private volatile boolean open = true;
    private long next;
    /** Every entry below this has been delivered or filtered out. */
    private volatile long position;

    /**
     * @param core   the current core (a Raft replica swaps it when it installs a snapshot)
     * @param filter which entries to deliver, from its {@code fromSeq} on (its limit is ignored)
     * @param onClose run once it is closed (its owner forgets it)
     * @param loops   runs its loop (one long-running task)
     */
    SubscriptionPump(java.util.function.Supplier<LedgerCore> core, LedgerQuery filter, Consumer<LedgerEntry> listener,
                     Consumer<SubscriptionPump> onClose, java.util.concurrent.Executor loops) {
        this.core = core;
        this.onClose = onClose;
        this.listener = listener;
        this.filter = filter;
        this.next = filter.fromSeq();
        this.position = filter.fromSeq();
        core.get().onAppend(wake);
        loops.execute(() -> {
            thread = Thread.currentThread();
            try {
                run();
            } finally {
                thread = null;
            }
        });
    }

    private void run() {
        while (open) {
            try {
                signal.acquire();
                signal.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
            List<LedgerEntry> page;
            do {
                if (!open) {
                    return;
                }
                long head;
                try {
                    head = core.get().head().size();
                    page = core.get().query(filter.page(next, PAGE));
                } catch (LedgerException e) {
                    LOG.debug("subscription read failed (replica reloading?); retrying on the next append or reload", e);
                    break;
                } catch (RuntimeException e) {
                    LOG.warn("subscription read failed; retrying on the next append or reload", e);
                    break;
                }
                for (LedgerEntry e : page) {
                    try {
                        listener.accept(e);
                    } catch (RuntimeException ex) {
                        LOG.warn("ledger subscriber failed on entry {}; continuing", e.seq(), ex);
                    }
                    next = e.seq() + 1;
                    position = next;
                }
                if (page.size() < PAGE) {
                    // Everything below the head read before the query was in this page or filtered out.
                    position = Math.max(position, head);
                }
            } while (page.size() == PAGE);
        }
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void close() {
        open = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
        try {
            core.get().removeListener(wake);
        } catch (RuntimeException e) {
            // the replica is closing or could not reopen: nothing left to stop listening to
        }
        onClose.accept(this);
    }
}
