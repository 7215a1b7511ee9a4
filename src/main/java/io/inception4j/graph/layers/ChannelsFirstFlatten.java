package io.inception4j.graph.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Flattens an NHWC feature map for a dense layer in NCHW order (channel, then row, then column), as the NCHW
 * network and PyTorch do, so that the dense layer's weights mean the same in both layouts. DL4J's own
 * preprocessor flattens NHWC in NHWC order (Keras's way), which would make a checkpoint's weights depend on
 * the layout. Only GoogLeNet's auxiliary heads flatten a map larger than 1x1.
 */
public class ChannelsFirstFlatten extends CnnToFeedForwardPreProcessor {

    public ChannelsFirstFlatten(@JsonProperty("inputHeight") long inputHeight, @JsonProperty("inputWidth") long inputWidth,
                                @JsonProperty("numChannels") long numChannels) {
        super(inputHeight, inputWidth, numChannels, CNN2DFormat.NHWC);
    }

    @Override
    public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        if (input.rank() != 4 || input.size(1) != inputHeight || input.size(2) != inputWidth || input.size(3) != numChannels) {
            return super.preProcess(input, miniBatchSize, workspaceMgr); // its checks and messages
        }
        INDArray chw = workspaceMgr.dup(ArrayType.ACTIVATIONS, input.permute(0, 3, 1, 2), 'c');
        return chw.reshape('c', chw.size(0), numChannels * inputHeight * inputWidth);
    }

    @Override
    public INDArray backprop(INDArray epsilons, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        INDArray chw = (epsilons.ordering() == 'c' && !epsilons.isView() ? epsilons : epsilons.dup('c'))
                .reshape('c', epsilons.size(0), numChannels, inputHeight, inputWidth);
        return workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, chw.permute(0, 2, 3, 1), 'c');
    }

    @Override
    public ChannelsFirstFlatten clone() {
        return new ChannelsFirstFlatten(inputHeight, inputWidth, numChannels);
    }
}
