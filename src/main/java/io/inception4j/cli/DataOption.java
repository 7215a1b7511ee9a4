package io.inception4j.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --data DIR}, shared by every command that reads a dataset. */
final class DataOption {
    @Option(names = "--data", paramLabel = "DIR",
            description = "The dataset folder; without it: the data config's environment variable "
                    + "(INCEPTION4J_FLOWERS17 for 17-flowers), then its search list, then its download.")
    Path dir;
}
