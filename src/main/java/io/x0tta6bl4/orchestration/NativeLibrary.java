package io.x0tta6bl4.orchestration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * sqlite-jdbc's native library, extracted once per host for every node it starts.
 *
 * <p>Why: left alone, sqlite-jdbc 3.54 copies its 1.1 MB native library into {@code java.io.tmpdir}
 * under a fresh UUID name ({@code sqlite-3.54.1.0-<uuid>-libsqlitejdbc.so}) with a {@code .lck}
 * file beside it each time a JVM first opens a database, and removes both only on a normal JVM
 * exit ({@code deleteOnExit}). A node that is killed, which the detection benchmark does twenty
 * times a run, leaves both behind, and the loader's own clean-up at the next start skips any copy
 * whose {@code .lck} is still there: 61 copies (67 MB) piled up in /tmp in an hour of testing.
 *
 * <p>{@code SQLiteJDBCLoader.loadSQLiteNativeLibrary} first tries
 * {@code org.sqlite.lib.path}/{@code org.sqlite.lib.name} and loads that file as it is, copying
 * nothing; only if that fails does it extract. So the host extracts the library from the
 * sqlite-jdbc jar on its own class path (the one its nodes run) into
 * {@code DIR/host/native/sqlite-jdbc-<version>/} once, and gives every node those two properties.
 * {@code org.sqlite.tmpdir} points into the same folder, so that should the library there fail to
 * load, the loader's fallback copy and its start-up clean-up stay in the host's folder and never
 * touch /tmp. The folder name carries the driver's version, so a node never loads a library of
 * another sqlite-jdbc than its own class path's, and it does not start with {@code sqlite-<version>},
 * the prefix of the loader's clean-up.
 */
final class NativeLibrary {
    private NativeLibrary() {}

    /**
     * Extracts the library into {@code nativeDir} if it is not there yet, and returns the JVM
     * options that make a node load it from there; with only {@code org.sqlite.tmpdir} when this
     * platform has no bundled library (the loader then fails in the node, saying so in its log).
     */
    static List<String> sqliteOptions(Path nativeDir) {
        String version = SQLiteJDBCLoader.getVersion();
        String name = LibraryLoaderUtil.getNativeLibName();
        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name;
        Path folder = nativeDir.resolve("sqlite-jdbc-" + version);
        String tmp = "-Dorg.sqlite.tmpdir=" + nativeDir;
        try {
            Files.createDirectories(nativeDir);
            Optional<Path> lib = extract(resource, folder.resolve(name));
            return lib.isEmpty() ? List.of(tmp) : List.of("-Dorg.sqlite.lib.path=" + folder, "-Dorg.sqlite.lib.name=" + name, tmp);
        } catch (IOException e) {
            throw OrchestratorException.failed("cannot extract sqlite-jdbc's native library " + resource + " into " + folder + ": " + e.getMessage()
                    + "; check that " + nativeDir + " is writable");
        }
    }

    /** Writes the resource to {@code target} unless it already holds exactly those bytes; empty when there is no such resource. */
    private static Optional<Path> extract(String resource, Path target) throws IOException {
        byte[] bytes;
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            bytes = in.readAllBytes();
        }
        if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), bytes)) {
            return Optional.of(target);
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "extract-", ".tmp");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return Optional.of(target);
    }
}
