package io.inception4j.config;

/**
 * A training recipe, as written in {@code configs/train/*.yaml}.
 *
 * @param optimizer      sgd, nesterov (SGD with Nesterov momentum), rmsprop (DL4J's: no momentum, epsilon
 *                       outside the square root), rmsprop_tf (TensorFlow's, with momentum: the Inception v3/v4
 *                       papers'), adam
 * @param lr             initial learning rate
 * @param momentum       momentum (nesterov, rmsprop_tf)
 * @param rmsDecay       decay of the mean square of the gradients (rmsprop, rmsprop_tf)
 * @param epsilon        added to the mean square (rmsprop_tf: inside the square root; default 1.0, the papers';
 *                       rmsprop: outside; default 1e-8)
 * @param schedule       how the learning rate changes
 * @param weightDecay    L2 weight decay on weights (not biases)
 * @param labelSmoothing epsilon of label smoothing (Inception v3: 0.1)
 * @param gradClip       clip each layer's gradient to this L2 norm (DL4J's per-layer clipping); 0 = off
 * @param gradClipGlobal clip the whole network's gradient to this global L2 norm (TF's clip_by_global_norm,
 *                       the v3/v4 papers' 2.0); 0 = off
 * @param batchSize      images per step
 * @param epochs         passes over the training split
 * @param seed           seeds the split, initialisation, shuffling, augmentation and dropout
 * @param checkpoint     how often to save and how many to keep
 * @param earlyStopping  stop after this many epochs without a better validation top-1; 0 = off
 * @param maxLoss        a loss above this (or NaN) stops the run: the last good checkpoint stays
 * @param ema            decay of an exponential moving average of the weights used for validation, test and
 *                       export (the papers' 0.9999, with TF's warm-up min(decay, (1+step)/(10+step))); 0 = off
 * @param warmupEpochs   rise linearly to the learning rate over this many epochs first; 0 = off
 * @param fastPaths      our faster layers and cached convolution pre-activations (default); false: stock DL4J
 *                       only, for comparison (results/bench/README.md)
 * @param freeze         a vertex name: it and everything before it keep their starting weights (fine-tuning
 *                       the head on top of imported weights: DL4J's TransferLearning feature extractor); unset:
 *                       everything trains
 * @param distributed    how an epoch is spread over workers when training runs on several (train --workers,
 *                       train --spark); ignored by a single-process run
 */
public record TrainConfig(Optimizer optimizer, Double lr, Double momentum, Double rmsDecay, Double epsilon,
                          Schedule schedule, Double weightDecay, Double labelSmoothing, Double gradClip,
                          Double gradClipGlobal, Integer batchSize, Integer epochs, Long seed, Checkpoint checkpoint,
                          Integer earlyStopping, Double maxLoss, Double ema, Double warmupEpochs, Boolean fastPaths,
                          String freeze, Distributed distributed) {

    public enum Optimizer { SGD, NESTEROV, RMSPROP, RMSPROP_TF, ADAM }

    public TrainConfig {
        optimizer = optimizer == null ? Optimizer.NESTEROV : optimizer;
        lr = positive("lr", lr == null ? 0.01 : lr);
        momentum = momentum == null ? 0.9 : momentum;
        if (momentum < 0 || momentum >= 1) throw new Binder.InvalidValue("momentum", "expected 0 <= momentum < 1, got " + momentum);
        rmsDecay = rmsDecay == null ? 0.9 : rmsDecay;
        if (rmsDecay <= 0 || rmsDecay >= 1) throw new Binder.InvalidValue("rms_decay", "expected 0 < rms_decay < 1, got " + rmsDecay);
        epsilon = positive("epsilon", epsilon == null ? (optimizer == Optimizer.RMSPROP_TF ? 1.0 : 1e-8) : epsilon);
        schedule = schedule == null ? new Schedule(null, null, null, null) : schedule;
        weightDecay = weightDecay == null ? 0.0 : weightDecay;
        labelSmoothing = labelSmoothing == null ? 0.0 : labelSmoothing;
        if (labelSmoothing < 0 || labelSmoothing >= 1) throw new Binder.InvalidValue("label_smoothing", "expected 0 <= value < 1, got " + labelSmoothing);
        gradClip = gradClip == null ? 0.0 : gradClip;
        if (gradClip < 0) throw new Binder.InvalidValue("grad_clip", "expected 0 (off) or a positive norm, got " + gradClip);
        gradClipGlobal = gradClipGlobal == null ? 0.0 : gradClipGlobal;
        if (gradClipGlobal < 0) throw new Binder.InvalidValue("grad_clip_global", "expected 0 (off) or a positive norm, got " + gradClipGlobal);
        batchSize = batchSize == null ? 32 : batchSize;
        if (batchSize < 1) throw new Binder.InvalidValue("batch_size", "expected at least 1, got " + batchSize);
        epochs = epochs == null ? 30 : epochs;
        if (epochs < 1) throw new Binder.InvalidValue("epochs", "expected at least 1, got " + epochs);
        seed = seed == null ? 42L : seed;
        checkpoint = checkpoint == null ? new Checkpoint(null, null) : checkpoint;
        earlyStopping = earlyStopping == null ? 0 : earlyStopping;
        maxLoss = maxLoss == null ? 1e4 : maxLoss;
        ema = ema == null ? 0.0 : ema;
        if (ema < 0 || ema >= 1) throw new Binder.InvalidValue("ema", "expected 0 (off) or a decay below 1 such as 0.9999, got " + ema);
        warmupEpochs = warmupEpochs == null ? 0.0 : warmupEpochs;
        if (warmupEpochs < 0) throw new Binder.InvalidValue("warmup_epochs", "expected 0 (off) or a positive number of epochs, got " + warmupEpochs);
        fastPaths = fastPaths == null ? Boolean.TRUE : fastPaths;
        distributed = distributed == null ? new Distributed(null, null, null, null, null, null) : distributed;
    }

    private static double positive(String key, double v) {
        if (!(v > 0)) throw new Binder.InvalidValue(key, "expected a positive number, got " + v);
        return v;
    }

    /**
     * @param type   constant; step (x factor every {@code every} epochs: GoogLeNet 0.96 / 8);
     *               exponential (the same, per the v3/v4 recipe 0.94 / 2); poly (to 0 at the end, {@code power})
     */
    public record Schedule(Type type, Double factor, Integer every, Double power) {
        public enum Type { CONSTANT, STEP, EXPONENTIAL, POLY }

        public Schedule {
            type = type == null ? Type.CONSTANT : type;
            factor = factor == null ? (type == Type.EXPONENTIAL ? 0.94 : 0.96) : factor;
            every = every == null ? (type == Type.EXPONENTIAL ? 2 : 8) : every;
            power = power == null ? 0.5 : power;
            if (every < 1) throw new Binder.InvalidValue("every", "expected at least 1 epoch, got " + every);
        }
    }

    /** @param every save every this many epochs; @param keepLast keep this many recent ones (plus the best) */
    public record Checkpoint(Integer every, Integer keepLast) {
        public Checkpoint {
            every = every == null ? 1 : every;
            keepLast = keepLast == null ? 2 : keepLast;
            if (every < 1) throw new Binder.InvalidValue("every", "expected at least 1, got " + every);
            if (keepLast < 1) throw new Binder.InvalidValue("keep_last", "expected at least 1, got " + keepLast);
        }
    }

    /**
     * Training on several workers: DL4J's ParallelWrapper threads (train --workers N) or Spark executors
     * (train --spark MASTER). Each worker fits its own batches of {@code batch_size} images.
     *
     * @param mode              parameter_averaging: every {@code averaging_frequency} batches the workers' parameters
     *                          (and updater state) are averaged (DL4J's ParameterAveragingTrainingMaster, ParallelWrapper
     *                          AVERAGING); shared_gradients: workers exchange threshold-encoded gradient updates
     *                          after every batch (SharedTrainingMaster over Aeron, ParallelWrapper SHARED_GRADIENTS)
     * @param averagingFrequency batches each worker fits between two averagings (parameter_averaging)
     * @param workers           Spark: workers the epoch is divided among (default: the cluster's default
     *                          parallelism); ParallelWrapper takes --workers
     * @param threshold         initial threshold of the adaptive threshold encoding (shared_gradients): gradient
     *                          entries above it are sent, the rest accumulate until they are
     * @param port              UDP port of the Aeron transport on the driver (shared_gradients)
     * @param prefetch          batches each worker decodes ahead of its training
     */
    public record Distributed(Mode mode, Integer averagingFrequency, Integer workers, Double threshold, Integer port,
                              Integer prefetch) {
        public enum Mode { PARAMETER_AVERAGING, SHARED_GRADIENTS }

        public Distributed {
            mode = mode == null ? Mode.PARAMETER_AVERAGING : mode;
            averagingFrequency = averagingFrequency == null ? 5 : averagingFrequency;
            if (averagingFrequency < 1) throw new Binder.InvalidValue("averaging_frequency", "expected at least 1 batch, got " + averagingFrequency);
            if (workers != null && workers < 1) throw new Binder.InvalidValue("workers", "expected at least 1, got " + workers);
            threshold = threshold == null ? 1e-3 : threshold;
            if (!(threshold > 0) || threshold >= 1) throw new Binder.InvalidValue("threshold", "expected 0 < threshold < 1 (1e-3 is DL4J's default), got " + threshold);
            port = port == null ? 40123 : port;
            if (port < 1024 || port > 65535) throw new Binder.InvalidValue("port", "expected a UDP port from 1024 to 65535, got " + port);
            prefetch = prefetch == null ? 2 : prefetch;
            if (prefetch < 0) throw new Binder.InvalidValue("prefetch", "expected 0 or more batches, got " + prefetch);
        }
    }
}
