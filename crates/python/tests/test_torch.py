"""A real PyTorch training loop on scikit-learn's digits feeds Statistics every batch and
reads the metrics every epoch: NC1 falls and train accuracy rises. The fixed-ETF head stays
exactly fixed under an optimiser step."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
datasets = pytest.importorskip("sklearn.datasets")

import collapse  # noqa: E402
import collapse.torch  # noqa: E402

K, D = 10, 32


def _digits():
    x, y = datasets.load_digits(return_X_y=True)  # bundled with scikit-learn: no download
    x = torch.tensor(x / 16.0, dtype=torch.float32)
    return x, torch.tensor(y, dtype=torch.int64)


def test_training_loop_collapses_and_learns():
    torch.manual_seed(0)
    x, y = _digits()
    body = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, D), torch.nn.ReLU())
    head = torch.nn.Linear(D, K)
    params = list(body.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=5e-4)
    gen = torch.Generator().manual_seed(1)
    history = []
    for epoch in range(12):
        stats = collapse.Statistics(K, D)
        correct = 0
        for idx in torch.randperm(len(y), generator=gen).split(128):
            feats = body(x[idx])
            logits = head(feats)
            loss = torch.nn.functional.cross_entropy(logits, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            stats.update(feats, y[idx])  # a CPU tensor with grad: read in place
            correct += int((logits.argmax(1) == y[idx]).sum())
        report = stats.metrics(head.weight, head.bias)
        assert report["samples"] == len(y)
        history.append((report["metrics"]["nc1"], correct / len(y), report["metrics"]["nc3"]))
    nc1 = [h[0] for h in history]
    acc = [h[1] for h in history]
    assert nc1[-1] < 0.5 * nc1[0], nc1
    assert acc[-1] > acc[0] and acc[-1] > 0.9, acc
    # the statistics of one epoch agree with the one-shot metrics on the final features
    with torch.no_grad():
        feats = body(x)
    streamed = collapse.Statistics(K, D)
    for part, labels in zip(feats.split(100), y.split(100)):
        streamed.update(part, labels)
    one_shot = collapse.metrics(feats.numpy(), y.numpy(), head.weight.detach().numpy(), head.bias.detach().numpy())
    got = streamed.metrics(head.weight, head.bias)["metrics"]
    for name, value in got.items():
        assert abs(value - one_shot["metrics"][name]) <= 1e-9 * max(abs(value), 1e-12), name


def test_fixed_etf_head_stays_exactly_fixed():
    torch.manual_seed(0)
    x, y = _digits()
    head = collapse.torch.FixedETFHead(K, D, scale=5.0)
    assert "weight" in dict(head.named_buffers())
    assert not list(head.parameters())
    body = torch.nn.Sequential(torch.nn.Linear(64, D))
    model = torch.nn.Sequential(body, head)
    before = head.weight.clone()
    opt = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9, weight_decay=1e-2)
    for idx in torch.arange(len(y)).split(256):
        loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert torch.equal(head.weight, before)
    np.testing.assert_array_equal(head.weight.double().numpy(), collapse.simplex_etf(K, D).astype(np.float32))
    assert torch.equal(model.state_dict()["1.weight"], before)
    # its geometry: the metrics of the frame as a classifier
    feats = body(x).detach()
    report = collapse.metrics(feats, y, head.weight)
    assert report["metrics"]["nc2_w"] < 1e-6
