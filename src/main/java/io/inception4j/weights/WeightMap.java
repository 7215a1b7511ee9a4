package io.inception4j.weights;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.inception4j.config.Binder;
import io.inception4j.config.YamlDocument;

import java.nio.file.Path;
import java.util.List;

/**
 * How a source's tensor names map onto one of our model configs: a table per source model, kept beside the
 * config ({@code configs/weights/<source>-<model>.yaml}), read like every other config (strict keys,
 * errors with file and line).
 *
 * @param source    what the weights are (e.g. "torchvision googlenet")
 * @param model     the model config they fit, relative to this file
 * @param overrides settings the model config needs for these weights (e.g. torchvision's average pooling
 *                  counts its padding), applied as --set would be
 * @param inputRgb  whether the source's first layer takes RGB (ours takes DataVec's BGR: its input channels are
 *                  reversed on import)
 * @param firstConv the tensor of that first layer
 * @param bnEps     the source's BatchNorm epsilon (not in its state dict): our config must use the same
 * @param ignore    tensors that have no counterpart: a name ending (e.g. BatchNorm's num_batches_tracked), or a
 *                  prefix when it ends with a dot (e.g. "aux1." for a head the model leaves out)
 * @param modules   the table: source module prefix, our vertex, and what kind of module it is
 */
public record WeightMap(String source, String model, List<String> overrides,
                        @JsonProperty("input_rgb") Boolean inputRgb, String firstConv, Double bnEps, List<String> ignore,
                        @JsonProperty(required = true) List<Row> modules) {

    public WeightMap {
        overrides = overrides == null ? List.of() : List.copyOf(overrides);
        inputRgb = inputRgb != null && inputRgb;
        ignore = ignore == null ? List.of("num_batches_tracked") : List.copyOf(ignore);
        if (inputRgb && firstConv == null) throw new Binder.InvalidValue("first_conv", "input_rgb needs the first convolution's tensor name");
    }

    /**
     * One row: {@code [from, to, kind]}.
     *
     * <ul>
     *   <li>{@code conv_bn}: {@code from.conv.weight}, {@code from.bn.{weight,bias,running_mean,running_var}} onto
     *       the convolution {@code to} and its batch norm {@code to/bn} (torchvision's BasicConv2d)</li>
     *   <li>{@code conv}: {@code from.weight} (and {@code from.bias}) onto convolution {@code to}</li>
     *   <li>{@code linear}: {@code from.weight} (transposed: PyTorch keeps [out, in]) and {@code from.bias} onto
     *       dense or output layer {@code to}</li>
     *   <li>{@code bn}: {@code from.{weight,bias,running_mean,running_var}} onto batch norm {@code to}</li>
     * </ul>
     */
    public record Row(String from, String to, Kind kind) {
        public Row {
            if (from == null || to == null || kind == null) throw new Binder.InvalidValue("", "expected [from, to, kind]");
        }

        /** Rows are written as three-element lists. */
        @com.fasterxml.jackson.annotation.JsonCreator
        static Row of(List<String> cells) {
            if (cells.size() != 3) throw new Binder.InvalidValue("", "expected [from, to, kind], got " + cells);
            Kind k;
            try {
                k = Kind.valueOf(cells.get(2).toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new Binder.InvalidValue("", "unknown kind '" + cells.get(2) + "' (expected conv_bn, conv, linear or bn)");
            }
            return new Row(cells.get(0), cells.get(1), k);
        }
    }

    public enum Kind { CONV_BN, CONV, LINEAR, BN }

    /**
     * The table without rows for the given aux heads (a model built with {@code aux: false} has no such
     * vertices); their tensors, when the file has them, are ignored rather than reported.
     */
    public boolean ignores(String tensor) {
        return ignore.stream().anyMatch(i -> i.endsWith(".") ? tensor.startsWith(i) : tensor.endsWith(i));
    }

    public WeightMap withoutRowsUnder(List<String> auxIds) {
        List<Row> kept = new java.util.ArrayList<>();
        List<String> skip = new java.util.ArrayList<>(ignore);
        for (Row r : modules) {
            if (auxIds.stream().anyMatch(id -> r.to().startsWith(id + "/"))) skip.add(r.from() + ".");
            else kept.add(r);
        }
        return new WeightMap(source, model, overrides, inputRgb, firstConv, bnEps, skip, kept);
    }

    public static WeightMap load(Path file) {
        return Binder.bind(YamlDocument.load(file), WeightMap.class);
    }
}
