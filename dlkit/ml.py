"""Classical machine learning in numpy: linear models, SVMs, trees, k-NN, k-means, naive Bayes.

Reference implementations for module 07. Everything is vectorized float64 numpy and
rejects malformed input with a ValueError that says what to fix. Where scikit-learn
has the same model, the objective here uses **scikit-learn's scaling**, so that the
coefficients can be compared directly (each docstring says how):

- ``ridge``: ``||y - X w - b||^2 + alpha ||w||^2`` (``Ridge(alpha)``; b not penalised);
- ``lasso_cd``: ``1/(2n) ||y - X w - b||^2 + alpha ||w||_1`` (``Lasso(alpha)``);
- logistic/softmax regression: ``mean loss + lam/2 ||w||^2`` equals
  ``LogisticRegression(C=1/(lam n))`` divided by ``C n`` (same minimiser);
- linear SVM: ``lam/2 ||w||^2 + mean hinge`` equals ``SVC(kernel="linear", C=1/(lam n))``.

Labels: integer class labels for classifiers, except the logistic loss (0/1) and the
hinge loss (-1/+1), as in the formulas.
"""

from itertools import combinations_with_replacement

import numpy as np

from dlkit.numerics import logsumexp, sigmoid, softmax, softplus

# ---------------------------------------------------------------- input validation


def _design(X, func):
    """``X`` as a float64 (n, d) design matrix, or a ValueError naming ``func``."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(
            f"{func}: X must be a 2-D array (n_samples, n_features), got shape {X.shape}; "
            f"a single feature x needs x.reshape(-1, 1)"
        )
    if X.shape[0] == 0:
        raise ValueError(f"{func}: X has no rows; at least one sample is needed")
    return X


def _targets(X, y, func, dtype=float):
    """``(X, y)`` with y a 1-D array whose length matches the rows of X."""
    X = _design(X, func)
    y = np.asarray(y, dtype=dtype)
    if y.shape != (X.shape[0],):
        raise ValueError(
            f"{func}: y must have shape ({X.shape[0]},), one target per row of X, "
            f"got shape {y.shape}"
        )
    return X, y


def _labels(y, func):
    """Integer class labels as a 1-D int array (a ValueError for anything else)."""
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"{func}: y must be a non-empty 1-D array of labels, got shape {y.shape}")
    if not np.all(np.asarray(y, dtype=float) == np.round(np.asarray(y, dtype=float))):
        raise ValueError(f"{func}: y must hold integer class labels, got {y[:5]} ...")
    return y.astype(int)


def _non_negative(value, name, func):
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{func}: {name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _center(X, y, fit_intercept):
    """Column means and centred data; zeros when no intercept is fitted."""
    if not fit_intercept:
        return X, y, np.zeros(X.shape[1]), 0.0
    x_mean, y_mean = X.mean(axis=0), y.mean()  # (d,), ()
    return X - x_mean, y - y_mean, x_mean, y_mean


# ---------------------------------------------------------------- linear regression


def normal_equations(X, y, fit_intercept=True):
    """Least squares ``min_{w,b} ||y - X w - b||^2`` by the normal equations.

    With an intercept, X and y are centred first; then ``Xc^T Xc w = Xc^T yc`` and
    ``b = mean(y) - mean(X) w`` (the same fit as ``sklearn.linear_model.LinearRegression``).
    X (n, d), y (n,) -> (w (d,), b float). Raises ValueError when ``Xc^T Xc`` is singular
    (collinear features or n <= d): use ``ridge`` then.
    """
    X, y = _targets(X, y, "normal_equations")
    Xc, yc, x_mean, y_mean = _center(X, y, fit_intercept)
    gram = Xc.T @ Xc  # (d, d)
    if np.linalg.matrix_rank(gram) < X.shape[1]:
        raise ValueError(
            "normal_equations: X^T X is singular (collinear features, or fewer samples "
            "than features); add a penalty with ridge(X, y, alpha) instead"
        )
    w = np.linalg.solve(gram, Xc.T @ yc)  # (d,)
    return w, float(y_mean - x_mean @ w)


def ridge(X, y, alpha, fit_intercept=True):
    """Ridge regression ``min_{w,b} ||y - X w - b||^2 + alpha ||w||^2`` in closed form.

    scikit-learn's ``Ridge(alpha)`` scaling: a plain sum of squares (no 1/n) and the
    intercept b is **not** penalised, which centring achieves:
    ``w = (Xc^T Xc + alpha I)^{-1} Xc^T yc``, ``b = mean(y) - mean(X) w``.
    X (n, d), y (n,), alpha >= 0 -> (w (d,), b float).
    """
    X, y = _targets(X, y, "ridge")
    alpha = _non_negative(alpha, "alpha", "ridge")
    Xc, yc, x_mean, y_mean = _center(X, y, fit_intercept)
    d = X.shape[1]
    w = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(d), Xc.T @ yc)  # (d,)
    return w, float(y_mean - x_mean @ w)


def soft_threshold(z, t):
    """The proximal map of ``t |.|``: ``sign(z) max(|z| - t, 0)``, elementwise (t >= 0)."""
    z = np.asarray(z, dtype=float)
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


def lasso_cd(X, y, alpha, max_iter=1000, tol=1e-10, fit_intercept=True):
    """Lasso ``min_{w,b} 1/(2n) ||y - X w - b||^2 + alpha ||w||_1`` by cyclic coordinate descent.

    scikit-learn's ``Lasso(alpha)`` scaling (note the 1/(2n)). Each sweep sets, for
    every feature j with ``z_j = x_j^T x_j / n`` and partial residual
    ``r_j = y - X w + x_j w_j``: ``w_j = soft_threshold(x_j^T r_j / n, alpha) / z_j``.
    Stops when no coefficient moved more than ``tol`` in a sweep.
    X (n, d), y (n,) -> (w (d,), b float).
    """
    X, y = _targets(X, y, "lasso_cd")
    alpha = _non_negative(alpha, "alpha", "lasso_cd")
    Xc, yc, x_mean, y_mean = _center(X, y, fit_intercept)
    n, d = Xc.shape
    z = np.sum(Xc**2, axis=0) / n  # (d,)
    w = np.zeros(d)
    residual = yc.copy()  # y - X w for the current w
    for _ in range(max_iter):
        largest_step = 0.0
        for j in range(d):
            if z[j] == 0.0:  # a constant column carries no information
                continue
            rho = Xc[:, j] @ residual / n + z[j] * w[j]
            new = soft_threshold(rho, alpha) / z[j]
            if new != w[j]:
                residual -= Xc[:, j] * (new - w[j])
                largest_step = max(largest_step, abs(new - w[j]))
                w[j] = new
        if largest_step <= tol:
            break
    return w, float(y_mean - x_mean @ w)


def linear_regression_gd(X, y, lr=0.1, n_steps=1000):
    """Least squares by full-batch gradient descent on ``L = 1/(2n) ||X w + b - y||^2``.

    Gradients ``dL/dw = X^T r / n`` and ``dL/db = mean(r)`` with ``r = X w + b - y``.
    Converges for ``lr < 2 / lambda_max(X1^T X1 / n)`` (X1 = [X, 1]).
    X (n, d), y (n,) -> (w (d,), b float, losses (n_steps + 1,)).
    """
    X, y = _targets(X, y, "linear_regression_gd")
    w, b = np.zeros(X.shape[1]), 0.0
    losses = np.empty(n_steps + 1)
    for step in range(n_steps + 1):
        r = X @ w + b - y  # (n,)
        losses[step] = 0.5 * np.mean(r**2)
        if step < n_steps:
            w = w - lr * (X.T @ r) / len(y)
            b = b - lr * np.mean(r)
    return w, float(b), losses


# ---------------------------------------------------------------- logistic and softmax regression


def logistic_loss(w, b, X, y, lam=0.0):
    """Mean L2-penalised logistic loss for labels y in {0, 1}.

    ``L = mean_i [softplus(z_i) - y_i z_i] + lam/2 ||w||^2`` with ``z = X w + b`` (the
    binary cross-entropy of ``sigmoid(z)``, computed stably). Multiplying by ``C n``
    with ``C = 1 / (lam n)`` gives ``LogisticRegression(C)``'s objective; b is not
    penalised. w (d,), b float, X (n, d), y (n,) -> float.
    """
    X, y = _targets(X, y, "logistic_loss")
    z = X @ np.asarray(w, dtype=float) + b  # (n,)
    return float(np.mean(softplus(z) - y * z) + 0.5 * lam * np.sum(np.square(w)))


def logistic_gradient(w, b, X, y, lam=0.0):
    """Gradient of :func:`logistic_loss`: ``(X^T (p - y) / n + lam w, mean(p - y))``.

    Here ``p = sigmoid(X w + b)``. w (d,), b float, X (n, d), y (n,) in {0, 1}
    -> (grad_w (d,), grad_b float).
    """
    X, y = _targets(X, y, "logistic_gradient")
    w = np.asarray(w, dtype=float)
    error = sigmoid(X @ w + b) - y  # (n,)
    return X.T @ error / len(y) + lam * w, float(np.mean(error))


def logistic_regression_gd(X, y, lam=0.0, lr=1.0, n_steps=2000):
    """L2 logistic regression by full-batch gradient descent on :func:`logistic_loss`.

    Same minimiser as ``LogisticRegression(C=1/(lam n))``. X (n, d), y (n,) in {0, 1}
    -> (w (d,), b float).
    """
    X, y = _targets(X, y, "logistic_regression_gd")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("logistic_regression_gd: y must hold 0/1 labels")
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_steps):
        grad_w, grad_b = logistic_gradient(w, b, X, y, lam)
        w, b = w - lr * grad_w, b - lr * grad_b
    return w, float(b)


def _softmax_inputs(W, b, X, y, func):
    X = _design(X, func)
    W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    if W.ndim != 2 or W.shape[0] != X.shape[1] or b.shape != (W.shape[1],):
        raise ValueError(
            f"{func}: expected W of shape (d, k) = ({X.shape[1]}, k) and b of shape (k,), "
            f"got W {W.shape} and b {b.shape}"
        )
    y = _labels(y, func)
    if y.shape != (X.shape[0],) or y.min() < 0 or y.max() >= W.shape[1]:
        raise ValueError(
            f"{func}: y must hold {X.shape[0]} labels in 0..{W.shape[1] - 1} (one per row of X)"
        )
    return W, b, X, y


def softmax_loss(W, b, X, y, lam=0.0):
    """Mean cross-entropy of softmax regression plus ``lam/2 ||W||_F^2``.

    ``L = mean_i [logsumexp(z_i) - z_{i, y_i}] + lam/2 ||W||^2`` with ``Z = X W + b``.
    ``C n`` times this is ``LogisticRegression(C=1/(lam n))``'s multinomial objective.
    W (d, k), b (k,), X (n, d), y (n,) integer labels in 0..k-1 -> float.
    """
    W, b, X, y = _softmax_inputs(W, b, X, y, "softmax_loss")
    Z = X @ W + b  # (n, k)
    nll = logsumexp(Z, axis=1) - Z[np.arange(len(y)), y]  # (n,)
    return float(np.mean(nll) + 0.5 * lam * np.sum(W**2))


def softmax_gradient(W, b, X, y, lam=0.0):
    """Gradient of :func:`softmax_loss`: ``(X^T (P - Y) / n + lam W, mean_i (P - Y)_i)``.

    P = softmax(X W + b) row-wise, Y the one-hot labels. -> (grad_W (d, k), grad_b (k,)).
    """
    W, b, X, y = _softmax_inputs(W, b, X, y, "softmax_gradient")
    error = softmax(X @ W + b, axis=1)  # (n, k): P
    error[np.arange(len(y)), y] -= 1.0  # P - Y
    return X.T @ error / len(y) + lam * W, error.mean(axis=0)


def softmax_epoch(W, b, X, y, lr, batch_size, lam=0.0):
    """One epoch of mini-batch gradient descent on :func:`softmax_loss`, in the given row order.

    Batches are rows ``[0, B), [B, 2B), ...``; the last one may be smaller. Each step
    uses that batch's mean loss (plus the penalty): ``W -= lr * grad_W``,
    ``b -= lr * grad_b``. Shuffle the rows before calling for stochastic training.
    Returns new arrays (W (d, k), b (k,)); the inputs are not modified.
    """
    W, b, X, y = _softmax_inputs(W, b, X, y, "softmax_epoch")
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(
            f"softmax_epoch: batch_size must be a positive integer, got {batch_size!r}"
        )
    W, b = W.copy(), b.copy()
    for start in range(0, len(y), int(batch_size)):
        rows = slice(start, start + int(batch_size))
        grad_W, grad_b = softmax_gradient(W, b, X[rows], y[rows], lam)
        W -= lr * grad_W
        b -= lr * grad_b
    return W, b


def softmax_regression_fit(X, y, lam=0.0, lr=0.5, epochs=200, batch_size=None, seed=0):
    """Softmax regression by (mini-batch) gradient descent; classes are ``0..max(y)``.

    ``batch_size=None`` is full-batch gradient descent (then the result approaches the
    minimiser of :func:`softmax_loss`, i.e. ``LogisticRegression(C=1/(lam n))``); otherwise
    the rows are shuffled with ``default_rng(seed)`` before every epoch.
    X (n, d), y (n,) -> (W (d, k), b (k,)).
    """
    X = _design(X, "softmax_regression_fit")
    y = _labels(y, "softmax_regression_fit")
    k = int(y.max()) + 1
    W, b = np.zeros((X.shape[1], k)), np.zeros(k)
    rng = np.random.default_rng(seed)
    size = len(y) if batch_size is None else batch_size
    for _ in range(epochs):
        order = np.arange(len(y)) if batch_size is None else rng.permutation(len(y))
        W, b = softmax_epoch(W, b, X[order], y[order], lr, size, lam)
    return W, b


# ---------------------------------------------------------------- support vector machines


def _signed(X, y, func):
    X, y = _targets(X, y, func)
    if not np.all(np.abs(y) == 1):
        raise ValueError(f"{func}: y must hold labels -1 and +1 (map 0/1 labels with 2 * y - 1)")
    return X, y


def hinge_loss(w, b, X, y, lam=0.0):
    """Linear SVM objective ``lam/2 ||w||^2 + mean_i max(0, 1 - y_i (x_i w + b))``, y in {-1, +1}.

    ``C n`` times this is ``SVC(kernel="linear", C=1/(lam n))``'s primal objective.
    """
    X, y = _signed(X, y, "hinge_loss")
    w = np.asarray(w, dtype=float)
    margins = y * (X @ w + b)  # (n,)
    return float(0.5 * lam * w @ w + np.mean(np.maximum(0.0, 1.0 - margins)))


def hinge_subgradient(w, b, X, y, lam=0.0):
    """A sub-gradient of :func:`hinge_loss`.

    ``g_w = lam w - sum_{i in A} y_i x_i / n`` and ``g_b = -sum_{i in A} y_i / n``.

    A is the set of points with margin ``y_i (x_i w + b) < 1`` strictly (points exactly
    on the margin contribute 0, a valid choice in the sub-differential).
    -> (g_w (d,), g_b float).
    """
    X, y = _signed(X, y, "hinge_subgradient")
    w = np.asarray(w, dtype=float)
    active = y * (X @ w + b) < 1.0  # (n,)
    coef = np.where(active, y, 0.0) / len(y)  # (n,)
    return lam * w - X.T @ coef, float(-np.sum(coef))


def linear_svm_fit(X, y, lam=0.01, n_steps=2000, lr=1.0):
    """Linear SVM by sub-gradient descent on :func:`hinge_loss` with steps ``lr / sqrt(t + 1)``.

    A sub-gradient step need not decrease the objective, so the best iterate seen is
    returned. X (n, d), y (n,) in {-1, +1} -> (w (d,), b float).
    """
    X, y = _signed(X, y, "linear_svm_fit")
    w, b = np.zeros(X.shape[1]), 0.0
    best = (hinge_loss(w, b, X, y, lam), w, b)
    for t in range(n_steps):
        g_w, g_b = hinge_subgradient(w, b, X, y, lam)
        step = lr / np.sqrt(t + 1.0)
        w, b = w - step * g_w, b - step * g_b
        loss = hinge_loss(w, b, X, y, lam)
        if loss < best[0]:
            best = (loss, w, b)
    return best[1], float(best[2])


def rbf_kernel(A, B, gamma):
    """RBF kernel ``K_ij = exp(-gamma ||a_i - b_j||^2)``; A (m, d), B (p, d) -> (m, p)."""
    gamma = _non_negative(gamma, "gamma", "rbf_kernel")
    return np.exp(-gamma * pairwise_sq_distances(A, B))


def kernel_decision_function(X, support_vectors, dual_coef, intercept, gamma):
    """Kernel SVM decision values ``f(x) = sum_i a_i K(s_i, x) + b`` with an RBF kernel.

    ``a_i = alpha_i y_i`` are the signed dual coefficients of the support vectors s_i,
    as in ``SVC.dual_coef_[0]``; ``b`` is ``SVC.intercept_[0]``. The predicted class is
    ``sign(f(x))``. X (m, d), support_vectors (s, d), dual_coef (s,) -> (m,).
    """
    dual_coef = np.asarray(dual_coef, dtype=float)
    if dual_coef.shape != (np.shape(support_vectors)[0],):
        raise ValueError(
            f"kernel_decision_function: dual_coef must have one entry per support vector, "
            f"got shape {dual_coef.shape} for {np.shape(support_vectors)[0]} support vectors"
        )
    return rbf_kernel(X, support_vectors, gamma) @ dual_coef + intercept


# ---------------------------------------------------------------- decision tree splits


def _impurity_from_counts(counts, criterion):
    """Impurity of each row of class counts (..., k): Gini ``1 - sum p^2`` or entropy in bits."""
    total = counts.sum(axis=-1, keepdims=True)  # (..., 1)
    p = counts / np.maximum(total, 1)  # (..., k)
    if criterion == "gini":
        return 1.0 - np.sum(p**2, axis=-1)
    if criterion == "entropy":
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(p > 0, p * np.log2(p), 0.0)
        return -np.sum(terms, axis=-1)
    raise ValueError(f"criterion must be 'gini' or 'entropy', got {criterion!r}")


def gini(y):
    """Gini impurity ``1 - sum_k p_k^2`` (p_k = class frequencies) of labels y (n,) -> float."""
    _, counts = np.unique(_labels(y, "gini"), return_counts=True)
    return float(_impurity_from_counts(counts, "gini"))


def label_entropy(y):
    """Entropy ``-sum_k p_k log2 p_k`` in bits (scikit-learn's tree criterion); y (n,) -> float."""
    _, counts = np.unique(_labels(y, "label_entropy"), return_counts=True)
    return float(_impurity_from_counts(counts, "entropy"))


def best_split(x, y, criterion="gini"):
    """Best threshold on one feature: minimise the weighted child impurity.

    Candidate thresholds are midpoints between consecutive distinct sorted values
    (as in scikit-learn); the left child is ``x <= t``. The weighted impurity is
    ``(n_L I(left) + n_R I(right)) / n``. All splits are scored at once from cumulative
    class counts of the sorted labels. Ties go to the smallest threshold.
    x (n,), y (n,) -> (threshold float, weighted impurity float); ``(None, I(y))`` when
    x is constant and no split exists.
    """
    x = np.asarray(x, dtype=float)
    y = _labels(y, "best_split")
    if x.shape != y.shape:
        raise ValueError(
            f"best_split: x and y must have the same shape, got {x.shape} and {y.shape}"
        )
    order = np.argsort(x, kind="stable")
    xs = x[order]
    _, codes = np.unique(y[order], return_inverse=True)
    onehot = (codes[:, None] == np.arange(codes.max() + 1)).astype(float)  # (n, k)
    left = np.cumsum(onehot, axis=0)[:-1]  # (n-1, k): counts of the first i+1 sorted samples
    right = onehot.sum(axis=0) - left  # (n-1, k)
    n = len(xs)
    n_left = np.arange(1, n)  # (n-1,)
    weighted = (
        n_left * _impurity_from_counts(left, criterion)
        + (n - n_left) * _impurity_from_counts(right, criterion)
    ) / n
    valid = xs[1:] > xs[:-1]  # never split between equal values
    if not valid.any():
        return None, float(_impurity_from_counts(onehot.sum(axis=0), criterion))
    i = int(np.argmin(np.where(valid, weighted, np.inf)))
    threshold = (xs[i] + xs[i + 1]) / 2
    if threshold >= xs[i + 1]:  # adjacent floats: the midpoint rounds up to the right value
        threshold = xs[i]
    return float(threshold), float(weighted[i])


def best_feature_split(X, y, criterion="gini"):
    """The best :func:`best_split` over all columns of X; ties go to the lowest feature index.

    X (n, d), y (n,) -> (feature int, threshold float, weighted impurity float);
    feature is -1 and threshold None when every column is constant.
    """
    X = _design(X, "best_feature_split")
    best = (-1, None, np.inf)
    for j in range(X.shape[1]):
        threshold, impurity = best_split(X[:, j], y, criterion)
        if threshold is not None and impurity < best[2]:
            best = (j, threshold, impurity)
    if best[0] == -1:
        return (
            -1,
            None,
            float(_impurity_from_counts(np.unique(y, return_counts=True)[1], criterion)),
        )
    return best


# ---------------------------------------------------------------- distances and k-NN


def _pair_of_designs(A, B, func):
    A, B = _design(A, func), _design(B, func)
    if A.shape[1] != B.shape[1]:
        raise ValueError(
            f"{func}: A and B must have the same number of features (columns), "
            f"got {A.shape} and {B.shape}"
        )
    return A, B


def pairwise_sq_distances(A, B):
    """Squared Euclidean distances without loops: ``||a||^2 + ||b||^2 - 2 a.b``, clipped at 0.

    A (m, d), B (p, d) -> D (m, p) with ``D_ij = ||a_i - b_j||^2``. The clip removes the
    tiny negative values round-off leaves where a_i = b_j.
    """
    A, B = _pair_of_designs(A, B, "pairwise_sq_distances")
    sq = np.sum(A**2, axis=1)[:, None] + np.sum(B**2, axis=1)[None, :] - 2.0 * A @ B.T  # (m, p)
    return np.maximum(sq, 0.0)


def pairwise_distances(A, B):
    """Euclidean distances ``D_ij = ||a_i - b_j||`` without loops; A (m, d), B (p, d) -> (m, p)."""
    return np.sqrt(pairwise_sq_distances(A, B))


def pairwise_distances_loops(A, B):
    """The same distances with two Python loops over i and j (slow; for comparison only)."""
    A, B = _pair_of_designs(A, B, "pairwise_distances_loops")
    D = np.empty((A.shape[0], B.shape[0]))
    for i in range(A.shape[0]):
        for j in range(B.shape[0]):
            D[i, j] = np.sqrt(np.sum((A[i] - B[j]) ** 2))
    return D


def knn_predict(X_train, y_train, X, k=5):
    """k-nearest-neighbour classification by majority vote (ties: the smallest label).

    X_train (n, d), y_train (n,) integer labels, X (m, d) -> labels (m,).
    """
    X_train, y_train = _targets(X_train, y_train, "knn_predict", dtype=int)
    if not 1 <= k <= len(y_train):
        raise ValueError(f"knn_predict: k must be in 1..{len(y_train)}, got {k}")
    classes, codes = np.unique(y_train, return_inverse=True)
    D = pairwise_sq_distances(X, X_train)  # (m, n)
    nearest = np.argsort(D, axis=1, kind="stable")[:, :k]  # (m, k)
    votes = (codes[nearest][:, :, None] == np.arange(len(classes))).sum(axis=1)  # (m, classes)
    return classes[np.argmax(votes, axis=1)]


# ---------------------------------------------------------------- k-means


def kmeans_plusplus(X, k, seed=0):
    """k-means++ seeding: the first centre uniformly, each next one with probability ∝ D(x)^2.

    D(x) is the distance to the nearest centre chosen so far (the plain version of the
    algorithm; scikit-learn additionally tries several candidates per step).
    X (n, d) -> centres (k, d).
    """
    X = _design(X, "kmeans_plusplus")
    if not 1 <= k <= X.shape[0]:
        raise ValueError(f"kmeans_plusplus: k must be in 1..{X.shape[0]}, got {k}")
    rng = np.random.default_rng(seed)
    centers = [X[rng.integers(X.shape[0])]]
    closest = pairwise_sq_distances(X, centers[0][None]).ravel()  # (n,)
    for _ in range(1, k):
        if closest.sum() == 0:  # every point already is a centre
            index = rng.integers(X.shape[0])
        else:
            index = rng.choice(X.shape[0], p=closest / closest.sum())
        centers.append(X[index])
        closest = np.minimum(closest, pairwise_sq_distances(X, X[index][None]).ravel())
    return np.array(centers)


def kmeans_assign(X, centers):
    """Assignment step: index of the nearest centre per row; X (n, d), centers (k, d) -> (n,)."""
    return np.argmin(pairwise_sq_distances(X, centers), axis=1)


def kmeans_update(X, labels, centers):
    """Update step: each centre moves to the mean of its points; an empty cluster keeps its centre.

    X (n, d), labels (n,) in 0..k-1, centers (k, d) -> new centres (k, d).
    """
    X = _design(X, "kmeans_update")
    centers = np.asarray(centers, dtype=float)
    k = centers.shape[0]
    labels = np.asarray(labels, dtype=int)
    counts = np.bincount(labels, minlength=k)  # (k,)
    sums = np.zeros_like(centers)
    np.add.at(sums, labels, X)  # sums[c] = sum of the rows labelled c
    means = sums / np.maximum(counts, 1)[:, None]
    return np.where(counts[:, None] > 0, means, centers)


def kmeans_inertia(X, centers, labels):
    """Within-cluster sum of squares ``sum_i ||x_i - c_{label_i}||^2`` (sklearn's ``inertia_``)."""
    X = _design(X, "kmeans_inertia")
    return float(np.sum((X - np.asarray(centers, dtype=float)[labels]) ** 2))


def kmeans(X, k, n_init=10, max_iter=300, seed=0):
    """Lloyd's k-means from ``n_init`` k-means++ starts; the run with the lowest inertia wins.

    Alternates :func:`kmeans_assign` and :func:`kmeans_update` until the labels stop
    changing. X (n, d) -> (centers (k, d), labels (n,), inertia float).
    """
    X = _design(X, "kmeans")
    rng = np.random.default_rng(seed)
    best = None
    for _ in range(n_init):
        centers = kmeans_plusplus(X, k, seed=rng.integers(2**32))
        labels = kmeans_assign(X, centers)
        for _ in range(max_iter):
            centers = kmeans_update(X, labels, centers)
            new_labels = kmeans_assign(X, centers)
            if np.array_equal(new_labels, labels):
                break
            labels = new_labels
        inertia = kmeans_inertia(X, centers, labels)
        if best is None or inertia < best[2]:
            best = (centers, labels, inertia)
    return best


# ---------------------------------------------------------------- Gaussian naive Bayes


def gaussian_nb_fit(X, y, var_smoothing=1e-9):
    """Fit Gaussian naive Bayes: class priors, per-class feature means and variances.

    Variances are the population (ddof=0) variances plus ``var_smoothing`` times the
    largest feature variance, as in scikit-learn's ``GaussianNB``.
    X (n, d), y (n,) -> (classes (k,), priors (k,), means (k, d), variances (k, d)).
    """
    X, y = _targets(X, y, "gaussian_nb_fit", dtype=int)
    classes, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    onehot = (codes[:, None] == np.arange(len(classes))).astype(float)  # (n, k)
    means = onehot.T @ X / counts[:, None]  # (k, d)
    variances = onehot.T @ X**2 / counts[:, None] - means**2  # (k, d): E[x^2] - E[x]^2
    variances = np.maximum(variances, 0.0) + var_smoothing * X.var(axis=0).max()
    return classes, counts / len(y), means, variances


def gaussian_nb_log_posterior(X, priors, means, variances):
    """Log posterior ``log p(c | x)`` under naive Bayes with Gaussian class conditionals.

    ``log p(c) + sum_j log N(x_j; mu_cj, var_cj)``, normalised over classes with
    logsumexp. X (m, d), priors (k,), means and variances (k, d) -> (m, k).
    """
    X = _design(X, "gaussian_nb_log_posterior")
    means, variances = np.asarray(means, dtype=float), np.asarray(variances, dtype=float)
    diff = X[:, None, :] - means[None, :, :]  # (m, k, d)
    log_likelihood = -0.5 * np.sum(np.log(2 * np.pi * variances) + diff**2 / variances, axis=2)
    joint = np.log(priors) + log_likelihood  # (m, k)
    return joint - logsumexp(joint, axis=1, keepdims=True)


# ---------------------------------------------------------------- model selection


def kfold_indices(n, k, shuffle=False, seed=0):
    """k-fold split of ``range(n)``: a list of k pairs (train_indices, test_indices).

    Test folds are consecutive blocks (of a permutation by ``default_rng(seed)`` when
    ``shuffle``); the first ``n % k`` folds get one extra sample, as in ``sklearn.KFold``.
    """
    if not (isinstance(k, int | np.integer) and 2 <= k <= n):
        raise ValueError(f"kfold_indices: k must be an integer in 2..n = {n}, got {k!r}")
    indices = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    sizes = np.full(k, n // k) + (np.arange(k) < n % k)  # (k,)
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    folds = []
    for start, stop in zip(bounds[:-1], bounds[1:]):
        test = indices[start:stop]
        train = np.concatenate([indices[:start], indices[stop:]])
        folds.append((train, test))
    return folds


def cross_val_scores(fit, score, X, y, k=5, shuffle=False, seed=0):
    """Score of ``fit`` on each of k folds: ``score(fit(X_train, y_train), X_test, y_test)``.

    ``fit`` returns any model object; ``score`` turns it into a float on held-out data.
    -> scores (k,).
    """
    X, y = _targets(X, y, "cross_val_scores")
    return np.array(
        [
            score(fit(X[train], y[train]), X[test], y[test])
            for train, test in kfold_indices(len(y), k, shuffle, seed)
        ]
    )


def polynomial_features(X, degree, include_bias=True):
    """All monomials of the columns of X of total degree <= ``degree``.

    Ordered as scikit-learn's ``PolynomialFeatures``: by degree, and within a degree by
    ``itertools.combinations_with_replacement`` of the column indices. A 1-D x is read
    as one feature, giving ``[1, x, x^2, ..., x^degree]``. X (n, d) -> (n, n_terms).
    """
    X = np.asarray(X, dtype=float)
    X = X[:, None] if X.ndim == 1 else _design(X, "polynomial_features")  # (n, d)
    if not (isinstance(degree, int | np.integer) and degree >= 0):
        raise ValueError(f"polynomial_features: degree must be an integer >= 0, got {degree!r}")
    columns = [np.ones(X.shape[0])] if include_bias else []
    for power in range(1, degree + 1):
        for combo in combinations_with_replacement(range(X.shape[1]), power):
            columns.append(np.prod(X[:, combo], axis=1))
    return np.stack(columns, axis=1)


# ---------------------------------------------------------------- bias and variance


def _poly_design(x, degree):
    return np.vander(np.asarray(x, dtype=float), degree + 1, increasing=True)  # (n, degree + 1)


def bias_variance_exact(f, degree, x_train, x_test, noise_sd):
    """Exact bias^2 and variance of least-squares polynomial fits on a fixed design.

    With ``y = f(x_train) + noise_sd * eps`` and the hat matrix ``H = V_test V^+`` (V the
    Vandermonde matrix of x_train), the prediction ``H y`` has mean ``H f(x_train)`` and
    variance ``noise_sd^2 ||H_i||^2`` at test point i. Returns the averages over x_test:
    ``(mean_i (H f - f(x_test))_i^2, mean_i noise_sd^2 ||H_i||^2)``.
    """
    H = _poly_design(x_test, degree) @ np.linalg.pinv(_poly_design(x_train, degree))  # (m, n)
    mean_prediction = H @ f(np.asarray(x_train, dtype=float))  # (m,)
    bias_sq = np.mean((mean_prediction - f(np.asarray(x_test, dtype=float))) ** 2)
    variance = noise_sd**2 * np.mean(np.sum(H**2, axis=1))
    return float(bias_sq), float(variance)


def polynomial_fits(f, degree, x_train, x_test, noise_sd, n_repeats, seed=0):
    """Predictions at x_test of ``n_repeats`` polynomial least-squares fits on fresh noisy data.

    Each repeat draws ``y = f(x_train) + noise_sd * eps`` with ``default_rng(seed)`` and
    fits a degree-``degree`` polynomial. -> predictions (n_repeats, m).
    """
    rng = np.random.default_rng(seed)
    x_train = np.asarray(x_train, dtype=float)
    Y = f(x_train)[:, None] + noise_sd * rng.standard_normal((len(x_train), n_repeats))  # (n, R)
    coef, *_ = np.linalg.lstsq(_poly_design(x_train, degree), Y, rcond=None)  # (degree + 1, R)
    return (_poly_design(x_test, degree) @ coef).T  # (R, m)


def bias_variance_simulation(f, degree, x_train, x_test, noise_sd, n_repeats, seed=0):
    """Bias^2 and variance estimated from :func:`polynomial_fits`, averaged over x_test.

    ``bias^2 = mean_x (mean_r pred - f(x))^2``, ``variance = mean_x var_r(pred)`` (ddof=0).
    """
    predictions = polynomial_fits(f, degree, x_train, x_test, noise_sd, n_repeats, seed)
    truth = f(np.asarray(x_test, dtype=float))  # (m,)
    bias_sq = np.mean((predictions.mean(axis=0) - truth) ** 2)
    return float(bias_sq), float(np.mean(predictions.var(axis=0)))
