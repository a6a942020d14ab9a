"""The module-07 checks: the references, other correct answers, and realistic mistakes.

The table is run by tests/autograder/checks/test_contract.py.
"""

import numpy as np

from dlkit import ml


def bias_variance_ref(f, degree, x_train, x_test, noise_sd, n_repeats, seed):
    return ml.bias_variance_simulation(f, degree, x_train, x_test, noise_sd, n_repeats, seed)


REFERENCES = {
    "normal_equations": ml.normal_equations,
    "ridge": ml.ridge,
    "logistic_gradient": ml.logistic_gradient,
    "softmax_epoch": ml.softmax_epoch,
    "hinge_subgradient": ml.hinge_subgradient,
    "gini": ml.gini,
    "best_split": ml.best_split,
    "pairwise_distances_loops": ml.pairwise_distances_loops,
    "pairwise_distances": ml.pairwise_distances,
    "kmeans_assign": ml.kmeans_assign,
    "kmeans_update": ml.kmeans_update,
    "bias_variance": bias_variance_ref,
}


# ---------------------------------------------------------------------------
# Other correct answers
# ---------------------------------------------------------------------------


def bias_variance_polyfit(f, degree, x_train, x_test, noise_sd, n_repeats, seed):
    """The notebook's solution: a loop of np.polyfit fits."""
    rng = np.random.default_rng(seed)
    predictions = np.empty((n_repeats, len(x_test)))
    for r in range(n_repeats):
        y = f(x_train) + noise_sd * rng.standard_normal(len(x_train))
        predictions[r] = np.polyval(np.polyfit(x_train, y, degree), x_test)
    bias_sq = np.mean((predictions.mean(axis=0) - f(x_test)) ** 2)
    return float(bias_sq), float(np.mean(predictions.var(axis=0)))


def _scan_splits(x, y, threshold_at_value=False, weighted=True, allow_ties=False):
    """A loop over the sorted x, with switches for the classic mistakes."""
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    best = (None, np.inf)
    for i in range(len(xs) - 1):
        if xs[i] == xs[i + 1] and not allow_ties:
            continue
        t = xs[i] if threshold_at_value else (xs[i] + xs[i + 1]) / 2
        left, right = ys[: i + 1], ys[i + 1 :]
        if weighted:
            score = (len(left) * ml.gini(left) + len(right) * ml.gini(right)) / len(xs)
        else:
            score = (ml.gini(left) + ml.gini(right)) / 2
        if score < best[1]:
            best = (t, score)
    return best if best[0] is not None else (None, ml.gini(y))


def best_split_loop(x, y):
    return _scan_splits(x, y)


ALTERNATIVES = [
    ("bias_variance", bias_variance_polyfit),
    ("best_split", best_split_loop),
]


# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a message naming the mistake
# ---------------------------------------------------------------------------


def normal_equations_without_intercept(X, y):
    return np.linalg.solve(X.T @ X, X.T @ y), 0.0


def normal_equations_stacked(X, y):
    X1 = np.column_stack([X, np.ones(len(X))])
    return np.linalg.solve(X1.T @ X1, X1.T @ y)


def normal_equations_intercept_mean_y(X, y):
    w, _ = ml.normal_equations(X, y)
    return w, float(np.mean(y))


def ridge_penalises_intercept(X, y, alpha):
    X1 = np.column_stack([X, np.ones(len(X))])
    theta = np.linalg.solve(X1.T @ X1 + alpha * np.eye(X1.shape[1]), X1.T @ y)
    return theta[:-1], theta[-1]


def ridge_alpha_times_n(X, y, alpha):
    return ml.ridge(X, y, alpha * len(y))


def ridge_not_centred(X, y, alpha):
    return np.linalg.solve(X.T @ X + alpha * np.eye(X.shape[1]), X.T @ y), 0.0


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def logistic_summed(w, b, X, y, lam):
    p = _sigmoid(X @ w + b)
    return X.T @ (p - y) + lam * w, float(np.sum(p - y))


def logistic_flipped_sign(w, b, X, y, lam):
    p = _sigmoid(X @ w + b)
    return X.T @ (y - p) / len(y) + lam * w, float(np.mean(y - p))


def logistic_without_penalty(w, b, X, y, lam):
    return ml.logistic_gradient(w, b, X, y, 0.0)


def logistic_penalises_b(w, b, X, y, lam):
    grad_w, grad_b = ml.logistic_gradient(w, b, X, y, lam)
    return grad_w, grad_b + lam * b


def epoch_full_batches_only(W, b, X, y, lr, batch_size, lam):
    n = len(y) - len(y) % batch_size
    return ml.softmax_epoch(W, b, X[:n], y[:n], lr, batch_size, lam)


def epoch_summed_gradient(W, b, X, y, lr, batch_size, lam):
    W, b = np.array(W, dtype=float), np.array(b, dtype=float)
    for start in range(0, len(y), batch_size):
        Xb, yb = X[start : start + batch_size], y[start : start + batch_size]
        Z = Xb @ W + b
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        P[np.arange(len(yb)), yb] -= 1
        W, b = W - lr * (Xb.T @ P + lam * W), b - lr * P.sum(axis=0)
    return W, b


def epoch_in_place(W, b, X, y, lr, batch_size, lam):
    new_W, new_b = ml.softmax_epoch(W, b, X, y, lr, batch_size, lam)
    W[...], b[...] = new_W, new_b
    return W, b


def epoch_one_full_batch_step(W, b, X, y, lr, batch_size, lam):
    return ml.softmax_epoch(W, b, X, y, lr, len(y), lam)


def hinge_inclusive_margin(w, b, X, y, lam):
    active = y * (X @ w + b) <= 1
    coef = np.where(active, y, 0.0) / len(y)
    return lam * w - X.T @ coef, float(-coef.sum())


def hinge_without_labels(w, b, X, y, lam):
    active = (y * (X @ w + b) < 1).astype(float) / len(y)
    return lam * w - X.T @ active, float(-active.sum())


def hinge_summed(w, b, X, y, lam):
    coef = np.where(y * (X @ w + b) < 1, y, 0.0)
    return lam * w - X.T @ coef, float(-coef.sum())


def gini_from_counts(y):
    _, c = np.unique(y, return_counts=True)
    return float(1 - np.sum(c**2))


def gini_bincount(y):
    p = np.bincount(y) / len(y)
    return float(1 - np.sum(p**2))


def gini_without_one_minus(y):
    _, c = np.unique(y, return_counts=True)
    return float(np.sum((c / len(y)) ** 2))


def split_at_a_value(x, y):
    return _scan_splits(x, y, threshold_at_value=True)


def split_unweighted(x, y):
    return _scan_splits(x, y, weighted=False)


def split_between_ties(x, y):
    return _scan_splits(x, y, allow_ties=True)


def split_without_fallback(x, y):
    threshold, impurity = _scan_splits(x, y)
    return (threshold, impurity) if threshold is not None else (None, np.inf)


def distances_squared(A, B):
    return ml.pairwise_sq_distances(A, B)


def distances_transposed(A, B):
    return ml.pairwise_distances(B, A)


def distances_unclipped(A, B):
    sq = (A**2).sum(axis=1)[:, None] + (B**2).sum(axis=1)[None, :] - 2 * A @ B.T
    return np.sqrt(sq)


def assign_argmax(X, centers):
    return np.argmax(ml.pairwise_sq_distances(X, centers), axis=1)


def assign_float_labels(X, centers):
    return ml.kmeans_assign(X, centers).astype(float)


def assign_wrong_axis(X, centers):
    return np.argmin(ml.pairwise_sq_distances(X, centers), axis=0)


def update_plain_means(X, labels, centers):
    return np.array([X[labels == c].mean(axis=0) for c in range(len(centers))])


def update_empty_to_zero(X, labels, centers):
    counts = np.bincount(labels, minlength=len(centers))
    sums = np.zeros_like(centers)
    np.add.at(sums, labels, X)
    return sums / np.maximum(counts, 1)[:, None]


def update_in_place(X, labels, centers):
    for c in range(len(centers)):
        if np.any(labels == c):
            centers[c] = X[labels == c].mean(axis=0)
    return centers


def bias_variance_mse_as_bias(f, degree, x_train, x_test, noise_sd, n_repeats, seed):
    predictions = ml.polynomial_fits(f, degree, x_train, x_test, noise_sd, n_repeats, seed)
    mse = np.mean((predictions - f(x_test)) ** 2)
    return float(mse), float(np.mean(predictions.var(axis=0)))


def bias_variance_noise_free(f, degree, x_train, x_test, noise_sd, n_repeats, seed):
    return bias_variance_ref(f, degree, x_train, x_test, 0.0, n_repeats, seed)


def bias_variance_over_test_points(f, degree, x_train, x_test, noise_sd, n_repeats, seed):
    predictions = ml.polynomial_fits(f, degree, x_train, x_test, noise_sd, n_repeats, seed)
    bias_sq = np.mean((predictions.mean(axis=0) - f(x_test)) ** 2)
    return float(bias_sq), float(np.mean(predictions.var(axis=1)))


MUTANTS = [
    ("normal_equations_basic", normal_equations_without_intercept, "without an intercept"),
    ("normal_equations_basic", normal_equations_stacked, "expected 2 values (w, b)"),
    ("normal_equations_hidden", normal_equations_intercept_mean_y, "not mean(y) alone"),
    ("ridge_hidden", ridge_penalises_intercept, "penalises the intercept"),
    ("ridge_basic", ridge_alpha_times_n, "alpha, not alpha * n"),
    ("ridge_hidden", ridge_not_centred, "ignores the intercept"),
    ("logistic_gradient_basic", logistic_summed, "divide the data term by n"),
    ("logistic_gradient_basic", logistic_flipped_sign, "(p - y), not (y - p)"),
    ("logistic_gradient_hidden", logistic_without_penalty, "penalty term lam"),
    ("logistic_gradient_hidden", logistic_penalises_b, "does not touch b"),
    ("softmax_epoch_hidden", epoch_full_batches_only, "last, smaller batch was skipped"),
    ("softmax_epoch_basic", epoch_summed_gradient, "average the gradient over the batch"),
    ("softmax_epoch_basic", epoch_in_place, "modified its argument 1 in place"),
    ("softmax_epoch_basic", epoch_one_full_batch_step, "one full-batch step"),
    ("hinge_subgradient_hidden", hinge_inclusive_margin, "exactly on the margin"),
    ("hinge_subgradient_hidden", hinge_without_labels, "multiply each active x_i by its label"),
    ("hinge_subgradient_basic", hinge_summed, "divide the hinge term by n"),
    ("gini_basic", ml.label_entropy, "that is the entropy"),
    ("gini_basic", gini_from_counts, "fractions p_k"),
    ("gini_hidden", gini_bincount, "ValueError"),
    ("gini_basic", gini_without_one_minus, "ONE MINUS"),
    ("best_split_basic", split_at_a_value, "midpoint between two consecutive"),
    ("best_split_hidden", split_unweighted, "weight each child"),
    ("best_split_hidden", split_between_ties, "between two equal values"),
    ("best_split_hidden", split_without_fallback, "there is no split"),
    ("pairwise_distances_loops_basic", distances_squared, "squared distances"),
    ("pairwise_distances_loops_basic", distances_transposed, "transposed"),
    ("pairwise_distances_basic", distances_squared, "squared distances"),
    ("pairwise_distances_hidden", distances_unclipped, "NaN: round-off"),
    ("pairwise_distances_basic", distances_transposed, "transposed"),
    ("kmeans_assign_basic", assign_argmax, "use argmin, not argmax"),
    ("kmeans_assign_basic", assign_float_labels, "expected integers"),
    ("kmeans_assign_basic", assign_wrong_axis, "along axis=1, over centres"),
    ("kmeans_update_hidden", update_plain_means, "empty cluster gave NaN"),
    ("kmeans_update_hidden", update_empty_to_zero, "empty cluster moved to 0"),
    ("kmeans_update_basic", update_in_place, "modified its argument 3 in place"),
    ("bias_variance_basic", bias_variance_mse_as_bias, "that is bias^2 + variance"),
    ("bias_variance_basic", bias_variance_noise_free, "the variance is 0"),
    ("bias_variance_basic", bias_variance_over_test_points, "variance over the repeats (axis=0)"),
]


# ---------------------------------------------------------------------------
# Shortcuts the prompts forbid: right answers, rejected by the name they use
# ---------------------------------------------------------------------------


def normal_equations_sklearn(X, y):
    """scikit-learn's LinearRegression, which the prompt forbids."""
    from sklearn.linear_model import LinearRegression

    model = LinearRegression().fit(X, y)
    return model.coef_, float(model.intercept_)


def normal_equations_lstsq(X, y):
    """np.linalg.lstsq, which the prompt forbids."""
    X1 = np.column_stack([X, np.ones(len(X))])
    theta = np.linalg.lstsq(X1, y, rcond=None)[0]
    return theta[:-1], float(theta[-1])


def normal_equations_through_sklearn(*args, **kwargs):
    """The reference, using sklearn: the exercise forbids it."""
    import sklearn

    sklearn  # noqa: B018
    return ml.normal_equations(*args, **kwargs)


def ridge_through_sklearn(*args, **kwargs):
    """The reference, using sklearn: the exercise forbids it."""
    import sklearn

    sklearn  # noqa: B018
    return ml.ridge(*args, **kwargs)


def logistic_gradient_through_sklearn(*args, **kwargs):
    """The reference, using sklearn: the exercise forbids it."""
    import sklearn

    sklearn  # noqa: B018
    return ml.logistic_gradient(*args, **kwargs)


def softmax_epoch_through_sklearn(*args, **kwargs):
    """The reference, using sklearn: the exercise forbids it."""
    import sklearn

    sklearn  # noqa: B018
    return ml.softmax_epoch(*args, **kwargs)


def hinge_subgradient_through_sklearn(*args, **kwargs):
    """The reference, using sklearn: the exercise forbids it."""
    import sklearn

    sklearn  # noqa: B018
    return ml.hinge_subgradient(*args, **kwargs)


def gini_through_sklearn(*args, **kwargs):
    """The reference, using sklearn: the exercise forbids it."""
    import sklearn

    sklearn  # noqa: B018
    return ml.gini(*args, **kwargs)


def best_split_through_sklearn(*args, **kwargs):
    """The reference, using sklearn: the exercise forbids it."""
    import sklearn

    sklearn  # noqa: B018
    return ml.best_split(*args, **kwargs)


def pairwise_distances_loops_through_sklearn(*args, **kwargs):
    """The reference, using sklearn: the exercise forbids it."""
    import sklearn

    sklearn  # noqa: B018
    return ml.pairwise_distances_loops(*args, **kwargs)


def pairwise_distances_through_sklearn(*args, **kwargs):
    """The reference, using sklearn: the exercise forbids it."""
    import sklearn

    sklearn  # noqa: B018
    return ml.pairwise_distances(*args, **kwargs)


def kmeans_assign_through_sklearn(*args, **kwargs):
    """The reference, using sklearn: the exercise forbids it."""
    import sklearn

    sklearn  # noqa: B018
    return ml.kmeans_assign(*args, **kwargs)


def kmeans_update_through_sklearn(*args, **kwargs):
    """The reference, using sklearn: the exercise forbids it."""
    import sklearn

    sklearn  # noqa: B018
    return ml.kmeans_update(*args, **kwargs)


def bias_variance_through_sklearn(*args, **kwargs):
    """The reference, using sklearn: the exercise forbids it."""
    import sklearn

    sklearn  # noqa: B018
    return bias_variance_ref(*args, **kwargs)


MUTANTS += [
    (
        "normal_equations_hidden",
        normal_equations_sklearn,
        "your answer calls sklearn.linear_model.LinearRegression",
    ),
    ("normal_equations_basic", normal_equations_lstsq, "your answer calls np.linalg.lstsq"),
    ("normal_equations_hidden", normal_equations_through_sklearn, "your answer uses sklearn"),
    ("ridge_hidden", ridge_through_sklearn, "your answer uses sklearn"),
    ("logistic_gradient_hidden", logistic_gradient_through_sklearn, "your answer uses sklearn"),
    ("softmax_epoch_hidden", softmax_epoch_through_sklearn, "your answer uses sklearn"),
    ("hinge_subgradient_hidden", hinge_subgradient_through_sklearn, "your answer uses sklearn"),
    ("gini_hidden", gini_through_sklearn, "your answer uses sklearn"),
    ("best_split_hidden", best_split_through_sklearn, "your answer uses sklearn"),
    (
        "pairwise_distances_loops_hidden",
        pairwise_distances_loops_through_sklearn,
        "your answer uses sklearn",
    ),
    ("pairwise_distances_hidden", pairwise_distances_through_sklearn, "your answer uses sklearn"),
    ("kmeans_assign_hidden", kmeans_assign_through_sklearn, "your answer uses sklearn"),
    ("kmeans_update_hidden", kmeans_update_through_sklearn, "your answer uses sklearn"),
    ("bias_variance_hidden", bias_variance_through_sklearn, "your answer uses sklearn"),
]


def pairwise_distances_with_a_loop(A, B):
    """Right values, but the exercise is the loop-free expansion."""
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    return np.array([np.sqrt(((B - a) ** 2).sum(axis=1)) for a in A]).reshape(len(A), len(B))


MUTANTS += [
    ("pairwise_distances_basic", pairwise_distances_with_a_loop, "your answer uses a Python loop"),
]
