package io.inception4j.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.LinkedHashMap;
import java.util.Map;

/** The state and arithmetic of {@link TfRmsProp}; the gradient array is replaced by the update DL4J subtracts. */
public final class TfRmsPropUpdater implements GradientUpdater<TfRmsProp> {
    static final String MS = "ms", MOM = "mom";

    private final TfRmsProp config;
    private INDArray ms, mom;

    TfRmsPropUpdater(TfRmsProp config) {
        this.config = config;
    }

    @Override
    public TfRmsProp getConfig() {
        return config;
    }

    @Override
    public void setState(Map<String, INDArray> state, boolean initialize) {
        if (!state.containsKey(MS) || !state.containsKey(MOM) || state.size() != 2) {
            throw new IllegalStateException("TfRmsProp state must hold exactly [" + MS + ", " + MOM + "], got " + state.keySet());
        }
        ms = state.get(MS);
        mom = state.get(MOM);
        if (initialize) initialise();
    }

    @Override
    public Map<String, INDArray> getState() {
        Map<String, INDArray> state = new LinkedHashMap<>();
        state.put(MS, ms);
        state.put(MOM, mom);
        return state;
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
        INDArray flat = viewArray.reshape(viewArray.length());
        long n = flat.length() / 2;
        ms = flat.get(NDArrayIndex.interval(0, n));
        mom = flat.get(NDArrayIndex.interval(n, 2 * n));
        if (initialize) initialise();
    }

    private void initialise() {
        ms.assign(1.0);
        mom.assign(0.0);
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        if (ms == null) throw new IllegalStateException("TfRmsProp: updater state not initialised");
        double lr = config.getLearningRate(iteration, epoch);
        double decay = config.getDecay();
        // The state views take the gradient block's shape (a row vector): no copy of the gradient is made,
        // since the update must be written into the gradient array itself.
        INDArray g = gradient, s = ms.reshape(gradient.shape()), m = mom.reshape(gradient.shape());
        // ms = decay * ms + (1 - decay) * g^2
        s.muli(decay).addi(g.mul(g).muli(1 - decay));
        // mom = momentum * mom + lr * g / sqrt(ms + epsilon)
        INDArray denominator = Transforms.sqrt(s.add(config.getEpsilon()), false);
        INDArray step = Nd4j.getExecutioner().exec(new DivOp(g, denominator, denominator))[0].muli(lr);
        m.muli(config.getMomentum()).addi(step);
        g.assign(m);
    }
}
