package io.inception4j.cli;

import io.inception4j.config.ConfigException;
import io.inception4j.ui.LiveStats;
import io.inception4j.ui.UiServer;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "ui", mixinStandardHelpOptions = true,
        description = {"Serve DL4J's training UI for recorded runs.",
                "Shows the statistics that training with --ui recorded in each run directory (ui-stats.bin), until "
                        + "Ctrl-C. Each run also has a page that needs no server: its index.html."})
final class UiCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "Run directories trained with --ui.")
    List<Path> runs;

    @Option(names = "--port", defaultValue = "9000", description = "Port (default: ${DEFAULT-VALUE}; 0: any free port).")
    int port;

    @Option(names = "--host", defaultValue = UiOptions.LOOPBACK, paramLabel = "ADDRESS",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; the UI has no authentication).")
    String host;

    @Spec
    CommandSpec spec;

    /** Counted down to stop serving (tests; Ctrl-C ends the process). */
    static volatile CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        for (Path run : runs) {
            if (!Files.isRegularFile(LiveStats.statsFile(run))) {
                throw new ConfigException(run + ": no " + LiveStats.FILE + " (train with --ui to record the UI's statistics)");
            }
        }
        if (!host.equals(UiOptions.LOOPBACK) && !host.equals("localhost")) {
            spec.commandLine().getErr().println("warning: the training UI has no authentication; listening on " + host);
        }
        List<FileStatsStorage> storages = new ArrayList<>();
        for (Path run : runs) storages.add(LiveStats.open(run)); // a damaged file is refused before serving
        try (UiServer server = UiServer.start(host, port)) {
            for (FileStatsStorage s : storages) server.attach(s);
            spec.commandLine().getOut().println("training UI for " + runs.size() + " run(s): " + server.url() + " (Ctrl-C to stop)");
            spec.commandLine().getOut().flush();
            stop.await();
        }
        return ExitCodes.OK;
    }
}
