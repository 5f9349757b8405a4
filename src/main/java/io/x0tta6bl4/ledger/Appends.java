package io.x0tta6bl4.ledger;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The checks an append gets before it is queued, shared by both ledgers. */
final class Appends {
    private Appends() {}

    /**
     * Refuses at once (before any signing or network) what every replica would refuse: actors
     * outside the trust domain, empty or oversized appends. Fields were validated when each
     * {@link Submission} was built.
     */
    static CompletableFuture<List<Long>> checked(String trustDomain, List<Submission> submissions, GroupCommitter committer) {
        for (Submission s : submissions) {
            if (!s.actor().memberOf(trustDomain)) {
                return CompletableFuture.failedFuture(new LedgerException(LedgerException.Reason.FOREIGN_ACTOR,
                        "actor " + s.actor() + " is not in trust domain " + trustDomain));
            }
        }
        return committer.submit(submissions);
    }
}
