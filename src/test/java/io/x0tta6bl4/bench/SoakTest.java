package io.x0tta6bl4.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SoakTest {
    @Test
    void machineCpuIsTheBusyShareOfTicksBetweenTwoSamples() {
        assertThat(Soak.cpuPercent(Optional.of(new long[] {100, 1000}), Optional.of(new long[] {250, 1200}))).isEqualTo(75.0);
        assertThat(Soak.cpuPercent(Optional.of(new long[] {100, 1000}), Optional.of(new long[] {100, 1000}))).as("no time passed").isEqualTo(-1);
        assertThat(Soak.cpuPercent(Optional.empty(), Optional.of(new long[] {1, 2}))).isEqualTo(-1);
        if (java.nio.file.Files.exists(java.nio.file.Path.of("/proc/stat"))) {
            assertThat(Soak.cpuTicks()).hasValueSatisfying(t -> assertThat(t[1]).isGreaterThanOrEqualTo(t[0]).isPositive());
        }
    }

    @Test
    void durationsReadAsAnOperatorWritesThem() {
        assertThat(Soak.format(Duration.ofMinutes(10))).isEqualTo("10 min");
        assertThat(Soak.format(Duration.ofSeconds(72))).isEqualTo("1 min 12 s");
        assertThat(Soak.format(Duration.ofSeconds(5))).isEqualTo("5 s");
    }
}
