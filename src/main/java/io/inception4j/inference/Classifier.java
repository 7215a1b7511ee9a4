package io.inception4j.inference;

import io.inception4j.data.ImageDecoder;
import io.inception4j.data.Preprocessing;
import io.inception4j.graph.layers.BatchNormFolding;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Classifies images with an exported bundle (or, through {@link #of}, with the same network run elsewhere: an
 * ONNX export in ONNX Runtime). Load once, share freely: preprocessing runs in the calling thread, the DL4J
 * network call is serialised (DL4J graphs are not safe for concurrent use).
 *
 * <pre>{@code
 * Classifier flowers = Classifier.load(Path.of("googlenet-flowers17.bundle"));
 * List<Classifier.Prediction> top3 = flowers.classify(Path.of("image_0001.jpg"), 3);
 * }</pre>
 */
public final class Classifier {
    /** One label and its softmax probability. */
    public record Prediction(String label, double probability) {}

    /**
     * The outcome for one image of a batch: its predictions, or why it could not be read.
     *
     * @param warning what was wrong with a file that could still be classified (e.g. a JPEG cut short, whose
     *                missing part the decoder filled with grey), or null
     */
    public record Result(Path file, List<Prediction> predictions, String error, String warning) {
        public boolean ok() {
            return error == null;
        }
    }

    /**
     * What turns a preprocessed [n, 3, h, w] batch into [n, classes] softmax probabilities: the bundle's DL4J
     * network, or the same network exported and run elsewhere ({@code io.inception4j.onnx}). Must be safe to
     * call from several threads, and return a new array each call (callers may close it: {@link MultiCrop} does).
     */
    @FunctionalInterface
    public interface Network {
        INDArray probabilities(INDArray batch);
    }

    private final Bundle bundle;
    private final List<String> labels;
    private final Preprocessing preprocessing;
    private final Network network;

    private Classifier(Bundle bundle, List<String> labels, Preprocessing preprocessing, Network network) {
        this.bundle = bundle;
        this.labels = labels;
        this.preprocessing = preprocessing;
        this.network = network;
    }

    public static Classifier load(Path bundleFile) {
        Bundle bundle = Bundle.read(bundleFile);
        ComputationGraph graph = BatchNormFolding.fold(bundle.network()); // this network only ever predicts
        Network dl4j = batch -> {
            synchronized (graph) { // DL4J graphs are not safe for concurrent use
                return graph.outputSingle(false, batch).dup();
            }
        };
        return new Classifier(bundle, bundle.labels(), bundle.preprocessing(), dl4j);
    }

    /**
     * A classifier over any network that takes this preprocessing's images and gives one probability per label:
     * the same preprocessing, batching, top-k and error handling as a bundle's.
     */
    public static Classifier of(List<String> labels, Preprocessing preprocessing, Network network) {
        return new Classifier(null, List.copyOf(labels), preprocessing, network);
    }

    public List<String> labels() {
        return labels;
    }

    /** The bundle this classifier runs, or null when it runs a network from elsewhere ({@link #of}). */
    public Bundle bundle() {
        return bundle;
    }

    /** How each image becomes the network's input. */
    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** Top {@code k} labels for an image file (any size; JPEG, PNG, ..., grayscale or CMYK). */
    public List<Prediction> classify(Path file, int k) throws IOException {
        return topK(probabilities(preprocessing.file(file.toFile())), k).get(0);
    }

    /** Top {@code k} labels for an image in memory. */
    public List<Prediction> classify(BufferedImage image, int k) throws IOException {
        // Through the same decoder as files, so a BufferedImage and its file give the same answer.
        Path tmp = Files.createTempFile("inception4j-", ".png");
        try {
            if (!ImageIO.write(image, "png", tmp.toFile())) throw new IOException("cannot encode the image");
            return classify(tmp, k);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Classifies many files in batches; an unreadable file gets an error result, the others are classified. */
    public List<Result> classify(List<Path> files, int k, int batchSize) {
        List<Result> results = new ArrayList<>();
        for (int start = 0; start < files.size(); start += batchSize) {
            List<Path> chunk = files.subList(start, Math.min(files.size(), start + batchSize));
            List<INDArray> inputs = new ArrayList<>();
            List<Integer> readable = new ArrayList<>();
            List<String> warnings = new ArrayList<>();
            Result[] out = new Result[chunk.size()];
            for (int i = 0; i < chunk.size(); i++) {
                try {
                    var prepared = preprocessing.prepare(chunk.get(i));
                    inputs.add(prepared.pixels());
                    warnings.add(prepared.problem());
                    readable.add(i);
                } catch (Exception | LinkageError e) {
                    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                    String prefix = chunk.get(i) + ": ";
                    out[i] = new Result(chunk.get(i), List.of(), msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg, null);
                }
            }
            if (!inputs.isEmpty()) {
                List<List<Prediction>> top = topK(probabilities(Nd4j.concat(0, inputs.toArray(INDArray[]::new))), k);
                for (int j = 0; j < readable.size(); j++) {
                    out[readable.get(j)] = new Result(chunk.get(readable.get(j)), top.get(j), null, warnings.get(j));
                }
            }
            results.addAll(List.of(out));
        }
        return results;
    }

    /**
     * The same with {@code crops} crops per image (1, 10 or 144: see {@link io.inception4j.data.Crops}), softmax
     * averaged over them; 1 is exactly {@link #classify(List, int, int)}. Crops go through in batches of at most
     * {@code batchSize}, and {@code batchSize} files are in hand at a time.
     */
    public List<Result> classify(List<Path> files, int k, int batchSize, int crops) {
        if (io.inception4j.data.Crops.check(crops) == 1) return classify(files, k, batchSize);
        MultiCrop multiCrop = multiCrop(crops, batchSize, ImageDecoder.DEFAULT_MAX_PIXELS, true);
        List<Result> results = new ArrayList<>();
        for (int start = 0; start < files.size(); start += Math.max(1, batchSize)) {
            for (MultiCrop.Averaged a : averaged(files.subList(start, Math.min(files.size(), start + Math.max(1, batchSize))), multiCrop)) {
                results.add(a.ok() ? new Result(a.file(), topK(a.probabilities(), k), null, a.warning())
                        : new Result(a.file(), List.of(), a.error(), null));
            }
        }
        return results;
    }

    /**
     * Multi-crop inference with this classifier's preprocessing ({@link MultiCrop}); run it with
     * {@link #averaged}.
     */
    public MultiCrop multiCrop(int crops, int batchSize, long maxPixels, boolean allowDamaged) {
        return new MultiCrop(preprocessing, crops, batchSize, maxPixels, allowDamaged);
    }

    /** Each file's softmax averaged over its crops, through this classifier's network. */
    public List<MultiCrop.Averaged> averaged(List<Path> files, MultiCrop multiCrop) {
        return multiCrop.run(files, network);
    }

    /** Softmax outputs for a [n, 3, h, w] batch already preprocessed. */
    public INDArray probabilities(INDArray batch) {
        return network.probabilities(batch);
    }

    /** The top {@code k} labels of each row of {@link #probabilities}' output, most probable first. */
    public List<List<Prediction>> topK(INDArray probs, int k) {
        List<List<Prediction>> all = new ArrayList<>();
        for (int r = 0; r < probs.rows(); r++) all.add(topK(probs.getRow(r).toDoubleVector(), k));
        return all;
    }

    /** The top {@code k} labels of one image's probabilities, most probable first. */
    public List<Prediction> topK(double[] p, int k) {
        return IntStream.range(0, p.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -p[i]))
                .limit(Math.max(1, Math.min(k, p.length)))
                .map(i -> new Prediction(labels.get(i), p[i])).toList();
    }

    /** Image files under the given files and folders (recursively), sorted; folders without images are errors. */
    public static List<Path> expand(List<Path> paths) {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (var walk = Files.walk(p)) {
                    List<Path> found = walk.filter(Files::isRegularFile).filter(io.inception4j.data.ImageIndex::isImage).sorted().toList();
                    if (found.isEmpty()) throw new io.inception4j.config.ConfigException(p + ": no images in this folder");
                    files.addAll(found);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else if (Files.exists(p)) {
                files.add(p);
            } else {
                throw new io.inception4j.config.ConfigException(p + ": no such file or folder");
            }
        }
        return files;
    }
}
