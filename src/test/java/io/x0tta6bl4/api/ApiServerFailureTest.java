package io.x0tta6bl4.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.x0tta6bl4.ledger.EntryType;
import io.x0tta6bl4.ledger.InMemoryLedger;
import io.x0tta6bl4.ledger.LedgerEntry;
import io.x0tta6bl4.ledger.LedgerQuery;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A handler that fails, even with an {@link Error}, is answered in the API's JSON, never with a
 * framework page or a stack trace, and its audit entry says ERROR; a public route that fails is
 * answered the same way by the server's last-resort handler.
 */
class ApiServerFailureTest {
    @TempDir Path dir;

    /** A mesh whose status throws an Error and whose node list throws a runtime exception. */
    private static final MeshView BROKEN = new OneNodeMesh() {
        @Override
        public NetworkStatus networkStatus() {
            throw new StackOverflowError("deep in the monitor");
        }

        @Override
        public List<NodeStatus> nodes() {
            throw new IllegalStateException("secret internal detail");
        }
    };

    @Test
    void aFailingHandlerIsAJson500WithoutInternalsAndItsAuditEntrySaysError() throws Exception {
        try (ApiFixture api = new ApiFixture(dir);
             InMemoryLedger ledger = InMemoryLedger.open(api.ca.bundle(), api.node, InstantSource.system(), new SecureRandom())) {
            api.start(BROKEN, ledger, () -> {
                throw new AssertionError("metrics registry in a bad state");
            }, Duration.ofSeconds(5));
            String token = api.token();
            for (String path : List.of("/api/network/status", "/api/nodes", "/metrics")) {
                HttpResponse<String> r = api.get(path, token);
                assertThat(r.statusCode()).as(path).isEqualTo(500);
                assertThat(r.headers().firstValue("Content-Type")).as(path).contains("application/json");
                JsonNode body = new ObjectMapper().readTree(r.body());
                assertThat(body.get("error").asText()).isEqualTo("internal_error");
                assertThat(body.get("message").asText()).contains(path, "log");
                assertThat(r.body()).doesNotContain("deep in the monitor", "secret internal detail", "bad state", "\tat ", "Error", "Exception");
            }
            List<LedgerEntry> audits = ledger.query(LedgerQuery.all(0, 100).withType(EntryType.AUDIT));
            assertThat(audits).extracting(e -> e.submission().resource() + " " + e.submission().status())
                    .containsExactly("/api/network/status ERROR", "/api/nodes ERROR");
        }
    }
}
