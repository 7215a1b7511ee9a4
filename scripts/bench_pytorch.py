#!/usr/bin/python3
"""The same measurement as `inception4j bench`, with PyTorch + torchvision (Debian's python3-torch).

    /usr/bin/python3 scripts/bench_pytorch.py --model googlenet --size 224 --batch 32 --classes 1000 \
        --memory-format channels_last

Training step: forward, loss (main + 0.3 x each aux head for GoogLeNet, + 0.4 x aux for Inception v3), backward,
SGD momentum update. Prints one JSON object: images/s (median over timed iterations after warm-up) and the
model's multiply-adds per image, counted with forward hooks on every Conv2d and Linear.
--memory-format channels_last is PyTorch's own advice for convolution networks on CPU (model and input in
NHWC, so oneDNN runs without reorders); contiguous is its default layout. scripts/bench-side-by-side times both.
Note: torchvision's GoogLeNet differs from the paper's (3x3 in the "5x5" branch, batch norm, no LRN):
configs/models/googlenet-torchvision.yaml is the same network on our side.
"""
import argparse
import json
import os
import statistics
import time

import torch
import torchvision


def count_macs(model, x):
    macs = []

    def conv_hook(m, inp, out):
        macs.append(out.numel() // out.shape[0] * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1])

    def linear_hook(m, inp, out):
        macs.append(m.in_features * m.out_features)

    hooks = [m.register_forward_hook(conv_hook) for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    hooks += [m.register_forward_hook(linear_hook) for m in model.modules() if isinstance(m, torch.nn.Linear)]
    model.eval()
    with torch.no_grad():
        model(x[:1])
    for h in hooks:
        h.remove()
    return sum(macs)


def timed(step, warmup, iterations, batch):
    for _ in range(warmup):
        step()
    rates = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        step()
        rates.append(batch / (time.perf_counter() - t0))
    return {"median": statistics.median(rates), "min": min(rates), "max": max(rates), "iterations": iterations}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="googlenet", choices=["googlenet", "inception_v3"])
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--classes", type=int, default=1000)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--memory-format", default="contiguous", choices=["contiguous", "channels_last"])
    a = p.parse_args()
    layout = torch.channels_last if a.memory_format == "channels_last" else torch.contiguous_format

    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(1)
    if a.model == "googlenet":
        model = torchvision.models.googlenet(weights=None, aux_logits=True, init_weights=True, num_classes=a.classes)
        aux_weight = 0.3
    else:
        model = torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=True, num_classes=a.classes)
        aux_weight = 0.4
    x = torch.rand(a.batch, 3, a.size, a.size)
    y = torch.randint(0, a.classes, (a.batch,))
    macs = count_macs(model, x)
    model = model.to(memory_format=layout)
    x = x.contiguous(memory_format=layout)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()

    def train_step():
        model.train()
        opt.zero_grad()
        out = model(x)
        if a.model == "googlenet":
            loss = loss_fn(out.logits, y) + aux_weight * (loss_fn(out.aux_logits1, y) + loss_fn(out.aux_logits2, y))
        else:
            loss = loss_fn(out.logits, y) + aux_weight * loss_fn(out.aux_logits, y)
        loss.backward()
        opt.step()

    def infer_step():
        model.eval()
        with torch.no_grad():
            model(x)

    train = timed(train_step, a.warmup, a.iterations, a.batch)
    infer = timed(infer_step, a.warmup, a.iterations, a.batch)
    print(json.dumps({
        "framework": "pytorch " + torch.__version__, "torchvision": torchvision.__version__, "model": a.model,
        "input": a.size, "batch": a.batch, "classes": a.classes, "threads": torch.get_num_threads(),
        "memory_format": a.memory_format,
        "multiply_adds_per_image": macs, "params": sum(p.numel() for p in model.parameters()),
        "train_images_per_s": train, "inference_images_per_s": infer,
        "mkldnn": torch.backends.mkldnn.is_available(),
    }))


if __name__ == "__main__":
    main()
