package io.inception4j.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.file.Path;
import java.util.List;

/**
 * A network, as written in {@code configs/models/*.yaml}.
 *
 * @param name        short name, e.g. {@code inception-v1}
 * @param description one line for humans (the paper)
 * @param reference   which implementation the config reproduces exactly
 * @param input       input size as [height, width, channels]
 * @param classes     number of classes of every classifier head
 * @param aux         whether auxiliary classifier heads are built (training only; export drops them)
 * @param auxWeight   default loss weight of auxiliary heads (GoogLeNet: 0.3)
 * @param width       multiplier on every layer width except the classes (1.0 = the paper; tests use less)
 * @param layout      how activations are held in memory, {@link TensorLayout}; the same network either way
 * @param defaults    how convolutions and batch norms are built unless a block says otherwise
 * @param templates   named, parameterised blocks (e.g. Reduction-A with k, l, m, n) that rows use as their type
 * @param blocks      the network, in order; a block's input is the previous block unless it says {@code from}
 */
public record ModelConfig(
        @JsonProperty(required = true) String name,
        String description,
        String reference,
        @JsonProperty(required = true) List<Integer> input,
        @JsonProperty(required = true) Integer classes,
        Boolean aux,
        Double auxWeight,
        Double width,
        TensorLayout layout,
        Defaults defaults,
        java.util.Map<String, Template> templates,
        @JsonProperty(required = true) List<BlockSpec> blocks) {

    public ModelConfig {
        if (input.size() != 3 || input.stream().anyMatch(v -> v == null || v < 1)) {
            throw new Binder.InvalidValue("input", "expected [height, width, channels] with positive whole numbers, got " + input);
        }
        if (classes < 1) throw new Binder.InvalidValue("classes", "expected at least 1 class, got " + classes);
        aux = aux == null ? Boolean.TRUE : aux;
        auxWeight = auxWeight == null ? 0.3 : auxWeight;
        if (auxWeight < 0) throw new Binder.InvalidValue("aux_weight", "expected a weight of 0 or more, got " + auxWeight);
        width = width == null ? 1.0 : width;
        if (width <= 0) throw new Binder.InvalidValue("width", "expected a positive multiplier, got " + width);
        layout = layout == null ? TensorLayout.NHWC : layout;
        defaults = defaults == null ? Defaults.STANDARD : defaults;
        templates = templates == null ? java.util.Map.of() : java.util.Map.copyOf(templates);
        if (blocks.isEmpty()) throw new Binder.InvalidValue("blocks", "expected at least one block");
        input = List.copyOf(input);
        blocks = List.copyOf(blocks);
    }

    /** A copy with another input size (used to find the smallest input a network accepts). */
    public ModelConfig withInput(List<Integer> newInput) {
        return new ModelConfig(name, description, reference, newInput, classes, aux, auxWeight, width, layout, defaults, templates, blocks);
    }

    /** A copy without the auxiliary heads. */
    public ModelConfig withoutAux() {
        return new ModelConfig(name, description, reference, input, classes, false, auxWeight, width, layout, defaults, templates, blocks);
    }

    public int height() {
        return input.get(0);
    }

    public int widthPx() {
        return input.get(1);
    }

    public int channels() {
        return input.get(2);
    }

    /** Reads, overrides ({@code model.*}) and binds a model config file. */
    public static Loaded<ModelConfig> load(Path file, Overrides overrides) {
        YamlDocument doc = YamlDocument.load(file);
        overrides.applyTo(doc, "model");
        return new Loaded<>(doc, Binder.bind(doc, ModelConfig.class));
    }

    /** As {@link #load(Path, Overrides)}, from text (tests, and configs carried inside checkpoints). */
    public static Loaded<ModelConfig> parse(String origin, String yaml, Overrides overrides) {
        YamlDocument doc = YamlDocument.parse(origin, yaml);
        overrides.applyTo(doc, "model");
        return new Loaded<>(doc, Binder.bind(doc, ModelConfig.class));
    }
}
