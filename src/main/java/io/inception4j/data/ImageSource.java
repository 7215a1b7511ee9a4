package io.inception4j.data;

import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;

/**
 * Where a batch's images come from: decoded once and kept ({@link MemoryImages}, data.cache: memory) or read
 * and decoded again each time ({@link StreamedImages}, data.cache: none). Both return the very same pixels
 * for a sample, through {@link ImageDecoder}, so the batches of a seed do not depend on the choice.
 */
public interface ImageSource {
    /** The image of {@code s}, 3-channel BGR with its short side the source's side; throws if unusable. */
    Mat get(Sample s) throws IOException;

    /** Short side of the images in pixels. */
    int side();

    /** "memory" or "none", as data.cache names it. */
    String mode();
}
