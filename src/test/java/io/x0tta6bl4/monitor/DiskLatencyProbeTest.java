package io.x0tta6bl4.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.PrimitiveIterator;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskLatencyProbeTest {
    @TempDir Path tmp;

    @Test
    void writes4KiBAndReportsTheTimeBetweenItsTwoClockReads() throws IOException {
        Path file = tmp.resolve("probe");
        PrimitiveIterator.OfLong clock = LongStream.of(1_000_000, 1_250_000, 9_000_000, 9_004_999).iterator();
        DiskLatencyProbe probe = new DiskLatencyProbe(file, clock::nextLong);
        assertThat(probe.latestMicros()).isEqualTo(-1);

        assertThat(probe.measureMicros()).isEqualTo(250);
        assertThat(probe.latestMicros()).isEqualTo(250);
        assertThat(Files.size(file)).isEqualTo(4096);

        assertThat(probe.measureMicros()).isEqualTo(4);
        assertThat(probe.latestMicros()).isEqualTo(4);
    }

    @Test
    void overwritesTheSameBlockInPlaceWithNewContent() throws IOException {
        Path file = tmp.resolve("probe");
        byte[] existing = new byte[8192];
        Arrays.fill(existing, (byte) 0x5A);
        Files.write(file, existing);
        DiskLatencyProbe probe = new DiskLatencyProbe(file, System::nanoTime);

        probe.measureMicros();
        byte[] afterFirst = Files.readAllBytes(file);
        probe.measureMicros();
        byte[] afterSecond = Files.readAllBytes(file);

        assertThat(afterFirst).hasSize(8192);
        assertThat(Arrays.copyOfRange(afterFirst, 4096, 8192)).isEqualTo(Arrays.copyOfRange(existing, 4096, 8192));
        assertThat(Arrays.copyOfRange(afterFirst, 0, 4096)).isNotEqualTo(Arrays.copyOfRange(existing, 0, 4096));
        assertThat(afterSecond).hasSize(8192);
        assertThat(Arrays.copyOfRange(afterSecond, 0, 4096)).isNotEqualTo(Arrays.copyOfRange(afterFirst, 0, 4096));
    }

    @Test
    void aRealMeasurementIsNonNegativeAndRemembered() {
        DiskLatencyProbe probe = new DiskLatencyProbe(tmp.resolve("probe"), System::nanoTime);
        long micros = probe.measureMicros();
        assertThat(micros).isNotNegative();
        assertThat(probe.latestMicros()).isEqualTo(micros);
    }

    @Test
    void aPathThatCannotBeWrittenFailsNamingIt() {
        DiskLatencyProbe onDirectory = new DiskLatencyProbe(tmp, System::nanoTime);
        assertThatThrownBy(onDirectory::measureMicros)
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(tmp.toString())
                .hasCauseInstanceOf(IOException.class);
        assertThat(onDirectory.latestMicros()).isEqualTo(-1);

        Path missingParent = tmp.resolve("no-such-dir").resolve("probe");
        assertThatThrownBy(new DiskLatencyProbe(missingParent, System::nanoTime)::measureMicros)
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(missingParent.toString());
    }
}
