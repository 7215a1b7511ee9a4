package io.inception4j.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import io.inception4j.config.SweepConfig;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.distribution.LogUniformDistribution;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.integer.IntegerParameterSpace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The candidate type: a value for each swept config path, as override text ({@code train.lr} to
 * {@code 0.0031}). Each path is one of Arbiter's leaf spaces; Arbiter's generators number the leaves and
 * hand us a point in [0, 1]^n that the leaves turn into values.
 */
public final class SweepSpace implements ParameterSpace<Map<String, String>> {
    private final Map<String, ParameterSpace<?>> leaves = new LinkedHashMap<>();

    public SweepSpace(Map<String, SweepConfig.Range> ranges) {
        ranges.forEach((path, r) -> leaves.put(path, leaf(r)));
    }

    private static ParameterSpace<?> leaf(SweepConfig.Range r) {
        if (r.uniform() != null) return new ContinuousParameterSpace(r.uniform().get(0), r.uniform().get(1));
        if (r.logUniform() != null) return new ContinuousParameterSpace(new LogUniformDistribution(r.logUniform().get(0), r.logUniform().get(1)));
        if (r.integer() != null) return new IntegerParameterSpace(r.integer().get(0), r.integer().get(1));
        return new DiscreteParameterSpace<>(r.choice().stream().map(SweepSpace::yaml).toList());
    }

    /** A choice as override text: 0.3, true, [96,96,3], adam. */
    static String yaml(JsonNode v) {
        return v.isTextual() ? v.asText() : v.toString();
    }

    @Override
    public Map<String, String> getValue(double[] point) {
        Map<String, String> values = new LinkedHashMap<>();
        leaves.forEach((path, leaf) -> {
            Object v = leaf.getValue(point);
            values.put(path, v instanceof Double d ? String.format(Locale.ROOT, "%.4g", d) : String.valueOf(v));
        });
        return values;
    }

    /** The values as {@code --set} arguments. */
    static List<String> overrides(Map<String, String> values) {
        List<String> out = new ArrayList<>();
        values.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    @Override
    public int numParameters() {
        return leaves.size();
    }

    @Override
    public List<ParameterSpace> collectLeaves() {
        List<ParameterSpace> out = new ArrayList<>();
        for (ParameterSpace<?> p : leaves.values()) out.addAll(p.collectLeaves());
        return out;
    }

    @Override
    public Map<String, ParameterSpace> getNestedSpaces() {
        return new LinkedHashMap<>(leaves);
    }

    @Override
    public boolean isLeaf() {
        return false;
    }

    @Override
    public void setIndices(int... indices) {
        throw new UnsupportedOperationException("Arbiter numbers the leaves, not the space");
    }
}
