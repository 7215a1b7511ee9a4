package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * Works around a DL4J 1.0.0-M2.1 bug that keeps the oneDNN layer helpers off on CPU.
 *
 * <p>DL4J's {@code BaseMKLDNNHelper.mklDnnEnabled()} looks up
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment#getInstance().isUseMKLDNN()}, a class that nd4j-native
 * M2.1 moved to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment} and whose method it
 * renamed to {@code isUseONEDNN()}. The lookup fails, DL4J concludes oneDNN is unavailable, and every
 * convolution, pooling, LRN and batch norm falls back to im2col + BLAS, 4-5x slower to train
 * (results/bench/README.md). This class
 * answers at the old name by asking the new one. It uses reflection so that the project still compiles
 * against the CUDA backend, where neither class exists (and DL4J does not ask).
 *
 * <p>Activated together with {@code -Dorg.eclipse.deeplearning4j.helpers.disable=false}, which
 * {@link io.inception4j.backend.Backend} sets; tested by {@code OneDnnHelpersTest}.
 */
public final class Nd4jCpu {
    private Nd4jCpu() {}

    public static final class Environment {
        private static final Environment INSTANCE = new Environment();
        private static final String MOVED_TO = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";

        private Environment() {}

        public static Environment getInstance() {
            return INSTANCE;
        }

        /** Whether libnd4j was built with oneDNN and has it switched on. */
        public boolean isUseMKLDNN() {
            try {
                Class<?> env = Class.forName(MOVED_TO);
                Object instance = env.getMethod("getInstance").invoke(null);
                Method isUse = env.getMethod("isUseONEDNN");
                return (boolean) isUse.invoke(instance);
            } catch (ReflectiveOperationException | LinkageError e) {
                return false;
            }
        }
    }
}
