package io.inception4j.train;

/**
 * Where a run stands, saved inside every checkpoint.
 *
 * @param epoch        the epoch in progress (0-based); equals the number of completed epochs when batch = 0
 * @param batch        batches of {@code epoch} already trained (non-zero only for a Ctrl-C checkpoint)
 * @param bestTop1     best validation top-1 so far (-1 before the first validation)
 * @param bestEpoch    the epoch (1-based) that reached it
 * @param sinceBest    epochs since the best, for early stopping
 * @param paramsSha256 SHA-256 of the network's parameters as saved, to detect a damaged checkpoint
 * @param emaSha256    the same for the moving average of the parameters (train.ema), null without one
 */
public record TrainingState(int epoch, int batch, double bestTop1, int bestEpoch, int sinceBest, String paramsSha256,
                            String emaSha256) {
    public static TrainingState start() {
        return new TrainingState(0, 0, -1, 0, 0, null, null);
    }

    /** The position and record of a run, without checksums (they are computed when it is saved). */
    static TrainingState at(int epoch, int batch, double bestTop1, int bestEpoch, int sinceBest) {
        return new TrainingState(epoch, batch, bestTop1, bestEpoch, sinceBest, null, null);
    }

    TrainingState withChecksums(String params, String ema) {
        return new TrainingState(epoch, batch, bestTop1, bestEpoch, sinceBest, params, ema);
    }
}
