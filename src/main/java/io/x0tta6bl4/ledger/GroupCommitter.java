package io.x0tta6bl4.ledger;

import io.x0tta6bl4.crypto.MlDsaPrivateKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
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
    private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Semaphore slots;
    private final Thread worker;
    private volatile boolean open = true;

    GroupCommitter(String submitter, MlDsaPrivateKey key, SecureRandom random, Sink sink, Limits limits) {
        this.submitter = submitter;
        this.key = key;
        this.random = random;
        this.sink = sink;
        this.limits = limits;
        this.slots = new Semaphore(limits.maxInFlight());
        this.worker = Thread.ofPlatform().daemon().name("ledger-group-commit").start(this::run);
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
        queue.add(new Request(List.copyOf(submissions), bytes, done));
        return done;
    }

    private void run() {
        while (open) {
            try {
                Request first = queue.take();
                slots.acquire();
                List<Request> batch = new ArrayList<>();
                batch.add(first);
                int entries = first.submissions().size();
                int bytes = first.bytes();
                Request more;
                while ((more = queue.peek()) != null
                        && entries + more.submissions().size() <= limits.maxEntries()
                        && bytes + more.bytes() <= limits.maxBytes()) {
                    queue.poll();
                    batch.add(more);
                    entries += more.submissions().size();
                    bytes += more.bytes();
                }
                send(batch, entries);
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                LOG.error("group commit worker failed; appends in this batch were refused", e);
            }
        }
        failAll(new LedgerException(LedgerException.Reason.UNAVAILABLE, "ledger closed before the entry was committed"));
    }

    private void send(List<Request> requests, int entries) {
        List<Submission> all = new ArrayList<>(entries);
        requests.forEach(r -> all.addAll(r.submissions()));
        CompletableFuture<LedgerCore.Outcome> outcome;
        try {
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
        worker.interrupt();
        try {
            worker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failAll(new LedgerException(LedgerException.Reason.UNAVAILABLE, "ledger is closed"));
    }
}
