package io.x0tta6bl4.governance;

import io.x0tta6bl4.crypto.Digests;
import io.x0tta6bl4.crypto.Hex;
import io.x0tta6bl4.identity.IdentityVerificationException;
import io.x0tta6bl4.identity.PqIdentityDocument;
import io.x0tta6bl4.identity.TrustBundle;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a signed vote is what it claims: the identity document it carries verifies against the
 * trust bundle at the vote's time and names the voter, and the voter's key signed the ballot. A
 * pure function of the vote, the bundle and the time; a verified document is remembered by its
 * digest (a node votes with the same document for months), so each vote costs one ML-DSA-65
 * verification once its voter's document has been seen; and a ballot whose signature verified
 * is remembered too, so the node that checks a vote before writing it, and then folds it, pays
 * once. Both memories only skip work whose answer is already known: the result is the same.
 */
public final class VoteCheck {
    private final TrustBundle bundle;
    /** Identity documents already verified, by SHA-256 of their signed bytes and signature; valid within their window. */
    private final ConcurrentHashMap<String, Window> verified = new ConcurrentHashMap<>();

    /** Ballots whose signature verified, by SHA-256 of document digest, signed bytes and signature; cleared when full. */
    private final ConcurrentHashMap<String, Boolean> ballots = new ConcurrentHashMap<>();
    static final int MAX_REMEMBERED = 100_000;

    private record Window(Instant from, Instant to) {}

    public VoteCheck(TrustBundle bundle) {
        this.bundle = bundle;
    }

    public String trustDomain() {
        return bundle.trustDomain();
    }

    /** Why {@code v} is not a valid vote at {@code at}, or empty if it is. */
    public Optional<String> problem(Vote.Signed v, Instant at) {
        PqIdentityDocument doc = v.identity();
        if (!doc.spiffeId().equals(v.vote().voter())) {
            return Optional.of("the identity document is for " + doc.spiffeId() + ", not for the voter " + v.vote().voter());
        }
        String digest = digest(doc);
        Window w = verified.get(digest);
        if (w == null) {
            try {
                bundle.verifyIdentity(doc, at);
            } catch (IdentityVerificationException e) {
                return Optional.of(e.getMessage());
            }
            Instant from = doc.notBefore();
            Instant to = doc.notAfter();
            if (doc.issuer().isPresent()) {
                from = max(from, doc.issuer().get().document().notBefore());
                to = min(to, doc.issuer().get().document().notAfter());
            }
            w = new Window(from, to);
            verified.put(digest, w);
        } else if (at.isBefore(w.from()) || at.isAfter(w.to())) {
            return Optional.of("identity document of " + doc.spiffeId() + " is valid from " + w.from() + " to " + w.to() + ", not at " + at);
        }
        byte[] tbs = v.vote().toBeSigned();
        String ballot = Hex.encode(Digests.sha256(concat(digest.getBytes(java.nio.charset.StandardCharsets.US_ASCII), tbs, v.signature())));
        if (ballots.containsKey(ballot)) {
            return Optional.empty();
        }
        if (doc.signingKey().verify(tbs, v.signature())) {
            if (ballots.size() >= MAX_REMEMBERED) {
                ballots.clear();
            }
            ballots.put(ballot, Boolean.TRUE);
        } else {
            return Optional.of("the signature does not verify with " + v.vote().voter() + "'s ML-DSA-65 key for this proposal, voter, choice,"
                    + " weight and rationale");
        }
        return Optional.empty();
    }

    private static String digest(PqIdentityDocument doc) {
        return Hex.encode(Digests.sha256(concat(doc.toBeSigned(), doc.signature())));
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
