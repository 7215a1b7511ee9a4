package io.inception4j.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * A hyperparameter sweep, as written in {@code configs/sweeps/*.yaml}.
 *
 * @param name       short name, used for the sweep directory
 * @param experiment the base experiment (relative to this file)
 * @param set        overrides for every candidate on top of the experiment: the per-candidate budget
 *                   (e.g. fewer epochs, a smaller input); not carried into the best experiment
 * @param search     random or grid
 * @param gridPoints values per continuous range in a grid search
 * @param candidates at most this many candidates
 * @param maxMinutes stop starting candidates after this long (0: no limit)
 * @param seed       seeds the random search (and so a resumed sweep proposes the same candidates)
 * @param score      what ranks candidates: val_top1 (higher is better) or train_loss (lower is better)
 * @param space      dotted config paths ({@code train.lr}, {@code model.aux_weight}) and their ranges
 */
public record SweepConfig(@JsonProperty(required = true) String name, @JsonProperty(required = true) String experiment,
                          List<String> set, Search search, Integer gridPoints, Integer candidates, Double maxMinutes,
                          Long seed, Score score, @JsonProperty(required = true) Map<String, Range> space) {

    public enum Search { RANDOM, GRID }

    public enum Score { VAL_TOP1, TRAIN_LOSS }

    public SweepConfig {
        set = set == null ? List.of() : List.copyOf(set);
        search = search == null ? Search.RANDOM : search;
        gridPoints = gridPoints == null ? 3 : gridPoints;
        candidates = candidates == null ? 10 : candidates;
        maxMinutes = maxMinutes == null ? 0.0 : maxMinutes;
        seed = seed == null ? 1L : seed;
        score = score == null ? Score.VAL_TOP1 : score;
        if (candidates < 1) throw new Binder.InvalidValue("candidates", "expected at least 1, got " + candidates);
        if (gridPoints < 2) throw new Binder.InvalidValue("grid_points", "expected at least 2, got " + gridPoints);
        if (space.isEmpty()) throw new Binder.InvalidValue("space", "expected at least one path to search over");
    }

    /** Exactly one of: uniform [lo, hi], log_uniform [lo, hi], integer [lo, hi], choice [values...]. */
    public record Range(List<Double> uniform, List<Double> logUniform, List<Integer> integer, List<JsonNode> choice) {
        public Range {
            int given = (uniform != null ? 1 : 0) + (logUniform != null ? 1 : 0) + (integer != null ? 1 : 0) + (choice != null ? 1 : 0);
            if (given != 1) {
                throw new Binder.InvalidValue("", "expected exactly one of uniform, log_uniform, integer, choice");
            }
            check("uniform", uniform);
            check("log_uniform", logUniform);
            if (logUniform != null && logUniform.get(0) <= 0) {
                throw new Binder.InvalidValue("log_uniform", "expected positive bounds, got " + logUniform);
            }
            if (integer != null && (integer.size() != 2 || integer.get(0) >= integer.get(1))) {
                throw new Binder.InvalidValue("integer", "expected [low, high] with low < high, got " + integer);
            }
            if (choice != null && choice.isEmpty()) throw new Binder.InvalidValue("choice", "expected at least one value");
        }

        private static void check(String key, List<Double> r) {
            if (r != null && (r.size() != 2 || !(r.get(0) < r.get(1)))) {
                throw new Binder.InvalidValue(key, "expected [low, high] with low < high, got " + r);
            }
        }
    }
}
