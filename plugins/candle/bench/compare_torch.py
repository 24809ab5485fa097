#!/usr/bin/env python3
"""ResNet18 CPU throughput: the candle backend vs PyTorch eager, same machine, one script.

Both train the same network (torchvision's ResNet18 layout, default 7x7 stem + max-pool, on
3x32x32 inputs, K = 10) with SGD (momentum 0.9, weight decay 5e-4) on random inputs at the same
batch size, in float32, on the same number of threads; images/s over timed steps after one
warm-up step. Also the feature pass (eval mode, no gradients, chunks of 256 as the backend's
`features`) over 2 x batch images. Needs `pip install torch==2.11.0` and the release example:
    cargo build --release -p collapse-plugin-candle --example throughput
Usage: python3 compare_torch.py [--batch 128] [--steps 3] [--threads 2]
"""
import argparse
import json
import os
import subprocess
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, mid, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, mid, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.conv2 = nn.Conv2d(mid, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        s = x if self.downsample is None else self.downsample(x)
        return F.relu(y + s)


class ResNet18(nn.Module):
    """torchvision's ResNet18 (same state_dict names), d = 512 or the narrowed d = K."""

    def __init__(self, classes=10, feature_dim=512, etf=False):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        blocks, cin = [], 64
        for stage in range(4):
            c = 64 << stage
            for b in range(2):
                last = stage == 3 and b == 1
                cout = feature_dim if last else c
                blocks.append(Block(cin, c, cout, 2 if stage > 0 and b == 0 else 1))
                cin = cout
        self.layers = nn.Sequential(*blocks)
        self.fc = nn.Linear(feature_dim, classes)
        if etf:
            k = classes
            m = (k / (k - 1)) ** 0.5 * (torch.eye(k) - torch.ones(k, k) / k)
            w = torch.zeros(k, feature_dim)
            w[:, :k] = m
            self.fc.weight.data.copy_(w)
            self.fc.weight.requires_grad_(False)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        x = self.layers(x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def torch_images_per_s(batch, steps, feature_dim, etf):
    torch.manual_seed(0)
    model = ResNet18(10, feature_dim, etf)
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.01,
                          momentum=0.9, weight_decay=5e-4)
    x = torch.randn(batch, 3, 32, 32)
    y = torch.arange(batch) % 10
    model.train()

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    step()
    t = time.perf_counter()
    for _ in range(steps):
        step()
    train = batch * steps / (time.perf_counter() - t)
    model.eval()
    xs = torch.randn(2 * batch, 3, 32, 32)
    t = time.perf_counter()
    with torch.no_grad():
        for chunk in xs.split(256):
            model(chunk)
    return train, len(xs) / (time.perf_counter() - t)


def candle_images_per_s(exe, batch, steps, feature_dim, etf, threads):
    model = {"classes": 10, "model": "resnet18", "stem": "default", "feature_dim": feature_dim,
             "classifier": "etf" if etf else "learned"}
    env = dict(os.environ, CANDLE_NUM_THREADS=str(threads), RAYON_NUM_THREADS=str(threads))
    out = subprocess.run([exe, json.dumps(model), str(batch), str(steps)], check=True,
                         capture_output=True, text=True, env=env).stdout
    row = json.loads(out.strip().splitlines()[-1])
    return row["train_images_per_s"], row["eval_images_per_s"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only-threads", action="store_true", help="skip the 1-thread rows")
    ap.add_argument("--exe", default=os.path.join(os.path.dirname(__file__),
                                                  "../../../target/release/examples/throughput"))
    a = ap.parse_args()
    print(f"torch {torch.__version__}, batch {a.batch}, {a.steps} timed steps, "
          f"load average before: {os.getloadavg()[0]:.2f}")
    print("| model | threads | candle images/s | PyTorch eager images/s | candle / PyTorch "
          "| candle eval images/s | PyTorch eval images/s | eval candle / PyTorch |")
    print("|---|---|---|---|---|---|---|---|")
    for name, d, etf in [("ResNet18 default stem, learned, d = 512", 512, False),
                         ("ResNet18 default stem, fixed ETF, d = K = 10", 10, True)]:
        for threads in [a.threads] if a.only_threads else sorted({a.threads, 1}, reverse=True):
            torch.set_num_threads(threads)
            c, ce = candle_images_per_s(a.exe, a.batch, a.steps, d, etf, threads)
            t, te = torch_images_per_s(a.batch, a.steps, d, etf)
            print(f"| {name} | {threads} | {c:.1f} | {t:.1f} | {c / t:.2f} | {ce:.1f} | {te:.1f} "
                  f"| {ce / te:.2f} |", flush=True)


if __name__ == "__main__":
    main()
