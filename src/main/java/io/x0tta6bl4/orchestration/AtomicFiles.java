package io.x0tta6bl4.orchestration;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The small JSON files processes of a cluster directory share (agent.json, state.json,
 * launch.json, cluster.json): written to a temporary file, forced to disk and renamed over the
 * old one, so a reader (another command, a restarted agent) sees the old file or the new one,
 * never half of one, even after a crash.
 */
final class AtomicFiles {
    private AtomicFiles() {}

    /** The file's text; a missing or unreadable file is an {@link IllegalArgumentException} naming it, with {@code hint}. */
    static String read(Path file, String hint) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + " does not exist; " + hint);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }

    static void write(Path file, String text) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new OrchestratorException(OrchestratorException.Code.FAILED, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
