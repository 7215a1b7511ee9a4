package io.inception4j.config;

/** A bound config together with the document it came from, so later errors can still point into it. */
public record Loaded<T>(YamlDocument doc, T config) {}
