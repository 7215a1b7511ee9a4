package io.inception4j.spark;

import io.inception4j.config.ConfigException;
import io.inception4j.config.Experiment;
import io.inception4j.config.TrainConfig;
import io.inception4j.data.BatchIterator;
import io.inception4j.data.Preprocessing;
import io.inception4j.data.Sample;
import io.inception4j.files.AtomicFiles;
import io.inception4j.train.EpochFitter;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.repartitioner.NoOpRepartitioner;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.deeplearning4j.spark.stats.EventStats;
import org.deeplearning4j.spark.time.SystemClockTimeSource;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * Fits each epoch on a Spark cluster with one of dl4j-spark's training masters (train.distributed.mode):
 * ParameterAveragingTrainingMaster or the gradient-sharing SharedTrainingMaster. The SparkContext lives
 * from {@link #start} to {@link #close}; the trainer's network is the one the master updates.
 *
 * <p>Every epoch, the wall time and DL4J's own training statistics (time per phase: broadcasting parameters,
 * fitting on the workers, aggregating) are appended to {@code spark-stats.tsv} in the run directory, which is
 * where results/distributed/ takes its compute/communication split from. The SharedTrainingMaster of
 * dl4j-spark M2 collects none (its getTrainingStats() returns null): its rows hold the wall time only.
 */
final class SparkFitter implements EpochFitter {
    private static final Logger log = LoggerFactory.getLogger(SparkFitter.class);

    /** The --add-opens options Spark needs on Java 17: the one list in add-opens.txt, which the scripts read too. */
    static final String ADD_OPENS = addOpens();

    private static String addOpens() {
        try (var in = SparkFitter.class.getResourceAsStream("add-opens.txt")) {
            if (in == null) throw new IllegalStateException("add-opens.txt is missing from the Spark build's resources");
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .map(p -> "--add-opens=java.base/" + p + "=ALL-UNNAMED").collect(java.util.stream.Collectors.joining(" "));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** DL4J's statistic with one event per minibatch a worker fitted. */
    private static final String MINIBATCHES = "WorkerFlatMapProcessMiniBatchTimesMs";
    private static final String TIME_SOURCE = "org.deeplearning4j.spark.time.TimeSource";

    private final String master;
    private JavaSparkContext sc;
    private SparkComputationGraph spark;
    private TrainingMaster<?, ?> trainingMaster;
    private ImageBatchLoader loader;
    private Path lists, statsFile;
    private TrainConfig.Distributed settings;
    private int workers;

    SparkFitter(String master) {
        this.master = master;
    }

    @Override
    public void start(Setup setup) {
        Experiment exp = setup.experiment();
        TrainConfig t = exp.train().config();
        settings = t.distributed();
        if (t.gradClipGlobal() > 0) {
            throw new ConfigException("train.grad_clip_global: the global clipping runs as a listener of the driver's network, "
                    + "which the Spark workers' copies do not carry; use train.grad_clip (per layer) with --spark");
        }
        System.setProperty("aeron.publication.unblock.timeout", System.getProperty("aeron.publication.unblock.timeout", "60000000000"));
        // DL4J's training statistics ask pool.ntp.org for the time by default, ten times, then fail the job.
        System.setProperty(TIME_SOURCE, System.getProperty(TIME_SOURCE, SystemClockTimeSource.class.getName()));
        sc = new JavaSparkContext(conf(exp.name()));
        workers = settings.workers() != null ? settings.workers() : sc.defaultParallelism();
        var m = exp.model().config();
        var data = exp.data().config();
        loader = new ImageBatchLoader(Experiment.toYaml(exp.data().doc().root()), m.height(), m.widthPx(),
                setup.data().classes().size(), setup.outputs(), new Preprocessing(m.height(), m.widthPx(), data.resizeRatio()).cacheSide(),
                t.labelSmoothing(), t.seed(), data.maxPixels());
        trainingMaster = trainingMaster(t);
        spark = new SparkComputationGraph(sc, setup.graph(), trainingMaster);
        lists = setup.run().dir().resolve("spark-batches");
        statsFile = setup.run().dir().resolve("spark-stats.tsv");
        log.info("Spark {} (master {}), {}", sc.version(), sc.master(), describe());
    }

    private SparkConf conf(String name) {
        SparkConf c = new SparkConf().setAppName("inception4j " + name);
        if (!master.equals("submit")) c.setMaster(master);
        String m = c.get("spark.master", "");
        boolean loopback = m.startsWith("local") || m.contains("127.0.0.1") || m.contains("localhost");
        if (loopback) {
            c.setIfMissing("spark.driver.host", "127.0.0.1");
            c.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        if (m.startsWith("local")) c.setIfMissing("spark.ui.enabled", "false");
        c.setIfMissing("spark.executor.extraJavaOptions", ADD_OPENS
                + " -Dorg.eclipse.deeplearning4j.helpers.disable=false -Daeron.publication.unblock.timeout=60000000000"
                + " -D" + TIME_SOURCE + "=" + SystemClockTimeSource.class.getName()
                + " -Dorg.bytedeco.javacpp.maxbytes=6G -Dorg.bytedeco.javacpp.maxphysicalbytes=12G");
        // A standalone cluster's executors load our classes from the application jar.
        Path jar = applicationJar();
        if (jar != null && !m.startsWith("local") && !c.contains("spark.jars")) c.setJars(new String[] {jar.toUri().toString()});
        return c;
    }

    /** The jar these classes were loaded from, or null when they come from a class folder (tests). */
    static Path applicationJar() {
        try {
            Path p = Path.of(SparkFitter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return p.toString().endsWith(".jar") ? p : null;
        } catch (Exception e) {
            return null;
        }
    }

    private TrainingMaster<?, ?> trainingMaster(TrainConfig t) {
        int batch = t.batchSize();
        if (settings.mode() == TrainConfig.Distributed.Mode.SHARED_GRADIENTS) {
            String driver = sc.getConf().get("spark.driver.host", "127.0.0.1");
            VoidConfiguration voidConf = VoidConfiguration.builder()
                    .unicastPort(settings.port())
                    .controllerAddress(driver)
                    .portSupplier(new OwnPortSupplier(settings.port()))
                    .build();
            return new SharedTrainingMaster.Builder(voidConf, workers, new AdaptiveThresholdAlgorithm(settings.threshold()), batch)
                    .batchSizePerWorker(batch)
                    .workersPerNode(1)
                    .workerPrefetchNumBatches(settings.prefetch())
                    .rngSeed(t.seed())
                    .repartitioner(new NoOpRepartitioner()) // the default one hung 3 runs in 6 (dependencies.md)
                    .collectTrainingStats(true)
                    .build();
        }
        return new ParameterAveragingTrainingMaster.Builder(workers, batch)
                .batchSizePerWorker(batch)
                .averagingFrequency(settings.averagingFrequency())
                .workerPrefetchNumBatches(settings.prefetch())
                .saveUpdater(true)
                .rngSeed(t.seed())
                .collectTrainingStats(true)
                .build();
    }

    @Override
    public Report fitEpoch(BatchIterator train, int epoch) {
        List<List<Sample>> batches = train.remainingBatches();
        List<String> uris;
        try {
            uris = BatchLists.write(lists, epoch, batches);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the batch lists into " + lists, e);
        }
        long started = System.nanoTime();
        JavaRDD<String> rdd = sc.parallelize(uris, Math.max(1, Math.min(workers, uris.size())));
        ComputationGraph graph = spark.getNetwork();
        int epochCount = graph.getConfiguration().getEpochCount();
        spark.fitPaths(rdd, loader);
        graph.getConfiguration().setEpochCount(epochCount); // the trainer counts epochs (learning-rate schedules)
        long wallMs = (System.nanoTime() - started) / 1_000_000;
        TreeMap<String, long[]> phases = writeStats(epoch, wallMs);
        long images = batches.stream().mapToLong(List::size).sum();
        int fitted = batches.size();
        long[] minibatches = phases.get(MINIBATCHES);
        if (minibatches != null && minibatches[0] < fitted) {
            // The averaging master fits at most averaging_frequency minibatches per worker and split; the rest of
            // an uneven split is left out (a different part each epoch, as DL4J splits at random).
            log.info("the training master fitted {} of the epoch's {} batches", minibatches[0], fitted);
            images = Math.min(images, minibatches[0] * (long) batches.get(0).size());
            fitted = (int) minibatches[0];
        }
        // The workers' mean loss: the averaging master reports it to the SparkComputationGraph, the
        // gradient-sharing one sets it on the network.
        double loss = settings.mode() == TrainConfig.Distributed.Mode.SHARED_GRADIENTS ? graph.score() : spark.getScore();
        return new Report(loss, fitted, images);
    }

    /** Appends this epoch's DL4J training statistics (total milliseconds per phase) and resets them. */
    private TreeMap<String, long[]> writeStats(int epoch, long wallMs) {
        SparkTrainingStats stats = spark.getSparkTrainingStats();
        TreeMap<String, long[]> totals = new TreeMap<>();
        if (stats != null) collect(stats, totals);
        StringBuilder out = new StringBuilder();
        out.append(epoch + 1).append("\tepoch_wall\t1\t").append(wallMs).append('\n');
        totals.forEach((k, v) -> out.append(epoch + 1).append('\t').append(k).append('\t').append(v[0]).append('\t').append(v[1]).append('\n'));
        try { // rewritten whole (a few kilobytes), so a kill never leaves half a line
            String before = Files.exists(statsFile) ? Files.readString(statsFile) : "epoch\tphase\tevents\ttotal_ms\n";
            AtomicFiles.writeString(statsFile, before + out);
        } catch (IOException e) {
            log.warn("could not write {}: {}", statsFile, e.toString());
        }
        trainingMaster.setCollectTrainingStats(false); // a fresh set for the next epoch
        trainingMaster.setCollectTrainingStats(true);
        return totals;
    }

    /** The top level's keys include its nested statistics' keys, and getValue delegates to them: no recursion. */
    private static void collect(SparkTrainingStats stats, TreeMap<String, long[]> totals) {
        for (String key : stats.getKeySet()) {
            List<EventStats> events = stats.getValue(key);
            if (events == null) continue;
            long[] v = totals.computeIfAbsent(key, k -> new long[2]);
            for (EventStats e : events) {
                v[0]++;
                v[1] += e.getDurationMs();
            }
        }
    }

    @Override
    public String describe() {
        if (settings == null) return "Spark (" + master + ")";
        return String.format(Locale.ROOT, "Spark %s, %d workers, %s", master, workers,
                settings.mode() == TrainConfig.Distributed.Mode.SHARED_GRADIENTS
                        ? "SharedTrainingMaster (threshold " + settings.threshold() + ", Aeron port " + settings.port() + ")"
                        : "ParameterAveragingTrainingMaster (averaging every " + settings.averagingFrequency() + " batches)");
    }

    @Override
    public void close() {
        if (trainingMaster instanceof SharedTrainingMaster) {
            try {
                ((SharedTrainingMaster) trainingMaster).deleteTempFiles(sc);
            } catch (RuntimeException e) {
                log.debug("cleaning up after the SharedTrainingMaster: {}", e.toString());
            }
        }
        if (sc != null) sc.stop();
        sc = null;
        if (lists != null) {
            try (var files = Files.list(lists)) {
                for (Path p : files.toList()) Files.deleteIfExists(p);
                Files.deleteIfExists(lists);
            } catch (IOException e) {
                log.debug("removing {}: {}", lists, e.toString());
            }
        }
    }
}
