package io.x0tta6bl4.monitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How long this node's disk takes to make one small write durable: 4 KiB (one page, the unit the
 * ledger's log and SQLite write) overwritten in place at offset 0, then {@link
 * FileChannel#force(boolean) force(true)}, which is fsync: data and metadata. A slow fsync is
 * what stalls a Raft follower's acknowledgements long before throughput numbers look bad, so it
 * is the disk figure in a {@link LoadSample}.
 *
 * <p>This is an I/O edge, but it reads no clock: the caller passes {@code nanoTime} (normally
 * {@code System::nanoTime}) and schedules {@link #measureMicros()}, normally once a second on a
 * thread that may block on the disk, never the sampler's. Only the write and the fsync are timed,
 * not opening the file. Overwriting the same 4 KiB keeps the file from growing; the content
 * changes each time so no layer can skip the write as a no-op.
 *
 * <p>Thread-safe: measurements are serialized, and {@link #latestMicros()} reads a {@code
 * volatile} field, so the sampler can read it from its own thread.
 */
public final class DiskLatencyProbe {
    /** Bytes written per measurement. */
    public static final int WRITE_BYTES = 4096;

    private final Path file;
    private final LongSupplier nanoTime;
    private final ByteBuffer block = ByteBuffer.allocateDirect(WRITE_BYTES);
    private long writes;
    private volatile long latestMicros = -1;

    /**
     * @param file the file to overwrite; created if missing, its first 4 KiB are the probe's
     * @param nanoTime a monotonic clock in nanoseconds
     */
    public DiskLatencyProbe(Path file, LongSupplier nanoTime) {
        this.file = Objects.requireNonNull(file, "file");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * Writes and fsyncs 4 KiB, remembers the elapsed time and returns it, in microseconds.
     *
     * @throws UncheckedIOException naming the file when it cannot be opened, written or synced
     */
    public synchronized long measureMicros() {
        fill(++writes);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long start = nanoTime.getAsLong();
            long position = 0;
            while (block.hasRemaining()) {
                position += channel.write(block, position);
            }
            channel.force(true);
            long micros = Math.max(0, (nanoTime.getAsLong() - start) / 1000);
            latestMicros = micros;
            return micros;
        } catch (IOException e) {
            throw new UncheckedIOException("disk latency probe cannot write and sync " + file + ": " + e, e);
        }
    }

    /** The last measurement in microseconds, or -1 before the first succeeded. */
    public long latestMicros() {
        return latestMicros;
    }

    private void fill(long sequence) {
        block.clear();
        while (block.hasRemaining()) {
            block.putLong(sequence);
        }
        block.flip();
    }
}
