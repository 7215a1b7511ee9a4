package io.inception4j.data;

import java.nio.file.Path;

/** One labelled image file. */
public record Sample(Path file, int label) {}
