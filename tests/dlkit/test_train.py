"""dlkit.train.fit on the CPU: it learns, keeps a history, is seeded, and takes every data form."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

from dlkit import train
from dlkit.models import MLP, MLPConfig

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    return X[:600], y[:600], X[1500:], y[1500:]


def small_model(seed=0):
    torch.manual_seed(seed)
    return MLP(MLPConfig(in_features=64, hidden=(32,), out_features=10))


def sgd(params):
    return torch.optim.SGD(params, lr=0.1, momentum=0.9)


def test_fit_learns_the_digits_and_records_history(digits):
    X, y, X_val, y_val = digits
    model = small_model()
    history = train.fit(
        model,
        (X, y),
        val_data=(X_val, y_val),
        optimizer=sgd,
        metric=train.accuracy,
        epochs=6,
        batch_size=32,
        progress=False,
    )
    assert set(history) == {"epoch", "loss", "lr", "seconds", "metric", "val_loss", "val_metric"}
    assert all(len(values) == 6 for values in history.values())
    assert history["epoch"] == [1, 2, 3, 4, 5, 6]
    assert history["loss"][-1] < history["loss"][0] / 3
    assert history["val_metric"][-1] > 0.85
    # the recorded validation numbers are what evaluate() reports for the final model
    scores = train.evaluate(model, (X_val, y_val), torch.nn.CrossEntropyLoss(), train.accuracy)
    assert np.isclose(scores["loss"], history["val_loss"][-1], rtol=1e-5)
    predictions = train.predict(model, X_val).argmax(dim=1).numpy()
    assert np.isclose(np.mean(predictions == y_val), history["val_metric"][-1])


def test_training_loss_is_the_mean_over_examples(digits):
    X, y, _, _ = digits
    model = small_model()
    history = train.fit(
        model,
        (X[:100], y[:100]),
        optimizer=lambda p: torch.optim.SGD(p, lr=0.0),
        epochs=1,
        batch_size=30,
        progress=False,
    )  # lr 0: the model never changes
    expected = torch.nn.functional.cross_entropy(
        model(torch.tensor(X[:100])), torch.tensor(y[:100])
    )
    assert np.isclose(history["loss"][0], expected.item(), rtol=1e-5)


def test_same_seed_same_history(digits):
    X, y, _, _ = digits
    runs = [
        train.fit(small_model(), (X, y), optimizer=sgd, epochs=2, seed=3, progress=False)["loss"]
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    other = train.fit(small_model(), (X, y), optimizer=sgd, epochs=2, seed=4, progress=False)
    assert other["loss"] != runs[0]


def test_dataset_and_loader_inputs_and_optimizer_instance(digits):
    X, y, _, _ = digits
    dataset = TensorDataset(torch.tensor(X), torch.tensor(y))
    for data in (dataset, DataLoader(dataset, batch_size=50, shuffle=True)):
        model = small_model()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        history = train.fit(model, data, optimizer=optimizer, epochs=2, progress=False)
        assert history["loss"][1] < history["loss"][0]


def test_scheduler_per_epoch_and_per_step(digits):
    X, y, _, _ = digits
    step_lr = lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)  # noqa: E731
    history = train.fit(
        small_model(), (X, y), optimizer=sgd, scheduler=step_lr, epochs=3, progress=False
    )
    assert np.allclose(history["lr"], [0.1, 0.05, 0.025])
    batches = int(np.ceil(len(X) / 100))
    exp_lr = lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)  # noqa: E731
    history = train.fit(
        small_model(),
        (X, y),
        optimizer=sgd,
        scheduler=exp_lr,
        batch_size=100,
        scheduler_interval="step",
        epochs=2,
        progress=False,
    )
    assert np.isclose(history["lr"][1], 0.1 * 0.9**batches)


def test_plateau_scheduler_gets_the_loss(digits):
    X, y, _, _ = digits
    plateau = lambda opt: torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)  # noqa: E731
    history = train.fit(
        small_model(),
        (X, y),
        optimizer=lambda p: torch.optim.SGD(p, lr=1e-6),
        scheduler=plateau,
        epochs=3,
        progress=False,
    )
    assert history["lr"][-1] < history["lr"][0]  # no real progress with lr 1e-6


def test_autoencoder_data_is_its_own_target(digits):
    X, _, _, _ = digits
    model = torch.nn.Sequential(torch.nn.Linear(64, 8), torch.nn.ReLU(), torch.nn.Linear(8, 64))
    history = train.fit(
        model,
        X,
        loss_fn=torch.nn.MSELoss(),
        epochs=3,
        progress=False,
        optimizer=lambda p: torch.optim.Adam(p, lr=1e-2),
    )
    assert history["loss"][-1] < history["loss"][0]


def denoising_step(model, batch):
    """A loss that draws its own noise: reconstruct x from a corrupted copy."""
    (x,) = batch
    return torch.nn.functional.mse_loss(model(x + 0.3 * torch.randn_like(x)), x)


def test_step_hook_trains_a_loss_that_draws_its_own_noise(digits):
    X, _, X_val, _ = digits

    def run():
        torch.manual_seed(1)
        model = torch.nn.Sequential(
            torch.nn.Linear(64, 16), torch.nn.ReLU(), torch.nn.Linear(16, 64)
        )
        fit_kwargs = {"step": denoising_step, "epochs": 4, "progress": False}
        history = train.fit(
            model,
            X,
            val_data=X_val,
            optimizer=lambda p: torch.optim.Adam(p, lr=1e-2),
            **fit_kwargs,
        )
        return model, history

    model, history = run()
    assert set(history) == {"epoch", "loss", "lr", "seconds", "val_loss"}
    assert history["loss"][-1] < history["loss"][0] / 2
    _, again = run()
    assert again["loss"] == history["loss"]  # the step's noise follows fit's seed
    torch.manual_seed(5)
    scores = train.evaluate(model, X_val, step=denoising_step)
    assert 0 < scores["loss"] < history["loss"][0] and set(scores) == {"loss"}


def test_one_epoch_by_itself_is_the_mean_batch_loss(digits):
    X, y, _, _ = digits
    model = small_model()
    loader = train.as_loader((X[:100], y[:100]), batch_size=30)
    before = train.evaluate(model, (X[:100], y[:100]))["loss"]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)  # no update: loss stays the same
    loss, score = train.train_epoch(
        model,
        loader,
        train.supervised_loss(torch.nn.CrossEntropyLoss()),
        optimizer,
        scaler=torch.amp.GradScaler("cpu", enabled=False),
        device=torch.device("cpu"),
        metric=train.accuracy,
    )
    assert np.isclose(loss, before, rtol=1e-5) and 0 <= score <= 1


@pytest.mark.parametrize(
    "kwargs",
    [{"loss_fn": torch.nn.MSELoss()}, {"metric": train.accuracy}],
    ids=["loss_fn", "metric"],
)
def test_step_replaces_loss_fn_and_metric(kwargs, digits):
    X, _, _, _ = digits
    with pytest.raises(ValueError, match="step computes the loss itself"):
        train.fit(small_model(), X[:8], step=denoising_step, progress=False, **kwargs)


def test_gradient_clipping_bounds_the_update():
    model = torch.nn.Linear(1, 1, bias=False)
    torch.nn.init.zeros_(model.weight)
    X, y = torch.ones(4, 1), torch.full((4, 1), 1000.0)  # MSE gradient -2000 without clipping
    train.fit(
        model,
        (X, y),
        loss_fn=torch.nn.MSELoss(),
        optimizer=lambda p: torch.optim.SGD(p, lr=1.0),
        clip_grad_norm=0.5,
        epochs=1,
        batch_size=4,
        progress=False,
    )
    assert np.isclose(model.weight.item(), 0.5)


def test_default_epochs_follow_fast_mode(monkeypatch, digits):
    X, y, _, _ = digits
    monkeypatch.setenv("DLKIT_FAST", "1")
    assert len(train.fit(small_model(), (X[:64], y[:64]), progress=False)["loss"]) == 2
    monkeypatch.setenv("DLKIT_FAST", "0")
    assert len(train.fit(small_model(), (X[:64], y[:64]), progress=False)["loss"]) == 10


def test_runs_on_the_course_device():
    model = small_model()
    train.fit(model, (np.zeros((8, 64), np.float32), np.zeros(8, int)), epochs=1, progress=False)
    assert next(model.parameters()).device.type == train.default_device().type


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amp": True, "device": "cpu"}, "amp=True needs a CUDA device"),
        ({"epochs": 0}, "epochs must be a positive integer"),
        ({"optimizer": "sgd"}, "optimizer must be None"),
        ({"scheduler": 3}, "scheduler must be None"),
        ({"scheduler_interval": "batch"}, "scheduler_interval must be one of"),
    ],
)
def test_bad_arguments_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message):
        train.fit(
            small_model(),
            (np.zeros((4, 64), np.float32), np.zeros(4, int)),
            progress=False,
            **kwargs,
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ((np.zeros((4, 2)), np.zeros(3)), "same number of rows"),
        ((np.zeros(2), np.zeros(2), np.zeros(2)), r"\(X, y\) or \(X,\)"),
        ("digits.csv", "cannot train on a str"),
        (np.zeros((0, 3)), "empty"),
    ],
)
def test_bad_data_is_explained(data, message):
    with pytest.raises(ValueError, match=message):
        train.as_loader(data)


def test_sequence_loss_and_token_accuracy_are_per_token():
    torch.manual_seed(0)
    logits, targets = torch.randn(3, 5, 7), torch.randint(0, 7, (3, 5))
    expected = (
        sum(
            torch.nn.functional.cross_entropy(logits[b, t : t + 1], targets[b, t : t + 1])
            for b in range(3)
            for t in range(5)
        )
        / 15
    )
    assert torch.isclose(train.sequence_cross_entropy(logits, targets), expected)
    right = logits.argmax(dim=-1) == targets
    assert train.token_accuracy(logits, targets) == pytest.approx(right.float().mean().item())
    assert train.token_accuracy(torch.nn.functional.one_hot(targets, 7).float(), targets) == 1.0
