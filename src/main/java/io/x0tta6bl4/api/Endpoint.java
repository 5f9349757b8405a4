package io.x0tta6bl4.api;

import java.util.List;

/**
 * The token-protected routes. Each names its method, the policy resource and action it needs,
 * the action its audit entry records, and the JSON body it takes. {@link ApiServer} registers
 * exactly these (plus the public {@link #PUBLIC_PATHS}), and the OpenAPI document is checked
 * against them by a test, so this list is the one place a route is declared.
 */
public enum Endpoint {
    NETWORK_STATUS(Method.GET, "/api/network/status", "network", "read", "GET_NETWORK_STATUS", BodySchema.NONE),
    NODES(Method.GET, "/api/nodes", "nodes", "read", "LIST_NODES", BodySchema.NONE),
    NODE(Method.GET, "/api/nodes/{name}", "nodes", "read", "GET_NODE", BodySchema.NONE),
    /** This node's own view: its detector's peers and recent changes (what {@code cluster status} reads). */
    NODE_VIEW(Method.GET, "/api/node", "nodes", "read", "GET_NODE_VIEW", BodySchema.NONE),
    /** The ledger's membership and the Raft group. */
    MEMBERS(Method.GET, "/api/members", "membership", "read", "LIST_MEMBERS", BodySchema.NONE),
    /** Fence, readmit, remove, promote or demote a member: a MEMBERSHIP entry, answered once folded. */
    MEMBER_CHANGE(Method.POST, "/api/members/{name}", "membership", "write", "CHANGE_MEMBERSHIP", new BodySchema("MembershipChange", List.of(
            new BodySchema.Field("op", true, List.of("fence", "readmit", "leave", "promote", "demote"), 16),
            new BodySchema.Field("reason", false, List.of(), 200)))),
    LEDGER(Method.GET, "/api/ledger", "ledger", "read", "LIST_LEDGER", BodySchema.NONE),
    /** Declared before {@link #LEDGER_ENTRY} so that {@code checkpoint} is not taken for a sequence number. */
    LEDGER_CHECKPOINT(Method.GET, "/api/ledger/checkpoint", "ledger", "read", "GET_LEDGER_CHECKPOINT", BodySchema.NONE),
    LEDGER_ENTRY(Method.GET, "/api/ledger/{seq}", "ledger", "read", "GET_LEDGER_ENTRY", BodySchema.NONE),
    POLICY(Method.GET, "/api/policy", "policy", "read", "GET_POLICY", BodySchema.NONE),
    /** Proposals, newest first, optionally of one state. */
    PROPOSALS(Method.GET, "/api/proposals", "governance", "read", "LIST_PROPOSALS", BodySchema.NONE),
    /** Make a proposal: a PROPOSAL entry, answered once folded (docs/governance.md). */
    PROPOSE(Method.POST, "/api/proposals", "governance", "propose", "PROPOSE", new BodySchema("Proposal", List.of(
            new BodySchema.Field("type", true, List.of("CONFIG_UPDATE", "POLICY_UPDATE", "RESOURCE_SCALING", "RECOVERY", "ROLLBACK"), 32),
            new BodySchema.Field("title", true, List.of(), 200),
            new BodySchema.Field("description", false, List.of(), 4000),
            new BodySchema.Field("payload", true, List.of(), 48 * 1024, BodySchema.Type.OBJECT),
            new BodySchema.Field("voting_period", false, List.of(), 32),
            new BodySchema.Field("execution_delay", false, List.of(), 32),
            new BodySchema.Field("impact_window", false, List.of(), 32)), 64 * 1024)),
    PROPOSAL(Method.GET, "/api/proposals/{id}", "governance", "read", "GET_PROPOSAL", BodySchema.NONE),
    /** Relay a vote signed by its voter: a VOTE entry, answered once folded. */
    VOTE(Method.POST, "/api/proposals/{id}/votes", "governance", "vote", "CAST_VOTE", new BodySchema("SignedVote", List.of(
            new BodySchema.Field("voter", true, List.of(), 2048),
            new BodySchema.Field("choice", true, List.of("YES", "NO", "ABSTAIN"), 8),
            new BodySchema.Field("weight", true, List.of(), 0, BodySchema.Type.INTEGER),
            new BodySchema.Field("rationale", false, List.of(), 500),
            new BodySchema.Field("signature", true, List.of(), 8192),
            new BodySchema.Field("identity", true, List.of(), 48 * 1024, BodySchema.Type.OBJECT)), 64 * 1024)),
    /** The runtime config in force: each key's value and the proposal that set it. */
    CONFIG(Method.GET, "/api/config", "governance", "read", "GET_CONFIG", BodySchema.NONE);

    /** Routes that take no token and are not audited (all GET). */
    public static final List<String> PUBLIC_PATHS = List.of("/health", "/metrics", "/api/openapi.json");

    /** The HTTP methods routes use. */
    public enum Method { GET, POST }

    private final Method method;
    private final String path;
    private final String resource;
    private final String action;
    private final String auditAction;
    private final BodySchema body;

    Endpoint(Method method, String path, String resource, String action, String auditAction, BodySchema body) {
        this.method = method;
        this.path = path;
        this.resource = resource;
        this.action = action;
        this.auditAction = auditAction;
        this.body = body;
    }

    public Method method() {
        return method;
    }

    /** Whether the route changes the mesh (every method but GET): it is audited before it acts (see {@code Gate}). */
    public boolean changesState() {
        return method != Method.GET;
    }

    /** The route, Helidon-style, with {@code {name}} for a path parameter. */
    public String path() {
        return path;
    }

    /** The policy resource this route touches. */
    public String resource() {
        return resource;
    }

    /** The policy action: {@code read} for reads, {@code write} for changes. */
    public String action() {
        return action;
    }

    /** What the audit entry's {@code action} says, e.g. {@code GET_NETWORK_STATUS}. */
    public String auditAction() {
        return auditAction;
    }

    /** The JSON body it takes ({@link BodySchema#NONE} for none). */
    public BodySchema body() {
        return body;
    }
}
