package io.inception4j.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inception4j.inference.Bundle;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Java half of scripts/conformance: runs an imported bundle on the exact input batch PyTorch saw (raw
 * little-endian float32, [n, 3, h, w], already in our BGR, [-1, 1] form) and compares its logits with
 * PyTorch's: the largest absolute difference, the largest logit, top-1 agreement. Prints and writes JSON.
 * <pre>java -cp inception4j.jar io.inception4j.weights.Conformance BUNDLE INPUT.f32 N H W TORCH.json OUT.json</pre>
 */
public final class Conformance {
    private Conformance() {}

    public static void main(String[] a) throws IOException {
        Bundle bundle = Bundle.read(Path.of(a[0]));
        int n = Integer.parseInt(a[2]), h = Integer.parseInt(a[3]), w = Integer.parseInt(a[4]);
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(Path.of(a[1]))).order(ByteOrder.LITTLE_ENDIAN);
        float[] x = new float[n * 3 * h * w];
        bytes.asFloatBuffer().get(x);
        JsonNode torch = new ObjectMapper().readTree(Path.of(a[5]).toFile()).get("logits");
        ComputationGraph g = bundle.network();
        String output = g.getConfiguration().getNetworkOutputs().get(0);
        INDArray logits = Logits.of(g, output, Nd4j.create(x, new long[] {n, 3, h, w}, 'c'));
        double maxDiff = 0, maxLogit = 0;
        int agree = 0;
        for (int i = 0; i < n; i++) {
            int ours = 0, theirs = 0;
            for (int c = 0; c < logits.size(1); c++) {
                double o = logits.getDouble(i, c), t = torch.get(i).get(c).asDouble();
                maxDiff = Math.max(maxDiff, Math.abs(o - t));
                maxLogit = Math.max(maxLogit, Math.abs(t));
                if (o > logits.getDouble(i, ours)) ours = c;
                if (t > torch.get(i).get(theirs).asDouble()) theirs = c;
            }
            if (ours == theirs) agree++;
        }
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("model", bundle.info().path("model").asText());
        out.put("images", n);
        out.put("input", h + "x" + w);
        out.put("max_abs_logit_difference", maxDiff);
        out.put("largest_logit", maxLogit);
        out.put("top1_agreement", agree + "/" + n);
        out.put("parameters", g.numParams());
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(Path.of(a[6]).toFile(), out);
        System.out.printf("%s: %d images at %dx%d, max |logit difference| %.3g (largest |logit| %.3g), top-1 agreement %d/%d%n",
                out.get("model").asText(), n, h, w, maxDiff, maxLogit, agree, n);
    }
}
