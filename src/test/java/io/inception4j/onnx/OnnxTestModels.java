package io.inception4j.onnx;

import io.inception4j.data.Preprocessing;
import onnx.Onnx.ModelProto;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.List;

/** Small exported models for tests and the fuzz corpus. */
public final class OnnxTestModels {
    private OnnxTestModels() {}

    /** A 16x16 network of three classes: conv, global pool, classifier. */
    public static ModelProto tiny() {
        ComputationGraph g = OnnxCheck.network("""
                name: tiny
                input: [16, 16, 3]
                classes: 3
                blocks:
                  - {id: conv1, type: conv, filters: 4, kernel: 3, stride: 2}
                  - {id: pool, type: global_avgpool}
                  - {id: out, type: output}
                """);
        return OnnxExport.model(g, List.of("a", "b", "c"), new Preprocessing(16, 16, 1.14), "bgr", "tiny", OnnxExport.Options.defaults());
    }
}
