package io.x0tta6bl4.ledger;

import io.x0tta6bl4.crypto.MlDsaPrivateKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: appends from many threads leave as one signed {@link Batch}, so one Raft round
 * and one ML-DSA-65 signature serve hundreds of entries.
 *
 * <p>A single worker takes the first waiting append, adds whatever else is already queued up to
 * the count and byte bounds, signs, and hands the batch to the sink. Up to
 * {@code maxInFlight} batches travel at once; when all slots are taken, new appends queue and
 * leave together in the next batch as soon as a slot frees. So a lone append under no load goes
 * out at once (no artificial delay), and under load the batches grow by themselves: the wait is
 * bounded by one batch's commit time.
 *
 * <p>The appends of one {@code submit} call always travel in the same batch, contiguously.
 */
final class GroupCommitter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

    /** Sends a signed batch towards commit. */
    interface Sink {
        CompletableFuture<LedgerCore.Outcome> submit(Batch batch);
    }

    /** Bounds on one batch and on the pipeline. */
    record Limits(int maxEntries, int maxBytes, int maxInFlight) {
        static final Limits DEFAULT = new Limits(2048, 4 << 20, 4);

        Limits {
            if (maxEntries < 1 || maxEntries > Batch.MAX_ENTRIES || maxBytes < 1024 || maxInFlight < 1) {
                throw new IllegalArgumentException("group commit limits out of range: " + maxEntries + " entries, " + maxBytes + " bytes, " + maxInFlight + " in flight");
            }
        }
    }

    private record Request(List<Submission> submissions, int bytes, CompletableFuture<List<Long>> done) {}

    private final String submitter;
    private final MlDsaPrivateKey key;
    private final SecureRandom random;
    private final Sink sink;
    private final Limits limits;
    private final BlockingDeque<Request> queue = new LinkedBlockingDeque<>();
    private final Semaphore slots;
    /** The thread running {@link #run}, once it runs; it ends by {@link #finished}. */
    private volatile Thread worker;
    private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean open = true;
    /** Submissions accepted and not yet committed or failed: what this node's commit queue holds. */
    private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();

    /** @param loops runs the worker loop (one long-running task) */
    GroupCommitter(String submitter, MlDsaPrivateKey key, SecureRandom random, Sink sink, Limits limits, java.util.concurrent.Executor loops) {
        this.submitter = submitter;
        this.key = key;
        this.random = random;
        this.sink = sink;
        this.limits = limits;
        this.slots = new Semaphore(limits.maxInFlight());
        loops.execute(() -> {
            worker = Thread.currentThread();
            try {
                run();
            } finally {
                worker = null;
                finished.countDown();
            }
        });
    }

    CompletableFuture<List<Long>> submit(List<Submission> submissions) {
        CompletableFuture<List<Long>> done = new CompletableFuture<>();
        if (submissions.isEmpty() || submissions.size() > limits.maxEntries()) {
            done.completeExceptionally(new LedgerException(LedgerException.Reason.INVALID_FIELD,
                    "an append holds 1.." + limits.maxEntries() + " entries, got " + submissions.size()));
            return done;
        }
        if (!open) {
            done.completeExceptionally(new LedgerException(LedgerException.Reason.UNAVAILABLE, "ledger is closed"));
            return done;
        }
        int bytes = submissions.stream().mapToInt(Submission::encodedSize).sum();
        if (bytes > limits.maxBytes()) {
            done.completeExceptionally(new LedgerException(LedgerException.Reason.PAYLOAD_TOO_LARGE,
                    "an append of about " + bytes + " bytes exceeds the " + limits.maxBytes() + "-byte batch limit; split it"));
            return done;
        }
        Request request = new Request(List.copyOf(submissions), bytes, done);
        pending.addAndGet(request.submissions().size());
        done.whenComplete((seqs, e) -> pending.addAndGet(-request.submissions().size()));
        queue.add(request);
        if (!open && queue.remove(request)) {
            // close() ran between the check above and the add: nobody will take it any more.
            done.completeExceptionally(new LedgerException(LedgerException.Reason.UNAVAILABLE, "ledger is closed"));
        }
        return done;
    }

    /** Submissions waiting to be committed (queued, or sent and not acknowledged yet). */
    int pending() {
        return pending.get();
    }

    private void run() {
        while (open) {
            try {
                // A slot first, then the request: a request taken from the queue is always sent
                // or failed, never dropped by an interrupt while waiting for a slot.
                slots.acquire();
                Request first;
                try {
                    first = queue.takeFirst();
                } catch (InterruptedException e) {
                    slots.release();
                    throw e;
                }
                List<Request> batch = new ArrayList<>();
                batch.add(first);
                int entries = first.submissions().size();
                int bytes = first.bytes();
                Request more;
                while ((more = queue.pollFirst()) != null) {
                    if (entries + more.submissions().size() > limits.maxEntries() || bytes + more.bytes() > limits.maxBytes()) {
                        queue.offerFirst(more); // it leads the next batch
                        break;
                    }
                    batch.add(more);
                    entries += more.submissions().size();
                    bytes += more.bytes();
                }
                send(batch, entries);
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                // send() completes every request it was given, also on failure; this is a bug guard.
                LOG.error("group commit worker failed", e);
            }
        }
        failAll(new LedgerException(LedgerException.Reason.UNAVAILABLE, "ledger closed before the entry was committed"));
    }

    private void send(List<Request> requests, int entries) {
        CompletableFuture<LedgerCore.Outcome> outcome;
        try {
            List<Submission> all = new ArrayList<>(entries);
            requests.forEach(r -> all.addAll(r.submissions()));
            outcome = sink.submit(Batch.sign(submitter, all, key, random));
        } catch (RuntimeException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        outcome.whenComplete((result, error) -> {
            slots.release();
            if (error != null) {
                LedgerException failure = error instanceof LedgerException le ? le
                        : new LedgerException(LedgerException.Reason.UNAVAILABLE,
                        "commit did not complete (the entries may or may not have been committed): " + rootMessage(error), error);
                requests.forEach(r -> r.done().completeExceptionally(failure));
            } else if (result instanceof LedgerCore.Outcome.Refused refused) {
                requests.forEach(r -> r.done().completeExceptionally(new LedgerException(refused.reason(), refused.message())));
            } else if (result instanceof LedgerCore.Outcome.Appended appended && (appended.firstSeq() < 0 || appended.count() != entries)) {
                LedgerException odd = new LedgerException(LedgerException.Reason.UNAVAILABLE, "the ledger acknowledged " + appended.count()
                        + " entries at " + appended.firstSeq() + " for a batch of " + entries + "; outcome unknown");
                requests.forEach(r -> r.done().completeExceptionally(odd));
            } else if (result instanceof LedgerCore.Outcome.Appended appended) {
                long seq = appended.firstSeq();
                for (Request r : requests) {
                    List<Long> seqs = new ArrayList<>(r.submissions().size());
                    for (int i = 0; i < r.submissions().size(); i++) {
                        seqs.add(seq++);
                    }
                    r.done().complete(seqs);
                }
            }
        });
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private void failAll(LedgerException e) {
        Request r;
        while ((r = queue.poll()) != null) {
            r.done().completeExceptionally(e);
        }
    }

    @Override
    public void close() {
        open = false;
        Thread w = worker;
        if (w != null) {
            w.interrupt();
        }
        try {
            finished.await(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failAll(new LedgerException(LedgerException.Reason.UNAVAILABLE, "ledger is closed"));
    }
}
