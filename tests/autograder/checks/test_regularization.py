"""The module-09 checks: the references and realistic mistakes.

The table is run by tests/autograder/checks/test_contract.py.
"""

import numpy as np
import pytest
import scipy.special
import torch

import dlkit as dk
from dlkit import nn

pytestmark = pytest.mark.usefixtures("one_thread")


# ---------------------------------------------------------------------------
# Reference solutions (signatures as in the notebook, built on dlkit)
# ---------------------------------------------------------------------------


def early_stopping_ref(val_losses, patience, min_delta=0.0):
    return nn.early_stopping_epochs(val_losses, patience, min_delta)


def dropout_forward_ref(x, p, train, seed):
    return nn.dropout_forward(x, p, train=train, seed=seed)


def smoothed_cross_entropy_ref(logits, labels, eps):
    return nn.smoothed_cross_entropy_and_grad(logits, labels, eps)[0]


def train_regularized_ref(
    X, y, X_val, y_val, X_test, seed, dropout=0.5, weight_decay=0.5, patience=15, evaluate=None
):
    """A 64-128-128-10 MLP with dropout, AdamW and early stopping on the validation set."""
    torch.manual_seed(seed)
    return _fit_regularized(
        X, y, X_val, y_val, X_test, seed, dropout, weight_decay, patience, evaluate
    )


def _fit_regularized(
    X, y, X_val, y_val, X_test, seed, dropout=0.5, weight_decay=0.5, patience=15, evaluate=None
):
    config = dk.models.MLPConfig(
        in_features=64, hidden=(128, 128), out_features=10, dropout=dropout
    )
    model = dk.models.MLP(config)
    dk.train.fit(
        model,
        (X.astype(np.float32), y),
        val_data=(X_val.astype(np.float32), y_val),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=weight_decay),
        epochs=60,
        batch_size=64,
        seed=seed,
        early_stopping=patience,
        progress=False,
    )
    if evaluate is not None:
        return evaluate(model, X_test)
    return dk.train.predict(model, X_test.astype(np.float32)).argmax(dim=1).numpy()


REFERENCES = {
    "elastic_net": nn.elastic_net,
    "l1_prox": dk.optim.l1_prox_step,
    "early_stopping": early_stopping_ref,
    "dropout": (dropout_forward_ref, nn.dropout_backward),
    "batchnorm_forward": nn.batchnorm_forward,
    "batchnorm_backward": nn.batchnorm_backward,
    "layernorm": nn.layernorm,
    "label_smoothing": smoothed_cross_entropy_ref,
    "mixup": dk.data.mixup,
    "clip_norm": dk.optim.clip_by_global_norm,
    "random_shift": dk.data.random_shift,
    "fgsm": nn.fgsm_softmax,
    "train_noisy": train_regularized_ref,
}


# ---------------------------------------------------------------------------
# Other correct answers
# ---------------------------------------------------------------------------


def early_stopping_by_loop(val_losses, patience, min_delta=0.0):
    best, best_epoch, waited = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best - min_delta:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses)


def dropout_boolean_mask(x, p, train, seed):
    x = np.asarray(x, dtype=float)
    if not train:
        return x.copy(), np.ones(x.shape, dtype=bool)
    keep = np.random.default_rng(seed).uniform(size=x.shape) > p
    return np.where(keep, x / (1 - p), 0.0), keep


def batchnorm_forward_by_hand(
    x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5, train=True
):
    x = np.asarray(x, dtype=float)
    if train:
        n = len(x)
        mean = x.sum(axis=0) / n
        var = ((x - mean) ** 2).sum(axis=0) / n
        running_mean = running_mean + momentum * (mean - running_mean)
        running_var = running_var + momentum * (var * n / (n - 1) - running_var)
    else:
        mean, var = running_mean, running_var
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, running_mean, running_var


def smoothed_cross_entropy_by_parts(logits, labels, eps):
    log_p = scipy.special.log_softmax(np.asarray(logits, dtype=float), axis=1)
    rows = np.arange(len(labels))
    return float(np.mean(-(1 - eps) * log_p[rows, labels] - eps * log_p.mean(axis=1)))


ALTERNATIVES = [
    ("early_stopping", early_stopping_by_loop),
    ("dropout", (dropout_boolean_mask, nn.dropout_backward)),
    ("batchnorm_forward", batchnorm_forward_by_hand),
    ("label_smoothing", smoothed_cross_entropy_by_parts),
]


# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a message naming the mistake
# ---------------------------------------------------------------------------


def elastic_net_with_half(w, l1, l2):
    w = np.asarray(w, dtype=float)
    return l1 * np.abs(w).sum() + 0.5 * l2 * (w * w).sum(), l1 * np.sign(w) + l2 * w


def elastic_net_grad_half(w, l1, l2):
    penalty, _ = nn.elastic_net(w, l1, l2)
    return penalty, l1 * np.sign(w) + l2 * np.asarray(w)


def elastic_net_nan_at_zero(w, l1, l2):
    w = np.asarray(w, dtype=float)
    penalty, _ = nn.elastic_net(w, l1, l2)
    return penalty, l1 * w / np.abs(w) + 2 * l2 * w


def elastic_net_averaged(w, l1, l2):
    w = np.asarray(w, dtype=float)
    penalty, grad = nn.elastic_net(w, l1, l2)
    return penalty / w.size, grad / w.size


def prox_threshold_lam(w, grad, lr, lam):
    return dk.ml.soft_threshold(w - lr * grad, lam)


def prox_before_gradient(w, grad, lr, lam):
    return dk.ml.soft_threshold(w, lr * lam) - lr * grad


def prox_subgradient_step(w, grad, lr, lam):
    return w - lr * (grad + lam * np.sign(w))


def prox_loses_sign(w, grad, lr, lam):
    return np.maximum(w - lr * grad - lr * lam, 0.0)


def stopping_one_late(val_losses, patience, min_delta=0.0):
    best, best_epoch, waited = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best - min_delta:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited > patience:  # one epoch too many
                return best_epoch, epoch
    return best_epoch, len(val_losses)


def stopping_ties_improve(val_losses, patience, min_delta=0.0):
    best, best_epoch, waited = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss <= best - min_delta:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses)


def stopping_returns_stop_as_best(val_losses, patience, min_delta=0.0):
    _, stop = nn.early_stopping_epochs(val_losses, patience, min_delta)
    return stop, stop


def stopping_zero_based(val_losses, patience, min_delta=0.0):
    best, stop = nn.early_stopping_epochs(val_losses, patience, min_delta)
    return best - 1, stop - 1


def stopping_nan_improves(val_losses, patience, min_delta=0.0):
    best, best_epoch, waited = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if not loss >= best - min_delta:  # True for NaN
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses)


def dropout_without_scale(x, p, train, seed):
    out, mask = nn.dropout_forward(x, p, train=train, seed=seed)
    return out * (1 - p), mask


def dropout_keep_probability(x, p, train, seed):
    """The book's convention: keep with probability p and scale by 1 / p."""
    x = np.asarray(x, dtype=float)
    if not train:
        return x, np.ones_like(x)
    mask = (np.random.default_rng(seed).random(x.shape) < p).astype(float)
    return x * mask / p, mask


def dropout_scale_by_one_over_p(x, p, train, seed):
    out, mask = nn.dropout_forward(x, p, train=train, seed=seed)
    return (out * (1 - p) / p if p > 0 else out), mask


def dropout_scaled_at_evaluation(x, p, train, seed):
    out, mask = nn.dropout_forward(x, p, train=train, seed=seed)
    return (out if train else out * (1 - p)), mask


def dropout_fixed_seed(x, p, train, seed):
    return nn.dropout_forward(x, p, train=train, seed=0)


def dropout_scaled_mask(x, p, train, seed):
    out, mask = nn.dropout_forward(x, p, train=train, seed=seed)
    return out, mask / (1 - p)


def dropout_backward_without_scale(grad_out, mask, p):
    return np.asarray(grad_out) * mask


def bn_batch_statistics_at_eval(
    x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5, train=True
):
    y, _, _ = nn.batchnorm_forward(
        x, gamma, beta, running_mean, running_var, momentum, eps, train=len(x) > 1
    )
    if not train:
        x = np.asarray(x, dtype=float)
        y = gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta
    new = nn.batchnorm_forward(x, gamma, beta, running_mean, running_var, momentum, eps, train)
    return y, new[1], new[2]


def bn_per_row(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5, train=True):
    _, mean, var = nn.batchnorm_forward(
        x, gamma, beta, running_mean, running_var, momentum, eps, train
    )
    x = np.asarray(x, dtype=float)
    x_hat = (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + eps)
    return gamma * x_hat + beta, mean, var


def bn_eps_outside(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5, train=True):
    _, mean, var = nn.batchnorm_forward(
        x, gamma, beta, running_mean, running_var, momentum, eps, train
    )
    x = np.asarray(x, dtype=float)
    mu, v = (x.mean(axis=0), x.var(axis=0)) if train else (running_mean, running_var)
    return gamma * (x - mu) / (np.sqrt(v) + eps) + beta, mean, var


def bn_momentum_reversed(
    x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5, train=True
):
    return nn.batchnorm_forward(x, gamma, beta, running_mean, running_var, 1 - momentum, eps, train)


def bn_unbiased_normalisation(
    x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5, train=True
):
    y, mean, var = nn.batchnorm_forward(
        x, gamma, beta, running_mean, running_var, momentum, eps, train
    )
    if train:
        x = np.asarray(x, dtype=float)
        y = gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + eps) + beta
    return y, mean, var


def bn_biased_running_variance(
    x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5, train=True
):
    y, mean, var = nn.batchnorm_forward(
        x, gamma, beta, running_mean, running_var, momentum, eps, train
    )
    if train:
        var = (1 - momentum) * running_var + momentum * np.asarray(x, dtype=float).var(axis=0)
    return y, mean, var


def bn_updates_in_place(
    x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5, train=True
):
    y, mean, var = nn.batchnorm_forward(
        x, gamma, beta, running_mean, running_var, momentum, eps, train
    )
    running_mean[:] = mean
    running_var[:] = var
    return y, running_mean, running_var


def bn_eval_updates_running(
    x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5, train=True
):
    y, _, _ = nn.batchnorm_forward(x, gamma, beta, running_mean, running_var, momentum, eps, train)
    if len(x) > 1:
        _, running_mean, running_var = nn.batchnorm_forward(
            x, gamma, beta, running_mean, running_var, momentum, eps, True
        )
    return y, running_mean, running_var


def bn_backward_constant_statistics(dy, x, gamma, eps=1e-5):
    _, dgamma, dbeta = nn.batchnorm_backward(dy, x, gamma, eps)
    return gamma * dy / np.sqrt(np.var(x, axis=0) + eps), dgamma, dbeta


def bn_backward_without_variance_term(dy, x, gamma, eps=1e-5):
    _, dgamma, dbeta = nn.batchnorm_backward(dy, x, gamma, eps)
    n, sigma = len(x), np.sqrt(np.var(x, axis=0) + eps)
    return gamma / (n * sigma) * (n * dy - dy.sum(axis=0)), dgamma, dbeta


def bn_backward_dgamma_per_row(dy, x, gamma, eps=1e-5):
    dx, _, dbeta = nn.batchnorm_backward(dy, x, gamma, eps)
    x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    return dx, (dy * x_hat).sum(axis=1), dbeta


def layernorm_over_batch(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta


def layernorm_unbiased(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    mean, var = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True, ddof=1)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def layernorm_gamma_on_rows(x, gamma, beta, eps=1e-5):
    x_hat = nn.layernorm(x, np.ones_like(gamma), np.zeros_like(beta), eps)
    return gamma[:, None] * x_hat + beta[:, None]


def smoothing_not_normalised(logits, labels, eps):
    log_p = scipy.special.log_softmax(np.asarray(logits, dtype=float), axis=1)
    targets = np.full(log_p.shape, eps / log_p.shape[1])
    targets[np.arange(len(labels)), labels] = 1 - eps
    return float(np.mean(-(targets * log_p).sum(axis=1)))


def smoothing_over_other_classes(logits, labels, eps):
    log_p = scipy.special.log_softmax(np.asarray(logits, dtype=float), axis=1)
    targets = np.full(log_p.shape, eps / (log_p.shape[1] - 1))
    targets[np.arange(len(labels)), labels] = 1 - eps
    return float(np.mean(-(targets * log_p).sum(axis=1)))


def smoothing_naive_softmax(logits, labels, eps):
    z = np.asarray(logits, dtype=float)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    targets = nn.smooth_labels(labels, z.shape[1], eps)
    return float(np.mean(-(targets * np.log(p)).sum(axis=1)))


def smoothing_summed(logits, labels, eps):
    return smoothed_cross_entropy_ref(logits, labels, eps) * len(labels)


def mixup_other_lambda_on_y(x, y, alpha, seed):
    x_mix, _, lam, perm = dk.data.mixup(x, y, alpha, seed)
    return x_mix, (1 - lam) * y + lam * y[perm], lam, perm


def mixup_swapped_roles(x, y, alpha, seed):
    _, y_mix, lam, perm = dk.data.mixup(x, y, alpha, seed)
    return lam * x[perm] + (1 - lam) * x, y_mix, lam, perm


def mixup_uniform_lambda(x, y, alpha, seed):
    rng = np.random.default_rng(seed)
    lam, perm = rng.uniform(), rng.permutation(len(x))
    return lam * x + (1 - lam) * x[perm], lam * y + (1 - lam) * y[perm], lam, perm


def mixup_identity_permutation(x, y, alpha, seed):
    lam = np.random.default_rng(seed).beta(alpha, alpha)
    return x, y, lam, np.arange(len(x))


def mixup_integer_labels(x, y, alpha, seed):
    x_mix, _, lam, perm = dk.data.mixup(x, y, alpha, seed)
    labels = np.argmax(y, axis=1)
    return x_mix, lam * labels + (1 - lam) * labels[perm], lam, perm


def clip_each_tensor(grads, max_norm):
    norms = {name: np.linalg.norm(g) for name, g in grads.items()}
    total = float(np.sqrt(sum(n**2 for n in norms.values())))
    return {name: g * min(1.0, max_norm / norms[name]) for name, g in grads.items()}, total


def clip_by_value(grads, max_norm):
    _, total = dk.optim.clip_by_global_norm(grads, max_norm)
    return {name: np.clip(g, -max_norm, max_norm) for name, g in grads.items()}, total


def clip_scales_up(grads, max_norm):
    _, total = dk.optim.clip_by_global_norm(grads, max_norm)
    return {name: g * max_norm / total for name, g in grads.items()}, total


def clip_returns_clipped_norm(grads, max_norm):
    clipped, total = dk.optim.clip_by_global_norm(grads, max_norm)
    return clipped, min(total, max_norm)


def clip_in_place(grads, max_norm):
    clipped, total = dk.optim.clip_by_global_norm(grads, max_norm)
    for name, g in grads.items():
        g[...] = clipped[name]
    return grads, total


def clip_returns_a_list(grads, max_norm):
    clipped, total = dk.optim.clip_by_global_norm(grads, max_norm)
    return list(clipped.values()), total


def shift_with_roll(images, max_shift, seed):
    _, shifts = dk.data.random_shift(images, max_shift, seed, return_shifts=True)
    return np.stack([np.roll(im, tuple(s), axis=(0, 1)) for im, s in zip(images, shifts)])


def shift_whole_batch(images, max_shift, seed):
    dy, dx = np.random.default_rng(seed).integers(-max_shift, max_shift + 1, 2)
    return dk.data.translate(images, dy, dx)


def shift_never_positive(images, max_shift, seed):
    rng = np.random.default_rng(seed)
    shifts = rng.integers(-max_shift, max(max_shift, 1), (len(images), 2)) if max_shift else 0
    return dk.data.translate(images, *np.transpose(shifts)) if max_shift else images.copy()


def fgsm_wrong_way(X, y, W, b, eps):
    p = scipy.special.softmax(X @ W + b, axis=1)
    p[np.arange(len(y)), y] -= 1
    return np.clip(X - eps * np.sign(p @ W.T), 0, 1)


def fgsm_unclipped(X, y, W, b, eps):
    return nn.fgsm_softmax(X, y, W, b, eps, low=None, high=None)


def fgsm_raw_gradient(X, y, W, b, eps):
    p = scipy.special.softmax(X @ W + b, axis=1)
    p[np.arange(len(y)), y] -= 1
    return np.clip(X + eps * p @ W.T, 0, 1)


def fgsm_gradient_of_weights(X, y, W, b, eps):
    p = scipy.special.softmax(X @ W + b, axis=1)
    p[np.arange(len(y)), y] -= 1
    return W + eps * np.sign(X.T @ p)


def train_unregularized(X, y, X_val, y_val, X_test, seed):
    torch.manual_seed(seed)
    model = dk.models.MLP(in_features=64, hidden=(128, 128), out_features=10)
    dk.train.fit(  # the reference's optimizer and budget, without any regularization
        model,
        (X.astype(np.float32), y),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=0.0),
        epochs=60,
        batch_size=64,
        seed=seed,
        progress=False,
    )
    return dk.train.predict(model, X_test.astype(np.float32)).argmax(dim=1).numpy()


def predict_in_training_mode(model, X_test):
    model.train()  # dropout stays on
    with torch.no_grad():
        return model(torch.as_tensor(X_test, dtype=torch.float32)).argmax(dim=1).numpy()


def train_evaluates_with_dropout(X, y, X_val, y_val, X_test, seed):
    return train_regularized_ref(
        X, y, X_val, y_val, X_test, seed, evaluate=predict_in_training_mode
    )


def train_unseeded(X, y, X_val, y_val, X_test, seed):
    return _fit_regularized(X, y, X_val, y_val, X_test, seed)  # no torch.manual_seed


def train_returns_scores(X, y, X_val, y_val, X_test, seed):
    return np.zeros((len(X_test), 10))


MUTANTS = [
    ("elastic_net_basic", elastic_net_with_half, "eq 7.4 has no 1/2"),
    ("elastic_net_basic", elastic_net_grad_half, "is 2 * l2 * w"),
    ("elastic_net_basic", elastic_net_nan_at_zero, "w / |w| is nan at w = 0"),
    ("elastic_net_basic", elastic_net_averaged, "do not average"),
    ("l1_prox_basic", prox_threshold_lam, "is lr * lam, not lam"),
    ("l1_prox_basic", prox_before_gradient, "take the gradient step first"),
    ("l1_prox_basic", prox_subgradient_step, "subgradient step: it never lands exactly on 0"),
    ("l1_prox_basic", prox_loses_sign, "keep the sign"),
    ("early_stopping_basic", stopping_one_late, "patience off by one"),
    ("early_stopping_hidden", stopping_ties_improve, "a tie is not an improvement"),
    ("early_stopping_basic", stopping_returns_stop_as_best, "not the epoch where training stopped"),
    ("early_stopping_basic", stopping_zero_based, "epochs count from 1"),
    ("early_stopping_hidden", stopping_nan_improves, "NaN loss is no improvement"),
    ("dropout_basic", (dropout_without_scale, nn.dropout_backward), "1 / (1 - p); without it"),
    ("dropout_hidden", (dropout_keep_probability, nn.dropout_backward), "keep-probability"),
    ("dropout_basic", (dropout_scale_by_one_over_p, nn.dropout_backward), "keep-probability"),
    ("dropout_basic", (dropout_scaled_at_evaluation, nn.dropout_backward), "do not scale at eval"),
    ("dropout_hidden", (dropout_fixed_seed, nn.dropout_backward), "instead of using a fixed seed"),
    ("dropout_basic", (dropout_scaled_mask, nn.dropout_backward), "return the 0/1 mask itself"),
    ("dropout_basic", (dropout_forward_ref, dropout_backward_without_scale), "needs the scale"),
    ("batchnorm_forward_basic", bn_batch_statistics_at_eval, "never with the batch's statistics"),
    ("batchnorm_forward_basic", bn_per_row, "over the batch (axis=0)"),
    ("batchnorm_forward_hidden", bn_eps_outside, "eps goes inside the square root"),
    ("batchnorm_forward_basic", bn_momentum_reversed, "momentum convention is reversed"),
    ("batchnorm_forward_basic", bn_unbiased_normalisation, "normalise with the biased"),
    ("batchnorm_forward_basic", bn_biased_running_variance, "UNBIASED batch variance"),
    ("batchnorm_forward_basic", bn_updates_in_place, "modified its argument 4 in place"),
    ("batchnorm_forward_hidden", bn_eval_updates_running, "must return running_mean unchanged"),
    ("batchnorm_backward_basic", bn_backward_constant_statistics, "treating them as constants"),
    ("batchnorm_backward_basic", bn_backward_without_variance_term, "variance depends on x too"),
    ("batchnorm_backward_basic", bn_backward_dgamma_per_row, "over the batch (axis=0)"),
    ("layernorm_basic", layernorm_over_batch, "(axis=0) is batch norm"),
    ("layernorm_basic", layernorm_unbiased, "use the biased variance"),
    ("layernorm_hidden", layernorm_gamma_on_rows, "broadcast gamma of shape (d,)"),
    ("label_smoothing_basic", smoothing_not_normalised, "the targets do not sum to 1"),
    ("label_smoothing_basic", smoothing_over_other_classes, "not over the K - 1 others"),
    ("label_smoothing_hidden", smoothing_naive_softmax, "overflows for large logits"),
    ("label_smoothing_basic", smoothing_summed, "not the sum"),
    ("mixup_basic", mixup_other_lambda_on_y, "use the same lam for x and y"),
    ("mixup_basic", mixup_swapped_roles, "lam weights the original rows"),
    ("mixup_hidden", mixup_uniform_lambda, "lam looks uniform"),
    ("mixup_hidden", mixup_identity_permutation, "identity permutation"),
    ("mixup_basic", mixup_integer_labels, "not integer labels"),
    ("clip_norm_basic", clip_each_tensor, "clip by the GLOBAL norm"),
    ("clip_norm_basic", clip_by_value, "clips each entry by value"),
    ("clip_norm_hidden", clip_scales_up, "never enlarge small ones"),
    ("clip_norm_basic", clip_returns_clipped_norm, "BEFORE clipping"),
    ("clip_norm_basic", clip_in_place, "modified its argument 1 in place"),
    ("clip_norm_basic", clip_returns_a_list, "expected a dict with the keys"),
    ("random_shift_basic", shift_with_roll, "np.roll wraps"),
    ("random_shift_basic", shift_whole_batch, "draw one shift per image"),
    ("random_shift_basic", shift_never_positive, "never draws s"),
    ("fgsm_basic", fgsm_wrong_way, "FGSM steps UP the loss"),
    ("fgsm_basic", fgsm_unclipped, "clip it to [0, 1]"),
    ("fgsm_basic", fgsm_raw_gradient, "take the sign of the gradient"),
    ("fgsm_basic", fgsm_gradient_of_weights, "not W"),
    ("train_noisy_basic", train_unregularized, "memorised the noisy labels"),
    ("train_noisy_hidden", train_evaluates_with_dropout, "identical inputs"),
    ("train_noisy_hidden", train_unseeded, "torch.manual_seed"),
    ("train_noisy_basic", train_returns_scores, "argmax"),
]
