package io.x0tta6bl4.policy;

import io.x0tta6bl4.crypto.Digests;
import io.x0tta6bl4.identity.SpiffeId;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A loaded, compiled access policy: attribute-based, deny by default, deny overriding allow.
 *
 * <p><b>Why deny by default, and why deny overrides.</b> In a zero-trust mesh a request nobody
 * thought about must fail, so the only way to be allowed is for some rule to say so; and an
 * operator who writes a deny rule (quarantine a compromised workload, shut the interns out of
 * {@code policy}) must be able to rely on it whatever allow rules exist and in whatever order the
 * document lists them. This is the "deny-overrides" combining algorithm of XACML 3.0 (§C.2) and
 * the rule Cedar uses: a matching {@code forbid} wins over any {@code permit}, and no
 * {@code permit} means no.
 *
 * <p><b>Evaluation</b> of one {@link Request}, in {@link #decide}:
 * <ol>
 *   <li>A rule matches when one of its principals, one of its resources and one of its actions
 *       match the request, and all its conditions hold.
 *   <li>If any deny rule matches, the request is denied by the first such rule in document order.
 *   <li>Otherwise, if an allow rule without a rate limit matches, it allows (the first in document
 *       order); no rate limit is charged.
 *   <li>Otherwise each matching allow rule with a rate limit, in document order, is asked for a
 *       token for this principal; the first that has one allows. If all are spent, the request is
 *       denied, naming the first of them and its limit.
 *   <li>Otherwise the request is denied by default ({@link Decision#DEFAULT_DENY}); the reason
 *       names the first allow rule that matched all but a condition, and that condition, because
 *       that is the question an operator looking at a 403 asks.
 * </ol>
 *
 * <p><b>Compiled at load</b> so that a decision costs well under the 2 µs budget of an API
 * request (PolicyBenchmark): rules are grouped by resource ({@link RuleIndex}), patterns become
 * equality, prefix and segment checks instead of regular expressions ({@link Principals},
 * {@link NameSet}), address ranges become masks ({@link AddressRanges}), and the words a decision
 * uses are prepared, so the only allocation on the way to a decision is its reason string.
 *
 * <p><b>Pure.</b> The time is in the request and rate-limit state lives in a {@link RateLimiter}
 * the caller owns; a policy never reads a clock, starts a thread or touches a file. It is
 * immutable and safe to share between any number of threads. Storing and versioning policies is
 * the ledger's job (a {@code POLICY_CHANGE} entry carries {@link #source()}); this class only
 * reads one document and answers questions about it.
 */
public final class Policy {
    /** The largest document accepted, in UTF-8 bytes: far above any real policy, far below harm. */
    public static final int MAX_BYTES = 1 << 20;

    private final String sourceName;
    private final String source;
    private final long version;
    private final byte[] digest;
    private final List<Rule> rules;
    private final RuleIndex index;

    private Policy(String sourceName, String source, PolicyParser.Parsed parsed) {
        this.sourceName = sourceName;
        this.source = source;
        this.version = parsed.version();
        this.digest = Digests.sha256(source.getBytes(StandardCharsets.UTF_8));
        this.rules = parsed.rules().stream().map(r -> r.view).toList();
        this.index = new RuleIndex(parsed.rules());
    }

    /**
     * Reads and compiles a policy document (docs/policy.md).
     *
     * @param yamlText   the document; line endings are normalised to {@code \n} and a leading
     *                   byte-order mark is dropped, and that canonical text is what
     *                   {@link #source()} returns and {@link #digest()} covers
     * @param sourceName how problems name the document, e.g. {@code policy.yaml} or
     *                   {@code ledger entry 42}
     * @throws PolicyException listing every problem, each with its line and field
     */
    public static Policy parse(String yamlText, String sourceName) {
        Objects.requireNonNull(yamlText, "yamlText");
        Objects.requireNonNull(sourceName, "sourceName");
        String canonical = canonical(yamlText);
        int bytes = canonical.length() > MAX_BYTES ? Integer.MAX_VALUE : canonical.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            Problems p = new Problems(sourceName);
            p.add(1, "", "the document is larger than " + MAX_BYTES + " bytes");
            throw p.exception();
        }
        return new Policy(sourceName, canonical, PolicyParser.parse(canonical, sourceName));
    }

    /** {@link #parse(String, String)} of UTF-8 bytes, e.g. a request body; invalid UTF-8 is refused. */
    public static Policy parse(byte[] utf8, String sourceName) {
        Objects.requireNonNull(utf8, "utf8");
        Objects.requireNonNull(sourceName, "sourceName");
        if (utf8.length > MAX_BYTES) {
            Problems p = new Problems(sourceName);
            p.add(1, "", "the document is " + utf8.length + " bytes; the limit is " + MAX_BYTES);
            throw p.exception();
        }
        ByteBuffer in = ByteBuffer.wrap(utf8);
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(in)
                    .toString();
            return parse(text, sourceName);
        } catch (CharacterCodingException e) {
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) {
                if (utf8[i] == '\n') {
                    line++;
                }
            }
            Problems p = new Problems(sourceName);
            p.add(line, "", "not valid UTF-8 (byte " + at + ")");
            throw p.exception();
        }
    }

    /**
     * The text of the policy {@code x0tta6bl4 cluster up} installs for {@code trustDomain}: every
     * workload ({@code spiffe://<domain>/app/*}) and node ({@code spiffe://<domain>/node/*}) of the
     * domain may {@code read} {@code network}, {@code nodes}, {@code ledger}, {@code policy},
     * {@code membership} and {@code governance}; nodes may also {@code propose} and {@code vote};
     * operators may do anything; nodes may ask their host agent for {@code orchestration}. Text rather than an object, so it is parsed like any other policy
     * and can be stored in the ledger as it is.
     *
     * @throws IllegalArgumentException when {@code trustDomain} is not a valid trust domain name
     */
    public static String defaultDocument(String trustDomain) {
        SpiffeId.checkTrustDomain(trustDomain);
        return """
                # The policy `x0tta6bl4 cluster up` installs. Deny by default: the workloads and nodes
                # of %1$s may read the state of the mesh; its operators may do anything; a node
                # may make proposals and vote, and ask its host agent to start, stop or restart
                # nodes. Nothing else is allowed until a new policy is voted in.
                version: 1
                rules:
                  - id: members-read
                    effect: allow
                    principals: ["spiffe://%1$s/app/*", "spiffe://%1$s/node/*"]
                    resources: [network, nodes, ledger, policy, membership, governance]
                    actions: [read]
                  - id: nodes-govern
                    effect: allow
                    principals: ["spiffe://%1$s/node/*"]
                    resources: [governance]
                    actions: [propose, vote]
                  - id: operators
                    effect: allow
                    principals: ["spiffe://%1$s/operator/*"]
                    resources: ["*"]
                    actions: ["*"]
                  - id: nodes-orchestrate
                    effect: allow
                    principals: ["spiffe://%1$s/node/*"]
                    resources: [orchestration]
                    actions: ["*"]
                """.formatted(trustDomain);
    }

    /** {@link #defaultDocument} parsed, named {@code default policy}. */
    public static Policy defaultPolicy(String trustDomain) {
        return parse(defaultDocument(trustDomain), "default policy");
    }

    /** The document's {@code version}, a positive whole number. */
    public long version() {
        return version;
    }

    /** SHA-256 (FIPS 180-4) of the UTF-8 bytes of {@link #source()}. */
    public byte[] digest() {
        return digest.clone();
    }

    /** {@link #digest()} in lower-case hex. */
    public String digestHex() {
        return HexFormat.of().formatHex(digest);
    }

    /** The document in canonical form (LF line endings, no byte-order mark), to store and serve. */
    public String source() {
        return source;
    }

    /** The name the document was loaded under. */
    public String sourceName() {
        return sourceName;
    }

    /** The rules in document order, as written: a read-only view for serving and display. */
    public List<Rule> rules() {
        return rules;
    }

    /**
     * Decides one request (the order is in the class comment). Safe to call from any number of
     * threads at once; the only shared state it touches is {@code limiter}'s, and only when an
     * allow rule with a rate limit is what would allow the request.
     */
    public Decision decide(Request request, RateLimiter limiter) {
        Objects.requireNonNull(limiter, "limiter");
        SpiffeId who = request.principal();
        String resource = request.resource();
        String action = request.action();
        RuleIndex.Candidates c = index.candidates(resource);
        boolean check = c.checkResource;
        for (CompiledRule r : c.deny) {
            if (r.matches(who, resource, action, check) && r.failedCondition(request.now(), request.source()) == null) {
                return new Decision(false, r.id, "rule \"" + r.id + "\" denies spiffe://" + who.trustDomain() + who.path() + " " + action + " " + resource);
            }
        }
        CompiledRule nearMiss = null;
        String missed = null;
        for (CompiledRule r : c.allow) {
            if (r.matches(who, resource, action, check)) {
                String failed = r.failedCondition(request.now(), request.source());
                if (failed == null) {
                    return allowedBy(r, who, action, resource);
                }
                if (nearMiss == null) {
                    nearMiss = r;
                    missed = failed;
                }
            }
        }
        CompiledRule exhausted = null;
        for (CompiledRule r : c.limited) {
            if (r.matches(who, resource, action, check)) {
                String failed = r.failedCondition(request.now(), request.source());
                if (failed == null) {
                    if (limiter.tryAcquire(r.id, r.rate, who, Rate.epochNanos(request.now()))) {
                        return allowedBy(r, who, action, resource);
                    }
                    if (exhausted == null) {
                        exhausted = r;
                    }
                } else if (nearMiss == null || r.order < nearMiss.order) {
                    nearMiss = r;
                    missed = failed;
                }
            }
        }
        if (exhausted != null) {
            return new Decision(false, exhausted.id, "rate limit " + exhausted.rate + " exceeded for spiffe://" + who.trustDomain() + who.path()
                    + " " + action + " " + resource + " (rule \"" + exhausted.id + "\")");
        }
        String because = nearMiss == null ? "" : "; rule \"" + nearMiss.id + "\" requires " + missed;
        return new Decision(false, Decision.DEFAULT_DENY, "no rule allows spiffe://" + who.trustDomain() + who.path() + " " + action + " " + resource
                + " (deny by default" + because + ")");
    }

    private static Decision allowedBy(CompiledRule r, SpiffeId who, String action, String resource) {
        return new Decision(true, r.id, "rule \"" + r.id + "\" allows spiffe://" + who.trustDomain() + who.path() + " " + action + " " + resource);
    }

    private static String canonical(String text) {
        String t = text.startsWith("\uFEFF") ? text.substring(1) : text;
        return t.indexOf('\r') < 0 ? t : t.replace("\r\n", "\n").replace('\r', '\n');
    }

    @Override
    public String toString() {
        return "Policy[" + sourceName + ", version " + version + ", " + rules.size() + (rules.size() == 1 ? " rule" : " rules") + ", sha256 " + digestHex() + "]";
    }
}
