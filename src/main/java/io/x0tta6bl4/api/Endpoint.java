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
    POLICY(Method.GET, "/api/policy", "policy", "read", "GET_POLICY", BodySchema.NONE);

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
