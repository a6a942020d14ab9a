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


def _use_amp(amp, device):
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
    use_amp = _use_amp(amp, device)
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
):
    """One pass over ``loader``: for each batch, loss, backward, (clip,) optimizer step.

    ``batch_loss(model, batch) -> (loss, outputs, targets)`` (see :func:`supervised_loss`);
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

    History keys: ``epoch``, ``loss`` (mean training loss), ``lr`` (learning rate used in
    the epoch), ``seconds``, plus ``metric`` when a metric is given and ``val_loss`` /
    ``val_metric`` when validation data is given.
    """
    if scheduler_interval not in SCHEDULER_INTERVALS:
        raise ValueError(
            f"scheduler_interval must be one of {SCHEDULER_INTERVALS}, got {scheduler_interval!r}"
        )
    epochs = budget(**DEFAULT_EPOCHS) if epochs is None else epochs
    if not isinstance(epochs, int | np.integer) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    device = torch.device(device) if device is not None else default_device()
    use_amp = _use_amp(amp, device)
    batch_loss = _batch_loss(loss_fn, step, metric)
    progress = not is_fast() if progress is None else progress

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
        )
        history["loss"].append(loss)
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


__all__ = [
    "accuracy",
    "as_loader",
    "evaluate",
    "fit",
    "predict",
    "sequence_cross_entropy",
    "step_loss",
    "supervised_loss",
    "token_accuracy",
    "train_epoch",
]
