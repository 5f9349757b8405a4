package io.x0tta6bl4.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackgroundPriorityTest {
    @Test
    void bulkWorkRunsAtTheLowestPriorityAndHandsBackItsResult() throws Exception {
        assumeTrue(BackgroundPriority.available() && BackgroundPriority.niceOfThisThread().isPresent(),
                "setpriority and /proc are Linux-only; elsewhere the work runs at normal priority");
        Optional<Integer> callerBefore = BackgroundPriority.niceOfThisThread();
        Optional<Integer> inside = BackgroundPriority.run("test-bulk", BackgroundPriority::niceOfThisThread);
        assertThat(inside).hasValue(19);
        assertThat(BackgroundPriority.niceOfThisThread()).as("the caller keeps its priority").isEqualTo(callerBefore);
    }

    @Test
    void anErrorOfTheWorkReachesTheCallerInsteadOfANullResult() {
        assertThatThrownBy(() -> BackgroundPriority.run("test-bulk", () -> {
            throw new StackOverflowError("deep");
        })).isInstanceOf(StackOverflowError.class);
    }

    @Test
    void aFailureOfTheWorkReachesTheCaller() {
        assertThatThrownBy(() -> BackgroundPriority.run("test-bulk", () -> {
            throw new IOException("disk full");
        })).isInstanceOf(IOException.class).hasMessage("disk full");
    }
}
