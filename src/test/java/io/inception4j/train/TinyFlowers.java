package io.inception4j.train;

import io.inception4j.config.Experiment;
import io.inception4j.config.Overrides;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A CI-sized training setup: 3 classes x 10 real 17-flowers images (plus one corrupt JPEG) in a
 * class-per-folder layout, GoogLeNet at an eighth of its width on 64 px inputs, Adam.
 */
public final class TinyFlowers {
    static final Path FLOWERS = Path.of(System.getenv().getOrDefault("INCEPTION4J_FLOWERS17", "../shared/datasets/flowers17"));

    private TinyFlowers() {}

    /** Writes the dataset and experiment files under {@code dir}; returns the experiment file. */
    public static Path setUp(Path dir, int epochs) throws IOException {
        if (!Files.isDirectory(FLOWERS.resolve("jpg"))) {
            throw new IllegalStateException("17-flowers images not found at " + FLOWERS + " (set INCEPTION4J_FLOWERS17)");
        }
        Path images = dir.resolve("images");
        String[] classes = {"daffodil", "snowdrop", "lilyvalley"};
        for (int c = 0; c < classes.length; c++) {
            Path cls = Files.createDirectories(images.resolve(classes[c]));
            for (int i = 1; i <= 10; i++) {
                String name = String.format("image_%04d.jpg", c * 80 + i);
                Files.copy(FLOWERS.resolve("jpg").resolve(name), cls.resolve(name));
            }
        }
        // A JPEG that stops after its header: must be skipped and counted, not crash the run.
        byte[] good = Files.readAllBytes(images.resolve("daffodil/image_0001.jpg"));
        Files.write(images.resolve("daffodil/broken.jpg"), java.util.Arrays.copyOf(good, 200));

        Files.writeString(dir.resolve("data.yaml"), """
                name: tiny
                layout: folders
                search: [%s]
                split: {train: 0.6, val: 0.2, test: 0.2}
                augment: {crop_area: [0.5, 1.0]}
                """.formatted(images.toAbsolutePath()));
        Files.writeString(dir.resolve("train.yaml"), """
                optimizer: adam
                lr: 0.002
                batch_size: 6
                epochs: %d
                seed: 7
                checkpoint: {every: 1, keep_last: 5}
                """.formatted(epochs));
        Path model = Path.of("configs/models/inception-v1.yaml").toAbsolutePath();
        Path exp = dir.resolve("experiment.yaml");
        Files.writeString(exp, """
                name: tiny
                model: %s
                data: data.yaml
                train: train.yaml
                set: [model.classes=3, "model.input=[64,64,3]", model.width=0.125, model.defaults.conv.init=he]
                """.formatted(model));
        return exp;
    }

    public static Trainer.Options options(Path runs, StopSignal stop, Trainer.BatchListener listener) {
        return new Trainer.Options(null, Map.of(), runs, stop, listener);
    }

    public static Experiment load(Path exp, String... sets) {
        return Experiment.load(exp, Overrides.parse(List.of(sets)));
    }
}
