package io.x0tta6bl4.ledger;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Forces files and directory entries to disk. Snapshots and their installation rely on it: Ratis
 * purges its log below a snapshot, so the snapshot (and the rename that publishes it) must be
 * durable first.
 */
final class Fsync {
    private Fsync() {}

    static void file(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /**
     * Publishes {@code temp} as {@code target} crash-safely: syncs it, renames it over
     * {@code target} atomically and syncs the directory, so that after a power loss
     * {@code target} is either the old file or the whole new one.
     */
    static void publish(Path temp, Path target) throws IOException {
        file(temp);
        java.nio.file.Files.move(temp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        directory(target.toAbsolutePath().getParent());
    }

    /** Makes a rename or a new file in {@code dir} durable. */
    static void directory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
