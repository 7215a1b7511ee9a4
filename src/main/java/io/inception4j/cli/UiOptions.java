package io.inception4j.cli;

import io.inception4j.train.TrainingObserver;
import io.inception4j.ui.LiveStats;
import io.inception4j.ui.UiServer;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;

/** {@code --ui [PORT]}, {@code --ui-host}, {@code --ui-frequency}: watch training live (train, sweep). */
final class UiOptions {
    static final String LOOPBACK = "127.0.0.1";

    @Option(names = "--ui", arity = "0..1", fallbackValue = "9000", paramLabel = "PORT",
            description = "Serve DL4J's training UI while training, on PORT (default 9000; 0: any free port).")
    Integer port;

    @Option(names = "--ui-host", defaultValue = LOOPBACK, paramLabel = "ADDRESS",
            description = "Address the UI listens on (default: ${DEFAULT-VALUE}, this machine only). The UI has no "
                    + "authentication: anyone who can reach another address can read the training statistics.")
    String host;

    @Option(names = "--ui-frequency", defaultValue = "50", paramLabel = "N",
            description = "Record statistics every N iterations, and always the first and the last (default: ${DEFAULT-VALUE}). Each report gathers "
                    + "statistics of every layer: fewer reports cost less training speed.")
    int frequency;

    /** The observers to attach to training: none without --ui. */
    List<TrainingObserver> observers(PrintWriter out, PrintWriter err) {
        if (port == null) return List.of();
        if (!host.equals(LOOPBACK) && !host.equals("localhost") && !host.equals("::1")) {
            err.println("warning: the training UI has no authentication; listening on " + host
                    + " lets anyone who can reach it read the training statistics");
            err.flush();
        }
        UiServer server = UiServer.start(host, port);
        out.println("training UI: " + server.url());
        out.flush();
        return List.of(new LiveStats(server, frequency));
    }
}
