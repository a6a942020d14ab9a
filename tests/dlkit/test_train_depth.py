"""What dlkit.train adds for deep models (module 10): a LambdaLR from dk.optim's schedules
against torch's own schedulers, per-layer gradient norms (also logged by fit) and dead
ReLU fractions against direct computation, and MLPConfig(residual=True)."""

import copy

import numpy as np
import pytest
import torch

from dlkit import optim, train
from dlkit.models import MLP, MLPConfig
from dlkit.models.mlp import Residual
from dlkit.testing import assert_close

pytestmark = pytest.mark.usefixtures("one_thread")


def lrs(optimizer, scheduler, steps):
    values = []
    for _ in range(steps):
        values.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(values)


def test_lambda_lr_follows_warmup_cosine_as_torch_s_own_schedulers_do():
    W, T = 5, 30
    ours = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.2)
    schedule = train.lambda_lr(ours, lambda t: optim.warmup_cosine(t, 0.2, W, T))
    theirs = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.2)
    torch_schedule = torch.optim.lr_scheduler.SequentialLR(
        theirs,
        [
            torch.optim.lr_scheduler.LinearLR(theirs, start_factor=1 / W, total_iters=W - 1),
            torch.optim.lr_scheduler.CosineAnnealingLR(theirs, T_max=T - W),
        ],
        milestones=[W],
    )
    assert_close(lrs(ours, schedule, T), lrs(theirs, torch_schedule, T), rtol=1e-6, atol=1e-12)


def test_lambda_lr_scales_other_parameter_groups_in_proportion():
    a, b = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([{"params": [a], "lr": 0.1}, {"params": [b], "lr": 0.01}])
    scheduler = train.lambda_lr(optimizer, lambda t: optim.cosine_decay(t, 0.1, 10))
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    expected = optim.cosine_decay(3, 0.1, 10)
    assert np.isclose(optimizer.param_groups[0]["lr"], expected)
    assert np.isclose(optimizer.param_groups[1]["lr"], expected / 10)


def test_lambda_lr_rejects_bad_input():
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.0)
    with pytest.raises(ValueError, match="must be positive"):
        train.lambda_lr(optimizer, lambda t: 0.1)
    with pytest.raises(ValueError, match="function of the step"):
        train.lambda_lr(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), 0.1)


def digits_model(depth=3, **options):
    torch.manual_seed(0)
    return MLP(MLPConfig(in_features=8, hidden=(16,) * depth, out_features=3, **options))


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 8)).astype(np.float32), rng.integers(0, 3, n)


def test_layer_grad_norms_are_the_norms_of_the_weight_gradients():
    model = digits_model()
    X, y = data()
    torch.nn.functional.cross_entropy(model(torch.tensor(X)), torch.tensor(y)).backward()
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    expected = [float(np.linalg.norm(m.weight.grad.numpy())) for m in linears]
    assert train.layer_grad_norms(model) == pytest.approx(expected, rel=1e-6)
    model.zero_grad(set_to_none=True)
    assert train.layer_grad_norms(model) == [0.0] * 4


def test_fit_logs_the_gradient_norms_of_each_epoch():
    X, y = data()
    model = digits_model()
    fresh = copy.deepcopy(model)
    history = train.fit(
        model,
        (X, y),
        optimizer=lambda p: torch.optim.SGD(p, lr=0.1),
        epochs=3,
        batch_size=len(X),  # one step per epoch: the norms of that step
        progress=False,
        log_grad_norms=True,
    )
    assert len(history["grad_norms"]) == 3 and all(len(n) == 4 for n in history["grad_norms"])
    torch.nn.functional.cross_entropy(fresh(torch.tensor(X)), torch.tensor(y)).backward()
    assert history["grad_norms"][0] == pytest.approx(train.layer_grad_norms(fresh), rel=1e-5)


def test_fit_averages_the_logged_norms_over_the_steps_and_logs_before_clipping():
    X, y = data(64)
    history = train.fit(
        digits_model(),
        (X, y),
        optimizer=lambda p: torch.optim.SGD(p, lr=0.0),  # the model stays at its start
        epochs=1,
        batch_size=16,
        clip_grad_norm=1e-3,
        progress=False,
        log_grad_norms=True,
    )
    model = digits_model()
    per_batch = []
    for xb, yb in train.as_loader((X, y), batch_size=16, shuffle=True, seed=0):  # fit's batches
        model.zero_grad()
        torch.nn.functional.cross_entropy(model(xb), yb).backward()
        per_batch.append(train.layer_grad_norms(model))
    assert len(per_batch) == 4
    assert history["grad_norms"][0] == pytest.approx(np.mean(per_batch, axis=0), rel=1e-5)
    assert min(history["grad_norms"][0]) > 1e-2  # the norms before clipping to 1e-3


def test_history_has_no_grad_norms_unless_asked():
    X, y = data()
    history = train.fit(digits_model(), (X, y), epochs=1, progress=False)
    assert "grad_norms" not in history


def test_dead_unit_fractions_count_units_off_on_every_row():
    model = digits_model(depth=2)
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        linears[0].bias[:4] = -100.0  # four units of the first hidden layer never fire
    X, _ = data(50)
    fractions = train.dead_unit_fractions(model, X)
    h1 = np.maximum(X @ linears[0].weight.detach().numpy().T + linears[0].bias.detach().numpy(), 0)
    h2 = np.maximum(h1 @ linears[1].weight.detach().numpy().T + linears[1].bias.detach().numpy(), 0)
    expected = [float(np.mean(np.all(h == 0, axis=0))) for h in (h1, h2)]
    assert fractions == pytest.approx(expected)
    assert fractions[0] >= 4 / 16


def test_residual_layers_add_their_input():
    model = digits_model(depth=4, residual=True)
    blocks = [m for m in model.net if isinstance(m, Residual)]
    assert len(blocks) == 3  # every hidden layer after the first
    x = torch.randn(5, 8)
    first, block = model.net[0], blocks[0].block[0]
    h = torch.relu(first(x))
    assert torch.allclose(blocks[0](h), h + torch.relu(block(h)))
    expected = h
    for residual in blocks:
        expected = expected + torch.relu(residual.block[0](expected))
    assert torch.allclose(model(x), model.net[-1](expected), atol=1e-6)


def test_residual_blocks_keep_norm_and_dropout_inside():
    model = MLP(
        MLPConfig(in_features=8, hidden=(16, 16), out_features=3, dropout=0.5, residual=True)
    )
    (block,) = [m for m in model.net if isinstance(m, Residual)]
    assert [type(m) for m in block.block] == [torch.nn.Linear, torch.nn.ReLU, torch.nn.Dropout]


def test_residual_is_off_by_default_and_needs_equal_widths():
    plain = digits_model()
    assert not any(isinstance(m, Residual) for m in plain.modules())
    assert MLPConfig().residual is False
    with pytest.raises(ValueError, match="hidden widths must be equal"):
        MLPConfig(hidden=(16, 8), residual=True)
