"""One training loop for every torch model in the course.

    history = dk.train.fit(model, (X_train, y_train), val_data=(X_val, y_val),
                           loss_fn=torch.nn.CrossEntropyLoss(),
                           optimizer=lambda params: torch.optim.SGD(params, lr=0.1),
                           metric=dk.train.accuracy, epochs=20)

``fit`` moves the model to ``dk.device()`` (CUDA when present), runs mini-batch
training with an optimizer and an optional learning-rate schedule, uses mixed
precision (``torch.autocast`` + ``GradScaler``) only on CUDA, shows a tqdm progress
bar over epochs, and returns a history of plain lists for plotting. Data may be a
``DataLoader``, a ``Dataset``, an ``(X, y)`` pair or a single ``X`` (arrays or tensors;
a single ``X`` is its own target, as for an autoencoder).
"""

import time

import numpy as np
import torch
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    TensorDataset,
)
from tqdm.auto import tqdm

from dlkit.config import budget, is_fast
from dlkit.config import device as default_device

DEFAULT_EPOCHS = {"full": 10, "fast": 2}
SCHEDULER_INTERVALS = ("epoch", "step")


def _to_tensor(array):
    """A tensor from an array: floats become float32, integers int64 (class labels)."""
    tensor = torch.as_tensor(np.asarray(array)) if not torch.is_tensor(array) else array
    if tensor.is_floating_point():
        return tensor.float()
    if tensor.dtype == torch.bool:
        return tensor.float()
    return tensor.long()


def as_loader(data, batch_size=64, shuffle=False, seed=0):
    """A ``DataLoader`` for ``data``: a DataLoader (returned as is), a Dataset, ``(X, y)`` or ``X``.

    Arrays and tensors are wrapped in a ``TensorDataset`` (X float32, integer y int64);
    ``shuffle`` draws the order from a torch generator seeded with ``seed``.
    """
    if isinstance(data, DataLoader):
        return data
    if isinstance(data, tuple | list):
        if not 1 <= len(data) <= 2:
            raise ValueError(
                f"data as a tuple must be (X, y) or (X,), got {len(data)} items; "
                "wrap more fields in a Dataset"
            )
        tensors = [_to_tensor(part) for part in data]
        if len({len(t) for t in tensors}) != 1:
            raise ValueError(
                f"X and y must have the same number of rows, got {[len(t) for t in tensors]}"
            )
        data = TensorDataset(*tensors)
    elif isinstance(data, np.ndarray) or torch.is_tensor(data):
        data = TensorDataset(_to_tensor(data))
    elif not isinstance(data, Dataset):
        raise ValueError(
            f"cannot train on a {type(data).__name__}; pass a DataLoader, a Dataset, "
            "an (X, y) pair or an array X"
        )
    if len(data) == 0:
        raise ValueError("the data set is empty")
    generator = torch.Generator().manual_seed(seed) if shuffle else None
    if isinstance(data, TensorDataset):  # index whole batches at once, not row by row
        rows = RandomSampler(data, generator=generator) if shuffle else SequentialSampler(data)
        return DataLoader(
            data, sampler=BatchSampler(rows, batch_size, drop_last=False), batch_size=None
        )
    return DataLoader(data, batch_size=batch_size, shuffle=shuffle, generator=generator)


def _on_device(batch, device):
    """A batch ``(x, y)``, ``(x,)`` or a lone tensor ``x`` as a tuple of tensors on ``device``."""
    if torch.is_tensor(batch):
        batch = (batch,)
    if not 1 <= len(batch) <= 2:
        raise ValueError(f"a batch must be (x, y) or (x,), got {len(batch)} items")
    return tuple(part.to(device, non_blocking=True) for part in batch)


def supervised_loss(loss_fn):
    """The batch loss of supervised training: ``loss_fn(model(x), y)``, with y = x when a
    batch holds x alone. Returns ``batch_loss(model, batch) -> (loss, outputs, targets)``."""

    def batch_loss(model, batch):
        inputs, targets = batch[0], batch[-1]
        outputs = model(inputs)
        return loss_fn(outputs, targets), outputs, targets

    return batch_loss


def step_loss(step):
    """The batch loss of a ``step(model, batch) -> loss`` hook (no outputs to score)."""

    def batch_loss(model, batch):
        return step(model, batch), None, None

    return batch_loss


def _batch_loss(loss_fn, step, metric):
    """The batch loss ``fit`` and ``evaluate`` use: ``step`` if given, else ``loss_fn``."""
    if step is None:
        return supervised_loss(torch.nn.CrossEntropyLoss() if loss_fn is None else loss_fn)
    if loss_fn is not None or metric is not None:
        raise ValueError(
            "step computes the loss itself: leave loss_fn and metric out when you give step"
        )
    if not callable(step):
        raise ValueError("step must be a function step(model, batch) -> scalar loss tensor")
    return step_loss(step)


def accuracy(outputs, targets):
    """Fraction of rows whose largest score is the target class: outputs (n, k), targets (n,)."""
    return (outputs.argmax(dim=1) == targets).float().mean().item()


def sequence_cross_entropy(logits, targets):
    """Mean cross-entropy over every token: logits (B, T, V), targets (B, T) class indices.

    The loss of sequence models (one prediction per position); equals
    ``F.cross_entropy`` on the flattened ``(B T, V)`` logits and ``(B T,)`` targets.
    """
    return torch.nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]),  # (B, T, V) -> (B T, V)
        targets.reshape(-1),  # (B, T) -> (B T,)
    )


def token_accuracy(outputs, targets):
    """Fraction of tokens whose largest score is the target: outputs (B, T, V), targets (B, T)."""
    return (outputs.argmax(dim=-1) == targets).float().mean().item()


def _make_optimizer(optimizer, model):
    if optimizer is None:
        return torch.optim.Adam(model.parameters(), lr=1e-3)
    if isinstance(optimizer, torch.optim.Optimizer):
        return optimizer
    if callable(optimizer):
        return optimizer(model.parameters())
    raise ValueError(
        "optimizer must be None (Adam, lr=1e-3), a torch Optimizer, or a factory such as "
        "`lambda params: torch.optim.SGD(params, lr=0.1)`"
    )


def _make_scheduler(scheduler, optimizer):
    if scheduler is None or isinstance(
        scheduler,
        torch.optim.lr_scheduler.LRScheduler | torch.optim.lr_scheduler.ReduceLROnPlateau,
    ):
        return scheduler
    if callable(scheduler):
        return scheduler(optimizer)
    raise ValueError(
        "scheduler must be None, a torch LR scheduler, or a factory such as "
        "`lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=5)`"
    )


def resolve_amp(amp, device) -> bool:
    """Whether to train in mixed precision: ``amp=None`` means exactly when ``device`` is
    CUDA; ``amp=True`` on another device is an error that says so."""
    if amp is None:
        return device.type == "cuda"
    if amp and device.type != "cuda":
        raise ValueError(
            f"amp=True needs a CUDA device, but training runs on {device}; "
            "leave amp=None to use mixed precision exactly when CUDA is available"
        )
    return bool(amp)


@torch.no_grad()
def evaluate(
    model, data, loss_fn=None, metric=None, *, step=None, batch_size=256, device=None, amp=None
):
    """Mean loss (and metric) of ``model`` over ``data``, in eval mode: ``{"loss", "metric"}``.

    The loss is ``loss_fn(model(x), y)`` (default cross-entropy) or, with ``step``,
    ``step(model, batch)``. Means are weighted by batch size, so they are exact means
    over the examples.
    """
    device = torch.device(device) if device is not None else default_device()
    batch_loss = _batch_loss(loss_fn, step, metric)
    use_amp = resolve_amp(amp, device)
    model.eval()
    total_loss, total_metric, count = 0.0, 0.0, 0
    for batch in as_loader(data, batch_size=batch_size):
        batch = _on_device(batch, device)
        with torch.autocast(device_type=device.type, dtype=torch.float16, enabled=use_amp):
            loss, outputs, targets = batch_loss(model, batch)
        n = len(batch[0])
        total_loss += float(loss) * n
        if metric is not None:
            total_metric += float(metric(outputs.float(), targets)) * n
        count += n
    result = {"loss": total_loss / count}
    if metric is not None:
        result["metric"] = total_metric / count
    return result


@torch.no_grad()
def predict(model, data, batch_size=256, device=None):
    """The model's outputs for every row of ``data`` (X or a loader), concatenated, on the CPU."""
    device = torch.device(device) if device is not None else default_device()
    model.eval()
    outputs = [
        model(_on_device(batch, device)[0]).float().cpu()
        for batch in as_loader(data, batch_size=batch_size)
    ]
    return torch.cat(outputs)


def train_epoch(
    model,
    loader,
    batch_loss,
    optimizer,
    *,
    scaler,
    device,
    metric=None,
    on_step=None,
    clip_grad_norm=None,
    use_amp=False,
    on_backward=None,
):
    """One pass over ``loader``: for each batch, loss, backward, (clip,) optimizer step.

    ``batch_loss(model, batch) -> (loss, outputs, targets)`` (see :func:`supervised_loss`);
    ``on_backward()`` runs after each backward pass, before clipping (the gradients are
    still multiplied by the AMP scale when AMP is on);
    ``on_step()`` runs after each optimizer step (a per-batch LR schedule). Returns the
    mean training loss and, with a ``metric``, its mean (both weighted by batch size).
    """
    model.train()
    total_loss = torch.zeros((), device=device)  # summed on the device: no sync per batch
    total_metric, count = 0.0, 0
    for batch in loader:
        batch = _on_device(batch, device)
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device_type=device.type, dtype=torch.float16, enabled=use_amp):
            loss, outputs, targets = batch_loss(model, batch)
        scaler.scale(loss).backward()
        if on_backward is not None:
            on_backward()
        if clip_grad_norm is not None:
            scaler.unscale_(optimizer)  # clip the true gradients, not the scaled ones
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
        scaler.step(optimizer)
        scaler.update()
        if on_step is not None:
            on_step()
        n = len(batch[0])
        total_loss += loss.detach().float() * n
        if metric is not None:
            total_metric += float(metric(outputs.detach().float(), targets)) * n
        count += n
    return float(total_loss) / count, (total_metric / count if metric is not None else None)


def fit(
    model,
    data,
    *,
    val_data=None,
    loss_fn=None,
    step=None,
    optimizer=None,
    scheduler=None,
    scheduler_interval="epoch",
    metric=None,
    epochs=None,
    batch_size=64,
    seed=0,
    device=None,
    amp=None,
    clip_grad_norm=None,
    progress=None,
    early_stopping=None,
    restore_best=True,
    log_grad_norms=False,
):
    """Train ``model`` on ``data``; return the history ``{name: [one value per epoch]}``.

    model: a ``torch.nn.Module``, moved to ``device`` in place (default ``dk.device()``).
    data, val_data: a DataLoader, a Dataset, ``(X, y)`` or ``X`` (arrays or tensors); a
        lone X is its own target. Training batches are shuffled with a generator seeded
        by ``seed`` (which also seeds torch, for dropout).
    loss_fn: ``loss_fn(outputs, targets) -> scalar tensor``; default cross-entropy.
    step: instead of ``loss_fn``, ``step(model, batch) -> scalar loss tensor``, for losses
        that are not a function of ``model(x)`` and y alone (a VAE's ELBO, DDPM's noise
        prediction: the step draws its own noise). ``batch`` is the tuple ``(x, y)`` or
        ``(x,)`` of one batch, on the device. No ``metric`` then.
    optimizer: None (Adam, lr 1e-3), a torch Optimizer for this model's parameters, or a
        factory ``params -> Optimizer``.
    scheduler: None, an LR scheduler, or a factory ``optimizer -> scheduler``; stepped
        after every epoch or, with ``scheduler_interval="step"``, after every batch.
        ``ReduceLROnPlateau`` is stepped with the validation (else training) loss.
    metric: ``metric(outputs, targets) -> number`` averaged per epoch (e.g. :func:`accuracy`).
    epochs: number of passes; default ``dk.budget(full=10, fast=2)``. An explicit value is
        used as given, also in fast mode.
    amp: mixed precision; default on exactly when the device is CUDA (True on CPU is an error).
    clip_grad_norm: if given, rescale the gradients to at most this global L2 norm.
    progress: show a tqdm bar over epochs; default on except in fast mode.
    early_stopping: a patience p >= 1 (needs ``val_data``): stop after the first epoch that
        ends p epochs in a row without a validation loss below the best so far (NaN never
        improves); the best epoch is recorded as ``history["best_epoch"]`` (counting from 1).
    restore_best: with ``early_stopping``, load the weights of the best epoch into the model
        when training ends; with False the model keeps the weights of the last epoch.
    log_grad_norms: record ``history["grad_norms"]``, per epoch the list of the mean over
        its steps of ``||dL/dW||_F`` for every weight matrix (see :func:`layer_grad_norms`:
        parameters with two or more dimensions, input layer first), measured after each
        backward pass and before clipping.

    History keys: ``epoch``, ``loss`` (mean training loss), ``lr`` (learning rate used in
    the epoch), ``seconds``, plus ``metric`` when a metric is given and ``val_loss`` /
    ``val_metric`` when validation data is given, and ``best_epoch`` (one int) with
    ``early_stopping``.
    """
    if scheduler_interval not in SCHEDULER_INTERVALS:
        raise ValueError(
            f"scheduler_interval must be one of {SCHEDULER_INTERVALS}, got {scheduler_interval!r}"
        )
    epochs = budget(**DEFAULT_EPOCHS) if epochs is None else epochs
    if not isinstance(epochs, int | np.integer) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    device = torch.device(device) if device is not None else default_device()
    use_amp = resolve_amp(amp, device)
    batch_loss = _batch_loss(loss_fn, step, metric)
    progress = not is_fast() if progress is None else progress
    stopper = _early_stopper(early_stopping, restore_best, val_data is not None)

    torch.manual_seed(seed)
    model.to(device)
    loader = as_loader(data, batch_size=batch_size, shuffle=True, seed=seed)
    optimizer = _make_optimizer(optimizer, model)
    scheduler = _make_scheduler(scheduler, optimizer)
    plateau = isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)
    if plateau and scheduler_interval == "step":
        raise ValueError("ReduceLROnPlateau needs a loss per epoch: use scheduler_interval='epoch'")
    per_step = scheduler.step if scheduler is not None and scheduler_interval == "step" else None
    scaler = torch.amp.GradScaler(device.type, enabled=use_amp)
    history = _empty_history(metric is not None, val_data is not None)
    grad_log = _GradNormLog(model, scaler) if log_grad_norms else None
    if grad_log is not None:
        history["grad_norms"] = []

    bar = tqdm(range(1, epochs + 1), desc="training", unit="epoch", disable=not progress)
    for epoch in bar:
        start = time.perf_counter()
        history["epoch"].append(epoch)
        history["lr"].append(optimizer.param_groups[0]["lr"])
        loss, score = train_epoch(
            model,
            loader,
            batch_loss,
            optimizer,
            scaler=scaler,
            device=device,
            metric=metric,
            on_step=per_step,
            clip_grad_norm=clip_grad_norm,
            use_amp=use_amp,
            on_backward=grad_log.record if grad_log is not None else None,
        )
        history["loss"].append(loss)
        if grad_log is not None:
            history["grad_norms"].append(grad_log.epoch_means())
        if metric is not None:
            history["metric"].append(score)
        if val_data is not None:
            _validate(model, val_data, loss_fn, metric, step, device, use_amp, history)
        if scheduler is not None and scheduler_interval == "epoch":
            if plateau:
                scheduler.step(history["val_loss" if val_data is not None else "loss"][-1])
            else:
                scheduler.step()
        history["seconds"].append(time.perf_counter() - start)
        bar.set_postfix(
            {k: f"{history[k][-1]:.4f}" for k in ("loss", "val_loss") if history.get(k)}
        )
        if stopper is not None and stopper.update(model, epoch, history["val_loss"][-1]):
            break
    if stopper is not None:
        stopper.finish(model, history)
    return history


def _empty_history(with_metric, with_validation):
    keys = ["epoch", "loss", "lr", "seconds"] + ["metric"] * with_metric
    if with_validation:
        keys += ["val_loss"] + ["val_metric"] * with_metric
    return {key: [] for key in keys}


def _validate(model, val_data, loss_fn, metric, step, device, use_amp, history):
    """The validation step of an epoch: evaluate and append to the history."""
    scores = evaluate(model, val_data, loss_fn, metric, step=step, device=device, amp=use_amp)
    history["val_loss"].append(scores["loss"])
    if metric is not None:
        history["val_metric"].append(scores["metric"])


class _EarlyStopping:
    """Early stopping (Algorithm 3 with one epoch between evaluations): count the epochs
    since the validation loss last fell below its best; stop when the count reaches the
    patience; keep a copy of the best epoch's weights to restore."""

    def __init__(self, patience, restore_best):
        self.patience, self.restore_best = patience, restore_best
        self.best_loss, self.best_epoch, self.waited, self.best_state = np.inf, 0, 0, None

    def update(self, model, epoch, val_loss):
        """Record one epoch's validation loss; True when training should stop."""
        if val_loss < self.best_loss:  # strict: a tie or a NaN is no improvement
            self.best_loss, self.best_epoch, self.waited = val_loss, epoch, 0
            if self.restore_best:
                self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self.waited += 1
        return self.waited >= self.patience

    def finish(self, model, history):
        history["best_epoch"] = self.best_epoch
        if self.restore_best and self.best_state is not None:
            model.load_state_dict(self.best_state)


def _early_stopper(early_stopping, restore_best, has_validation):
    """The early-stopping bookkeeping of ``fit``, or None without ``early_stopping``."""
    if early_stopping is None:
        return None
    if isinstance(early_stopping, bool) or not isinstance(early_stopping, int | np.integer):
        raise ValueError(
            f"early_stopping is a patience, a whole number of epochs >= 1, got {early_stopping!r}"
        )
    if early_stopping < 1:
        raise ValueError(f"early_stopping (the patience) must be >= 1, got {early_stopping}")
    if not has_validation:
        raise ValueError(
            "early_stopping watches the validation loss: pass val_data=(X_val, y_val) as well"
        )
    return _EarlyStopping(int(early_stopping), bool(restore_best))


def _weight_matrices(model):
    """``(name, parameter)`` of every parameter with two or more dimensions, in model order
    (the weights of Linear and convolution layers; biases and norm scales are left out)."""
    return [(name, p) for name, p in model.named_parameters() if p.ndim >= 2]


def layer_grad_norms(model):
    """``||dL/dW||_F`` of every weight matrix of ``model``, input layer first, as floats.

    Read from the ``.grad`` of the last backward pass (0.0 where a weight has none); in a
    deep network with saturating activations the first layers' norms are the smallest.
    """
    norms = []
    for _, weight in _weight_matrices(model):
        norms.append(0.0 if weight.grad is None else float(weight.grad.detach().norm()))
    return norms


class _GradNormLog:
    """``fit(log_grad_norms=True)``: sums per-layer gradient norms over an epoch's steps on
    the device (no synchronisation per step) and hands back their means per epoch."""

    def __init__(self, model, scaler):
        self.weights = [p for _, p in _weight_matrices(model)]
        self.scaler = scaler
        self.total, self.steps = None, 0

    def record(self):
        norms = torch.stack(
            [
                p.grad.detach().float().norm() if p.grad is not None else p.new_zeros(())
                for p in self.weights
            ]
        )
        if self.scaler.is_enabled():
            norms = norms / self.scaler.get_scale()  # AMP scales the gradients up
        self.total = norms if self.total is None else self.total + norms
        self.steps += 1

    def epoch_means(self):
        if self.total is None:
            return [0.0] * len(self.weights)
        means = (self.total / self.steps).tolist()
        self.total, self.steps = None, 0
        return means


@torch.no_grad()
def dead_unit_fractions(model, data, batch_size=256, device=None):
    """For every ``torch.nn.ReLU`` module of ``model``, the fraction of its units that
    output 0 on every row of ``data`` (an array or a loader), in eval mode.

    A unit is a feature of the ReLU's output (its second dimension); a dead unit passes
    no gradient back for any of these inputs. Returns one float per ReLU module.
    """
    device = torch.device(device) if device is not None else default_device()
    relus = [m for m in model.modules() if isinstance(m, torch.nn.ReLU)]
    alive = [None] * len(relus)

    def watch(index):
        def hook(module, inputs, output):
            fired = (output > 0).reshape(output.shape[0], output.shape[1], -1).any(dim=(0, 2))
            alive[index] = fired if alive[index] is None else alive[index] | fired

        return hook

    handles = [relu.register_forward_hook(watch(i)) for i, relu in enumerate(relus)]
    try:
        model.to(device).eval()
        for batch in as_loader(data, batch_size=batch_size):
            model(_on_device(batch, device)[0])
    finally:
        for handle in handles:
            handle.remove()
    return [1.0 - float(fired.float().mean()) for fired in alive]


def lambda_lr(optimizer, schedule):
    """A torch ``LambdaLR`` that sets the learning rate to ``schedule(t)`` at step t.

    ``schedule`` maps the step count t = 0, 1, ... to a learning rate, e.g.
    ``lambda t: dk.optim.warmup_cosine(t, 0.1, 100, 1000)``: the first parameter group
    gets exactly ``schedule(t)``, other groups the same multiple of their own initial
    learning rate. Step it after every optimizer step (``fit(...,
    scheduler=lambda opt: dk.train.lambda_lr(opt, schedule), scheduler_interval="step")``),
    which gives the timing of :class:`dlkit.optim.LRScheduler`.
    """
    if not callable(schedule):
        raise ValueError(
            "lambda_lr: schedule must be a function of the step t, e.g. "
            "`lambda t: dk.optim.cosine_decay(t, 0.1, 1000)`"
        )
    base = optimizer.param_groups[0].get("initial_lr", optimizer.param_groups[0]["lr"])
    if not base > 0:
        raise ValueError(
            f"lambda_lr: the optimizer's learning rate must be positive, got {base}; "
            "construct it with the schedule's peak value, e.g. lr=0.1"
        )
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda t: float(schedule(t)) / base)


def overfit_batch(model, X, y, *, steps=300, lr=1e-2, loss_fn=None, seed=0, device=None, tol=1e-3):
    """Sanity check: can ``model`` memorise one small batch? Train on it until it does.

    Full-batch Adam (learning rate ``lr``, no weight decay) on ``(X, y)`` (arrays or
    tensors; y class labels for the default cross-entropy ``loss_fn``) for at most
    ``steps`` steps, stopping after the first step at which every example is classified
    right and the loss is at most ``tol``. A correct model and training loop reach it in a
    few hundred steps on 10-100 examples; if it does not, suspect the code (a wrong loss,
    labels misaligned with inputs, a detached graph), not the capacity. Switch off
    regularisation (dropout, weight decay) before calling it: the model is trained in
    ``train()`` mode. Returns ``{"loss": [...], "accuracy": [...], "steps": int,
    "memorised": bool}`` (loss and accuracy before each step, the final state last).
    """
    if not isinstance(steps, int | np.integer) or steps < 1:
        raise ValueError(f"overfit_batch: steps must be a positive integer, got {steps!r}")
    device = torch.device(device) if device is not None else default_device()
    loss_fn = torch.nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    torch.manual_seed(seed)
    model.to(device).train()
    X, y = _to_tensor(X).to(device), _to_tensor(y).to(device)
    if len(X) != len(y):
        raise ValueError(f"overfit_batch: X and y have {len(X)} and {len(y)} rows")
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"loss": [], "accuracy": []}
    memorised = False
    for _ in range(int(steps) + 1):
        optimizer.zero_grad(set_to_none=True)
        outputs = model(X)
        loss = loss_fn(outputs, y)
        history["loss"].append(loss.item())
        history["accuracy"].append(accuracy(outputs.detach(), y))
        memorised = history["accuracy"][-1] == 1.0 and history["loss"][-1] <= tol
        if memorised or len(history["loss"]) > steps:
            break
        loss.backward()
        optimizer.step()
    history["steps"] = len(history["loss"]) - 1
    history["memorised"] = bool(memorised)
    return history


__all__ = [
    "accuracy",
    "as_loader",
    "dead_unit_fractions",
    "evaluate",
    "fit",
    "lambda_lr",
    "layer_grad_norms",
    "overfit_batch",
    "predict",
    "resolve_amp",
    "sequence_cross_entropy",
    "step_loss",
    "supervised_loss",
    "token_accuracy",
    "train_epoch",
]
