package io.x0tta6bl4.cli;

import io.x0tta6bl4.identity.CredentialFileException;
import java.io.PrintWriter;
import java.time.Duration;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code x0tta6bl4} command. Exit codes: 0 ok, 1 refused (a verification failed), 2 usage or
 * configuration error, 3 failed for another reason (the machine, or a bug). Errors go to stderr as one line that names the file or argument.
 */
@Command(name = "x0tta6bl4", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Self-healing, zero-trust mesh with post-quantum identities.",
        subcommands = {CaCommand.class, TokenCommand.class, EnvelopeCommand.class, LedgerCommand.class, NodeCommand.class, HostCommand.class, ClusterCommand.class, DaoCommand.class, DemoCommand.class})
public final class Main {
    static final int OK = 0;
    static final int REFUSED = 1;
    static final int USAGE = 2;
    /** The command could not complete: the machine failed it, or a bug. Not a verification result. */
    static final int FAILED = 3;

    /**
     * gRPC (inside Ratis) and Helidon log through java.util.logging; their INFO lines are not for
     * operators. Held here because JUL keeps loggers only weakly and would forget the level.
     */
    private static final java.util.List<java.util.logging.Logger> QUIET_JUL = java.util.List.of(
            java.util.logging.Logger.getLogger("org.apache.ratis.thirdparty.io.grpc"), java.util.logging.Logger.getLogger("io.helidon"));

    public static void main(String[] args) {
        QUIET_JUL.forEach(l -> l.setLevel(java.util.logging.Level.WARNING));
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.registerConverter(Duration.class, new DurationConverter());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof Refused r) {
                err.println("refused: " + r.getMessage());
                return REFUSED;
            }
            if (e instanceof CredentialFileException || e instanceof IllegalArgumentException || e instanceof UsageProblem) {
                err.println("error: " + e.getMessage());
                return USAGE;
            }
            // Anything else is a failure of the machine or a bug: one line for the operator, the
            // stack trace in the log.
            LoggerFactory.getLogger(Main.class).debug("command failed", e);
            err.println("failed: " + e + (e.getCause() != null ? " (cause: " + e.getCause() + ")" : "")
                    + "; run with X0_LOG_LEVEL=DEBUG for the stack trace");
            return FAILED;
        });
        return cli.execute(args);
    }

    /** A verification failed: exit 1 with the reason. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** Bad input from the command line or a file it names: exit 2. */
    static final class UsageProblem extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageProblem(String message) {
            super(message, null, false, false);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"x0tta6bl4 " + (v == null ? "dev" : v) + " on Java " + Runtime.version()};
        }
    }
}
