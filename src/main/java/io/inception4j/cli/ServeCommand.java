package io.inception4j.cli;

import io.inception4j.config.ConfigException;
import io.inception4j.inference.Classifier;
import io.inception4j.serve.ModelServer;
import io.inception4j.serve.ServeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve bundles over HTTP, batching requests that arrive together.",
                "POST an image (raw body or multipart) to /v1/models/NAME:predict for its top-k labels as JSON, the same "
                        + "as predict's. GET /v1/models lists the models, /healthz and /readyz are the health checks, "
                        + "/metrics is for Prometheus.",
                "A full queue answers 503 with Retry-After; a body, image or upload over its limit is refused (413, 408); "
                        + "a bad image is 400 with the reason.",
                "SIGTERM or Ctrl-C stops gracefully: requests in flight are answered first. Exit codes: 0 after SIGTERM, "
                        + "130 after Ctrl-C, 2 for a bad bundle or argument."})
final class ServeCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "[NAME=]BUNDLE",
            description = "Bundles written by 'inception4j export'; a model's name is the file's without its extension, or NAME.")
    List<String> bundles;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0: any free port).")
    int port;

    @Option(names = "--host", defaultValue = ServeOptions.LOOPBACK, paramLabel = "ADDRESS",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only). Another address lets anyone "
                    + "who can reach it use the models: set a token.")
    String host;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Require 'Authorization: Bearer TOKEN' on every request but the health checks, TOKEN being this file's first line.")
    Path tokenFile;

    @Option(names = "--token-env", paramLabel = "VARIABLE",
            description = "The same, TOKEN being this environment variable's value. Never on the command line, where other users can read it.")
    String tokenEnv;

    @Option(names = "--max-body", defaultValue = "16M", paramLabel = "BYTES",
            description = "Largest request body, with K, M or G (default: ${DEFAULT-VALUE}); a larger one is 413, unread.")
    String maxBody;

    @Option(names = "--max-pixels", defaultValue = "100000000", paramLabel = "N",
            description = "Largest image in pixels, from its header before decoding (default: ${DEFAULT-VALUE}); a larger one is 413.")
    long maxPixels;

    @Option(names = "--read-timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "Time for a whole request body to arrive, and for an idle connection (default: ${DEFAULT-VALUE}); a slower upload is 408.")
    double readTimeout;

    @Option(names = "--request-timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "Time from a request's arrival to its answer (default: ${DEFAULT-VALUE}); a request still waiting is 503.")
    double requestTimeout;

    @Option(names = "--max-batch", defaultValue = "16", paramLabel = "N",
            description = "Most requests in one network call (default: ${DEFAULT-VALUE}; 1: no batching).")
    int maxBatch;

    @Option(names = "--max-wait", defaultValue = "5", paramLabel = "MS",
            description = "How long a batch waits for more requests after its first (default: ${DEFAULT-VALUE}).")
    double maxWait;

    @Option(names = "--queue", defaultValue = "128", paramLabel = "N",
            description = "Requests waiting per model; beyond it, 503 with Retry-After (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = {"-k", "--top"}, defaultValue = "3", description = "Labels per answer unless a request asks ?k= (default: ${DEFAULT-VALUE}).")
    int k;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        ServeOptions options;
        try {
            options = new ServeOptions(host, port, token(), bytes(maxBody), maxPixels, seconds(readTimeout, "--read-timeout"),
                    seconds(requestTimeout, "--request-timeout"), maxBatch, Duration.ofNanos(Math.round(maxWait * 1e6)), queue, k);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        Map<String, Classifier> models = new LinkedHashMap<>();
        for (String arg : bundles) {
            int eq = arg.indexOf('=');
            Path file = Path.of(eq > 0 ? arg.substring(eq + 1) : arg);
            String name = eq > 0 ? arg.substring(0, eq) : ModelServer.modelName(file);
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) throw new ConfigException(arg + ": a model name is letters, digits, '.', '_' and '-'");
            if (models.containsKey(name)) throw new ConfigException(arg + ": a second model named '" + name + "'; name them with NAME=BUNDLE");
            if (!Files.isRegularFile(file)) throw new ConfigException(file + ": no such bundle");
            models.put(name, Classifier.load(file));
        }
        if (!options.loopback()) {
            err.println("warning: serving on " + host + ": anyone who can reach this address can use the models"
                    + (options.token() == null ? " (no token is set: see --token-file)" : ""));
            err.flush();
        }
        ModelServer server = ModelServer.start(models, options);
        AtomicReference<String> signal = new AtomicReference<>();
        SignalHandler stop = s -> {
            signal.compareAndSet(null, s.getName());
            new Thread(server::stop, "inception4j-serve-stop").start(); // signal handlers must return quickly
        };
        SignalHandler previousTerm = Signal.handle(new Signal("TERM"), stop);
        SignalHandler previousInt = Signal.handle(new Signal("INT"), stop);
        try {
            out.println("serving " + String.join(", ", models.keySet()) + " at " + server.url() + " (SIGTERM or Ctrl-C to stop)");
            models.keySet().forEach(n -> out.println("  POST " + server.url() + "v1/models/" + n + ":predict"));
            out.flush();
            server.awaitStopped();
        } finally {
            Signal.handle(new Signal("TERM"), previousTerm);
            Signal.handle(new Signal("INT"), previousInt);
        }
        out.println("stopped (" + signal.get() + ")");
        out.flush();
        return "INT".equals(signal.get()) ? ExitCodes.INTERRUPTED : ExitCodes.OK;
    }

    /** The token from its file or variable; null when neither is given. */
    private String token() throws IOException {
        if (tokenFile != null && tokenEnv != null) throw new ConfigException("--token-file and --token-env: give one");
        String token = null;
        if (tokenFile != null) {
            if (!Files.isRegularFile(tokenFile)) throw new ConfigException(tokenFile + ": no such token file");
            if (Files.size(tokenFile) > 4096) throw new ConfigException(tokenFile + ": over 4 KB; a token file holds one line");
            token = Files.readString(tokenFile, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
            if (token.isEmpty()) throw new ConfigException(tokenFile + ": the token file is empty");
        } else if (tokenEnv != null) {
            token = System.getenv(tokenEnv);
            if (token == null || token.isBlank()) throw new ConfigException("--token-env " + tokenEnv + ": the variable is not set or empty");
            token = token.strip();
        }
        return token;
    }

    static long bytes(String size) {
        var m = java.util.regex.Pattern.compile("(\\d+)([KMG]?)B?").matcher(size.strip().toUpperCase(Locale.ROOT));
        if (!m.matches()) throw new ConfigException("--max-body " + size + ": expected bytes, e.g. 16M or 500K");
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "K" -> n << 10;
            case "M" -> n << 20;
            case "G" -> n << 30;
            default -> n;
        };
    }

    private static Duration seconds(double s, String option) {
        if (!(s > 0)) throw new ConfigException(option + " " + s + ": expected a positive number of seconds");
        return Duration.ofNanos(Math.round(s * 1e9));
    }
}
