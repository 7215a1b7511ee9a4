/**
 * What a run or a sweep looks like to a person: charts drawn with XChart ({@link io.inception4j.report.Charts}:
 * PNG files and inline SVG from the same chart) and self-contained HTML pages ({@link io.inception4j.report.RunPage},
 * {@link io.inception4j.report.SweepPage}) that need no server and no internet. Reads the files a run or sweep
 * writes (CSV, JSON, YAML); knows nothing of DL4J or of the trainer.
 */
package io.inception4j.report;
