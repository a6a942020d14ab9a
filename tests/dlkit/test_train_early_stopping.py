"""dk.train.fit(early_stopping=..., restore_best=...): Algorithm 3 with one epoch between
evaluations, checked against dlkit.nn.early_stopping_epochs and torch's own evaluation."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from dlkit import nn, train
from dlkit.models import MLP, MLPConfig

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def noisy_digits():
    """A task that overfits quickly: 150 digits with 40 % wrong labels, 200 clean ones."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    rng = np.random.default_rng(0)
    y_noisy = y[:150].copy()
    flipped = rng.permutation(150)[:60]
    y_noisy[flipped] = (y_noisy[flipped] + rng.integers(1, 10, 60)) % 10
    return X[:150], y_noisy, X[1500:1700], y[1500:1700]


def model(seed=0):
    torch.manual_seed(seed)
    return MLP(MLPConfig(in_features=64, hidden=(128, 128), out_features=10))


def run(data, **kwargs):
    X, y, X_val, y_val = data
    net = model()
    history = train.fit(
        net,
        (X, y),
        val_data=(X_val, y_val),
        epochs=60,
        batch_size=32,
        optimizer=lambda p: torch.optim.Adam(p, lr=3e-3),
        progress=False,
        **kwargs,
    )
    return net, history


def test_stops_where_the_algorithm_says_and_restores_the_best_weights(noisy_digits):
    net, history = run(noisy_digits, early_stopping=5)
    ran = len(history["epoch"])
    assert ran < 60  # it overfits and stops
    full = run(noisy_digits)[1]["val_loss"]  # the same run without stopping
    assert np.allclose(history["val_loss"], full[:ran])
    assert (history["best_epoch"], ran) == nn.early_stopping_epochs(full, 5)
    assert history["best_epoch"] == 1 + int(np.argmin(history["val_loss"]))
    score = train.evaluate(net, noisy_digits[2:])["loss"]  # the restored weights' loss
    assert np.isclose(score, min(history["val_loss"]), rtol=1e-5)


def test_restore_best_false_keeps_the_last_weights(noisy_digits):
    net, history = run(noisy_digits, early_stopping=5, restore_best=False)
    score = train.evaluate(net, noisy_digits[2:])["loss"]
    assert np.isclose(score, history["val_loss"][-1], rtol=1e-5)
    assert score > min(history["val_loss"])


def test_without_early_stopping_nothing_changes(noisy_digits):
    _, history = run(noisy_digits)
    assert "best_epoch" not in history and len(history["epoch"]) == 60


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"early_stopping": 0}, ">= 1"),
        ({"early_stopping": 2.5}, "whole number"),
        ({"early_stopping": True}, "whole number"),
    ],
)
def test_bad_patience_is_explained(noisy_digits, kwargs, message):
    with pytest.raises(ValueError, match=message):
        run(noisy_digits, **kwargs)


def test_early_stopping_needs_validation_data(noisy_digits):
    with pytest.raises(ValueError, match="val_data"):
        train.fit(model(), noisy_digits[:2], early_stopping=3, epochs=2, progress=False)
