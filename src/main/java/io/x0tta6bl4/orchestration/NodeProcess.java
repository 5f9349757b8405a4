package io.x0tta6bl4.orchestration;

import java.time.Instant;

/**
 * A started node process: its pid and the instant the operating system says it started. The
 * pair, not the pid, is the process's identity: after a process dies the system may give its pid
 * to another one ({@link NodeProcesses#live}).
 */
record NodeProcess(long pid, Instant started) {}
