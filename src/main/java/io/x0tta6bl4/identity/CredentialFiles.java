package io.x0tta6bl4.identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Reads and writes credential files. Private keys are created with mode 0600 from the first byte
 * (the permission is set at creation, not changed afterwards, so there is no window in which
 * another user could open the file), and existing files are never overwritten.
 */
final class CredentialFiles {
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

    private CredentialFiles() {}

    static void writeSecret(Path file, String content) {
        write(file, content, OWNER_ONLY);
    }

    static void writePublic(Path file, String content) {
        write(file, content, PUBLIC);
    }

    private static void write(Path file, String content, Set<PosixFilePermission> mode) {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(mode));
            // The umask may have narrowed the mode at creation; set it exactly (never wider than asked).
            Files.setPosixFilePermissions(file, mode);
            Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (FileAlreadyExistsException e) {
            throw new CredentialFileException(file, "already exists; credentials are never overwritten (remove it or choose another --dir/--name)");
        } catch (IOException e) {
            throw new CredentialFileException(file, "cannot write: " + e.getMessage(), e);
        }
    }

    static String read(Path file, String hint) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CredentialFileException(file, "does not exist; " + hint);
        } catch (IOException e) {
            throw new CredentialFileException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Refuses {@code dir} unless it does not exist yet or is an empty directory: credentials are
     * written into a directory of their own, never mixed with other files. Nothing is created;
     * {@link #createDirectory} does that once everything to write is ready.
     */
    static void requireNewOrEmpty(Path dir, String fix) {
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new CredentialFileException(dir, "is a file, not a directory; " + fix);
        }
        try (var entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new CredentialFileException(dir, "is not empty; credentials are never written over or beside other files; " + fix);
            }
        } catch (IOException e) {
            throw new CredentialFileException(dir, "cannot list: " + e.getMessage(), e);
        }
    }

    /**
     * A strict parser's refusal of {@code file} as a {@link CredentialFileException}. The parser
     * was given the file's path as its source, so the message already starts with it; it is
     * said once.
     */
    static CredentialFileException parseProblem(Path file, IllegalArgumentException e) {
        String prefix = file + ": ";
        String message = e.getMessage();
        return new CredentialFileException(file, message.startsWith(prefix) ? message.substring(prefix.length()) : message, e);
    }

    static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CredentialFileException(dir, "cannot create directory: " + e.getMessage(), e);
        }
    }
}
