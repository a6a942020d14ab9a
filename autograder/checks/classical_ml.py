"""Checks for module 07, classical machine learning.

Every exercise has a visible ``<name>_basic(fn)`` check (return type and shape plus
one small worked case) and a hidden ``<name>_hidden(fn)`` check (seeded random
inputs plus the edge cases behind the classic mistakes: a forgotten intercept, a
penalised intercept, sums instead of means, sign errors, points exactly on the SVM
margin, a forgotten last mini-batch, splits between tied values, NaN distances from
round-off, empty clusters, variance taken along the wrong axis). The oracles are
numpy, scipy, torch autograd, scikit-learn and closed forms; nothing here uses dlkit
or the learner's other answers.
"""

import numpy as np
import scipy.spatial.distance
import torch

from autograder.checks.harness import (
    CheckFailed,
    as_float_array,
    as_number,
    call,
    diagnose,
    expect,
    expect_close,
    quiet,
    show,
)

# ---------------------------------------------------------------------------
# Shared helpers (local to this module)
# ---------------------------------------------------------------------------


def _pair(result, text, what):
    """The learner's 2-tuple ``result``, or CheckFailed naming ``what``."""
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise CheckFailed(
            f"{text} returned {show(result)}, expected a pair {what}; "
            "hint: end the function with `return a, b`"
        )
    return tuple(result)


def _close(got, expected, rtol=1e-6, atol=1e-8):
    with quiet():
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return False
    expected = np.asarray(expected, dtype=float)
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=rtol, atol=atol))


def _torch_grads(loss_fn, *params):
    """Autograd gradients of ``loss_fn(*tensors)`` at float64 copies of ``params``."""
    tensors = [torch.tensor(np.asarray(p, dtype=float), requires_grad=True) for p in params]
    loss_fn(*tensors).backward()
    return [t.grad.numpy().copy() for t in tensors]


# ---------------------------------------------------------------------------
# Linear regression by the normal equations
# ---------------------------------------------------------------------------

_NORMAL_HINT = (
    "solve (X1^T X1) theta = X1^T y with X1 = [X, column of ones], then split theta into "
    "w (the first d entries) and b (the last); or centre X and y and set b = mean(y) - mean(X) w"
)


def _least_squares(X, y):
    X1 = np.column_stack([X, np.ones(len(X))])  # (n, d + 1)
    theta = np.linalg.lstsq(X1, y, rcond=None)[0]
    return theta[:-1], theta[-1]


def _check_normal(fn, X, y):
    result, text = call(fn, "normal_equations", X, y, hint=_NORMAL_HINT)
    w, b = _pair(result, text, "(w, b)")
    w_ref, b_ref = _least_squares(X, y)
    no_intercept = np.linalg.lstsq(X, y, rcond=None)[0]
    hint = diagnose(
        as_float_array(w, text),
        _NORMAL_HINT,
        [(no_intercept, "your w is the fit without an intercept; " + _NORMAL_HINT)],
    )
    expect_close(w, w_ref, f"{text}[0] (the weights w)", hint, rtol=1e-6, atol=1e-8)
    expect_close(
        as_number(b, text, "return b as a single float"),
        b_ref,
        f"{text}[1] (the intercept b)",
        hint,
        rtol=1e-6,
    )


def normal_equations_basic(fn):
    """Points exactly on y = 2 x + 1: w = [2], b = 1."""
    _check_normal(fn, np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([1.0, 3.0, 5.0, 7.0]))


def normal_equations_hidden(fn):
    """Noisy data with several features, an offset far from 0, and n = d + 1."""
    rng = np.random.default_rng(7101)
    X = rng.standard_normal((30, 4)) + 3.0
    _check_normal(fn, X, X @ np.array([1.0, -2.0, 0.5, 0.0]) + 10 + rng.standard_normal(30))
    X = rng.standard_normal((4, 3))
    _check_normal(fn, X, rng.standard_normal(4))
    X = rng.uniform(0, 10, (50, 2))
    _check_normal(fn, X, -3 * X[:, 0] + 0.1 * rng.standard_normal(50) - 25.0)


# ---------------------------------------------------------------------------
# Ridge regression
# ---------------------------------------------------------------------------

_RIDGE_HINT = (
    "minimise ||y - X w - b||^2 + alpha ||w||^2 without penalising b: centre X and y, solve "
    "(Xc^T Xc + alpha I) w = Xc^T yc, then b = mean(y) - mean(X) w"
)


def _ridge_reference(X, y, alpha, penalise_b=False):
    """Ridge as an augmented least-squares problem: rows sqrt(alpha) e_j with target 0."""
    n, d = X.shape
    X1 = np.column_stack([X, np.ones(n)])  # (n, d + 1)
    penalty = np.sqrt(alpha) * np.eye(d + 1)[: d + int(penalise_b)]  # (d or d + 1, d + 1)
    A = np.vstack([X1, penalty])
    theta = np.linalg.lstsq(A, np.concatenate([y, np.zeros(len(penalty))]), rcond=None)[0]
    return theta[:-1], theta[-1]


def _check_ridge(fn, X, y, alpha):
    result, text = call(fn, "ridge", X, y, alpha, hint=_RIDGE_HINT)
    w, b = _pair(result, text, "(w, b)")
    w_ref, b_ref = _ridge_reference(X, y, alpha)
    got_w = as_float_array(w, text)
    hint = diagnose(
        got_w,
        _RIDGE_HINT,
        [
            (
                _ridge_reference(X, y, alpha, penalise_b=True)[0],
                "your fit penalises the intercept b too; " + _RIDGE_HINT,
            ),
            (_ridge_reference(X, y, alpha * len(y))[0], "the penalty is alpha, not alpha * n"),
            (
                np.linalg.solve(X.T @ X + alpha * np.eye(X.shape[1]), X.T @ y),
                "your w ignores the intercept (X and y were not centred); " + _RIDGE_HINT,
            ),
        ],
    )
    expect_close(w, w_ref, f"{text}[0] (the weights w)", hint, rtol=1e-6, atol=1e-8)
    expect_close(
        as_number(b, text, "return b as a single float"),
        b_ref,
        f"{text}[1] (the intercept b)",
        hint,
        rtol=1e-6,
    )


def ridge_basic(fn):
    """One centred feature: w = x.y / (x.x + alpha) = 10 / (10 + 10) = 0.5, b = mean(y) = 0."""
    X = np.array([[-2.0], [-1.0], [0.0], [1.0], [2.0]])
    _check_ridge(fn, X, 2 * X[:, 0], 10.0)


def ridge_hidden(fn):
    """Shifted features and targets (a penalised intercept shows), alpha = 0, and d > n."""
    rng = np.random.default_rng(7102)
    X = rng.standard_normal((25, 3)) + 5.0
    y = X @ np.array([1.0, 2.0, -1.0]) + 40.0 + rng.standard_normal(25)
    _check_ridge(fn, X, y, 3.0)
    _check_ridge(fn, X, y, 0.0)
    _check_ridge(fn, rng.standard_normal((6, 10)) + 1.0, rng.standard_normal(6) + 2.0, 0.5)


# ---------------------------------------------------------------------------
# Logistic loss gradient
# ---------------------------------------------------------------------------

_LOGISTIC_HINT = (
    "with p = sigmoid(X w + b): grad_w = X^T (p - y) / n + lam w and grad_b = mean(p - y) "
    "(the penalty lam/2 ||w||^2 does not touch b)"
)


def _logistic_reference(w, b, X, y, lam):
    def loss(w_t, b_t):
        z = torch.tensor(X) @ w_t + b_t
        bce = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(y))
        return bce + 0.5 * lam * (w_t**2).sum()

    g_w, g_b = _torch_grads(loss, w, b)
    return g_w, float(g_b)


def _check_logistic(fn, w, b, X, y, lam):
    result, text = call(fn, "logistic_gradient", w, b, X, y, lam, hint=_LOGISTIC_HINT)
    g_w, g_b = _pair(result, text, "(grad_w, grad_b)")
    ref_w, ref_b = _logistic_reference(w, b, X, y, lam)
    n = len(y)
    got = as_float_array(g_w, text)
    hint = diagnose(
        got,
        _LOGISTIC_HINT,
        [
            (-ref_w + 2 * lam * w, "the sign is flipped: the gradient uses (p - y), not (y - p)"),
            (ref_w - lam * w, "the penalty term lam * w is missing from grad_w"),
            (n * (ref_w - lam * w) + lam * w, "divide the data term by n: the loss is a mean"),
        ],
    )
    expect_close(g_w, ref_w, f"{text}[0] (grad_w)", hint, rtol=1e-6, atol=1e-9)
    expect_close(
        as_number(g_b, text, "return grad_b as a single float"),
        ref_b,
        f"{text}[1] (grad_b)",
        hint,
        atol=1e-9,
    )


def logistic_gradient_basic(fn):
    """w = 0, b = 0 gives p = 1/2: grad_w = X^T (1/2 - y) / n."""
    X = np.array([[1.0, 2.0], [-1.0, 0.0], [0.0, 1.0], [2.0, -1.0]])
    _check_logistic(fn, np.zeros(2), 0.0, X, np.array([1.0, 0.0, 1.0, 0.0]), 0.0)


def logistic_gradient_hidden(fn):
    """Random data with a penalty, huge logits (overflow), and a single sample."""
    rng = np.random.default_rng(7103)
    X, y = rng.standard_normal((40, 5)), rng.integers(0, 2, 40).astype(float)
    _check_logistic(fn, rng.standard_normal(5), 0.3, X, y, 0.5)
    _check_logistic(fn, 2 * rng.standard_normal(5), -1.0, X, y, 0.0)
    X_big = np.array([[800.0, 0.0], [-800.0, 1.0], [0.0, 1.0]])
    _check_logistic(fn, np.array([1.0, 0.5]), 0.0, X_big, np.array([0.0, 1.0, 1.0]), 0.1)
    _check_logistic(fn, np.array([0.5]), 0.2, np.array([[2.0]]), np.array([1.0]), 1.0)


# ---------------------------------------------------------------------------
# One epoch of softmax regression
# ---------------------------------------------------------------------------

_EPOCH_HINT = (
    "for start in range(0, n, batch_size): take rows [start, start + batch_size) (the last "
    "batch may be smaller), compute P = softmax(Xb W + b), G = (P - one_hot(yb)) / len(yb), "
    "then W -= lr * (Xb^T G + lam W) and b -= lr * G.sum(axis=0)"
)


def _epoch_reference(W, b, X, y, lr, batch_size, lam, last_batch=True, reduction="mean"):
    W_t, b_t = torch.tensor(W), torch.tensor(b)
    n = len(y)
    stop = n if last_batch else n - n % batch_size
    for start in range(0, stop, batch_size):
        rows = slice(start, start + batch_size)
        W_t.requires_grad_(True)
        b_t.requires_grad_(True)
        logits = torch.tensor(X[rows]) @ W_t + b_t
        data = torch.nn.functional.cross_entropy(logits, torch.tensor(y[rows]), reduction=reduction)
        (data + 0.5 * lam * (W_t**2).sum()).backward()
        with torch.no_grad():
            W_t, b_t = W_t - lr * W_t.grad, b_t - lr * b_t.grad
    return W_t.numpy(), b_t.numpy()


def _check_epoch(fn, W, b, X, y, lr, batch_size, lam):
    result, text = call(fn, "softmax_epoch", W, b, X, y, lr, batch_size, lam, hint=_EPOCH_HINT)
    got_W, got_b = _pair(result, text, "(W, b)")
    ref_W, ref_b = _epoch_reference(W, b, X, y, lr, batch_size, lam)
    hint = diagnose(
        as_float_array(got_W, text),
        _EPOCH_HINT,
        [
            (
                _epoch_reference(W, b, X, y, lr, batch_size, lam, last_batch=False)[0],
                "the last, smaller batch was skipped; " + _EPOCH_HINT,
            ),
            (
                _epoch_reference(W, b, X, y, lr, batch_size, lam, reduction="sum")[0],
                "average the gradient over the batch (divide by its size); " + _EPOCH_HINT,
            ),
            (
                _epoch_reference(W, b, X, y, lr, len(y), lam)[0],
                "that is one full-batch step; an epoch takes one step per mini-batch",
            ),
        ],
    )
    expect_close(got_W, ref_W, f"{text}[0] (W)", hint, rtol=1e-6, atol=1e-9)
    expect_close(got_b, ref_b, f"{text}[1] (b)", hint, rtol=1e-6, atol=1e-9)


def softmax_epoch_basic(fn):
    """Four samples, two classes, batches of 2, from W = 0 and b = 0."""
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.5]])
    _check_epoch(fn, np.zeros((2, 2)), np.zeros(2), X, np.array([0, 1, 1, 0]), 0.5, 2, 0.0)


def softmax_epoch_hidden(fn):
    """A partial last batch, a penalty, batch size 1 and a full batch, large logits."""
    rng = np.random.default_rng(7104)
    X, y = rng.standard_normal((23, 4)), rng.integers(0, 3, 23)
    W, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    _check_epoch(fn, W, b, X, y, 0.3, 5, 0.05)
    _check_epoch(fn, W, b, X[:6], y[:6], 0.1, 1, 0.0)
    _check_epoch(fn, W, b, X, y, 0.2, 23, 0.1)
    _check_epoch(fn, 100 * W, b, X, y, 0.01, 8, 0.0)  # logits of hundreds: stable softmax


# ---------------------------------------------------------------------------
# Hinge-loss sub-gradient
# ---------------------------------------------------------------------------

_HINGE_HINT = (
    "a point is active when its margin y_i (x_i w + b) < 1 (strictly); then "
    "g_w = lam w - sum over active i of y_i x_i / n and g_b = -sum over active i of y_i / n"
)


def _hinge_reference(w, b, X, y, lam):
    def loss(w_t, b_t):
        margins = torch.tensor(y) * (torch.tensor(X) @ w_t + b_t)
        return torch.relu(1.0 - margins).mean() + 0.5 * lam * (w_t**2).sum()

    g_w, g_b = _torch_grads(loss, w, b)  # relu'(0) = 0: points on the margin count 0
    return g_w, float(g_b)


def _check_hinge(fn, w, b, X, y, lam):
    result, text = call(fn, "hinge_subgradient", w, b, X, y, lam, hint=_HINGE_HINT)
    g_w, g_b = _pair(result, text, "(g_w, g_b)")
    ref_w, ref_b = _hinge_reference(w, b, X, y, lam)
    margins = y * (X @ w + b)
    on_margin = margins <= 1.0
    inclusive_w = lam * w - X.T @ np.where(on_margin, y, 0.0) / len(y)
    hint = diagnose(
        as_float_array(g_w, text),
        _HINGE_HINT,
        [
            (inclusive_w, "points exactly on the margin (y f = 1) must not count: use < 1"),
            (
                lam * w - X.T @ np.where(margins < 1, 1.0, 0.0) / len(y),
                "multiply each active x_i by its label y_i",
            ),
            (
                lam * w + len(y) * (ref_w - lam * w),
                "divide the hinge term by n: the loss is a mean over the points",
            ),
        ],
    )
    expect_close(g_w, ref_w, f"{text}[0] (g_w)", hint, rtol=1e-6, atol=1e-9)
    expect_close(
        as_number(g_b, text, "return g_b as a single float"),
        ref_b,
        f"{text}[1] (g_b)",
        hint,
        atol=1e-9,
    )


def hinge_subgradient_basic(fn):
    """w = [1], b = 0 on x = 0.5 (+1, margin 0.5, active) and x = -2 (-1, margin 2)."""
    _check_hinge(fn, np.array([1.0]), 0.0, np.array([[0.5], [-2.0]]), np.array([1.0, -1.0]), 0.0)


def hinge_subgradient_hidden(fn):
    """Random data with a penalty, points exactly on the margin, and all points inactive."""
    rng = np.random.default_rng(7105)
    X, y = rng.standard_normal((30, 3)), rng.choice([-1.0, 1.0], 30)
    _check_hinge(fn, rng.standard_normal(3), 0.1, X, y, 0.2)
    X_int = np.array([[1.0, 0.0], [0.0, -1.0], [2.0, 1.0], [0.5, 0.0]])
    y_int = np.array([1.0, 1.0, -1.0, -1.0])  # with w = [1, -1], b = 0: margins 1, 1, -1, -0.5
    _check_hinge(fn, np.array([1.0, -1.0]), 0.0, X_int, y_int, 0.0)
    _check_hinge(
        fn,
        np.array([5.0, 0.0]),
        0.0,
        np.array([[1.0, 0.0], [-1.0, 2.0]]),
        np.array([1.0, -1.0]),
        0.3,
    )  # margins 5, 5: only the penalty remains


# ---------------------------------------------------------------------------
# Gini impurity
# ---------------------------------------------------------------------------

_GINI_HINT = "Gini = 1 - sum_k p_k^2, with p_k the fraction of the labels equal to class k"


def _gini_reference(y):
    _, counts = np.unique(np.asarray(y), return_counts=True)
    p = counts / counts.sum()
    return float(1.0 - np.sum(p**2))


def _check_gini(fn, y):
    got, text = call(fn, "gini", y, hint=_GINI_HINT)
    value = as_number(got, text, "return a value as a single float")
    _, counts = np.unique(np.asarray(y), return_counts=True)
    p = counts / counts.sum()
    hint = diagnose(
        value,
        _GINI_HINT,
        [
            (float(-np.sum(p * np.log2(p))), "that is the entropy; Gini is 1 - sum_k p_k^2"),
            (float(1 - np.sum(counts**2)), "use fractions p_k = count_k / n, not the counts"),
            (float(np.sum(p**2)), "Gini is ONE MINUS sum_k p_k^2"),
        ],
    )
    expect_close(value, _gini_reference(y), text, hint, rtol=1e-9, atol=1e-12)


def gini_basic(fn):
    """[0, 0, 1, 1] gives 1 - (1/4 + 1/4) = 0.5; a pure node [2, 2, 2] gives 0."""
    _check_gini(fn, np.array([0, 0, 1, 1]))
    _check_gini(fn, np.array([2, 2, 2]))


def gini_hidden(fn):
    """Labels that are not 0..k-1, one sample, many classes, unbalanced counts."""
    rng = np.random.default_rng(7106)
    _check_gini(fn, np.array([3, 7, 7, 7, 11]))
    _check_gini(fn, np.array([5]))
    _check_gini(fn, rng.integers(0, 10, 200))
    _check_gini(fn, np.array([0] * 9 + [1]))
    _check_gini(fn, np.array([-1, 1, 1, -1, 1]))


# ---------------------------------------------------------------------------
# Best split on one feature
# ---------------------------------------------------------------------------

_SPLIT_HINT = (
    "sort x; for each i where x_sorted[i] < x_sorted[i + 1] try the midpoint threshold "
    "t = (x_sorted[i] + x_sorted[i + 1]) / 2 with left = x <= t, score it by "
    "(n_L gini(left) + n_R gini(right)) / n and keep the smallest score (first one on ties)"
)


def _sklearn_stump(x, y):
    """Threshold and weighted child Gini of a depth-1 scikit-learn tree on one feature."""
    from sklearn.tree import DecisionTreeClassifier

    t = DecisionTreeClassifier(max_depth=1).fit(x[:, None], y).tree_
    n = t.n_node_samples
    return float(t.threshold[0]), float((n[1] * t.impurity[1] + n[2] * t.impurity[2]) / n[0])


def _gini_counts(labels):
    _, counts = np.unique(labels, return_counts=True)
    return 1.0 - np.sum((counts / counts.sum()) ** 2)


def _check_split(fn, x, y, expected=None, hint=_SPLIT_HINT):
    result, text = call(fn, "best_split", x, y, hint=hint)
    threshold, impurity = _pair(result, text, "(threshold, weighted impurity)")
    if expected is None:
        expected = _sklearn_stump(x, y)
    exp_t, exp_i = expected
    if exp_t is None:
        expect(
            threshold is None,
            f"{text} returned threshold {show(threshold)}, expected None; hint: when all x "
            "are equal there is no split: return (None, gini(y))",
        )
    else:
        got_t = as_number(threshold, text, "return a threshold as a single float")
        at_a_value = got_t in set(np.asarray(x, dtype=float)) and not _close(got_t, exp_t)
        if hint is _SPLIT_HINT and at_a_value:
            hint = "use the midpoint between two consecutive distinct sorted values, not x itself"
        expect_close(got_t, exp_t, f"{text}[0] (threshold)", hint, rtol=1e-6, atol=1e-9)
    got_i = as_number(impurity, text, "return an impurity as a single float")
    unweighted = None
    if exp_t is not None:
        left = x <= exp_t
        unweighted = (_gini_counts(y[left]) + _gini_counts(y[~left])) / 2
    if unweighted is not None and _close(got_i, unweighted) and not _close(got_i, exp_i):
        hint = "weight each child's Gini by its share of the samples, n_L / n and n_R / n"
    expect_close(got_i, exp_i, f"{text}[1] (weighted impurity)", hint, rtol=1e-7, atol=1e-10)


def best_split_basic(fn):
    """x = [1, 2, 3, 4], y = [0, 0, 1, 1]: a perfect split at 2.5 with impurity 0."""
    _check_split(fn, np.array([1.0, 2.0, 3.0, 4.0]), np.array([0, 0, 1, 1]), (2.5, 0.0))


def best_split_hidden(fn):
    """Unsorted random features, tied values (no split between equal x), constant x."""
    rng = np.random.default_rng(7107)
    for _ in range(3):
        x = np.round(rng.standard_normal(40), 2).astype(np.float32).astype(float)
        y = (x + 0.7 * rng.standard_normal(40) > 0.2).astype(int) + 2 * (x > 1.2)
        _check_split(fn, x, y)
    x_ties = np.array([1.0, 2.0, 1.0, 1.0, 2.0, 1.0])  # a cut inside the 1s would be pure
    y_ties = np.array([0, 1, 0, 1, 1, 1])
    _check_split(
        fn,
        x_ties,
        y_ties,
        hint="never put a threshold between two equal values of x: only midpoints between "
        "distinct sorted values are valid",
    )
    _check_split(fn, np.full(4, 2.0), np.array([0, 1, 1, 1]), (None, 0.375))


# ---------------------------------------------------------------------------
# Pairwise distances: two loops and loop-free
# ---------------------------------------------------------------------------

_LOOP_HINT = (
    "D[i, j] = sqrt(sum_k (A[i, k] - B[j, k])**2) for i over the rows of A and j over the "
    "rows of B; D has shape (len(A), len(B))"
)
_FREE_HINT = (
    "use ||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b: row norms of A as a column (m, 1), of B as "
    "a row (1, p), minus 2 A @ B.T; clip tiny negatives to 0 (np.maximum) before the sqrt"
)


def _check_distances(fn, name, A, B, hint):
    got, text = call(fn, name, A, B, hint=hint)
    expected = scipy.spatial.distance.cdist(A, B)
    values = as_float_array(got, text)
    if np.isnan(values).any():
        hint = (
            "NaN: round-off made some squared distances slightly negative; "
            "clip them with np.maximum(sq, 0) before np.sqrt"
        )
    else:
        hint = diagnose(
            values,
            hint,
            [
                (expected**2, "these are squared distances: take the square root"),
                (expected.T, "your result is transposed: rows follow A, columns follow B"),
            ],
        )
    # the loop-free formula cancels: its distances near 0 are off by about sqrt(eps ||a||^2)
    scale = max(np.max(np.sum(A**2, axis=1)), np.max(np.sum(B**2, axis=1)), 1.0)
    expect_close(values, expected, text, hint, rtol=1e-7, atol=10 * np.sqrt(2.3e-16 * scale))


def pairwise_distances_loops_basic(fn):
    """Two points of A against three of B in the plane (3-4-5 triangles)."""
    A = np.array([[0.0, 0.0], [3.0, 4.0]])
    _check_distances(
        fn,
        "pairwise_distances_loops",
        A,
        np.array([[3.0, 4.0], [0.0, 0.0], [6.0, 8.0]]),
        _LOOP_HINT,
    )


def pairwise_distances_loops_hidden(fn):
    """Non-square shapes, one point, higher dimension."""
    rng = np.random.default_rng(7108)
    name = "pairwise_distances_loops"
    _check_distances(fn, name, rng.standard_normal((5, 3)), rng.standard_normal((2, 3)), _LOOP_HINT)
    _check_distances(fn, name, rng.standard_normal((1, 7)), rng.standard_normal((4, 7)), _LOOP_HINT)
    _check_distances(fn, name, rng.standard_normal((6, 1)), rng.standard_normal((6, 1)), _LOOP_HINT)


def pairwise_distances_basic(fn):
    """The same 3-4-5 example as the loop version."""
    A = np.array([[0.0, 0.0], [3.0, 4.0]])
    _check_distances(
        fn, "pairwise_distances", A, np.array([[3.0, 4.0], [0.0, 0.0], [6.0, 8.0]]), _FREE_HINT
    )


def pairwise_distances_hidden(fn):
    """Non-square shapes, digits-sized inputs, and identical large points (NaN trap)."""
    rng = np.random.default_rng(7109)
    name = "pairwise_distances"
    _check_distances(fn, name, rng.standard_normal((7, 3)), rng.standard_normal((4, 3)), _FREE_HINT)
    _check_distances(
        fn, name, rng.uniform(0, 16, (50, 64)), rng.uniform(0, 16, (30, 64)), _FREE_HINT
    )
    big = rng.standard_normal((25, 4)) * 30 + 100
    _check_distances(fn, name, big, big, _FREE_HINT)


# ---------------------------------------------------------------------------
# k-means: assignment and update steps
# ---------------------------------------------------------------------------

_ASSIGN_HINT = (
    "compute the (n, k) matrix of squared distances from every point to every centre and "
    "take np.argmin along axis=1 (the centre axis)"
)
_UPDATE_HINT = (
    "centre c becomes X[labels == c].mean(axis=0); a cluster with no points keeps its old "
    "centre (the mean of nothing is NaN)"
)


def _check_assign(fn, X, centers):
    got, text = call(fn, "kmeans_assign", X, centers, hint=_ASSIGN_HINT)
    labels = as_float_array(got, text)
    D = scipy.spatial.distance.cdist(X, centers, "sqeuclidean")
    expected = np.argmin(D, axis=1)
    hint = diagnose(labels, _ASSIGN_HINT, [(np.argmax(D, axis=1), "use argmin, not argmax")])
    expect_close(labels, expected, text, hint, rtol=0, atol=0)
    expect(
        np.issubdtype(np.asarray(got).dtype, np.integer),
        f"{text} returned labels of dtype {np.asarray(got).dtype}, expected integers; "
        "hint: np.argmin already returns integer indices",
    )


def kmeans_assign_basic(fn):
    """Four points and two centres on a line."""
    X = np.array([[0.0, 0.0], [1.0, 0.0], [9.0, 0.0], [4.0, 0.0]])
    _check_assign(fn, X, np.array([[0.5, 0.0], [8.0, 0.0]]))


def kmeans_assign_hidden(fn):
    """Random points, more centres than dimensions, one centre, centres far from the data."""
    rng = np.random.default_rng(7110)
    _check_assign(fn, rng.standard_normal((60, 2)), rng.standard_normal((5, 2)))
    _check_assign(fn, rng.standard_normal((20, 6)), rng.standard_normal((3, 6)))
    _check_assign(fn, rng.standard_normal((8, 3)), rng.standard_normal((1, 3)))
    _check_assign(fn, rng.standard_normal((30, 2)), np.array([[100.0, 0.0], [0.0, -50.0]]))


def _check_update(fn, X, labels, centers):
    got, text = call(fn, "kmeans_update", X, labels, centers, hint=_UPDATE_HINT)
    expected = np.array(
        [
            X[labels == c].mean(axis=0) if np.any(labels == c) else centers[c]
            for c in range(len(centers))
        ]
    )
    values = as_float_array(got, text)
    if np.isnan(values).any():
        hint = "an empty cluster gave NaN: keep its old centre instead; " + _UPDATE_HINT
    else:
        hint = _UPDATE_HINT
    expect_close(values, expected, text, hint, rtol=1e-9, atol=1e-12)


def kmeans_update_basic(fn):
    """Two clusters of two points each: the centres move to the midpoints."""
    X = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 10.0], [12.0, 10.0]])
    _check_update(fn, X, np.array([0, 0, 1, 1]), np.array([[1.0, 1.0], [9.0, 9.0]]))


def kmeans_update_hidden(fn):
    """Random clusters, an empty cluster, unsorted labels, a single cluster."""
    rng = np.random.default_rng(7111)
    X = rng.standard_normal((40, 3))
    _check_update(fn, X, rng.integers(0, 4, 40), rng.standard_normal((4, 3)))
    labels = rng.integers(0, 3, 40)
    labels[labels == 1] = 2  # cluster 1 is empty
    _check_update(fn, X, labels, rng.standard_normal((3, 3)))
    _check_update(fn, X, np.zeros(40, dtype=int), rng.standard_normal((1, 3)))


# ---------------------------------------------------------------------------
# Bias-variance decomposition by simulation
# ---------------------------------------------------------------------------

_BV_HINT = (
    "repeat n_repeats times: draw y = f(x_train) + noise_sd * rng.standard_normal(n) with ONE "
    "rng = np.random.default_rng(seed), fit a degree-`degree` polynomial (np.polyfit) and "
    "predict at x_test; stack the predictions as (n_repeats, m); then bias^2 = "
    "mean over x of (mean over repeats - f(x_test))^2, variance = mean over x of the "
    "variance over repeats (axis=0)"
)


def truth_sine(x):
    """A true regression function for the checks: sin(2 pi x)."""
    return np.sin(2 * np.pi * np.asarray(x, dtype=float))


def truth_cubic(x):
    """A true regression function for the checks: 4 x^3 - 3 x."""
    x = np.asarray(x, dtype=float)
    return 4 * x**3 - 3 * x


def _bias_variance_exact(f, degree, x_train, x_test, noise_sd):
    """Closed form for least squares on a fixed design: prediction = H y, H = V_test V^+."""
    H = np.vander(x_test, degree + 1) @ np.linalg.pinv(np.vander(x_train, degree + 1))  # (m, n)
    bias_sq = np.mean((H @ f(x_train) - f(x_test)) ** 2)
    variance = noise_sd**2 * np.mean(np.sum(H**2, axis=1))
    return float(bias_sq), float(variance)


def _check_bias_variance(fn, f, degree, x_train, x_test, noise_sd, n_repeats, seed):
    args = (f, degree, x_train, x_test, noise_sd, n_repeats, seed)
    result, text = call(fn, "bias_variance", *args, hint=_BV_HINT)
    text = text.replace(show(f), f.__name__)
    bias, var = _pair(result, text, "(bias_sq, variance)")
    bias = as_number(bias, text, "return bias_sq as a single float")
    var = as_number(var, text, "return variance as a single float")
    exp_bias, exp_var = _bias_variance_exact(f, degree, x_train, x_test, noise_sd)
    # Monte Carlo error: the variance estimate has relative sd about sqrt(2 / R); the
    # bias^2 estimate is inflated by about var / R and fluctuates by a few var / R.
    var_tol = 6 * np.sqrt(2.0 / n_repeats) * exp_var
    bias_tol = 8 * exp_var / n_repeats + 6 * np.sqrt(exp_bias * exp_var / n_repeats) + 1e-6
    if abs(var - exp_var) > var_tol:
        if var < 1e-12:
            hint = "the variance is 0: add fresh noise to the targets in every repeat"
        else:
            hint = (
                "take the variance over the repeats (axis=0) first, then average over x_test; "
                + _BV_HINT
            )
        raise CheckFailed(
            f"{text} returned variance {var:.6g}, expected about {exp_var:.6g} "
            f"(exact value; Monte Carlo tolerance ±{var_tol:.2g}); hint: {hint}"
        )
    if abs(bias - exp_bias) > bias_tol:
        hint = _BV_HINT
        if abs(bias - (exp_bias + exp_var)) <= bias_tol + var_tol:
            hint = (
                "that is bias^2 + variance (the mean squared error); bias^2 uses the MEAN "
                "prediction over the repeats: mean over x of (mean_r pred - f(x))^2"
            )
        raise CheckFailed(
            f"{text} returned bias_sq {bias:.6g}, expected about {exp_bias:.6g} "
            f"(exact value; Monte Carlo tolerance ±{bias_tol:.2g}); hint: {hint}"
        )


def bias_variance_basic(fn):
    """A straight line fitted to sin(2 pi x): large bias, small variance."""
    x_train, x_test = np.linspace(0.0, 1.0, 10), np.linspace(0.0, 1.0, 21)
    _check_bias_variance(fn, truth_sine, 1, x_train, x_test, 0.3, 2000, 0)


def bias_variance_hidden(fn):
    """Degrees from underfit to overfit, another true function, test points off the grid."""
    x_train, x_test = np.linspace(0.0, 1.0, 12), np.linspace(0.03, 0.97, 25)
    _check_bias_variance(fn, truth_sine, 3, x_train, x_test, 0.3, 2000, 1)
    _check_bias_variance(fn, truth_sine, 8, x_train, x_test, 0.3, 2000, 2)
    x_train = np.linspace(-1.0, 1.0, 15)
    _check_bias_variance(fn, truth_cubic, 2, x_train, np.linspace(-0.9, 0.9, 19), 0.5, 2000, 3)
    _check_bias_variance(fn, truth_cubic, 3, x_train, np.linspace(-0.9, 0.9, 19), 0.5, 2000, 4)
