"""Checks for module 09, regularization.

Every exercise has a visible ``<name>_basic(...)`` check (return types and shapes plus
one small worked case) and a hidden ``<name>_hidden(...)`` check (seeded random inputs
plus the edge cases behind the classic mistakes: the 1/2 of the L2 term, a threshold
without the learning rate, patience off by one, dropout without its 1/(1 - p) and the
book's keep-probability convention, batch statistics at evaluation, the wrong axis, eps
outside the root, the momentum reversed, a backward pass that treats the batch mean and
variance as constants, smoothed targets that do not sum to 1, clipping tensor by tensor,
np.roll instead of a zero-filled shift, an FGSM step the wrong way or unclipped, a network
that memorises noisy labels). The conventions are torch's (stated in each prompt) and the
oracles are torch autograd and functional ops (through ``oracles``), scipy's
distributions and tests, and closed forms; nothing here uses dlkit or the learner's other
answers.
"""

from functools import cache

import numpy as np
import scipy.special
import scipy.stats

from autograder.checks import oracles
from autograder.checks.harness import (
    CheckFailed,
    as_float_array,
    as_number,
    call,
    expect,
    expect_close,
    expect_equal,
    expect_number,
    expect_reproducible,
    expect_within,
    show,
    unpack,
)


def _F():
    """torch.nn.functional, imported on first use."""
    return oracles.torch().nn.functional


def _expect_shape(array, shape, text, hint):
    expect(
        array.shape == tuple(shape),
        f"{text} returned shape {array.shape}, expected {tuple(shape)}; hint: {hint}",
    )


# ---------------------------------------------------------------------------
# Exercise 1 · rg-elastic-net · reference: dk.nn.elastic_net
# ---------------------------------------------------------------------------

_ELASTIC_HINT = (
    "penalty = l1 * sum(|w|) + l2 * sum(w**2) (eq 7.4, no 1/2) and its subgradient "
    "l1 * sign(w) + 2 * l2 * w, which is 0 at w = 0"
)


def _check_elastic_net(fn, w, l1, l2):
    result, text = call(fn, "elastic_net", w, l1, l2, hint=_ELASTIC_HINT)
    penalty, grad = unpack(result, text, ("penalty", "grad"))
    torch = oracles.torch()
    expected_grad = oracles.gradients(lambda t: l1 * torch.abs(t).sum() + l2 * (t * t).sum(), w)[
        0
    ]  # torch: d|w|/dw = 0 at w = 0
    absolute, square = np.abs(w), w * w
    expect_number(
        penalty,
        l1 * absolute.sum() + l2 * square.sum(),
        f"{text}[0] (the penalty)",
        _ELASTIC_HINT,
        mistakes=[
            (
                l1 * absolute.sum() + 0.5 * l2 * square.sum(),
                "eq 7.4 has no 1/2 on the L2 term (eq 7.1's lam/2 ||w||^2 does): l2 * sum(w**2)",
            ),
            (
                l1 * absolute.mean() + l2 * square.mean(),
                "sum over the weights, do not average them",
            ),
            (l1 * absolute.sum() + l2 * np.sqrt(square.sum()), "square the L2 term: sum(w**2)"),
        ],
    )
    with np.errstate(all="ignore"):
        ratio = w / absolute
    expect_close(
        grad,
        expected_grad,
        f"{text}[1] (the gradient)",
        _ELASTIC_HINT,
        atol=1e-12,
        mistakes=[
            (
                l1 * np.sign(w) + l2 * w,
                "the gradient of l2 * sum(w**2) is 2 * l2 * w (no 1/2 in eq 7.4)",
            ),
            (l1 * ratio + 2 * l2 * w, "w / |w| is nan at w = 0: use np.sign(w), which is 0 there"),
            (
                (l1 * np.sign(w) + 2 * l2 * w) / w.size,
                "the penalty is a sum, not a mean: no 1/n",
            ),
            (l1 * np.sign(w), "add the L2 part of the gradient, 2 * l2 * w"),
            (2 * l2 * w, "add the L1 part of the gradient, l1 * sign(w)"),
        ],
    )


def elastic_net_basic(fn):
    """w = [-1.5, 0, 0.5, 2] with l1 = 0.1, l2 = 0.3: penalty 0.4 + 1.95 = 2.35."""
    _check_elastic_net(fn, np.array([-1.5, 0.0, 0.5, 2.0]), 0.1, 0.3)


def elastic_net_hidden(fn):
    """A weight matrix with exact zeros, pure L1 and pure L2, integer weights."""
    rng = np.random.default_rng(901)
    w = rng.normal(size=(5, 4))
    w[w < -0.8] = 0.0
    _check_elastic_net(fn, w, 0.05, 0.2)
    _check_elastic_net(fn, rng.normal(size=30), 0.4, 0.0)
    _check_elastic_net(fn, rng.normal(size=(3, 3)), 0.0, 1.5)
    _check_elastic_net(fn, np.array([-2, 0, 0, 3]), 0.3, 0.7)


# ---------------------------------------------------------------------------
# Exercise 2 · rg-l1-prox · reference: dk.optim.l1_prox_step
# ---------------------------------------------------------------------------

_PROX_HINT = (
    "take the gradient step u = w - lr * grad, then soft-threshold it by lr * lam: "
    "np.sign(u) * np.maximum(np.abs(u) - lr * lam, 0)"
)


def _soft(u, t):
    return np.sign(u) * np.maximum(np.abs(u) - t, 0.0)


def _check_prox(fn, w, grad, lr, lam):
    result, text = call(fn, "l1_prox_step", w, grad, lr, lam, hint=_PROX_HINT)
    got = as_float_array(result, text)
    u = w - lr * grad
    expected = _soft(u, lr * lam)
    got = expect_close(
        got,
        expected,
        text,
        _PROX_HINT,
        atol=1e-12,
        mistakes=[
            (_soft(u, lam), "the threshold of the prox of lr * lam * |w| is lr * lam, not lam"),
            (
                _soft(w, lr * lam) - lr * grad,
                "take the gradient step first, then apply the soft threshold to its result",
            ),
            (
                w - lr * (grad + lam * np.sign(w)),
                "that is a subgradient step: it never lands exactly on 0 (that is why L1 needs a "
                "prox to give sparsity); soft-threshold instead",
            ),
            (np.maximum(u - lr * lam, 0.0), "keep the sign: sign(u) * max(|u| - t, 0)"),
        ],
    )
    zeros = expected == 0
    expect(
        np.all(got[zeros] == 0.0),
        f"{text}: {int(np.sum(got[zeros] != 0))} of the {int(zeros.sum())} entries with "
        "|u| <= lr * lam are not exactly 0; hint: the soft threshold sets them to 0.0 exactly "
        "(np.maximum(|u| - t, 0)), which is how L1 produces sparse weights",
    )


def l1_prox_basic(fn):
    """Five weights, lr = 0.5, lam = 0.4: two of them land exactly on 0."""
    w = np.array([1.0, -0.3, 0.1, -2.0, 0.5])
    grad = np.array([0.2, -0.2, 0.4, 1.0, -0.4])
    _check_prox(fn, w, grad, 0.5, 0.4)


def l1_prox_hidden(fn):
    """A matrix with many entries under the threshold, lam = 0, a large lr."""
    rng = np.random.default_rng(902)
    _check_prox(fn, rng.normal(0, 0.3, (6, 5)), rng.normal(0, 1, (6, 5)), 0.1, 2.0)
    _check_prox(fn, rng.normal(size=20), rng.normal(size=20), 0.05, 0.0)
    _check_prox(fn, rng.normal(size=12), rng.normal(size=12), 2.0, 0.3)


# ---------------------------------------------------------------------------
# Exercise 3 · rg-early-stopping · reference: dk.nn.early_stopping_epochs
# ---------------------------------------------------------------------------

_STOP_HINT = (
    "walk through the epochs (counting from 1) keeping the best loss and a counter of "
    "epochs without improvement (loss < best - min_delta, strictly; NaN never improves); "
    "reset it on an improvement, stop when it reaches patience; return (best_epoch, "
    "stop_epoch), stop_epoch = the last epoch if patience never runs out"
)


def _stopping(losses, patience, min_delta=0.0, improves=None, stop_at=None, first=1):
    """Algorithm 3 as a while loop; the keyword arguments produce the classic mistakes."""
    improves = improves or (lambda loss, best: loss < best - min_delta)
    stop_at = patience if stop_at is None else stop_at
    best, best_index, waited, index = np.inf, -1, 0, 0
    while index < len(losses):
        if improves(losses[index], best):
            best, best_index, waited = losses[index], index, 0
        else:
            waited += 1
        if waited >= stop_at:
            break
        index += 1
    index = min(index, len(losses) - 1)
    return best_index + first, index + first


def _check_stopping(fn, losses, patience, min_delta=0.0):
    args = (list(losses), patience) + ((min_delta,) if min_delta else ())
    result, text = call(fn, "early_stopping", *args, hint=_STOP_HINT)
    best, stop = unpack(result, text, ("best_epoch", "stop_epoch"))
    losses = np.asarray(losses, dtype=float)
    expected_best, expected_stop = _stopping(losses, patience, min_delta)
    zero_based = _stopping(losses, patience, min_delta, first=0)
    with np.errstate(invalid="ignore"):
        ties = _stopping(losses, patience, min_delta, improves=lambda a, b: a <= b - min_delta)
        nan_improves = _stopping(
            losses, patience, min_delta, improves=lambda a, b: not a >= b - min_delta
        )
    late = _stopping(losses, patience, min_delta, stop_at=patience + 1)
    early = _stopping(losses, patience, min_delta, stop_at=max(patience - 1, 1))
    ties_hint = "a tie is not an improvement: compare with <, not <="
    off_by_one = (
        "patience off by one: stop once patience epochs in a row have not improved (when the "
        "counter reaches patience)"
    )
    nan_hint = "a NaN loss is no improvement (loss < best is False for NaN; do not use np.argmin)"
    for got, expected, index, label, mistakes in [
        (
            best,
            expected_best,
            0,
            "best_epoch",
            [
                (zero_based[0], "epochs count from 1: val_losses[0] is the loss of epoch 1"),
                (
                    expected_stop,
                    "best_epoch is the epoch of the lowest loss, the checkpoint to "
                    "restore, not the epoch where training stopped",
                ),
                (ties[0], ties_hint),
                (nan_improves[0], nan_hint),
                (late[0], off_by_one),
                (early[0], off_by_one),
            ],
        ),
        (
            stop,
            expected_stop,
            1,
            "stop_epoch",
            [
                (zero_based[1], "epochs count from 1: val_losses[0] is the loss of epoch 1"),
                (
                    late[1],
                    "patience off by one: stop once patience epochs in a row have not "
                    "improved (the counter reaches patience), not one epoch later",
                ),
                (
                    early[1],
                    "patience off by one: wait for patience epochs without improvement, "
                    "stopping when the counter reaches patience, not patience - 1",
                ),
                (ties[1], ties_hint),
                (nan_improves[1], nan_hint),
            ],
        ),
    ]:
        value = as_number(got, f"{text}[{index}] ({label})", hint="return whole epoch numbers")
        expect_equal(
            int(value) if value == int(value) else value,
            int(expected),
            f"{text}[{index}] ({label})",
            _STOP_HINT,
            mistakes=[(float(wrong), message) for wrong, message in mistakes],
        )


def early_stopping_basic(fn):
    """Best at epoch 3, patience 2: training stops at epoch 5."""
    _check_stopping(fn, [1.0, 0.8, 0.7, 0.75, 0.72, 0.6, 0.9], 2)


def early_stopping_hidden(fn):
    """A loss that keeps falling (never stops), ties, a NaN, min_delta, patience 1 and 5."""
    _check_stopping(fn, [1.0, 0.9, 0.8, 0.7, 0.6], 2)
    _check_stopping(fn, [1.0, 0.5, 0.5, 0.5, 0.4, 0.3], 2)
    _check_stopping(fn, [0.9, 0.7, float("nan"), 0.8, 0.75, 0.71, 0.69, 0.7], 3)
    _check_stopping(fn, [2.0, 1.5, 1.49, 1.48, 1.2, 1.19, 1.18, 1.1], 2, min_delta=0.05)
    _check_stopping(fn, [0.5, 0.6, 0.4, 0.3], 1)
    rng = np.random.default_rng(903)
    curve = 1.0 / np.arange(1, 41) + 0.01 * np.arange(40) + rng.normal(0, 0.02, 40)
    _check_stopping(fn, [float(v) for v in curve], 5)


# ---------------------------------------------------------------------------
# Exercise 4 · rg-dropout · reference: dk.nn.dropout_forward, dk.nn.dropout_backward
# ---------------------------------------------------------------------------

_DROPOUT_HINT = (
    "with rng = np.random.default_rng(seed): mask = (rng.random(x.shape) >= p) (1 = kept, "
    "kept with probability 1 - p), out = x * mask / (1 - p); with train=False return x "
    "unchanged and a mask of ones"
)
_DROPOUT_BACKWARD_HINT = "dL/dx = grad_out * mask / (1 - p): the same mask and scale as forward"
_KEEP_CONVENTION = (
    "that is the book's keep-probability convention (eq 7.6); here, as in torch, p is the "
    "probability to DROP a unit: keep with probability 1 - p and scale by 1 / (1 - p)"
)


def _dropout_input(rng, shape):
    """Entries of size 0.5 to 2 with random signs: never 0, so drops are visible."""
    return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def _check_dropout_train(forward, x, p, seed, statistics=False):
    result, text = call(forward, "dropout_forward", x, p, True, seed, hint=_DROPOUT_HINT)
    out, mask = unpack(result, text, ("out", "mask"))
    out, mask = as_float_array(out, f"{text}[0]"), as_float_array(mask, f"{text}[1]")
    _expect_shape(out, x.shape, f"{text}[0] (out)", "out has the shape of x")
    _expect_shape(mask, x.shape, f"{text}[1] (mask)", "the mask has the shape of x")
    scaled = np.isclose(mask, 1.0 / (1.0 - p)) | np.isclose(mask, 1.0 / max(p, 1e-12))
    expect(
        np.all((mask == 0) | (mask == 1)),
        f"{text}[1] (the mask) holds values other than 0 and 1 (e.g. "
        f"{show(mask[(mask != 0) & (mask != 1)][:3])}); hint: "
        + (
            "return the 0/1 mask itself and apply the scale 1 / (1 - p) to out only"
            if np.any(scaled & (mask != 0))
            else "the mask is 1.0 where a unit is kept and 0.0 where it is dropped"
        ),
    )
    kept = mask == 1
    expect_close(
        out,
        x * mask / (1.0 - p),
        f"{text}[0] (out, given the mask you returned)",
        _DROPOUT_HINT,
        mistakes=[
            (
                x * mask,
                "inverted dropout scales the kept units by 1 / (1 - p); without it "
                "E[out] = (1 - p) x, and the network sees smaller activations in training",
            ),
            (lambda: x * mask / p, _KEEP_CONVENTION),
        ],
    )
    if statistics:
        dropped = float(np.mean(~kept))
        expected_se = np.sqrt(p * (1 - p) / x.size)
        if abs(dropped - (1 - p)) < 6 * expected_se and abs(dropped - p) > 6 * expected_se:
            raise CheckFailed(
                f"{text}: {dropped:.1%} of the entries were dropped, expected p = {p:.0%}; "
                f"hint: {_KEEP_CONVENTION}"
            )
        expect_within(
            dropped,
            p,
            expected_se,
            text,
            "fraction of dropped entries",
            "drop each entry independently with probability p: mask = rng.random(x.shape) >= p",
        )
    return mask, text


def _check_dropout_eval(forward, x, p, seed):
    result, text = call(forward, "dropout_forward", x, p, False, seed, hint=_DROPOUT_HINT)
    out, _ = unpack(result, text, ("out", "mask"))
    expect_close(
        out,
        x,
        f"{text}[0] (out)",
        "in evaluation (train=False) dropout is the identity: return x, no mask and no scaling "
        "(inverted dropout already scaled in training)",
        mistakes=[(x * (1 - p), "do not scale at evaluation: inverted dropout scales in training")],
    )


def _check_dropout_backward(backward, grad_out, mask, p):
    expected = oracles.vector_jacobian_products(
        lambda t: t * oracles.tensor(mask) / (1 - p), [np.zeros_like(mask)], grad_out
    )[0]
    result, text = call(
        backward, "dropout_backward", grad_out, mask, p, hint=_DROPOUT_BACKWARD_HINT
    )
    expect_close(
        result,
        expected,
        text,
        _DROPOUT_BACKWARD_HINT,
        mistakes=[
            (grad_out * mask, "the backward pass needs the scale 1 / (1 - p) of the forward pass"),
            (lambda: grad_out * mask / p, _KEEP_CONVENTION),
            (grad_out / (1 - p), "dropped units pass no gradient: multiply by the mask"),
            (grad_out, "multiply by the mask and scale by 1 / (1 - p)"),
        ],
    )


def dropout_basic(forward, backward):
    """A (4, 5) input with p = 0.2 (training and evaluation), and its backward pass."""
    rng = np.random.default_rng(904)
    x = _dropout_input(rng, (4, 5))
    mask, _ = _check_dropout_train(forward, x, 0.2, 0)
    _check_dropout_eval(forward, x, 0.2, 0)
    _check_dropout_backward(backward, rng.normal(size=x.shape), mask, 0.2)


def dropout_hidden(forward, backward):
    """10^5 entries: the fraction dropped is p (not 1 - p); p = 0 and 0.7; 3-D inputs;
    the same seed gives the same mask, another seed another."""
    rng = np.random.default_rng(905)
    for p, seed in [(0.2, 1), (0.7, 2)]:
        x = _dropout_input(rng, (250, 400))
        _check_dropout_train(forward, x, p, seed, statistics=True)
    x = _dropout_input(rng, (2, 3, 4))
    mask, _ = _check_dropout_train(forward, x, 0.7, 3)
    _check_dropout_backward(backward, rng.normal(size=x.shape), mask, 0.7)
    _check_dropout_train(forward, x, 0.0, 4)
    _check_dropout_eval(forward, x, 0.7, 5)
    expect_reproducible(forward, "dropout_forward", (_dropout_input(rng, (6, 7)), 0.5, True), 6)


# ---------------------------------------------------------------------------
# Exercise 5 · rg-batchnorm-forward · reference: dk.nn.batchnorm_forward
# ---------------------------------------------------------------------------

_BN_HINT = (
    "training: mu = x.mean(axis=0), var = x.var(axis=0) (biased), y = gamma * (x - mu) / "
    "np.sqrt(var + eps) + beta, running = (1 - momentum) * running + momentum * batch "
    "statistic, with the unbiased variance var * n / (n - 1) for running_var; evaluation: "
    "normalise with running_mean and running_var and return them unchanged"
)


def _torch_batchnorm(x, gamma, beta, mean, var, momentum, eps, train):
    """F.batch_norm in float64: (y, running_mean, running_var), the latter updated by torch."""
    running_mean, running_var = oracles.tensor(mean), oracles.tensor(var)
    y = _F().batch_norm(
        oracles.tensor(x),
        running_mean,
        running_var,
        oracles.tensor(gamma),
        oracles.tensor(beta),
        training=train,
        momentum=momentum,
        eps=eps,
    )
    return y.numpy(), running_mean.numpy(), running_var.numpy()


def _bn_mistakes(x, gamma, beta, mean, var, momentum, eps):
    """Outputs (y, running_mean, running_var) of the classic wrong forward passes."""
    n = len(x)
    mu, v = x.mean(axis=0), x.var(axis=0)
    rows = (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + eps)
    return {
        "y": [
            (
                gamma * rows + beta if x.shape[1] > 1 else None,
                "normalise each feature over the batch (axis=0); per example over its features "
                "(axis=1) is layer norm",
            ),
            (
                gamma * (x - mu) / (np.sqrt(v) + eps) + beta,
                "eps goes inside the square root: np.sqrt(var + eps)",
            ),
            (
                gamma * (x - mu) / np.sqrt(x.var(axis=0, ddof=1) + eps) + beta if n > 1 else None,
                "normalise with the biased batch variance (divide by n); only running_var uses the "
                "unbiased n - 1 variance",
            ),
            ((x - mu) / np.sqrt(v + eps), "scale and shift the normalised x: gamma * x_hat + beta"),
        ],
        "mean": [
            (
                momentum * mean + (1 - momentum) * mu,
                "the momentum convention is reversed: torch's momentum weights the NEW batch "
                "statistic, running = (1 - momentum) * running + momentum * batch (the seed's "
                "rho = 0.9 is 1 - momentum)",
            ),
            (mean, "in training, move running_mean towards the batch mean"),
        ],
        "var": [
            (
                (1 - momentum) * var + momentum * v if n > 1 else None,
                "torch updates running_var with the UNBIASED batch variance, var * n / (n - 1)",
            ),
            (
                momentum * var + (1 - momentum) * v * n / max(n - 1, 1),
                "the momentum convention is reversed: torch's momentum weights the NEW batch "
                "statistic, running = (1 - momentum) * running + momentum * batch (the seed's "
                "rho = 0.9 is 1 - momentum)",
            ),
            (var, "in training, move running_var towards the (unbiased) batch variance"),
        ],
    }


def _check_bn_forward(fn, x, gamma, beta, mean, var, momentum=0.1, eps=1e-5, train=True):
    args = (x, gamma, beta, mean, var)
    kwargs = {"momentum": momentum, "eps": eps, "train": train}
    result, text = call(fn, "batchnorm_forward", *args, hint=_BN_HINT, **kwargs)
    y, new_mean, new_var = unpack(result, text, ("y", "running_mean", "running_var"))
    expected = _torch_batchnorm(x, gamma, beta, mean, var, momentum, eps, train)
    mistakes = _bn_mistakes(x, gamma, beta, mean, var, momentum, eps) if train else {}
    if not train:
        batch = x.mean(axis=0), x.var(axis=0)
        mistakes = {
            "y": [
                (
                    gamma * (x - batch[0]) / np.sqrt(batch[1] + eps) + beta,
                    "at evaluation normalise with running_mean and running_var, never with the "
                    "batch's statistics: a prediction must not depend on the other examples in "
                    "its batch (one example would always give beta)",
                ),
            ],
            "mean": [
                (
                    lambda: _torch_batchnorm(*args, momentum, eps, True)[1],
                    "train=False must return running_mean unchanged: evaluation does not "
                    "update the running statistics",
                )
            ],
            "var": [
                (
                    lambda: _torch_batchnorm(*args, momentum, eps, True)[2],
                    "train=False must return running_var unchanged: evaluation does not "
                    "update the running statistics",
                )
            ],
        }
    for value, want, index, label, key in [
        (y, expected[0], 0, "y", "y"),
        (new_mean, expected[1], 1, "running_mean", "mean"),
        (new_var, expected[2], 2, "running_var", "var"),
    ]:
        expect_close(
            value,
            want,
            f"{text}[{index}] ({label})",
            _BN_HINT,
            rtol=1e-7,
            atol=1e-10,
            mistakes=[
                (wrong, message) for wrong, message in mistakes.get(key, []) if wrong is not None
            ],
        )


def _bn_case(rng, n, d, shift=0.0):
    return (
        rng.normal(shift, rng.uniform(0.5, 3.0, d), (n, d)),
        rng.uniform(0.5, 2.0, d),
        rng.normal(0, 1, d),
        rng.normal(0, 1, d),
        rng.uniform(0.5, 2.0, d),
    )


def batchnorm_forward_basic(fn):
    """A batch of 4 examples with 3 features in training, then one example at evaluation."""
    rng = np.random.default_rng(906)
    _check_bn_forward(fn, *_bn_case(rng, 4, 3))
    x, gamma, beta, _, _ = _bn_case(rng, 1, 3, shift=5.0)
    _check_bn_forward(
        fn, x, gamma, beta, np.array([4.0, 5.0, 6.0]), np.array([1.0, 2.0, 0.5]), train=False
    )


def batchnorm_forward_hidden(fn):
    """Other momentum and eps (eps outside the root shows with a large eps), a batch of 2,
    many features, evaluation on a shifted batch, integer inputs."""
    rng = np.random.default_rng(907)
    _check_bn_forward(fn, *_bn_case(rng, 16, 6), momentum=0.3, eps=0.5)
    x, gamma, beta, mean, var = _bn_case(rng, 8, 5)
    x[:, 0] = 2.0 + 0.01 * rng.normal(size=8)  # an almost constant feature: eps matters
    _check_bn_forward(fn, x, gamma, beta, mean, var, eps=0.01)
    _check_bn_forward(fn, *_bn_case(rng, 2, 4))
    _check_bn_forward(fn, *_bn_case(rng, 32, 10, shift=3.0), momentum=0.01)
    _check_bn_forward(fn, *_bn_case(rng, 10, 4, shift=-4.0), train=False)
    _check_bn_forward(
        fn, rng.integers(-5, 6, (6, 3)), np.ones(3), np.zeros(3), np.zeros(3), np.ones(3)
    )


# ---------------------------------------------------------------------------
# Exercise 6 · rg-batchnorm-backward · reference: dk.nn.batchnorm_backward
# ---------------------------------------------------------------------------

_BN_BACKWARD_HINT = (
    "with x_hat = (x - mu) / sigma, sigma = sqrt(var + eps) and N rows: dbeta = dy.sum(0), "
    "dgamma = (dy * x_hat).sum(0), dx = gamma / (N sigma) * (N dy - dy.sum(0) - x_hat * "
    "(dy * x_hat).sum(0))"
)


def _check_bn_backward(fn, dy, x, gamma, eps=1e-5):
    args = (dy, x, gamma) + ((eps,) if eps != 1e-5 else ())
    result, text = call(fn, "batchnorm_backward", *args, hint=_BN_BACKWARD_HINT)
    dx, dgamma, dbeta = unpack(result, text, ("dx", "dgamma", "dbeta"))
    F = _F()
    expected = oracles.vector_jacobian_products(
        lambda x_t, g_t, b_t: F.batch_norm(x_t, None, None, g_t, b_t, training=True, eps=eps),
        [x, gamma, np.zeros_like(gamma)],
        dy,
    )
    n = len(x)
    sigma = np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) / sigma
    sum_dy, sum_dy_xhat = dy.sum(axis=0), (dy * x_hat).sum(axis=0)
    constants = (
        "the batch mean and variance depend on x: differentiate through them; treating them "
        "as constants gives gamma * dy / sigma"
    )
    expect_close(
        dx,
        expected[0],
        f"{text}[0] (dx)",
        _BN_BACKWARD_HINT,
        atol=1e-10,
        mistakes=[
            (gamma * dy / sigma, constants),
            (
                gamma / (n * sigma) * (n * dy - sum_dy),
                "the variance depends on x too: subtract x_hat * sum(dy * x_hat) as well",
            ),
            (
                gamma / (n * sigma) * (n * dy - x_hat * sum_dy_xhat),
                "the mean depends on x too: subtract sum(dy) as well",
            ),
            (
                (n * dy - sum_dy - x_hat * sum_dy_xhat) / (n * sigma),
                "dx carries the factor gamma (dL/dx_hat = gamma * dy)",
            ),
        ],
    )
    expect_close(
        dgamma,
        expected[1],
        f"{text}[1] (dgamma)",
        _BN_BACKWARD_HINT,
        atol=1e-10,
        mistakes=[
            (
                (dy * x_hat).sum(axis=1),
                "dgamma sums dy * x_hat over the batch (axis=0), one entry per feature",
            ),
            (sum_dy, "dgamma = sum over the batch of dy * x_hat (y = gamma * x_hat + beta)"),
            ((dy * x).sum(axis=0), "multiply dy by the normalised x_hat, not by x"),
        ],
    )
    expect_close(
        dbeta,
        expected[2],
        f"{text}[2] (dbeta)",
        _BN_BACKWARD_HINT,
        atol=1e-10,
        mistakes=[
            (dy.mean(axis=0), "dbeta sums dy over the batch; it is not a mean"),
            (dy.sum(axis=1), "dbeta sums dy over the batch (axis=0), one entry per feature"),
        ],
    )


def batchnorm_backward_basic(fn):
    """N = 5 examples, D = 3 features."""
    rng = np.random.default_rng(908)
    x = rng.normal(1.0, 2.0, (5, 3))
    _check_bn_backward(fn, rng.normal(size=(5, 3)), x, np.array([0.5, 1.0, 2.0]))


def batchnorm_backward_hidden(fn):
    """A batch of 2, a square batch (N = D), many rows, another eps."""
    rng = np.random.default_rng(909)
    _check_bn_backward(fn, rng.normal(size=(2, 4)), rng.normal(size=(2, 4)), rng.uniform(0.5, 2, 4))
    _check_bn_backward(fn, rng.normal(size=(6, 6)), rng.normal(3, 1, (6, 6)), rng.normal(size=6))
    _check_bn_backward(
        fn, rng.normal(size=(40, 7)), rng.normal(0, 5, (40, 7)), rng.uniform(0.5, 2, 7), eps=0.1
    )


# ---------------------------------------------------------------------------
# Exercise 7 · rg-layernorm · reference: dk.nn.layernorm
# ---------------------------------------------------------------------------

_LN_HINT = (
    "per example, over the features (the last axis): mu = x.mean(axis=-1, keepdims=True), "
    "var = x.var(axis=-1, keepdims=True) (biased), y = gamma * (x - mu) / np.sqrt(var + eps) "
    "+ beta"
)


def _check_layernorm(fn, x, gamma, beta, eps=1e-5):
    args = (x, gamma, beta) + ((eps,) if eps != 1e-5 else ())
    result, text = call(fn, "layernorm", *args, hint=_LN_HINT)
    d = x.shape[-1]
    expected = (
        _F()
        .layer_norm(oracles.tensor(x), (d,), oracles.tensor(gamma), oracles.tensor(beta), eps)
        .numpy()
    )

    def normalised(axis, ddof=0):
        mean = x.mean(axis=axis, keepdims=True)
        return (x - mean) / np.sqrt(x.var(axis=axis, keepdims=True, ddof=ddof) + eps)

    mistakes = [
        (
            lambda: gamma * normalised(0) + beta,
            "layer norm normalises each example over its features (the last axis); over the "
            "batch (axis=0) is batch norm",
        ),
        (
            lambda: gamma * normalised(-1, ddof=1) + beta,
            "use the biased variance (divide by d, ddof=0), as layer norm does",
        ),
        (
            lambda: gamma[:, None] * normalised(-1) + beta[:, None],
            "gamma and beta act on the features: broadcast gamma of shape (d,) along the last "
            "axis (gamma * x_hat), not along the rows",
        ),
        (lambda: normalised(-1), "scale and shift: gamma * x_hat + beta"),
    ]
    if x.ndim == 3:
        mistakes.insert(
            0,
            (
                lambda: gamma * normalised(1) + beta,
                "normalise over the last axis (axis=-1), the features",
            ),
        )
    expect_close(result, expected, text, _LN_HINT, rtol=1e-7, atol=1e-10, mistakes=mistakes)
    return expected


def layernorm_basic(fn):
    """Three examples with four features."""
    x = np.array([[1.0, 2.0, 3.0, 4.0], [-1.0, 0.0, 1.0, 5.0], [2.0, 2.0, 2.0, 3.0]])
    _check_layernorm(fn, x, np.array([1.0, 0.5, 2.0, 1.0]), np.array([0.0, 1.0, -1.0, 0.5]))


def layernorm_hidden(fn):
    """A square batch (N = D), one row alone equals that row in the batch, a (B, T, D)
    sequence batch, another eps."""
    rng = np.random.default_rng(910)
    x = rng.normal(2.0, 3.0, (5, 5))
    gamma, beta = rng.uniform(0.5, 2, 5), rng.normal(size=5)
    full = _check_layernorm(fn, x, gamma, beta)
    result, text = call(fn, "layernorm", x[2:3], gamma, beta, hint=_LN_HINT)
    expect_close(
        result,
        full[2:3],
        text,
        "each example is normalised on its own: one row alone "
        "must give the same output as inside a batch",
    )
    _check_layernorm(fn, rng.normal(size=(2, 3, 6)), rng.uniform(0.5, 2, 6), rng.normal(size=6))
    _check_layernorm(fn, rng.normal(0, 0.1, (4, 8)), np.ones(8), np.zeros(8), eps=0.01)


# ---------------------------------------------------------------------------
# Exercise 8 · rg-label-smoothing · reference: dk.nn.smoothed_cross_entropy_and_grad
# ---------------------------------------------------------------------------

_SMOOTH_HINT = (
    "targets t = (1 - eps) * onehot(y) + eps / K over all K classes (rows sum to 1), then "
    "loss = mean over rows of -sum_k t_k log softmax(z)_k, with a stable log-softmax "
    "(subtract the row maximum)"
)


def _log_softmax(z):
    return scipy.special.log_softmax(z, axis=1)


def _smoothed(logits, labels, on, off, reduce=np.mean):
    """Cross-entropy against targets with ``on`` at the true class and ``off`` elsewhere."""
    n, k = logits.shape
    targets = np.full((n, k), off, dtype=float)
    targets[np.arange(n), labels] = on
    return float(reduce(-(targets * _log_softmax(logits)).sum(axis=1)))


def _check_smoothing(fn, logits, labels, eps):
    result, text = call(fn, "smoothed_cross_entropy", logits, labels, eps, hint=_SMOOTH_HINT)
    torch = oracles.torch()
    expected = (
        _F()
        .cross_entropy(
            oracles.tensor(logits),
            torch.as_tensor(np.asarray(labels, dtype=np.int64)),
            label_smoothing=eps,
        )
        .item()
    )
    k = logits.shape[1]
    y = np.asarray(labels)
    with np.errstate(all="ignore"):
        naive = np.log(np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True))
    expect_number(
        result,
        expected,
        text,
        _SMOOTH_HINT,
        rtol=1e-7,
        mistakes=[
            (
                _smoothed(logits, y, 1 - eps, eps / k),
                "the targets do not sum to 1: the true class gets 1 - eps + eps / K, since eps / K "
                "goes to every class, the true one included",
            ),
            (
                _smoothed(logits, y, 1 - eps, eps / (k - 1)),
                "eq 7.12 and torch spread eps over all K classes (eps / K each, the true class "
                "included), not over the K - 1 others",
            ),
            (_smoothed(logits, y, 1.0, 0.0), "the loss ignores eps: smooth the targets first"),
            (
                _smoothed(logits, y, 1 - eps + eps / k, eps / k, reduce=np.sum),
                "average over the batch (mean over rows), not the sum",
            ),
            (
                lambda: float(np.mean(-(((1 - eps) * np.eye(k)[y] + eps / k) * naive).sum(axis=1))),
                "the log-softmax overflows for large logits: subtract the row maximum first (or "
                "use scipy.special.log_softmax)",
            ),
        ],
    )


def label_smoothing_basic(fn):
    """Two rows of three logits, eps = 0.1."""
    _check_smoothing(fn, np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.0]]), np.array([0, 2]), 0.1)


def label_smoothing_hidden(fn):
    """Logits of 1000 (overflow), eps = 0 (plain cross-entropy) and 0.3, ten classes."""
    rng = np.random.default_rng(911)
    _check_smoothing(
        fn, np.array([[1000.0, 0.0, -1000.0], [0.0, 800.0, 1.0]]), np.array([1, 1]), 0.2
    )
    _check_smoothing(fn, rng.normal(size=(5, 4)), rng.integers(0, 4, 5), 0.0)
    _check_smoothing(fn, rng.normal(0, 3, (12, 10)), rng.integers(0, 10, 12), 0.3)


# ---------------------------------------------------------------------------
# Exercise 9 · rg-mixup · reference: dk.data.mixup
# ---------------------------------------------------------------------------

_MIXUP_HINT = (
    "rng = np.random.default_rng(seed); lam = rng.beta(alpha, alpha); perm = "
    "rng.permutation(n); x_mix = lam * x + (1 - lam) * x[perm] and y_mix = lam * y + "
    "(1 - lam) * y[perm]; return (x_mix, y_mix, lam, perm)"
)
_LAMBDA_DRAWS = 150


def _mixup_call(fn, x, y, alpha, seed):
    result, text = call(fn, "mixup", x, y, alpha, seed, hint=_MIXUP_HINT)
    x_mix, y_mix, lam, perm = unpack(result, text, ("x_mix", "y_mix", "lam", "perm"))
    lam = as_number(lam, f"{text}[2] (lam)", hint="return lam as a float, one per batch")
    expect(
        0.0 <= lam <= 1.0,
        f"{text}[2] (lam) is {lam:.4g}; hint: lam ~ Beta(alpha, alpha) lies in [0, 1]",
    )
    perm = as_float_array(perm, f"{text}[3] (perm)")
    expect(
        perm.shape == (len(x),) and np.array_equal(np.sort(perm), np.arange(len(x))),
        f"{text}[3] (perm) is {show(perm)}, not a permutation of 0..{len(x) - 1}; hint: "
        "perm = rng.permutation(n)",
    )
    return x_mix, y_mix, lam, perm.astype(int), text


def _check_mixup(fn, x, y, alpha, seed):
    x_mix, y_mix, lam, perm, text = _mixup_call(fn, x, y, alpha, seed)
    expect_close(
        x_mix,
        lam * x + (1 - lam) * x[perm],
        f"{text}[0] (x_mix)",
        _MIXUP_HINT,
        mistakes=[
            (
                lam * x[perm] + (1 - lam) * x,
                "lam weights the original rows: x_mix = lam * x + (1 - lam) * x[perm]",
            )
        ],
    )
    y_mix_array = as_float_array(y_mix, f"{text}[1] (y_mix)")
    expect(
        y_mix_array.shape == y.shape,
        f"{text}[1] (y_mix) has shape {y_mix_array.shape}, expected {y.shape}; hint: mix the "
        "one-hot rows (n, K), not integer labels (a mixed label 3.4 means nothing)",
    )
    expect_close(
        y_mix_array,
        lam * y + (1 - lam) * y[perm],
        f"{text}[1] (y_mix)",
        _MIXUP_HINT,
        mistakes=[
            (
                (1 - lam) * y + lam * y[perm],
                "use the same lam for x and y: lam weights the original rows in both",
            )
        ],
    )
    expect_close(
        y_mix_array.sum(axis=1),
        np.ones(len(y)),
        f"{text}[1].sum(axis=1)",
        "each row of y_mix is a convex combination of one-hot rows and sums to 1",
    )
    return perm


def _onehot(rng, n, k):
    return np.eye(k)[rng.integers(0, k, n)]


def mixup_basic(fn):
    """Eight examples with three features and four classes, alpha = 0.4."""
    rng = np.random.default_rng(912)
    _check_mixup(fn, rng.normal(size=(8, 3)), _onehot(rng, 8, 4), 0.4, 0)


def mixup_hidden(fn):
    """Images (n, 2, 2); the permutation is random; lam over 150 seeds follows
    Beta(alpha, alpha) for alpha = 0.2 (KS test); seeds are reproducible."""
    rng = np.random.default_rng(913)
    x, y = rng.normal(size=(10, 2, 2)), _onehot(rng, 10, 3)
    perms = [_check_mixup(fn, x, y, 1.0, seed) for seed in (1, 2, 3)]
    expect(
        not all(np.array_equal(p, np.arange(len(x))) for p in perms),
        "mixup returned the identity permutation for three seeds; hint: perm = "
        "rng.permutation(n) pairs each example with a random partner (mixing an example with "
        "itself changes nothing)",
    )
    small_x, small_y = rng.normal(size=(4, 2)), _onehot(rng, 4, 2)
    for alpha in (0.2, 2.0):
        lams = np.array(
            [_mixup_call(fn, small_x, small_y, alpha, 1000 + s)[2] for s in range(_LAMBDA_DRAWS)]
        )
        p_value = scipy.stats.kstest(lams, scipy.stats.beta(alpha, alpha).cdf).pvalue
        if p_value < 1e-6:
            uniform = scipy.stats.kstest(lams, "uniform").pvalue
            hint = (
                "lam looks uniform on (0, 1): draw it from Beta(alpha, alpha), rng.beta(alpha, "
                "alpha); only alpha = 1 is uniform"
                if uniform > 1e-3
                else "draw lam from Beta(alpha, alpha) with rng.beta(alpha, alpha)"
            )
            raise CheckFailed(
                f"over {_LAMBDA_DRAWS} seeds, mixup(..., alpha={alpha}) returned values of lam "
                f"(mean {lams.mean():.3f}, std {lams.std():.3f}) that do not follow "
                f"Beta({alpha}, {alpha}) (Kolmogorov-Smirnov p = {p_value:.1e}); hint: {hint}"
            )
    expect_reproducible(fn, "mixup", (small_x, small_y, 0.5), 7)


# ---------------------------------------------------------------------------
# Exercise 10 · rg-clip-norm · reference: dk.optim.clip_by_global_norm
# ---------------------------------------------------------------------------

_CLIP_HINT = (
    "total = sqrt(sum of g**2 over every array together); scale every array by "
    "min(1, max_norm / total); return ({name: clipped array}, total before clipping)"
)


def _check_clip(fn, grads, max_norm):
    """``grads`` is a dict name -> array, like a model's named parameters (the harness shows
    a dict in a message, where a list of arrays of different shapes would not print)."""
    result, text = call(fn, "clip_by_global_norm", grads, max_norm, hint=_CLIP_HINT)
    clipped, total = unpack(result, text, ("clipped", "total"))
    torch = oracles.torch()
    params = {
        name: oracles.tensor(np.zeros_like(g), requires_grad=True) for name, g in grads.items()
    }
    for name, p in params.items():
        p.grad = oracles.tensor(grads[name])
    expected_total = float(torch.nn.utils.clip_grad_norm_(list(params.values()), max_norm))
    norms = {name: float(np.linalg.norm(g)) for name, g in grads.items()}
    expect(
        isinstance(clipped, dict) and set(clipped) == set(grads),
        f"{text}[0] is a {type(clipped).__name__}, expected a dict with the keys "
        f"{sorted(grads)}; hint: "
        "return {name: clipped array} with the names of grads",
    )
    for name, g in grads.items():
        norm = norms[name]
        expect_close(
            clipped[name],
            params[name].grad.numpy(),
            f"{text}[0][{name!r}] (the clipped gradient)",
            _CLIP_HINT,
            rtol=1e-5,
            mistakes=[
                (
                    g * min(1.0, max_norm / norm) if norm > 0 else g,
                    "clip by the GLOBAL norm of all the arrays together: one scale factor for "
                    "every array, so the direction of the whole update is kept (clipping each "
                    "tensor separately changes it)",
                ),
                (
                    np.clip(g, -max_norm, max_norm),
                    "that clips each entry by value (eq 7.13); clip by norm instead: scale by "
                    "max_norm / total",
                ),
                (
                    g * max_norm / expected_total,
                    "scale by min(1, max_norm / total): only shrink large gradients, never enlarge "
                    "small ones",
                ),
            ],
        )
    expect_number(
        total,
        expected_total,
        f"{text}[1] (the total norm)",
        "total = sqrt(sum over every array of np.sum(g**2)), before clipping",
        rtol=1e-5,
        mistakes=[
            (min(expected_total, max_norm), "return the norm BEFORE clipping (the number to log)"),
            (
                sum(norms.values()),
                "the global norm is sqrt(sum of squares), not the sum of the norms",
            ),
        ],
    )


def clip_norm_basic(fn):
    """Two arrays with global norm 13 (5 and 12), clipped to 2.6: both are multiplied by 0.2."""
    _check_clip(fn, {"w": np.array([3.0, 4.0]), "b": np.array([[12.0, 0.0]])}, 2.6)


def clip_norm_hidden(fn):
    """Nothing to clip (the norm is below max_norm), one array, arrays of many shapes."""
    rng = np.random.default_rng(914)
    _check_clip(fn, {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=4)}, 100.0)
    _check_clip(fn, {"only": rng.normal(0, 5, 10)}, 1.0)
    shapes = {"W1": (3, (4, 5)), "b1": (0.1, (5,)), "kernel": (10, (2, 2, 3))}
    _check_clip(fn, {name: rng.normal(0, s, shape) for name, (s, shape) in shapes.items()}, 2.0)


# ---------------------------------------------------------------------------
# Exercise 11 · rg-random-shift · reference: dk.data.random_shift
# ---------------------------------------------------------------------------

_SHIFT_HINT = (
    "draw dy and dx for each image from rng.integers(-max_shift, max_shift + 1), move the "
    "image by (dy, dx) and fill the pixels that come in with zeros (np.pad then slice, or "
    "copy the overlapping block); np.roll wraps around and is wrong"
)


def _translate(images, dy, dx, wrap=False):
    """Every image moved by the same (dy, dx): zero-filled, or wrapped as np.roll does."""
    if wrap:
        return np.roll(images, (dy, dx), axis=(-2, -1))
    n, h, w = images.shape
    out = np.zeros_like(images)
    out[:, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = images[
        :, max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def _recover_shifts(images, moved, limit, wrap=False):
    """(n, 2) shifts (dy, dx) with |dy|, |dx| <= limit that explain each image; -99 where none."""
    found = np.full((len(images), 2), -99)
    for dy in range(-limit, limit + 1):
        for dx in range(-limit, limit + 1):
            match = np.all(np.isclose(_translate(images, dy, dx, wrap), moved), axis=(1, 2))
            found[match] = (dy, dx)
    return found


def _check_shift(fn, images, max_shift, seed, uniformity=False):
    result, text = call(fn, "random_shift", images, max_shift, seed, hint=_SHIFT_HINT)
    moved = as_float_array(result, text)
    _expect_shape(moved, images.shape, text, "return the shifted images, same shape as the input")
    shifts = _recover_shifts(images, moved, max_shift)
    unexplained = np.any(shifts == -99, axis=1)
    if np.any(unexplained):
        i = int(np.argmax(unexplained))
        if np.all(_recover_shifts(images[i : i + 1], moved[i : i + 1], max_shift, True) != -99):
            hint = (
                "np.roll wraps the pixels that leave one side around to the other; fill the "
                "pixels that come in with zeros instead"
            )
        elif np.all(_recover_shifts(images[i : i + 1], moved[i : i + 1], 8) != -99):
            hint = (
                f"image {i} moved by more than max_shift = {max_shift} pixels: draw shifts "
                "in -max_shift..max_shift"
            )
        else:
            hint = _SHIFT_HINT
        raise CheckFailed(
            f"{text}: image {i} of the result is not the input image {i} moved by whole pixels "
            f"(at most {max_shift} each way) with zeros filling in; hint: {hint}"
        )
    if len(images) >= 50 and max_shift > 0:
        expect(
            len(np.unique(shifts, axis=0)) > 1,
            f"{text}: every image moved by the same {tuple(int(v) for v in shifts[0])}; hint: "
            "draw one shift per image, not one for the whole batch",
        )
        expect(
            shifts.max() == max_shift and shifts.min() == -max_shift,
            f"{text}: over {len(images)} images the shifts ranged over "
            f"{shifts.min()}..{shifts.max()}, expected -{max_shift}..{max_shift}; hint: "
            "rng.integers(-s, s) never draws s: use rng.integers(-s, s + 1)",
        )
    if uniformity:
        side = 2 * max_shift + 1
        cells = (shifts[:, 0] + max_shift) * side + shifts[:, 1] + max_shift
        counts = np.bincount(cells, minlength=side * side)
        p_value = scipy.stats.chisquare(counts).pvalue
        expect(
            p_value > 1e-6,
            f"{text}: the {side * side} possible moves (dy, dx) were drawn {counts.min()} to "
            f"{counts.max()} times out of {len(images)} (chi-square p = {p_value:.1e}), not "
            "equally often; hint: draw dy and dx independently and uniformly from "
            "rng.integers(-max_shift, max_shift + 1)",
        )


def _images(rng, n, side=6):
    """Random images with every pixel in (0.1, 1): each shift gives a different image."""
    return rng.uniform(0.1, 1.0, (n, side, side))


def random_shift_basic(fn):
    """Sixty 6x6 images shifted by up to one pixel."""
    _check_shift(fn, _images(np.random.default_rng(915), 60), 1, 0)


def random_shift_hidden(fn):
    """1800 images: the nine moves of max_shift = 1 are equally likely (chi-square test);
    max_shift = 2 and 0; 8 x 8 images; reproducible seeds."""
    rng = np.random.default_rng(916)
    _check_shift(fn, _images(rng, 1800), 1, 1, uniformity=True)
    _check_shift(fn, _images(rng, 500, side=8), 2, 2, uniformity=True)
    _check_shift(fn, _images(rng, 10), 0, 3)
    expect_reproducible(fn, "random_shift", (_images(rng, 20), 1), 4)


# ---------------------------------------------------------------------------
# Exercise 12 · rg-fgsm · reference: dk.nn.fgsm_softmax
# ---------------------------------------------------------------------------

_FGSM_HINT = (
    "the gradient of the cross-entropy with respect to the INPUTS is (softmax(X W + b) - "
    "onehot(y)) @ W.T, shape (n, d); X_adv = np.clip(X + eps * np.sign(grad), 0, 1)"
)


def _check_fgsm(fn, X, y, W, b, eps):
    result, text = call(fn, "fgsm", X, y, W, b, eps, hint=_FGSM_HINT)
    got = as_float_array(result, text)
    torch = oracles.torch()
    W_t, b_t, y_t = oracles.tensor(W), oracles.tensor(b), torch.as_tensor(y.astype(np.int64))
    grad_X = oracles.gradients(lambda t: _F().cross_entropy(t @ W_t + b_t, y_t), X)[0]
    expected = np.clip(X + eps * np.sign(grad_X), 0.0, 1.0)
    if got.shape == W.shape and W.shape != X.shape:
        raise CheckFailed(
            f"{text} returned shape {got.shape}, the shape of W, expected {X.shape}; hint: "
            "FGSM perturbs the inputs: differentiate the loss with respect to X, not W"
        )
    expect_close(
        got,
        expected,
        text,
        _FGSM_HINT,
        atol=1e-12,
        mistakes=[
            (
                np.clip(X - eps * np.sign(grad_X), 0, 1),
                "FGSM steps UP the loss: add eps * sign(grad); subtracting makes the examples "
                "easier (the accuracy rises)",
            ),
            (
                X + eps * np.sign(grad_X),
                "the adversarial image must stay a valid image: clip it to [0, 1] with np.clip",
            ),
            (
                np.clip(X + eps * grad_X, 0, 1),
                "take the sign of the gradient, eps * np.sign(grad): every pixel moves by eps",
            ),
            (
                np.clip(X + eps * len(X) * grad_X, 0, 1),
                "take the sign of the gradient, eps * np.sign(grad): every pixel moves by eps",
            ),
            (
                lambda: np.clip(X + eps * grad_X / np.abs(grad_X), 0, 1),
                "grad / |grad| is nan where the gradient is 0: use np.sign, which gives 0 there",
            ),
        ],
    )


def _softmax_problem(rng, n, d, k):
    X = rng.uniform(0, 1, (n, d))
    X[rng.uniform(size=(n, d)) < 0.2] = 0.0  # background pixels at the bottom of the range
    X[rng.uniform(size=(n, d)) < 0.1] = 1.0  # and saturated ones at the top
    return X, rng.integers(0, k, n), rng.normal(0, 1, (d, k)), rng.normal(0, 0.5, k)


def fgsm_basic(fn):
    """Six 5-pixel inputs in [0, 1], three classes, eps = 0.1."""
    _check_fgsm(fn, *_softmax_problem(np.random.default_rng(917), 6, 5, 3), 0.1)


def fgsm_hidden(fn):
    """A weight row of zeros (gradient 0: no move), eps = 0.3 and 0, 64-pixel inputs."""
    rng = np.random.default_rng(918)
    X, y, W, b = _softmax_problem(rng, 20, 8, 4)
    W[3] = 0.0
    _check_fgsm(fn, X, y, W, b, 0.3)
    _check_fgsm(fn, X, y, W, b, 0.0)
    _check_fgsm(fn, *_softmax_problem(rng, 30, 64, 10), 0.05)


# ---------------------------------------------------------------------------
# Exercise 13 · rg-train-noisy · reference: dk.models.MLP with dk.train.fit (dropout,
# AdamW weight decay, early stopping)
# ---------------------------------------------------------------------------

N_TRAIN, N_VAL, NOISE = 300, 200, 0.3
N_DUPLICATES = 200
#: The pass mark: calibrated by benchmarks/regularization_calibration.py over 30 splits.
PASS_MARK = 0.81


@cache
def _digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X / 16.0, y.astype(np.int64)
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


def _noisy_digits(seed, n_train=N_TRAIN, n_val=N_VAL, n_test=None):
    """The task: ``(X, y_noisy, X_val, y_val, X_test, y_test)`` from scikit-learn's digits.

    A random split (``seed``) into n_train training rows with 30 % of their labels flipped
    to another class, n_val clean validation rows and the rest (or n_test) clean test rows.
    """
    X, y = _digits()
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    train, val = order[:n_train], order[n_train : n_train + n_val]
    test = order[n_train + n_val :][:n_test]
    noisy = y[train].copy()
    flipped = rng.permutation(n_train)[: round(NOISE * n_train)]
    noisy[flipped] = (noisy[flipped] + rng.integers(1, 10, len(flipped))) % 10
    return X[train], noisy, X[val], y[val], X[test], y[test]


def _with_duplicates(X_test, seed):
    """X_test with N_DUPLICATES of its rows repeated at the end (a deterministic model gives
    the copies the predictions of their originals), and the repeated rows' indices."""
    rows = np.random.default_rng(seed).choice(len(X_test), N_DUPLICATES, replace=False)
    return np.concatenate([X_test, X_test[rows]]), rows


_TRAIN_HINT = (
    "regularise the 64-128-128-10 network: dropout (0.5 after each hidden layer), weight "
    "decay (torch.optim.AdamW, weight_decay about 0.5) and early stopping on the clean "
    "validation set (dk.train.fit(..., val_data=(X_val, y_val), early_stopping=15))"
)


def _predictions(fn, data, seed, with_duplicates=True):
    X, y, X_val, y_val, X_test, _ = data
    passed, rows = _with_duplicates(X_test, seed) if with_duplicates else (X_test, None)
    result, text = call(fn, "train_regularized", X, y, X_val, y_val, passed, seed, hint=_TRAIN_HINT)
    predictions = as_float_array(result, text)
    expect(
        predictions.shape == (len(passed),),
        f"{text} returned shape {predictions.shape}, expected ({len(passed)},): one predicted "
        "class per row of X_test; hint: take the argmax over the classes of the model's scores",
    )
    return predictions, rows, text


def _score(predictions, y_test):
    """Accuracy of the predictions of the first len(y_test) rows."""
    return float(np.mean(predictions[: len(y_test)] == y_test))


def _expect_consistent(predictions, rows, n_test, text):
    """The copies of duplicated test rows got the predictions of their originals."""
    differ = int(np.sum(predictions[n_test:] != predictions[rows]))
    expect(
        differ == 0,
        f"{text}: {differ} of {len(rows)} rows that appear twice in X_test got different "
        "predictions for identical inputs; hint: evaluate in evaluation mode, model.eval() "
        "(dropout off, batch norm on its running statistics), as dk.train.predict does",
    )


def _check_trained(fn, seed):
    data = _noisy_digits(seed)
    predictions, rows, text = _predictions(fn, data, seed)
    _expect_consistent(predictions, rows, len(data[4]), text)
    accuracy = _score(predictions, data[5])
    expect(
        accuracy >= PASS_MARK,
        f"{text}: {accuracy:.1%} of the {len(data[5])} clean test digits are right, expected at "
        f"least {PASS_MARK:.0%}; hint: the network memorised the noisy labels (an "
        f"unregularised network gets about 74 %): {_TRAIN_HINT}",
    )
    return accuracy


def train_noisy_basic(fn):
    """One training on 300 digits with 30 % of the labels flipped: at least 81 % on 1297
    clean test digits, and the same prediction for the same digit."""
    _check_trained(fn, seed=0)


def train_noisy_hidden(fn):
    """Two short runs first (60 training digits): the same seed gives the same predictions,
    the same digit the same prediction; then a full training on another split and seed."""
    small = _noisy_digits(2, n_train=60, n_val=40, n_test=400)
    first, rows, text = _predictions(fn, small, 5)
    again, _, _ = _predictions(fn, small, 5)
    expect(
        np.array_equal(first, again),
        f"two calls {text} gave different predictions; hint: call torch.manual_seed(seed) "
        "before building the model and pass seed=seed to dk.train.fit (it shuffles the "
        "batches and draws the dropout masks)",
    )
    _expect_consistent(first, rows, len(small[4]), text)
    _check_trained(fn, seed=1)
