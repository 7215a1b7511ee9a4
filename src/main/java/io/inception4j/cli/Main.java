package io.inception4j.cli;

import io.inception4j.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

@Command(name = "inception4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "GoogLeNet and the Inception family on Deeplearning4j.", usageHelpWidth = 80,
        subcommands = {TrainCommand.class, EvaluateCommand.class, ExportCommand.class, PredictCommand.class,
                ServeCommand.class, SweepCommand.class, BenchCommand.class, SummaryCommand.class, ImportCommand.class, GenImagesCommand.class, UiCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        Thread.setDefaultUncaughtExceptionHandler(Main::uncaught);
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * DL4J's prefetch thread rethrows whatever the data iterator threw, uncaught, and the JVM prints it: on
     * Ctrl-C that was a stack trace for a batch nobody wanted any more. That one case is dropped; anything
     * else is printed as the JVM would.
     */
    static void uncaught(Thread t, Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof io.inception4j.data.BatchIterator.Interrupted) return;
        }
        System.err.print("Exception in thread \"" + t.getName() + "\" ");
        e.printStackTrace(System.err);
    }

    /** Runs a command line in-process; tests call this. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(Main::handle);
        return cli.execute(args);
    }

    /** User mistakes get their message and exit code 2; anything else is a failure with its stack trace. */
    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        if (e instanceof ConfigException) {
            err.println("error: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        err.println("error: " + e);
        e.printStackTrace(err);
        err.flush();
        return ExitCodes.FAILURE;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"inception4j " + (v == null ? "(development build)" : v)};
        }
    }
}
