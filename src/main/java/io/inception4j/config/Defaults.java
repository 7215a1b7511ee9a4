package io.inception4j.config;

/**
 * The {@code defaults:} section of a model config: how convolutions are built unless a block says
 * otherwise. One place to read what "a conv" means in a network (bias or BN, activation, padding, init).
 */
public record Defaults(Conv conv, BatchNorm bn, AvgPool avgpool) {
    public Defaults {
        conv = conv == null ? Conv.STANDARD : conv;
        bn = bn == null ? BatchNorm.STANDARD : bn;
        avgpool = avgpool == null ? AvgPool.STANDARD : avgpool;
    }

    public static final Defaults STANDARD = new Defaults(null, null, null);

    /**
     * @param includePad whether an average pool's zero padding counts in its divisor (TF "SAME" and timm: no,
     *                   the default; torchvision's Inception3: yes, so its weights need
     *                   {@code model.defaults.avgpool.include_pad=true})
     */
    public record AvgPool(@com.fasterxml.jackson.annotation.JsonProperty("include_pad") Boolean includePad) {
        public static final AvgPool STANDARD = new AvgPool(null);

        public AvgPool {
            includePad = includePad != null && includePad;
        }
    }

    /**
     * @param bias       whether convolutions have a bias (Caffe GoogLeNet: yes; BN nets: no)
     * @param bn         whether a batch normalisation follows each convolution
     * @param activation the activation after the convolution (after BN when there is one)
     * @param padding    border treatment when a block does not say
     * @param init       weight initialisation
     */
    public record Conv(Boolean bias, Boolean bn, Activation activation, Padding padding, WeightInit init) {
        public static final Conv STANDARD = new Conv(null, null, null, null, null);

        public Conv {
            bias = bias == null ? Boolean.TRUE : bias;
            bn = bn == null ? Boolean.FALSE : bn;
            activation = activation == null ? Activation.RELU : activation;
            padding = padding == null ? Padding.SAME : padding;
            init = init == null ? WeightInit.XAVIER : init;
        }
    }

    /**
     * @param eps   added to the variance (TF-slim Inception: 0.001)
     * @param decay momentum of the running mean and variance (TF-slim Inception v3: 0.9997)
     */
    public record BatchNorm(Double eps, Double decay) {
        public static final BatchNorm STANDARD = new BatchNorm(null, null);

        public BatchNorm {
            eps = eps == null ? 1e-3 : eps;
            decay = decay == null ? 0.9997 : decay;
            if (eps <= 0) throw new Binder.InvalidValue("eps", "expected a positive number, got " + eps);
            if (decay <= 0 || decay >= 1) throw new Binder.InvalidValue("decay", "expected a number between 0 and 1, got " + decay);
        }
    }
}
