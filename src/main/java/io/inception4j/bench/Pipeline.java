package io.inception4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inception4j.config.ModelConfig;
import io.inception4j.data.BatchIterator;
import io.inception4j.data.Dataset;
import io.inception4j.data.Preprocessing;
import io.inception4j.data.Sample;
import io.inception4j.data.SampleList;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.AsyncMultiDataSetIterator;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The data pipeline measured on its own (read, decode, crop, flip, convert: images/s with its cache mode and
 * worker threads) and feeding a real training loop, through the same classes training uses.
 */
final class Pipeline {
    private final Dataset data;
    private final List<Sample> samples;
    private final ModelConfig model;
    private final double prepareSeconds;

    private Pipeline(Dataset data, List<Sample> samples, ModelConfig model, double prepareSeconds) {
        this.data = data;
        this.samples = samples;
        this.model = model;
        this.prepareSeconds = prepareSeconds;
    }

    static Pipeline open(Benchmark.Options o, ModelConfig m) {
        int side = new Preprocessing(m.height(), m.widthPx(), o.data().resizeRatio()).cacheSide();
        long t0 = System.nanoTime();
        Dataset data = Dataset.prepare(o.data(), o.dataDir(), o.env(), 1, side);
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<Sample> all = SampleList.concat(data.splits().train(), data.splits().val(), data.splits().test());
        if (o.images() > 0 && o.images() < all.size()) all = all.subList(0, o.images());
        return new Pipeline(data, all, m, seconds);
    }

    /**
     * Augmented passes over the samples, alone (no network), on the configured worker threads: {@code --images}
     * images in all, in as many passes (epochs) as that takes, so that sets of different sizes can be compared
     * over the same amount of work (memory that grows with the set, not with the time run, then shows).
     */
    ObjectNode measure(Benchmark.Options o, ObjectMapper json) {
        int target = o.images() > 0 ? o.images() : samples.size();
        BatchIterator it = data.batches(samples, model.height(), model.widthPx(), o.batch(), 1, true, 0, 1);
        long t0 = System.nanoTime();
        int n = 0;
        int epoch = 0;
        while (n < target) {
            if (!it.hasNext()) it.setEpoch(++epoch);
            var batch = it.next();
            n += (int) batch.getFeatures(0).size(0);
            BatchIterator.release(batch);
        }
        double rate = n / ((System.nanoTime() - t0) / 1e9);
        ObjectNode d = json.createObjectNode();
        d.put("dataset", data.config().name()).put("dir", data.dir().toString()).put("images", n).put("distinct_images", samples.size())
                .put("set_images", data.splits().train().size() + data.splits().val().size() + data.splits().test().size()).put("passes", epoch + 1)
                .put("skipped_images", data.bad().size()).put("cache", data.images().mode()).put("cache_reason", data.cacheReason())
                .put("workers", data.config().workers()).put("decoded_short_side", data.images().side())
                .put("input", model.height() + "x" + model.widthPx())
                .put("prepare_seconds", prepareSeconds)
                .put("augment_batch_images_per_s", rate)
                .put("images_per_s_per_worker", rate / data.config().workers())
                .put("note", data.images().mode().equals("memory")
                        ? "prepare = header scan + decoding every image once into memory; the rate is crop, flip and convert from memory"
                        : "prepare = header scan only; the rate includes reading and decoding every image (streamed)");
        return d;
    }

    String describe(com.fasterxml.jackson.databind.JsonNode d) {
        return String.format(Locale.ROOT, "data pipeline: %s, %d images (%d skipped), cache %s, %d workers, decoded at short side %d px%n"
                        + "  prepare %.1f s; augment + batch %.1f images/s (%.1f per worker)%n  %s%n%n",
                d.get("dataset").asText(), d.get("images").asInt(), d.get("skipped_images").asInt(), d.get("cache").asText(),
                d.get("workers").asInt(), d.get("decoded_short_side").asInt(), d.get("prepare_seconds").asDouble(),
                d.get("augment_batch_images_per_s").asDouble(), d.get("images_per_s_per_worker").asDouble(),
                d.get("cache_reason").asText());
    }

    /** Training steps fed by the pipeline (prefetching 4 batches, as training does): images/s per step. */
    Benchmark.Throughput train(ComputationGraph g, int outputs, Benchmark.Options o) {
        List<Sample> train = data.splits().train().isEmpty() ? samples : data.splits().train();
        BatchIterator it = data.batches(train, model.height(), model.widthPx(), o.batch(), outputs, true, 0, 1);
        AsyncMultiDataSetIterator prefetch = new AsyncMultiDataSetIterator(it, 4, false);
        List<Double> rates = new ArrayList<>();
        int epoch = 0;
        try {
            for (int step = 0; step < o.warmup() + o.iterations(); step++) {
                if (!prefetch.hasNext()) {
                    prefetch.shutdown();
                    it.setEpoch(++epoch);
                    prefetch = new AsyncMultiDataSetIterator(it, 4, false);
                    prefetch.hasNext(); // DL4J's next() only hands over what hasNext() took: without it, null
                }
                long t0 = System.nanoTime();
                MultiDataSet b = prefetch.next();
                g.fit(b);
                g.clear();
                if (step >= o.warmup()) rates.add(b.getFeatures(0).size(0) / ((System.nanoTime() - t0) / 1e9));
                BatchIterator.release(b);
            }
        } finally {
            prefetch.shutdown();
        }
        return Benchmark.Throughput.of(rates);
    }
}
