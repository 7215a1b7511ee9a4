/**
 * Pretrained weights from elsewhere: PyTorch checkpoints ({@code .pth}/{@code .pt}, a zip of pickled tensor
 * metadata and raw storages, read with Pyrolite's unpickler, never Python code) and {@code .safetensors},
 * mapped onto our graphs by tables in {@code configs/weights/} (data, not code), with layout
 * conversions (dense transposes, RGB to our BGR, BatchNorm's running variance to DL4J's log10 std). Every
 * unmapped, missing or mis-shaped tensor is an error naming it; nothing stays at random initialisation
 * silently. Sits on top of {@link io.inception4j.graph} and {@link io.inception4j.train}.
 */
package io.inception4j.weights;
