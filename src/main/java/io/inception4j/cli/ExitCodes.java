package io.inception4j.cli;

/** Exit codes of every subcommand. */
public final class ExitCodes {
    public static final int OK = 0;
    /** Something went wrong while running (I/O, a diverged training run, an internal error). */
    public static final int FAILURE = 1;
    /** Bad input: a config error, an unknown option, a file that does not exist. */
    public static final int USAGE = 2;
    /** Stopped by Ctrl-C after saving what there was to save. */
    public static final int INTERRUPTED = 130;

    private ExitCodes() {}
}
