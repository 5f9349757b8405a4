package io.x0tta6bl4.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** One run of the command line, as a user sees it: exit code, stdout, stderr. */
record Cli(int exit, String out, String err) {

    static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        int exit = Main.run(args, o, e);
        o.flush();
        e.flush();
        return new Cli(exit, out.toString(), err.toString());
    }

    /**
     * As {@link #run}, but also captures what the command writes to {@code System.out} directly
     * ({@code envelope open} writes the plaintext there); that capture is appended to {@link #out}.
     */
    static Cli runCapturingSystemOut(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Cli result;
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            result = run(args);
        } finally {
            System.setOut(saved);
        }
        return new Cli(result.exit, result.out + bytes.toString(StandardCharsets.UTF_8), result.err);
    }

    @Override
    public String toString() {
        return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
