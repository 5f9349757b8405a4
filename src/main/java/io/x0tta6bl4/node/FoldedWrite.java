package io.x0tta6bl4.node;

import io.x0tta6bl4.api.ApiException;
import io.x0tta6bl4.ledger.Folded;
import io.x0tta6bl4.ledger.Ledger;
import io.x0tta6bl4.ledger.Submission;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An API change written as a ledger entry and answered once a fold has read it, so the answer
 * says what the fold made of it: how membership changes and proposals and votes are written.
 */
final class FoldedWrite {
    /** How long a change may take to commit and fold before the API answers 503. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private FoldedWrite() {}

    /** The entry's sequence number and the fold's state once it has read it. */
    record Done<S>(long seq, S after) {}

    /**
     * Appends {@code entry} and waits for {@code fold} to read it; 503 when either takes longer
     * than {@link #TIMEOUT}. {@code where} names the route that shows the outcome later, for the
     * 503's message.
     */
    static <S> Done<S> write(Ledger ledger, Folded<S> fold, Submission entry, String what, String where) {
        try {
            long seq = ledger.append(entry).get(TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
            return new Done<>(seq, fold.awaitFolded(seq).get(TIMEOUT.toNanos(), TimeUnit.NANOSECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "unavailable", "interrupted while the " + what + " was committed");
        } catch (ExecutionException | TimeoutException e) {
            throw new ApiException(503, "unavailable", "the " + what + " was not committed within " + TIMEOUT.toSeconds()
                    + " s (the ledger needs a majority of its voters); it may still take effect: " + where + " shows the outcome");
        }
    }
}
