package io.x0tta6bl4.identity;

import java.nio.file.Path;

/** A CA or node credential file that is missing, unreadable or invalid. The message names the file and the fix. */
public final class CredentialFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    public CredentialFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public CredentialFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
