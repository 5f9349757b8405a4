package io.x0tta6bl4.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackgroundPriorityTest {
    /** The calling thread's nice value as Linux reports it, or empty elsewhere. */
    static Optional<Integer> niceOfThisThread() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Integer.parseInt(f[16]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Test
    void bulkWorkRunsAtTheLowestPriorityAndHandsBackItsResult() throws Exception {
        assumeTrue(BackgroundPriority.available() && niceOfThisThread().isPresent(),
                "setpriority and /proc are Linux-only; elsewhere the work runs at normal priority");
        Optional<Integer> callerBefore = niceOfThisThread();
        Optional<Integer> inside = BackgroundPriority.run("test-bulk", BackgroundPriorityTest::niceOfThisThread);
        assertThat(inside).hasValue(19);
        assertThat(niceOfThisThread()).as("the caller keeps its priority").isEqualTo(callerBefore);
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
