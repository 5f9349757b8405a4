package io.x0tta6bl4.orchestration;

import java.util.Locale;

/** What the operating system says about a node's recorded process. */
public enum ProcessState {
    /** The recorded pid runs, and it is the process that was started (same start instant and command). */
    RUNNING,
    /** Running but stopped by SIGSTOP ({@code cluster pause}); it answers nothing until SIGCONT. */
    PAUSED,
    /** The process has exited (or its pid now belongs to another process). */
    EXITED,
    /** The node was never started. */
    NOT_STARTED;

    public boolean live() {
        return this == RUNNING || this == PAUSED;
    }

    /** The lower-case name used in the command's output. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
