package io.x0tta6bl4.orchestration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The operating-system side of a node: finding its live process and signalling it.
 *
 * <p>A pid alone is not an identity: after a node dies the system may give its pid to another
 * process, and signalling that one would be a serious bug. A recorded process is therefore only
 * ours if the pid is alive, started at the recorded instant (within {@link #START_TOLERANCE},
 * because the JDK derives the instant from the boot time, which moves when the wall clock is
 * stepped), and, where the system shows command lines, was started with this node's config file
 * ({@code .../node-3/node.yaml}; compared by its last two path elements, so a cluster directory
 * reached through another path or a symbolic link is still recognised).
 *
 * <p>Java has no API for SIGSTOP and SIGCONT; those go through {@code kill(1)}.
 */
final class NodeProcesses {
    static final Duration START_TOLERANCE = Duration.ofSeconds(1);

    private NodeProcesses() {}

    /** The recorded process, if it is still the one that was started. */
    static Optional<ProcessHandle> live(NodeProcess p, Path config) {
        Optional<ProcessHandle> handle = ProcessHandle.of(p.pid()).filter(ProcessHandle::isAlive);
        if (handle.isEmpty() || zombie(p.pid())) {
            return Optional.empty();
        }
        ProcessHandle.Info info = handle.get().info();
        Optional<Instant> started = info.startInstant();
        if (started.isEmpty() || Duration.between(started.get(), p.started()).abs().compareTo(START_TOLERANCE) > 0) {
            return Optional.empty();
        }
        Optional<String[]> args = info.arguments();
        String suffix = config.getParent().getFileName() + "/" + config.getFileName();
        if (args.isPresent() && List.of(args.get()).stream().noneMatch(a -> a.endsWith(suffix))) {
            return Optional.empty();
        }
        return handle;
    }

    static ProcessState state(Optional<NodeProcess> process, Path config) {
        if (process.isEmpty()) {
            return ProcessState.NOT_STARTED;
        }
        long pid = process.get().pid();
        if (live(process.get(), config).isEmpty()) {
            return ProcessState.EXITED;
        }
        return linuxState(pid).filter(s -> s == 'T').isPresent() ? ProcessState.PAUSED : ProcessState.RUNNING;
    }

    /** Whether the live process is stopped (SIGSTOP) rather than running. */
    static boolean paused(long pid) {
        return linuxState(pid).filter(s -> s == 'T').isPresent();
    }

    private static boolean zombie(long pid) {
        return linuxState(pid).filter(s -> s == 'Z' || s == 'X').isPresent();
    }

    /** The state letter of /proc/PID/stat (R, S, D, T, Z, ...), where the system has one. */
    private static Optional<Character> linuxState(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() ? Optional.of(stat.charAt(close + 2)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Waits until the process has exited; true if it did within the timeout. */
    static boolean awaitExit(ProcessHandle handle, Duration timeout) {
        try {
            handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return !handle.isAlive();
        } catch (ExecutionException e) {
            return !handle.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !handle.isAlive();
        }
    }

    /** Sends SIGSTOP or SIGCONT with kill(1). */
    static void signal(long pid, String signal) {
        ProcessBuilder kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true);
        try {
            Process p = kill.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw ClusterException.failed("kill -" + signal + " " + pid + " failed" + (output.isEmpty() ? "" : ": " + output));
            }
        } catch (IOException e) {
            throw new ClusterException(ClusterException.Kind.FAILED, "cannot run kill -" + signal + " " + pid + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ClusterException.failed("interrupted while sending SIG" + signal + " to " + pid);
        }
    }

    /**
     * Waits (up to a second) until the kernel shows the process stopped, or no longer stopped:
     * a signal is delivered when the target is next scheduled, which on a loaded machine is not at
     * once. Returns at once where there is no /proc.
     */
    static void awaitStopped(long pid, boolean stopped) {
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Character> s = linuxState(pid);
            if (s.isEmpty() || (s.get() == 'T') == stopped) {
                return;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The last lines of a node's log, for an error message. */
    static List<String> tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
