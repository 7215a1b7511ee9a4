package io.inception4j.graph.layers;

/**
 * A convolution test case's geometry, worked out as DL4J does (same mode: output ceil(in / stride), the odd pixel
 * of padding at the bottom and right), with libnd4j's conv2d arguments for the same convolution.
 */
record ConvCase(ConvGeometry geometry, int[] libnd4jArgs) {

    static ConvCase of(int n, int h, int w, int c, int k, int kh, int kw, int stride, int padTop, int padLeft, boolean same,
                       boolean bias) {
        int oh = same ? (h + stride - 1) / stride : (h + 2 * padTop - kh) / stride + 1;
        int ow = same ? (w + stride - 1) / stride : (w + 2 * padLeft - kw) / stride + 1;
        int top = same ? Math.max(0, ((oh - 1) * stride + kh - h) / 2) : padTop;
        int left = same ? Math.max(0, ((ow - 1) * stride + kw - w) / 2) : padLeft;
        return new ConvCase(new ConvGeometry(n, h, w, c, k, kh, kw, stride, stride, top, left, oh, ow, bias),
                new int[] {kh, kw, stride, stride, top, left, 1, 1, same ? 1 : 0, 1, 1});
    }

    int oh() {
        return (int) geometry.oh();
    }

    int ow() {
        return (int) geometry.ow();
    }
}
