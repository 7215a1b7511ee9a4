package io.inception4j.data;

import java.util.Random;

/**
 * The seeds of the pipeline's random streams beyond the crop and flip (whose Random is seeded in {@link BatchIterator}
 * as it always was): one per (run seed, epoch, position, stream), mixed by SplitMix64's finaliser so that nearby
 * positions get unrelated sequences. A stream belongs to one kind of draw, so turning one augmentation on does not
 * change the draws of another: the crops of a seed are the same with RandAugment on or off.
 */
final class Seeds {
    private Seeds() {}

    static final int RAND_AUGMENT = 1, ERASING = 2, MIXING = 3;

    static long of(long seed, int epoch, long position, int stream) {
        long z = mix(seed + 0x9E3779B97F4A7C15L * stream);
        z = mix(z ^ epoch);
        return mix(z ^ position);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static final ThreadLocal<Random> RANDOM = ThreadLocal.withInitial(Random::new);

    /** This thread's Random, set to {@code seed}: no generator made per image. */
    static Random random(long seed) {
        Random r = RANDOM.get();
        r.setSeed(seed);
        return r;
    }
}
