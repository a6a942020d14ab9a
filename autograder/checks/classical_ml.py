"""Checks for module 07, classical machine learning.

Every exercise has a visible ``<name>_basic(fn)`` check (return type and shape plus
one small worked case) and a hidden ``<name>_hidden(fn)`` check (seeded random
inputs plus the edge cases behind the classic mistakes: a forgotten intercept, a
penalised intercept, sums instead of means, sign errors, points exactly on the SVM
margin, a forgotten last mini-batch, splits between tied values, NaN distances from
round-off, empty clusters, variance taken along the wrong axis). The oracles are
numpy, scipy, scikit-learn, closed forms and torch autograd (through
``oracles.gradients``, loaded only by the logistic, softmax and hinge checks);
nothing here uses dlkit or the learner's other answers.
"""

import numpy as np
import scipy.spatial.distance

from autograder.checks import oracles
from autograder.checks.harness import (
    Forbidden,
    as_float_array,
    as_number,
    call,
    expect,
    expect_close,
    expect_number,
    expect_within,
    show,
    unpack,
)

# ---------------------------------------------------------------------------
# Functions passed to the learner's code
# ---------------------------------------------------------------------------


def truth_sine(x):
    """A true regression function for the checks: sin(2 pi x)."""
    return np.sin(2 * np.pi * np.asarray(x, dtype=float))


def truth_cubic(x):
    """A true regression function for the checks: 4 x^3 - 3 x."""
    x = np.asarray(x, dtype=float)
    return 4 * x**3 - 3 * x


# ---------------------------------------------------------------------------
# Exercise 1 · ml-normal-equations · reference: dk.ml.normal_equations
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
    w, b = unpack(result, text, ("w", "b"))
    w_ref, b_ref = _least_squares(X, y)
    no_intercept = "your w is the fit without an intercept; " + _NORMAL_HINT
    expect_close(
        w,
        w_ref,
        f"{text}[0] (the weights w)",
        _NORMAL_HINT,
        mistakes=[(lambda: np.linalg.lstsq(X, y, rcond=None)[0], no_intercept)],
    )
    expect_number(
        b,
        b_ref,
        f"{text}[1] (the intercept b)",
        _NORMAL_HINT,
        mistakes=[
            (0.0, "b = 0 is the fit without an intercept; " + _NORMAL_HINT),
            (np.mean(y), "b = mean(y) - mean(X) w, not mean(y) alone"),
        ],
    )


_FORBID_NORMAL_EQUATIONS = Forbidden(
    "normal_equations",
    (
        "sklearn",
        "scipy.spatial.distance",
        "numpy.linalg.lstsq",
        "numpy.linalg.pinv",
        "scipy.linalg.lstsq",
        "scipy.linalg.pinv",
        "dlkit.ml.normal_equations",
    ),
    (
        "this exercise asks you to solve the normal equations (X1^T X1) theta = X1^T y with "
        "np.linalg.solve yourself, not np.linalg.lstsq, np.linalg.pinv or scikit-learn"
    ),
)


def normal_equations_basic(fn):
    """Points exactly on y = 2 x + 1: w = [2], b = 1."""
    _check_normal(fn, np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([1.0, 3.0, 5.0, 7.0]))
    _FORBID_NORMAL_EQUATIONS.check(fn)


def normal_equations_hidden(fn):
    """Noisy data with several features, an offset far from 0, and n = d + 1."""
    rng = np.random.default_rng(7101)
    X = rng.standard_normal((30, 4)) + 3.0
    _check_normal(fn, X, X @ np.array([1.0, -2.0, 0.5, 0.0]) + 10 + rng.standard_normal(30))
    X = rng.standard_normal((4, 3))
    _check_normal(fn, X, rng.standard_normal(4))
    X = rng.uniform(0, 10, (50, 2))
    _check_normal(fn, X, -3 * X[:, 0] + 0.1 * rng.standard_normal(50) - 25.0)
    _FORBID_NORMAL_EQUATIONS.check(fn)


# ---------------------------------------------------------------------------
# Exercise 2 · ml-ridge · reference: dk.ml.ridge
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
    w, b = unpack(result, text, ("w", "b"))
    w_ref, b_ref = _ridge_reference(X, y, alpha)
    mistakes = [
        (
            lambda: _ridge_reference(X, y, alpha, penalise_b=True)[0],
            "your fit penalises the intercept b too; " + _RIDGE_HINT,
        ),
        (lambda: _ridge_reference(X, y, alpha * len(y))[0], "the penalty is alpha, not alpha * n"),
        (
            lambda: np.linalg.solve(X.T @ X + alpha * np.eye(X.shape[1]), X.T @ y),
            "your w ignores the intercept (X and y were not centred); " + _RIDGE_HINT,
        ),
    ]
    expect_close(w, w_ref, f"{text}[0] (the weights w)", _RIDGE_HINT, mistakes=mistakes)
    expect_number(b, b_ref, f"{text}[1] (the intercept b)", _RIDGE_HINT)


_FORBID_RIDGE = Forbidden(
    "ridge",
    ("sklearn", "scipy.spatial.distance", "dlkit.ml.ridge"),
    "this exercise asks you to solve the ridge system yourself, not with scikit-learn",
)


def ridge_basic(fn):
    """One centred feature: w = x.y / (x.x + alpha) = 10 / (10 + 10) = 0.5, b = mean(y) = 0."""
    X = np.array([[-2.0], [-1.0], [0.0], [1.0], [2.0]])
    _check_ridge(fn, X, 2 * X[:, 0], 10.0)
    _FORBID_RIDGE.check(fn)


def ridge_hidden(fn):
    """Shifted features and targets (a penalised intercept shows), alpha = 0, and d > n."""
    rng = np.random.default_rng(7102)
    X = rng.standard_normal((25, 3)) + 5.0
    y = X @ np.array([1.0, 2.0, -1.0]) + 40.0 + rng.standard_normal(25)
    _check_ridge(fn, X, y, 3.0)
    _check_ridge(fn, X, y, 0.0)
    _check_ridge(fn, rng.standard_normal((6, 10)) + 1.0, rng.standard_normal(6) + 2.0, 0.5)
    _FORBID_RIDGE.check(fn)


# ---------------------------------------------------------------------------
# Exercise 3 · ml-logistic-gradient · reference: dk.ml.logistic_gradient
# ---------------------------------------------------------------------------

_LOGISTIC_HINT = (
    "with p = sigmoid(X w + b): grad_w = X^T (p - y) / n + lam w and grad_b = mean(p - y) "
    "(the penalty lam/2 ||w||^2 does not touch b)"
)


def _logistic_reference(w, b, X, y, lam):
    """Gradients of mean BCE(sigmoid(X w + b), y) + lam/2 ||w||^2 by torch autograd."""
    F = oracles.torch().nn.functional
    X_t, y_t = oracles.tensor(X), oracles.tensor(y)

    def loss(w_t, b_t):
        bce = F.binary_cross_entropy_with_logits(X_t @ w_t + b_t, y_t)
        return bce + 0.5 * lam * (w_t**2).sum()

    grad_w, grad_b = oracles.gradients(loss, w, b)
    return grad_w, float(grad_b)


def _check_logistic(fn, w, b, X, y, lam):
    result, text = call(fn, "logistic_gradient", w, b, X, y, lam, hint=_LOGISTIC_HINT)
    grad_w, grad_b = unpack(result, text, ("grad_w", "grad_b"))
    ref_w, ref_b = _logistic_reference(w, b, X, y, lam)
    n = len(y)
    flipped = "the sign is flipped: the gradient uses (p - y), not (y - p)"
    summed = "divide the data term by n: the loss is a mean"
    expect_close(
        grad_w,
        ref_w,
        f"{text}[0] (grad_w)",
        _LOGISTIC_HINT,
        atol=1e-9,
        mistakes=[
            (-ref_w + 2 * lam * w, flipped),
            (ref_w - lam * w, "the penalty term lam * w is missing from grad_w"),
            (n * (ref_w - lam * w) + lam * w, summed),
        ],
    )
    expect_number(
        grad_b,
        ref_b,
        f"{text}[1] (grad_b)",
        _LOGISTIC_HINT,
        atol=1e-9,
        mistakes=[
            (-ref_b, flipped),
            (n * ref_b, summed),
            (ref_b + lam * b, "the penalty lam/2 ||w||^2 does not touch b: grad_b = mean(p - y)"),
        ],
    )


_FORBID_LOGISTIC_GRADIENT = Forbidden(
    "logistic_gradient",
    ("loop", "sklearn", "scipy.spatial.distance", "dlkit.ml.logistic_gradient", "torch"),
    (
        "this exercise asks you to write the gradient X^T (sigmoid(X w + b) - y) / n yourself "
        "(no Python loop over the samples)"
    ),
)


def logistic_gradient_basic(fn):
    """w = 0, b = 0 gives p = 1/2: grad_w = X^T (1/2 - y) / n."""
    X = np.array([[1.0, 2.0], [-1.0, 0.0], [0.0, 1.0], [2.0, -1.0]])
    _check_logistic(fn, np.zeros(2), 0.0, X, np.array([1.0, 0.0, 1.0, 0.0]), 0.0)
    _FORBID_LOGISTIC_GRADIENT.check(fn)


def logistic_gradient_hidden(fn):
    """Random data with a penalty, huge logits (overflow), and a single sample."""
    rng = np.random.default_rng(7103)
    X, y = rng.standard_normal((40, 5)), rng.integers(0, 2, 40).astype(float)
    _check_logistic(fn, rng.standard_normal(5), 0.3, X, y, 0.5)
    _check_logistic(fn, 2 * rng.standard_normal(5), -1.0, X, y, 0.0)
    X_big = np.array([[800.0, 0.0], [-800.0, 1.0], [0.0, 1.0]])
    _check_logistic(fn, np.array([1.0, 0.5]), 0.0, X_big, np.array([0.0, 1.0, 1.0]), 0.1)
    _check_logistic(fn, np.array([0.5]), 0.2, np.array([[2.0]]), np.array([1.0]), 1.0)
    _FORBID_LOGISTIC_GRADIENT.check(fn)


# ---------------------------------------------------------------------------
# Exercise 4 · ml-softmax-epoch · reference: dk.ml.softmax_epoch
# ---------------------------------------------------------------------------

_EPOCH_HINT = (
    "for start in range(0, n, batch_size): take rows [start, start + batch_size) (the last "
    "batch may be smaller), compute P = softmax(Xb W + b), G = (P - one_hot(yb)) / len(yb), "
    "then W -= lr * (Xb^T G + lam W) and b -= lr * G.sum(axis=0)"
)


def _softmax_gradients(W, b, X, y, lam, reduction):
    """Gradients of cross-entropy(X W + b, y) + lam/2 ||W||^2 by torch autograd."""
    torch = oracles.torch()
    X_t, y_t = oracles.tensor(X), torch.as_tensor(np.asarray(y, dtype=np.int64))

    def loss(W_t, b_t):
        data = torch.nn.functional.cross_entropy(X_t @ W_t + b_t, y_t, reduction=reduction)
        return data + 0.5 * lam * (W_t**2).sum()

    return oracles.gradients(loss, W, b)


def _epoch_reference(W, b, X, y, lr, batch_size, lam, last_batch=True, reduction="mean"):
    """One SGD step per mini-batch of rows, in order (``last_batch``: keep a partial one)."""
    stop = len(y) if last_batch else len(y) - len(y) % batch_size
    for start in range(0, stop, batch_size):
        rows = slice(start, start + batch_size)
        grad_W, grad_b = _softmax_gradients(W, b, X[rows], y[rows], lam, reduction)
        W, b = W - lr * grad_W, b - lr * grad_b
    return W, b


def _check_epoch(fn, W, b, X, y, lr, batch_size, lam):
    args = (W, b, X, y, lr, batch_size, lam)
    result, text = call(fn, "softmax_epoch", *args, hint=_EPOCH_HINT)
    got_W, got_b = unpack(result, text, ("W", "b"))
    ref_W, ref_b = _epoch_reference(*args)
    mistakes = [
        (
            lambda: _epoch_reference(*args, last_batch=False)[0],
            "the last, smaller batch was skipped; " + _EPOCH_HINT,
        ),
        (
            lambda: _epoch_reference(*args, reduction="sum")[0],
            "average the gradient over the batch (divide by its size); " + _EPOCH_HINT,
        ),
        (
            lambda: _epoch_reference(W, b, X, y, lr, len(y), lam)[0],
            "that is one full-batch step; an epoch takes one step per mini-batch",
        ),
    ]
    expect_close(got_W, ref_W, f"{text}[0] (W)", _EPOCH_HINT, atol=1e-9, mistakes=mistakes)
    expect_close(got_b, ref_b, f"{text}[1] (b)", _EPOCH_HINT, atol=1e-9)


_FORBID_SOFTMAX_EPOCH = Forbidden(
    "softmax_epoch",
    ("sklearn", "scipy.spatial.distance", "dlkit.ml.softmax_epoch", "torch"),
    "this exercise asks you to write the mini-batch loop yourself",
)


def softmax_epoch_basic(fn):
    """Four samples, two classes, batches of 2, from W = 0 and b = 0."""
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.5]])
    _check_epoch(fn, np.zeros((2, 2)), np.zeros(2), X, np.array([0, 1, 1, 0]), 0.5, 2, 0.0)
    _FORBID_SOFTMAX_EPOCH.check(fn)


def softmax_epoch_hidden(fn):
    """A partial last batch, a penalty, batch size 1 and a full batch, large logits."""
    rng = np.random.default_rng(7104)
    X, y = rng.standard_normal((23, 4)), rng.integers(0, 3, 23)
    W, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    _check_epoch(fn, W, b, X, y, 0.3, 5, 0.05)
    _check_epoch(fn, W, b, X[:6], y[:6], 0.1, 1, 0.0)
    _check_epoch(fn, W, b, X, y, 0.2, 23, 0.1)
    _check_epoch(fn, 100 * W, b, X, y, 0.01, 8, 0.0)  # logits of hundreds: stable softmax
    _FORBID_SOFTMAX_EPOCH.check(fn)


# ---------------------------------------------------------------------------
# Exercise 5 · ml-hinge-subgradient · reference: dk.ml.hinge_subgradient
# ---------------------------------------------------------------------------

_HINGE_HINT = (
    "a point is active when its margin y_i (x_i w + b) < 1 (strictly); then "
    "g_w = lam w - sum over active i of y_i x_i / n and g_b = -sum over active i of y_i / n"
)


def _hinge_reference(w, b, X, y, lam):
    """Autograd gradients of mean relu(1 - y (X w + b)) + lam/2 ||w||^2."""
    torch = oracles.torch()
    X_t, y_t = oracles.tensor(X), oracles.tensor(y)

    def loss(w_t, b_t):
        margins = y_t * (X_t @ w_t + b_t)
        return torch.relu(1.0 - margins).mean() + 0.5 * lam * (w_t**2).sum()

    g_w, g_b = oracles.gradients(loss, w, b)  # relu'(0) = 0: points on the margin count 0
    return g_w, float(g_b)


def _check_hinge(fn, w, b, X, y, lam):
    result, text = call(fn, "hinge_subgradient", w, b, X, y, lam, hint=_HINGE_HINT)
    g_w, g_b = unpack(result, text, ("g_w", "g_b"))
    ref_w, ref_b = _hinge_reference(w, b, X, y, lam)
    n = len(y)
    margins = y * (X @ w + b)
    on_margin = "points exactly on the margin (y f = 1) must not count: use < 1"
    summed = "divide the hinge term by n: the loss is a mean over the points"
    expect_close(
        g_w,
        ref_w,
        f"{text}[0] (g_w)",
        _HINGE_HINT,
        atol=1e-9,
        mistakes=[
            (lam * w - X.T @ np.where(margins <= 1, y, 0.0) / n, on_margin),
            (
                lam * w - X.T @ np.where(margins < 1, 1.0, 0.0) / n,
                "multiply each active x_i by its label y_i",
            ),
            (lam * w + n * (ref_w - lam * w), summed),
        ],
    )
    expect_number(
        g_b,
        ref_b,
        f"{text}[1] (g_b)",
        _HINGE_HINT,
        atol=1e-9,
        mistakes=[(-np.sum(np.where(margins <= 1, y, 0.0)) / n, on_margin), (n * ref_b, summed)],
    )


_FORBID_HINGE_SUBGRADIENT = Forbidden(
    "hinge_subgradient",
    ("loop", "sklearn", "scipy.spatial.distance", "dlkit.ml.hinge_subgradient", "torch"),
    "this exercise asks you to write the hinge sub-gradient yourself (no loops)",
)


def hinge_subgradient_basic(fn):
    """w = [1], b = 0 on x = 0.5 (+1, margin 0.5, active) and x = -2 (-1, margin 2)."""
    _check_hinge(fn, np.array([1.0]), 0.0, np.array([[0.5], [-2.0]]), np.array([1.0, -1.0]), 0.0)
    _FORBID_HINGE_SUBGRADIENT.check(fn)


def hinge_subgradient_hidden(fn):
    """Random data with a penalty, points exactly on the margin, and all points inactive."""
    rng = np.random.default_rng(7105)
    X, y = rng.standard_normal((30, 3)), rng.choice([-1.0, 1.0], 30)
    _check_hinge(fn, rng.standard_normal(3), 0.1, X, y, 0.2)
    X_int = np.array([[1.0, 0.0], [0.0, -1.0], [2.0, 1.0], [0.5, 0.0]])
    y_int = np.array([1.0, 1.0, -1.0, -1.0])  # with w = [1, -1], b = 0: margins 1, 1, -1, -0.5
    _check_hinge(fn, np.array([1.0, -1.0]), 0.0, X_int, y_int, 0.0)
    X_far, y_far = np.array([[1.0, 0.0], [-1.0, 2.0]]), np.array([1.0, -1.0])
    _check_hinge(fn, np.array([5.0, 0.0]), 0.0, X_far, y_far, 0.3)  # margins 5, 5: penalty only
    _FORBID_HINGE_SUBGRADIENT.check(fn)


# ---------------------------------------------------------------------------
# Exercise 6 · ml-gini · reference: dk.ml.gini
# ---------------------------------------------------------------------------

_GINI_HINT = "Gini = 1 - sum_k p_k^2, with p_k the fraction of the labels equal to class k"
_COUNT_HINT = (
    "count the labels with np.unique(y, return_counts=True): labels need not be 0..k-1 "
    "(np.bincount rejects negative ones)"
)


def _gini(y):
    _, counts = np.unique(np.asarray(y), return_counts=True)
    p = counts / counts.sum()
    return float(1.0 - np.sum(p**2))


def _check_gini(fn, y):
    got, text = call(fn, "gini", y, hint=_COUNT_HINT)
    _, counts = np.unique(y, return_counts=True)
    p = counts / counts.sum()
    mistakes = [
        (-np.sum(p * np.log2(p)), "that is the entropy; Gini is 1 - sum_k p_k^2"),
        (1 - np.sum(counts**2), "use fractions p_k = count_k / n, not the counts"),
        (np.sum(p**2), "Gini is ONE MINUS sum_k p_k^2"),
    ]
    expect_number(got, _gini(y), text, _GINI_HINT, rtol=1e-9, atol=1e-12, mistakes=mistakes)


_FORBID_GINI = Forbidden(
    "gini",
    ("sklearn", "scipy.spatial.distance", "dlkit.ml.gini"),
    "this exercise asks you to compute 1 - sum p_k^2 yourself",
)


def gini_basic(fn):
    """[0, 0, 1, 1] gives 1 - (1/4 + 1/4) = 0.5; a pure node [2, 2, 2] gives 0."""
    _check_gini(fn, np.array([0, 0, 1, 1]))
    _check_gini(fn, np.array([2, 2, 2]))
    _FORBID_GINI.check(fn)


def gini_hidden(fn):
    """Labels that are not 0..k-1, one sample, many classes, unbalanced counts."""
    rng = np.random.default_rng(7106)
    _check_gini(fn, np.array([3, 7, 7, 7, 11]))
    _check_gini(fn, np.array([5]))
    _check_gini(fn, rng.integers(0, 10, 200))
    _check_gini(fn, np.array([0] * 9 + [1]))
    _check_gini(fn, np.array([-1, 1, 1, -1, 1]))
    _FORBID_GINI.check(fn)


# ---------------------------------------------------------------------------
# Exercise 7 · ml-best-split · reference: dk.ml.best_split
# ---------------------------------------------------------------------------

_SPLIT_HINT = (
    "sort x; for each i where x_sorted[i] < x_sorted[i + 1] try the midpoint threshold "
    "t = (x_sorted[i] + x_sorted[i + 1]) / 2 with left = x <= t, score it by "
    "(n_L gini(left) + n_R gini(right)) / n and keep the smallest score (first one on ties)"
)
_ON_A_VALUE = "use the midpoint between two consecutive distinct sorted values, not x itself"
_BETWEEN_TIES = (
    "never put a threshold between two equal values of x: only midpoints between "
    "distinct sorted values are valid"
)
_NO_SPLIT = "when all x are equal there is no split: return (None, gini(y))"


def _sklearn_stump(x, y):
    """Threshold and weighted child Gini of a depth-1 scikit-learn tree on one feature."""
    from sklearn.tree import DecisionTreeClassifier

    t = DecisionTreeClassifier(max_depth=1).fit(x[:, None], y).tree_
    n = t.n_node_samples
    return float(t.threshold[0]), float((n[1] * t.impurity[1] + n[2] * t.impurity[2]) / n[0])


def _check_split(fn, x, y, expected=None, on_a_value=_ON_A_VALUE):
    """``expected`` = (threshold or None, weighted impurity), else scikit-learn's;
    ``on_a_value`` names the mistake of a threshold at the data value next to it."""
    result, text = call(fn, "best_split", x, y, hint=_SPLIT_HINT)
    threshold, impurity = unpack(result, text, ("threshold", "impurity"))
    t, weighted = _sklearn_stump(x, y) if expected is None else expected
    if t is None:
        expect(
            threshold is None,
            f"{text} returned threshold {show(threshold)}, expected None; hint: {_NO_SPLIT}",
        )
        expect_number(impurity, weighted, f"{text}[1] (the weighted impurity)", _NO_SPLIT)
        return
    expect_number(
        threshold,
        t,
        f"{text}[0] (the threshold)",
        _SPLIT_HINT,
        atol=1e-9,
        mistakes=[(lambda: x[x <= t].max(), on_a_value), (lambda: x[x > t].min(), on_a_value)],
    )
    left, right = y[x <= t], y[x > t]
    expect_number(
        impurity,
        weighted,
        f"{text}[1] (the weighted impurity)",
        _SPLIT_HINT,
        rtol=1e-7,
        atol=1e-10,
        mistakes=[
            (
                (_gini(left) + _gini(right)) / 2,
                "weight each child's Gini by its share of the samples, n_L / n and n_R / n",
            ),
            (
                len(left) * _gini(left) + len(right) * _gini(right),
                "divide by n: the weighted impurity is (n_L gini(left) + n_R gini(right)) / n",
            ),
        ],
    )


_FORBID_BEST_SPLIT = Forbidden(
    "best_split",
    ("sklearn", "scipy.spatial.distance", "dlkit.ml.best_split"),
    "this exercise asks you to scan the thresholds yourself, not to fit a scikit-learn tree",
)


def best_split_basic(fn):
    """x = [1, 2, 3, 4], y = [0, 0, 1, 1]: a perfect split at 2.5 with impurity 0."""
    _check_split(fn, np.array([1.0, 2.0, 3.0, 4.0]), np.array([0, 0, 1, 1]), (2.5, 0.0))
    _FORBID_BEST_SPLIT.check(fn)


def best_split_hidden(fn):
    """Unsorted random features, tied values (no split between equal x), constant x."""
    rng = np.random.default_rng(7107)
    for _ in range(3):
        x = np.round(rng.standard_normal(40), 2).astype(np.float32).astype(float)
        y = (x + 0.7 * rng.standard_normal(40) > 0.2).astype(int) + 2 * (x > 1.2)
        _check_split(fn, x, y)
    x_ties = np.array([1.0, 2.0, 1.0, 1.0, 2.0, 1.0])  # a cut inside the 1s would be pure
    _check_split(fn, x_ties, np.array([0, 1, 0, 1, 1, 1]), on_a_value=_BETWEEN_TIES)
    _check_split(fn, np.full(4, 2.0), np.array([0, 1, 1, 1]), (None, 0.375))
    _FORBID_BEST_SPLIT.check(fn)


# ---------------------------------------------------------------------------
# Exercise 8 · ml-dist-loops · reference: dk.ml.pairwise_distances_loops
# ---------------------------------------------------------------------------

_LOOP_HINT = (
    "D[i, j] = sqrt(sum_k (A[i, k] - B[j, k])**2) for i over the rows of A and j over the "
    "rows of B; D has shape (len(A), len(B))"
)
_NAN_HINT = (
    "NaN: round-off made some squared distances slightly negative; "
    "clip them with np.maximum(sq, 0) before np.sqrt"
)


def _check_distances(fn, name, A, B, hint):
    got, text = call(fn, name, A, B, hint=hint)
    D = scipy.spatial.distance.cdist(A, B)  # (len(A), len(B))
    values = as_float_array(got, text)
    if np.isnan(values).any():
        hint = _NAN_HINT
    # the loop-free formula cancels: its distances near 0 are off by about sqrt(eps ||a||^2)
    scale = max(np.max(np.sum(A**2, axis=1)), np.max(np.sum(B**2, axis=1)), 1.0)
    mistakes = [
        (D**2, "these are squared distances: take the square root"),
        (D.T, "your result is transposed: rows follow A, columns follow B"),
    ]
    expect_close(
        values, D, text, hint, rtol=1e-7, atol=10 * np.sqrt(2.3e-16 * scale), mistakes=mistakes
    )


_TRIANGLES = (np.array([[0.0, 0.0], [3.0, 4.0]]), np.array([[3.0, 4.0], [0.0, 0.0], [6.0, 8.0]]))


_FORBID_PAIRWISE_DISTANCES_LOOPS = Forbidden(
    "pairwise_distances_loops",
    (
        "sklearn",
        "scipy.spatial.distance",
        "dlkit.ml.pairwise_distances_loops",
        "dlkit.ml.pairwise_distances",
    ),
    (
        "this exercise asks you to write the distance loops yourself, not "
        "scipy.spatial.distance or scikit-learn"
    ),
)


def pairwise_distances_loops_basic(fn):
    """Two points of A against three of B in the plane (3-4-5 triangles)."""
    _check_distances(fn, "pairwise_distances_loops", *_TRIANGLES, _LOOP_HINT)
    _FORBID_PAIRWISE_DISTANCES_LOOPS.check(fn)


def pairwise_distances_loops_hidden(fn):
    """Non-square shapes, one point, higher dimension."""
    rng = np.random.default_rng(7108)
    for m, p, d in [(5, 2, 3), (1, 4, 7), (6, 6, 1)]:
        A, B = rng.standard_normal((m, d)), rng.standard_normal((p, d))
        _check_distances(fn, "pairwise_distances_loops", A, B, _LOOP_HINT)
    _FORBID_PAIRWISE_DISTANCES_LOOPS.check(fn)


# ---------------------------------------------------------------------------
# Exercise 9 · ml-dist · reference: dk.ml.pairwise_distances
# ---------------------------------------------------------------------------

_FREE_HINT = (
    "use ||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b: row norms of A as a column (m, 1), of B as "
    "a row (1, p), minus 2 A @ B.T; clip tiny negatives to 0 (np.maximum) before the sqrt"
)


_FORBID_PAIRWISE_DISTANCES = Forbidden(
    "pairwise_distances",
    (
        "loop",
        "sklearn",
        "scipy.spatial.distance",
        "dlkit.ml.pairwise_distances",
        "dlkit.ml.pairwise_distances_loops",
    ),
    (
        "this exercise asks for the expansion ||a||^2 - 2 a.b + ||b||^2 yourself, not "
        "scipy.spatial.distance or scikit-learn (no Python loops)"
    ),
)


def pairwise_distances_basic(fn):
    """The same 3-4-5 example as the loop version."""
    _check_distances(fn, "pairwise_distances", *_TRIANGLES, _FREE_HINT)
    _FORBID_PAIRWISE_DISTANCES.check(fn)


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
    _FORBID_PAIRWISE_DISTANCES.check(fn)


# ---------------------------------------------------------------------------
# Exercise 10 · ml-kmeans-assign · reference: dk.ml.kmeans_assign
# ---------------------------------------------------------------------------

_ASSIGN_HINT = (
    "compute the (n, k) matrix of squared distances from every point to every centre and "
    "take np.argmin along axis=1 (the centre axis)"
)


def _check_assign(fn, X, centers):
    got, text = call(fn, "kmeans_assign", X, centers, hint=_ASSIGN_HINT)
    D = scipy.spatial.distance.cdist(X, centers, "sqeuclidean")  # (n, k)
    mistakes = [
        (np.argmax(D, axis=1), "use argmin, not argmax"),
        (np.argmin(D, axis=0), "one label per point: take the argmin along axis=1, over centres"),
    ]
    expect_close(got, np.argmin(D, axis=1), text, _ASSIGN_HINT, rtol=0, atol=0, mistakes=mistakes)
    expect(
        np.issubdtype(np.asarray(got).dtype, np.integer),
        f"{text} returned labels of dtype {np.asarray(got).dtype}, expected integers; "
        "hint: np.argmin already returns integer indices",
    )


_FORBID_KMEANS_ASSIGN = Forbidden(
    "kmeans_assign",
    ("sklearn", "scipy.spatial.distance", "dlkit.ml.kmeans_assign"),
    (
        "this exercise asks you to assign each point to its nearest centre yourself, not with "
        "scikit-learn"
    ),
)


def kmeans_assign_basic(fn):
    """Four points and two centres on a line."""
    X = np.array([[0.0, 0.0], [1.0, 0.0], [9.0, 0.0], [4.0, 0.0]])
    _check_assign(fn, X, np.array([[0.5, 0.0], [8.0, 0.0]]))
    _FORBID_KMEANS_ASSIGN.check(fn)


def kmeans_assign_hidden(fn):
    """Random points, more centres than dimensions, one centre, centres far from the data."""
    rng = np.random.default_rng(7110)
    _check_assign(fn, rng.standard_normal((60, 2)), rng.standard_normal((5, 2)))
    _check_assign(fn, rng.standard_normal((20, 6)), rng.standard_normal((3, 6)))
    _check_assign(fn, rng.standard_normal((8, 3)), rng.standard_normal((1, 3)))
    _check_assign(fn, rng.standard_normal((30, 2)), np.array([[100.0, 0.0], [0.0, -50.0]]))
    _FORBID_KMEANS_ASSIGN.check(fn)


# ---------------------------------------------------------------------------
# Exercise 11 · ml-kmeans-update · reference: dk.ml.kmeans_update
# ---------------------------------------------------------------------------

_UPDATE_HINT = (
    "centre c becomes X[labels == c].mean(axis=0); a cluster with no points keeps its old "
    "centre (the mean of nothing is NaN)"
)


def _check_update(fn, X, labels, centers):
    got, text = call(fn, "kmeans_update", X, labels, centers, hint=_UPDATE_HINT)
    members = [labels == c for c in range(len(centers))]
    expected = np.array(
        [X[m].mean(axis=0) if m.any() else centers[c] for c, m in enumerate(members)]
    )
    mistakes = [
        (
            lambda: np.array([X[m].mean(axis=0) for m in members]),
            "an empty cluster gave NaN: keep its old centre instead; " + _UPDATE_HINT,
        ),
        (
            lambda: np.array([X[m].sum(axis=0) / max(m.sum(), 1) for m in members]),
            "an empty cluster moved to 0: keep its old centre instead; " + _UPDATE_HINT,
        ),
    ]
    expect_close(got, expected, text, _UPDATE_HINT, rtol=1e-9, atol=1e-12, mistakes=mistakes)


_FORBID_KMEANS_UPDATE = Forbidden(
    "kmeans_update",
    ("sklearn", "scipy.spatial.distance", "dlkit.ml.kmeans_update"),
    "this exercise asks you to average each cluster's points yourself, not with scikit-learn",
)


def kmeans_update_basic(fn):
    """Two clusters of two points each: the centres move to the midpoints."""
    X = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 10.0], [12.0, 10.0]])
    _check_update(fn, X, np.array([0, 0, 1, 1]), np.array([[1.0, 1.0], [9.0, 9.0]]))
    _FORBID_KMEANS_UPDATE.check(fn)


def kmeans_update_hidden(fn):
    """Random clusters, an empty cluster, unsorted labels, a single cluster."""
    rng = np.random.default_rng(7111)
    X = rng.standard_normal((40, 3))
    _check_update(fn, X, rng.integers(0, 4, 40), rng.standard_normal((4, 3)))
    labels = rng.integers(0, 3, 40)
    labels[labels == 1] = 2  # cluster 1 is empty
    _check_update(fn, X, labels, rng.standard_normal((3, 3)))
    _check_update(fn, X, np.zeros(40, dtype=int), rng.standard_normal((1, 3)))
    _FORBID_KMEANS_UPDATE.check(fn)


# ---------------------------------------------------------------------------
# Exercise 12 · ml-bias-variance · reference: dk.ml.bias_variance_simulation
# ---------------------------------------------------------------------------

_BV_HINT = (
    "repeat n_repeats times: draw y = f(x_train) + noise_sd * rng.standard_normal(n) with ONE "
    "rng = np.random.default_rng(seed), fit a degree-`degree` polynomial (np.polyfit) and "
    "predict at x_test; stack the predictions as (n_repeats, m); then bias^2 = "
    "mean over x of (mean over repeats - f(x_test))^2, variance = mean over x of the "
    "variance over repeats (axis=0)"
)
_MSE_AS_BIAS = (
    "that is bias^2 + variance (the mean squared error); bias^2 uses the MEAN "
    "prediction over the repeats: mean over x of (mean_r pred - f(x))^2"
)


def _bias_variance_exact(f, degree, x_train, x_test, noise_sd):
    """Closed form for least squares on a fixed design: prediction = H y, H = V_test V^+."""
    H = np.vander(x_test, degree + 1) @ np.linalg.pinv(np.vander(x_train, degree + 1))  # (m, n)
    bias_sq = np.mean((H @ f(x_train) - f(x_test)) ** 2)
    variance = noise_sd**2 * np.mean(np.sum(H**2, axis=1))
    return float(bias_sq), float(variance)


def _check_bias_variance(fn, f, degree, x_train, x_test, noise_sd, n_repeats, seed):
    args = (f, degree, x_train, x_test, noise_sd, n_repeats, seed)
    result, text = call(fn, "bias_variance", *args, hint=_BV_HINT)
    bias_sq, variance = unpack(result, text, ("bias_sq", "variance"))
    bias_sq, variance = as_number(bias_sq, f"{text}[0]"), as_number(variance, f"{text}[1]")
    exact_bias_sq, exact_variance = _bias_variance_exact(f, degree, x_train, x_test, noise_sd)
    # Monte Carlo errors over R repeats: the variance estimate has relative sd sqrt(2 / R);
    # the bias^2 estimate exceeds bias^2 by variance / R on average and fluctuates by about
    # sqrt(bias^2 variance / R) plus a few variance / R.
    variance_se = np.sqrt(2.0 / n_repeats) * exact_variance
    bias_se = np.sqrt(exact_bias_sq * exact_variance / n_repeats) + 1.5 * exact_variance / n_repeats
    if variance < 1e-12:
        hint = "the variance is 0: add fresh noise to the targets in every repeat"
    else:
        hint = "take the variance over the repeats (axis=0) first, then average over x_test; "
        hint += _BV_HINT
    expect_within(variance, exact_variance, variance_se, text, "variance", hint)
    expected_bias_sq = exact_bias_sq + exact_variance / n_repeats
    mse_like = abs(bias_sq - (expected_bias_sq + exact_variance)) <= 6 * (bias_se + variance_se)
    hint = _MSE_AS_BIAS if mse_like else _BV_HINT
    expect_within(bias_sq, expected_bias_sq, bias_se, text, "bias^2", hint)


_FORBID_BIAS_VARIANCE = Forbidden(
    "bias_variance",
    ("sklearn", "scipy.spatial.distance", "dlkit.ml.bias_variance_simulation"),
    "this exercise asks you to simulate the fits and average them yourself",
)


def bias_variance_basic(fn):
    """A straight line fitted to sin(2 pi x): large bias, small variance."""
    x_train, x_test = np.linspace(0.0, 1.0, 10), np.linspace(0.0, 1.0, 21)
    _check_bias_variance(fn, truth_sine, 1, x_train, x_test, 0.3, 2000, 0)
    _FORBID_BIAS_VARIANCE.check(fn)


def bias_variance_hidden(fn):
    """Degrees from underfit to overfit, another true function, test points off the grid."""
    x_train, x_test = np.linspace(0.0, 1.0, 12), np.linspace(0.03, 0.97, 25)
    _check_bias_variance(fn, truth_sine, 3, x_train, x_test, 0.3, 2000, 1)
    _check_bias_variance(fn, truth_sine, 8, x_train, x_test, 0.3, 2000, 2)
    x_train = np.linspace(-1.0, 1.0, 15)
    _check_bias_variance(fn, truth_cubic, 2, x_train, np.linspace(-0.9, 0.9, 19), 0.5, 2000, 3)
    _check_bias_variance(fn, truth_cubic, 3, x_train, np.linspace(-0.9, 0.9, 19), 0.5, 2000, 4)
    _FORBID_BIAS_VARIANCE.check(fn)
