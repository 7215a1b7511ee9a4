package io.inception4j.onnx;

import io.inception4j.config.ConfigException;

/**
 * A network that cannot be exported: the vertex and the layer (or vertex, activation, preprocessor) type that has
 * no ONNX form, in one line. A user error, not a failure: the command line exits with code 2, and nothing has
 * been written, since the model is built in full before its file is.
 */
public final class NoOnnxForm extends ConfigException {
    public NoOnnxForm(String message) {
        super(message);
    }
}
