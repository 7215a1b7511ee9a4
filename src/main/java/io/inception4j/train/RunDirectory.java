package io.inception4j.train;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * {@code results/runs/<time>-<name>/}: resolved configs, provenance, split lists, metrics, curves, logs and
 * checkpoints of one training run.
 */
public record RunDirectory(Path dir) {
    /**
     * Marks a log line for the run's {@code train.log} only: the console appender (log4j2.xml) drops it, for
     * things the command line already tells the user in its own words, such as the error that ended a run.
     */
    public static final Marker LOG_ONLY = MarkerFactory.getMarker("RUN_LOG_ONLY");

    public static RunDirectory create(Path root, String name) throws IOException {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = root.resolve(stamp + "-" + name.replaceAll("[^A-Za-z0-9._-]", "_"));
        for (int i = 2; Files.exists(dir); i++) dir = root.resolve(stamp + "-" + name + "-" + i);
        Files.createDirectories(dir.resolve("checkpoints"));
        return new RunDirectory(dir);
    }

    public Path checkpoints() {
        return dir.resolve("checkpoints");
    }

    public Path best() {
        return checkpoints().resolve("best.zip");
    }

    public Path metrics() {
        return dir.resolve("metrics.csv");
    }

    public Path splits() {
        return dir.resolve("splits");
    }

    /** Also sends our log (and DL4J's warnings) to {@code train.log} in this directory, until {@link #detachLog}. */
    public void attachLog() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        String name = appenderName();
        if (config.getAppender(name) != null) return;
        FileAppender appender = FileAppender.newBuilder()
                .setName(name)
                .withFileName(dir.resolve("train.log").toString())
                .withAppend(true)
                .setLayout(PatternLayout.newBuilder().withPattern("%d{ISO8601} %-5level %c{1} - %msg%n").build())
                .build();
        appender.start();
        config.addAppender(appender);
        config.getRootLogger().addAppender(appender, Level.INFO, null);
        ctx.updateLoggers();
    }

    /**
     * Stops sending the log to this run's {@code train.log} and closes it: in one JVM that runs several
     * trainings (a sweep, the tests), each run's log holds its own lines only.
     */
    public void detachLog() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        String name = appenderName();
        Appender appender = config.getAppender(name);
        if (appender == null) return;
        config.getRootLogger().removeAppender(name);
        ctx.updateLoggers();
        appender.stop();
        config.getAppenders().remove(name);
    }

    private String appenderName() {
        return "run:" + dir;
    }
}
