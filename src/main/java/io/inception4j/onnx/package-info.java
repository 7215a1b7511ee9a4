/**
 * ONNX export of an inference bundle and ONNX Runtime inference: {@link io.inception4j.onnx.OnnxExport} writes a
 * bundle's network as a standard ONNX model (opset 13, NCHW, dynamic batch, labels and preprocessing in its
 * metadata), mapping each DL4J layer's semantics rather than its memory layout, and refuses in one line a layer
 * that has no ONNX form; {@link io.inception4j.onnx.OnnxModel} checks such a file and runs it in ONNX Runtime,
 * behind the same {@link io.inception4j.inference.Classifier} as a bundle ({@link io.inception4j.onnx.OnnxModel#classifier}).
 * Sits on inference and graph; never uses train.
 */
package io.inception4j.onnx;
