"""The module-07 checks accept the reference solutions and reject realistic mistakes."""

import numpy as np
import pytest

from autograder.checks import classical_ml as chk
from autograder.checks.harness import CheckFailed
from dlkit import ml


def bias_variance_ref(f, degree, x_train, x_test, noise_sd, n_repeats, seed):
    return ml.bias_variance_simulation(f, degree, x_train, x_test, noise_sd, n_repeats, seed)


def bias_variance_polyfit(f, degree, x_train, x_test, noise_sd, n_repeats, seed):
    """The notebook's solution: a loop of np.polyfit fits."""
    rng = np.random.default_rng(seed)
    predictions = np.empty((n_repeats, len(x_test)))
    for r in range(n_repeats):
        y = f(x_train) + noise_sd * rng.standard_normal(len(x_train))
        predictions[r] = np.polyval(np.polyfit(x_train, y, degree), x_test)
    bias_sq = np.mean((predictions.mean(axis=0) - f(x_test)) ** 2)
    return float(bias_sq), float(np.mean(predictions.var(axis=0)))


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


def test_bias_variance_accepts_a_polyfit_loop():
    chk.bias_variance_basic(bias_variance_polyfit)
    chk.bias_variance_hidden(bias_variance_polyfit)


# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a helpful message
# ---------------------------------------------------------------------------


def test_normal_equations_rejects_missing_intercept():
    def no_intercept(X, y):
        return np.linalg.solve(X.T @ X, X.T @ y), 0.0

    with pytest.raises(CheckFailed, match="without an intercept"):
        chk.normal_equations_basic(no_intercept)


def test_normal_equations_rejects_a_single_vector():
    def stacked(X, y):
        X1 = np.column_stack([X, np.ones(len(X))])
        return np.linalg.solve(X1.T @ X1, X1.T @ y)

    with pytest.raises(CheckFailed, match=r"expected a pair \(w, b\)"):
        chk.normal_equations_basic(stacked)


def test_ridge_rejects_penalised_intercept():
    def penalise_all(X, y, alpha):
        X1 = np.column_stack([X, np.ones(len(X))])
        theta = np.linalg.solve(X1.T @ X1 + alpha * np.eye(X1.shape[1]), X1.T @ y)
        return theta[:-1], theta[-1]

    chk.ridge_basic(penalise_all)  # centred data: the intercept is 0 either way ...
    with pytest.raises(CheckFailed, match="penalises the intercept"):
        chk.ridge_hidden(penalise_all)  # ... but not on shifted data


def test_ridge_rejects_alpha_times_n():
    with pytest.raises(CheckFailed, match=r"alpha, not alpha \* n"):
        chk.ridge_basic(lambda X, y, alpha: ml.ridge(X, y, alpha * len(y)))


def test_logistic_gradient_rejects_sum():
    def summed(w, b, X, y, lam):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        return X.T @ (p - y) + lam * w, float(np.sum(p - y))

    with pytest.raises(CheckFailed, match="divide the data term by n"):
        chk.logistic_gradient_basic(summed)


def test_logistic_gradient_rejects_flipped_sign():
    def flipped(w, b, X, y, lam):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        return X.T @ (y - p) / len(y) + lam * w, float(np.mean(y - p))

    with pytest.raises(CheckFailed, match=r"\(p - y\), not \(y - p\)"):
        chk.logistic_gradient_basic(flipped)


def test_logistic_gradient_rejects_missing_penalty():
    with pytest.raises(CheckFailed, match="penalty term lam"):
        chk.logistic_gradient_hidden(lambda w, b, X, y, lam: ml.logistic_gradient(w, b, X, y, 0.0))


def test_softmax_epoch_rejects_skipped_last_batch():
    def full_batches_only(W, b, X, y, lr, batch_size, lam):
        n = len(y) - len(y) % batch_size
        return ml.softmax_epoch(W, b, X[:n], y[:n], lr, batch_size, lam)

    chk.softmax_epoch_basic(full_batches_only)  # 4 rows in batches of 2: nothing skipped ...
    with pytest.raises(CheckFailed, match="last, smaller batch was skipped"):
        chk.softmax_epoch_hidden(full_batches_only)


def test_softmax_epoch_rejects_summed_gradient():
    def summed(W, b, X, y, lr, batch_size, lam):
        W, b = np.array(W, dtype=float), np.array(b, dtype=float)
        for start in range(0, len(y), batch_size):
            Xb, yb = X[start : start + batch_size], y[start : start + batch_size]
            Z = Xb @ W + b
            P = np.exp(Z - Z.max(axis=1, keepdims=True))
            P /= P.sum(axis=1, keepdims=True)
            P[np.arange(len(yb)), yb] -= 1
            W, b = W - lr * (Xb.T @ P + lam * W), b - lr * P.sum(axis=0)
        return W, b

    with pytest.raises(CheckFailed, match="average the gradient over the batch"):
        chk.softmax_epoch_basic(summed)


def test_softmax_epoch_rejects_in_place_update():
    def in_place(W, b, X, y, lr, batch_size, lam):
        new_W, new_b = ml.softmax_epoch(W, b, X, y, lr, batch_size, lam)
        W[...], b[...] = new_W, new_b
        return W, b

    with pytest.raises(CheckFailed, match="modified its argument 1 in place"):
        chk.softmax_epoch_basic(in_place)


def test_hinge_rejects_inclusive_margin():
    def inclusive(w, b, X, y, lam):
        active = y * (X @ w + b) <= 1
        coef = np.where(active, y, 0.0) / len(y)
        return lam * w - X.T @ coef, float(-coef.sum())

    chk.hinge_subgradient_basic(inclusive)  # no point sits on the margin here ...
    with pytest.raises(CheckFailed, match="exactly on the margin"):
        chk.hinge_subgradient_hidden(inclusive)


def test_hinge_rejects_missing_labels():
    def no_labels(w, b, X, y, lam):
        active = (y * (X @ w + b) < 1).astype(float) / len(y)
        return lam * w - X.T @ active, float(-active.sum())

    with pytest.raises(CheckFailed, match="multiply each active x_i by its label"):
        chk.hinge_subgradient_hidden(no_labels)


def test_gini_rejects_entropy_and_counts():
    with pytest.raises(CheckFailed, match="that is the entropy"):
        chk.gini_basic(ml.label_entropy)

    def counts(y):
        _, c = np.unique(y, return_counts=True)
        return float(1 - np.sum(c**2))

    with pytest.raises(CheckFailed, match="fractions p_k"):
        chk.gini_basic(counts)


def test_gini_rejects_bincount_on_negative_labels():
    def bincount(y):
        p = np.bincount(y) / len(y)
        return float(1 - np.sum(p**2))

    with pytest.raises(CheckFailed, match="ValueError"):
        chk.gini_hidden(bincount)


def split_mutant(threshold_at_value=False, weighted=True, allow_ties=False):
    def best_split(x, y):
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

    return best_split


def test_best_split_loop_version_passes():
    chk.best_split_basic(split_mutant())
    chk.best_split_hidden(split_mutant())


def test_best_split_rejects_threshold_at_a_value():
    with pytest.raises(CheckFailed, match="midpoint between two consecutive"):
        chk.best_split_basic(split_mutant(threshold_at_value=True))


def test_best_split_rejects_unweighted_children():
    with pytest.raises(CheckFailed, match="weight each child"):
        chk.best_split_hidden(split_mutant(weighted=False))


def test_best_split_rejects_splits_between_ties():
    with pytest.raises(CheckFailed, match="between two equal values"):
        chk.best_split_hidden(split_mutant(allow_ties=True))


def test_distances_loops_rejects_squared():
    with pytest.raises(CheckFailed, match="squared distances"):
        chk.pairwise_distances_loops_basic(lambda A, B: ml.pairwise_sq_distances(A, B))


def test_distances_rejects_unclipped_sqrt():
    def unclipped(A, B):
        sq = (A**2).sum(axis=1)[:, None] + (B**2).sum(axis=1)[None, :] - 2 * A @ B.T
        return np.sqrt(sq)

    chk.pairwise_distances_basic(unclipped)
    with pytest.raises(CheckFailed, match="NaN: round-off"):
        chk.pairwise_distances_hidden(unclipped)


def test_distances_rejects_transpose():
    with pytest.raises(CheckFailed, match="shape"):
        chk.pairwise_distances_basic(lambda A, B: ml.pairwise_distances(B, A))


def test_kmeans_assign_rejects_argmax_and_float_labels():
    with pytest.raises(CheckFailed, match="use argmin, not argmax"):
        chk.kmeans_assign_basic(lambda X, C: np.argmax(ml.pairwise_sq_distances(X, C), axis=1))
    with pytest.raises(CheckFailed, match="expected integers"):
        chk.kmeans_assign_basic(lambda X, C: ml.kmeans_assign(X, C).astype(float))


def test_kmeans_update_rejects_nan_for_empty_cluster():
    def plain_means(X, labels, centers):
        return np.array([X[labels == c].mean(axis=0) for c in range(len(centers))])

    chk.kmeans_update_basic(plain_means)
    with pytest.raises(CheckFailed, match="empty cluster gave NaN"):
        chk.kmeans_update_hidden(plain_means)


def test_bias_variance_rejects_mse_as_bias():
    def mse_as_bias(f, degree, x_train, x_test, noise_sd, n_repeats, seed):
        predictions = ml.polynomial_fits(f, degree, x_train, x_test, noise_sd, n_repeats, seed)
        mse = np.mean((predictions - f(x_test)) ** 2)
        return float(mse), float(np.mean(predictions.var(axis=0)))

    with pytest.raises(CheckFailed, match="that is bias\\^2 \\+ variance"):
        chk.bias_variance_basic(mse_as_bias)


def test_bias_variance_rejects_noise_free_targets():
    with pytest.raises(CheckFailed, match="the variance is 0"):
        chk.bias_variance_basic(
            lambda f, d, xtr, xte, sd, r, seed: bias_variance_ref(f, d, xtr, xte, 0.0, r, seed)
        )


def test_bias_variance_rejects_variance_over_test_points():
    def wrong_axis(f, degree, x_train, x_test, noise_sd, n_repeats, seed):
        predictions = ml.polynomial_fits(f, degree, x_train, x_test, noise_sd, n_repeats, seed)
        bias_sq = np.mean((predictions.mean(axis=0) - f(x_test)) ** 2)
        return float(bias_sq), float(np.mean(predictions.var(axis=1)))

    with pytest.raises(CheckFailed, match=r"variance over the repeats \(axis=0\)"):
        chk.bias_variance_basic(wrong_axis)
