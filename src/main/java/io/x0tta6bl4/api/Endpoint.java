package io.x0tta6bl4.api;

/**
 * The token-protected routes. Each names the policy resource and action it needs and the action
 * its audit entry records. {@link ApiServer} registers exactly these (plus the public
 * {@link #PUBLIC_PATHS}), and the OpenAPI document is checked against them by a test, so this
 * list is the one place a route is declared.
 */
public enum Endpoint {
    NETWORK_STATUS("/api/network/status", "network", "read", "GET_NETWORK_STATUS"),
    NODES("/api/nodes", "nodes", "read", "LIST_NODES"),
    NODE("/api/nodes/{name}", "nodes", "read", "GET_NODE"),
    /** This node's own view: its detector's peers and recent changes (what {@code cluster status} reads). */
    NODE_VIEW("/api/node", "nodes", "read", "GET_NODE_VIEW"),
    LEDGER("/api/ledger", "ledger", "read", "LIST_LEDGER"),
    /** Declared before {@link #LEDGER_ENTRY} so that {@code checkpoint} is not taken for a sequence number. */
    LEDGER_CHECKPOINT("/api/ledger/checkpoint", "ledger", "read", "GET_LEDGER_CHECKPOINT"),
    LEDGER_ENTRY("/api/ledger/{seq}", "ledger", "read", "GET_LEDGER_ENTRY"),
    POLICY("/api/policy", "policy", "read", "GET_POLICY");

    /** Routes that take no token and are not audited. */
    public static final java.util.List<String> PUBLIC_PATHS = java.util.List.of("/health", "/metrics", "/api/openapi.json");

    private final String path;
    private final String resource;
    private final String action;
    private final String auditAction;

    Endpoint(String path, String resource, String action, String auditAction) {
        this.path = path;
        this.resource = resource;
        this.action = action;
        this.auditAction = auditAction;
    }

    /** The route, Helidon-style, with {@code {name}} for a path parameter. All routes are GET. */
    public String path() {
        return path;
    }

    /** The policy resource this route reads. */
    public String resource() {
        return resource;
    }

    /** The policy action, {@code read} for every route of this step. */
    public String action() {
        return action;
    }

    /** What the audit entry's {@code action} says, e.g. {@code GET_NETWORK_STATUS}. */
    public String auditAction() {
        return auditAction;
    }
}
