"""dk.train.overfit_batch: a correct model memorises a small batch; one that cannot (a
frozen network, labels no function could fit) is reported as not memorised."""

import numpy as np
import pytest
import torch

import dlkit as dk


def _digits16():
    X, y, _, _ = dk.data.digits(100, seed=0)
    return X[:16], y[:16]


def test_a_correct_mlp_memorises_16_digits():
    X, y = _digits16()
    torch.manual_seed(0)
    model = dk.models.MLP(in_features=64, hidden=(32,), out_features=10)
    history = dk.train.overfit_batch(model, X, y, steps=500, lr=1e-2, device="cpu")
    assert history["memorised"] and history["accuracy"][-1] == 1.0
    assert history["loss"][-1] <= 1e-3 and history["steps"] < 500
    logits = model(torch.tensor(X, dtype=torch.float32))
    assert torch.nn.functional.cross_entropy(logits, torch.tensor(y)).item() <= 1e-3


def test_contradictory_labels_cannot_be_memorised():
    X, y = _digits16()
    X = np.vstack([X, X])  # the same images with other labels
    y = np.r_[y, (y + 1) % 10]
    model = dk.models.MLP(in_features=64, hidden=(32,), out_features=10)
    history = dk.train.overfit_batch(model, X, y, steps=100, device="cpu")
    assert not history["memorised"] and history["steps"] == 100
    assert history["accuracy"][-1] <= 0.5 + 1e-9


def test_bad_steps():
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        dk.train.overfit_batch(torch.nn.Linear(2, 2), np.zeros((2, 2)), [0, 1], steps=0)
