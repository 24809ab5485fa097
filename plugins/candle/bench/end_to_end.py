#!/usr/bin/env python3
"""The end-to-end epoch on the CPU: `collapse train` through the candle and tch backends vs the
same work written in PyTorch eager, same machine, one script.

The work: ResNet18 (torchvision's layout, default 7x7 stem + max-pool, d = 512, learned head) on
the first PER_CLASS MNIST training images of each class (3x32x32, the paper's transform), SGD
(lr 0.05, momentum 0.9, weight decay 5e-4, batch 128, cross-entropy) for EPOCHS epochs; after
each epoch the features (eval mode) of the training and test sets and the neural-collapse
metrics on them. Wall time of the whole run, data loading included, on THREADS threads.

The collapse side is the `collapse` binary as a user runs it; its host streams the training
features twice per epoch (class statistics, then the second-pass metrics) and the test features
once. The PyTorch side does the same work by default (`--torch-train-passes 2`: the training
features are computed twice, the second result is used; 1 measures what keeping them saves)
and computes NC1 (tr(S_W S_B^+)/K), NC2 (equinorm and
equiangularity of the centred means), NC3 (self-duality of W and the means), NC4 (NCC agreement
on train and test), loss and accuracy on both splits in float64, and saves a checkpoint (weights
and optimiser state) after every epoch, as collapse does.

Needs the release builds (`CARGO_TARGET_DIR` as used) and PyTorch:
    cargo build --release -p collapse-cli -p collapse-plugin-candle -p collapse-plugin-tch
    pip install torch==2.11.0 numpy      # the full wheel (the lean one does not import)
    cargo xtask data --dir DATA          # MNIST
Usage: python3 end_to_end.py --target TARGET/release --data-dir DATA [--per-class 500]
       [--epochs 2] [--threads 2] [--repeats 2] [--backends candle,tch,torch]
"""
import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_torch import ResNet18  # noqa: E402  (the same network as the throughput script)


def read_idx(folder, name):
    """An IDX file of `folder`, raw or as `name.gz` (how `cargo xtask data` stores them)."""
    path = os.path.join(folder, name)
    data = open(path, "rb").read() if os.path.exists(path) else gzip.open(path + ".gz").read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def mnist(folder, split, per_class=None):
    """(x N×3×32×32 normalised float32, y int64): grey replicated to 3 channels, 32×32 bilinear."""
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(folder, f"{prefix}-images-idx3-ubyte")
    y = read_idx(folder, f"{prefix}-labels-idx1-ubyte").astype(np.int64)
    if per_class is not None:
        keep = np.concatenate([np.flatnonzero(y == c)[:per_class] for c in range(10)])
        keep.sort()
        x, y = x[keep], y[keep]
    x = torch.from_numpy(x.copy()).float().div_(255.0).unsqueeze(1)
    x = F.interpolate(x, size=(32, 32), mode="bilinear", antialias=True, align_corners=False)
    x = ((x - 0.1307) / 0.3081).expand(-1, 3, -1, -1).contiguous()
    return x, torch.from_numpy(y)


def features(model, x, chunk=256):
    """Eval-mode (features N×d, logits N×K) in chunks."""
    model.eval()
    hs, zs = [], []
    with torch.no_grad():
        for i in range(0, len(x), chunk):
            xb = x[i:i + chunk]
            h = F.max_pool2d(F.relu(model.bn1(model.conv1(xb))), 3, 2, 1)
            h = torch.flatten(F.adaptive_avg_pool2d(model.layers(h), 1), 1)
            hs.append(h)
            zs.append(model.fc(h))
    return torch.cat(hs).double(), torch.cat(zs).double()


def nc_metrics(h, z, y, w, b, k, h_test, z_test, y_test):
    """The metrics of one epoch, float64."""
    means = torch.stack([h[y == c].mean(0) for c in range(k)])
    g = h.mean(0)
    centred = means - g
    s_b = centred.T @ centred / k
    diff = h - means[y]
    s_w = diff.T @ diff / len(y)
    out = {"nc1": torch.trace(s_w @ torch.linalg.pinv(s_b, hermitian=True)).item() / k}
    norms = centred.norm(dim=1)
    out["nc2_equinorm"] = (norms.std() / norms.mean()).item()
    u = centred / norms[:, None]
    off = (u @ u.T)[~torch.eye(k, dtype=torch.bool)]
    out["nc2_equiangle"] = (off + 1.0 / (k - 1)).abs().mean().item()
    out["nc3"] = (w / w.norm() - centred / centred.norm()).norm().item()
    for name, hh, zz, yy in [("train", h, z, y), ("test", h_test, z_test, y_test)]:
        ncc = torch.cdist(hh, means).argmin(1)
        out[f"nc4_{name}"] = (ncc != zz.argmax(1)).double().mean().item()
        out[f"loss_{name}"] = F.cross_entropy(zz, yy).item()
        out[f"acc_{name}"] = (zz.argmax(1) == yy).double().mean().item()
    return out


def torch_run(data_dir, per_class, epochs, batch, threads, train_passes):
    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    folder = os.path.join(data_dir, "mnist")
    x, y = mnist(folder, "train", per_class)
    x_test, y_test = mnist(folder, "test")
    torch.manual_seed(6)
    model = ResNet18(10, 512, False)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    rows = []
    for _ in range(epochs):
        model.train()
        for idx in torch.randperm(len(y)).split(batch):
            opt.zero_grad()
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
        for _ in range(train_passes):
            h, z = features(model, x)
        h_test, z_test = features(model, x_test)
        w, b = model.fc.weight.detach().double(), model.fc.bias.detach().double()
        rows.append(nc_metrics(h, z, y, w, b, 10, h_test, z_test, y_test))
        # collapse checkpoints every epoch (weights and optimiser state).
        with tempfile.TemporaryDirectory() as tmp:
            torch.save({"model": model.state_dict(), "optimizer": opt.state_dict()},
                       os.path.join(tmp, "checkpoint.pt"))
    return time.perf_counter() - t0, rows[-1]


def collapse_run(target, backend, data_dir, per_class, epochs, batch, threads):
    env = dict(os.environ, CANDLE_NUM_THREADS=str(threads), RAYON_NUM_THREADS=str(threads),
               OMP_NUM_THREADS=str(threads), COLLAPSE_PLUGIN_PATH=target)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [os.path.join(target, "collapse"), "train", "--backend", backend, "--dataset",
               "mnist", "--data-dir", data_dir, "--subset-per-class", str(per_class), "--model",
               "resnet18", "--epochs", str(epochs), "--batch-size", str(batch), "--out",
               os.path.join(tmp, "run"), "--progress", "none"]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
        return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True, help="folder of the release `collapse` and plugins")
    ap.add_argument("--data-dir", default=os.environ.get("COLLAPSE_DATA_DIR", "data"))
    ap.add_argument("--per-class", type=int, default=500)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--backends", default="candle,tch,torch")
    ap.add_argument("--torch-train-passes", type=int, default=2)
    a = ap.parse_args()
    backends = a.backends.split(",")
    print(f"torch {torch.__version__}, MNIST {a.per_class}/class, {a.epochs} epochs, batch "
          f"{a.batch}, {a.threads} threads, PyTorch training-feature passes "
          f"{a.torch_train_passes}, load average before: {os.getloadavg()[0]:.2f}")
    times = {name: [] for name in backends}
    for r in range(a.repeats):
        for name in backends:
            if name == "torch":
                s, last = torch_run(a.data_dir, a.per_class, a.epochs, a.batch, a.threads,
                                    a.torch_train_passes)
                print(f"  torch final epoch: " + ", ".join(f"{k} {v:.4g}" for k, v in last.items()))
            else:
                s = collapse_run(a.target, name, a.data_dir, a.per_class, a.epochs, a.batch,
                                 a.threads)
            times[name].append(s)
            print(f"run {r + 1} {name}: {s:.1f} s (load average {os.getloadavg()[0]:.2f})",
                  flush=True)
    print("| backend | wall s (each run) | PyTorch eager / backend (best runs) |")
    print("|---|---|---|")
    for name in backends:
        ratio = f"{min(times['torch']) / min(times[name]):.2f}" if "torch" in times else "-"
        print(f"| {name} | {', '.join(f'{s:.1f}' for s in times[name])} | {ratio} |")


if __name__ == "__main__":
    main()
