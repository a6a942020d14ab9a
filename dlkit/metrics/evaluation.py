"""Honest evaluation: train-only scaling, stratified folds, hyperparameter search and a
domain classifier that detects a shift between two samples."""

import numpy as np

from dlkit.metrics import _validate
from dlkit.metrics.classification import roc_auc


def standardize(X_train, X_test):
    """``(Z_train, Z_test)``: both sets scaled with the **training** mean and standard
    deviation (ddof = 0, as ``sklearn.preprocessing.StandardScaler``); a constant training
    column gets scale 1. X_train (n, d), X_test (m, d). The test set never influences the
    statistics: fitting them on train and test together leaks the test set into training.
    """
    X_train, X_test = np.asarray(X_train, dtype=float), np.asarray(X_test, dtype=float)
    if X_train.ndim != 2 or X_test.ndim != 2 or X_train.shape[1] != X_test.shape[1]:
        raise ValueError(
            f"X_train and X_test must be (n, d) and (m, d), got {X_train.shape} and {X_test.shape}"
        )
    mean = X_train.mean(axis=0)
    scale = X_train.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    return (X_train - mean) / scale, (X_test - mean) / scale


def stratified_kfold(y, k, seed=0):
    """k folds ``[(train_idx, val_idx), ...]`` in which every class is spread evenly.

    Each class's indices are shuffled (``np.random.default_rng(seed)``) and dealt to the
    folds in turn, the turn continuing from class to class: every class has
    ``floor(n_c / k)`` or ``ceil(n_c / k)`` examples in each validation fold, and fold
    sizes differ by at most one. The validation folds are disjoint and cover every index
    once; each train_idx is the complement of its val_idx; both sorted. A class with fewer
    than k examples simply misses some folds.
    """
    y = _validate.labels(y, "y")
    if not isinstance(k, int | np.integer) or not 2 <= k <= len(y):
        raise ValueError(f"k must be an integer with 2 <= k <= len(y) = {len(y)}, got {k!r}")
    rng = np.random.default_rng(seed)
    fold = np.empty(len(y), dtype=np.int64)
    start = 0
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))
        fold[members] = (start + np.arange(len(members))) % k
        start = (start + len(members)) % k
    everything = np.arange(len(y))
    return [(everything[fold != f], everything[fold == f]) for f in range(k)]


def _axes(bounds, log_scale):
    bounds = np.asarray(bounds, dtype=float)
    log_scale = np.asarray(log_scale, dtype=bool)
    if bounds.ndim != 2 or bounds.shape[1] != 2 or log_scale.shape != (len(bounds),):
        raise ValueError(
            f"bounds must be [(lo, hi), ...] (d, 2) and log_scale d booleans, got shapes "
            f"{bounds.shape} and {log_scale.shape}"
        )
    if np.any(bounds[:, 0] >= bounds[:, 1]) or np.any(bounds[log_scale] <= 0):
        raise ValueError("each bound needs lo < hi, and lo > 0 on a log scale")
    logs = np.log10(np.where(log_scale[:, None], bounds, 1.0))  # (d, 2), 0 on linear axes
    lo = np.where(log_scale, logs[:, 0], bounds[:, 0])
    hi = np.where(log_scale, logs[:, 1], bounds[:, 1])
    return lo, hi, log_scale


def _evaluate(objective, X):
    values = np.array([float(objective(x)) for x in X])
    best = int(np.argmin(values))  # the first of equal minima
    return X[best].copy(), float(values[best]), X, values


def random_search(objective, bounds, log_scale, budget, seed=0):
    """Minimise ``objective(x)`` over a box with ``budget`` independent random trials.

    bounds: d pairs (lo, hi); log_scale: d booleans, True where the axis is sampled
    log-uniformly (``10 ** uniform(log10 lo, log10 hi)``, e.g. a learning rate), else
    uniformly. Returns ``(best_x (d,), best_value, X (budget, d), values (budget,))``.
    """
    lo, hi, log_scale = _axes(bounds, log_scale)
    u = np.random.default_rng(seed).uniform(lo, hi, size=(int(budget), len(lo)))  # (B, d)
    X = np.where(log_scale, 10.0**u, u)
    return _evaluate(objective, X)


def grid_points(bounds, log_scale, budget):
    """The (m^d, d) points of a grid with m = floor(budget^(1/d)) values per axis, evenly
    spaced on each axis's scale (geometric on a log axis), endpoints included, the first
    axis varying slowest. Never more than ``budget`` points."""
    lo, hi, log_scale = _axes(bounds, log_scale)
    d = len(lo)
    m = int(np.floor(budget ** (1 / d) + 1e-9))
    if m < 2:
        raise ValueError(f"a grid in {d} dimensions needs a budget of at least {2**d}")
    axes = [np.linspace(a, b, m) for a, b in zip(lo, hi)]
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, d)  # (m^d, d)
    return np.where(log_scale, 10.0**mesh, mesh)


def grid_search(objective, bounds, log_scale, budget):
    """Minimise ``objective`` over the points of :func:`grid_points`; returns like
    :func:`random_search`. With one important axis among d, a grid of B points tries only
    B^(1/d) distinct values of it; random search tries B."""
    return _evaluate(objective, grid_points(bounds, log_scale, budget))


def domain_classifier_auc(X_source, X_target, seed=0, n_folds=5):
    """Cross-validated ROC AUC of a classifier telling target rows (1) from source rows (0).

    A standardised logistic regression (``StandardScaler`` fitted inside each training
    fold, ``LogisticRegression(max_iter=1000)``) is trained on ``n_folds`` - 1 stratified
    folds (``StratifiedKFold(shuffle=True, random_state=seed)``) and scores the held-out
    fold; the AUC is computed once on all the pooled out-of-fold scores. About 0.5 when
    the two samples come from one distribution, near 1 under a strong covariate shift.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X_source, X_target = np.asarray(X_source, float), np.asarray(X_target, float)
    if X_source.ndim != 2 or X_target.ndim != 2 or X_source.shape[1] != X_target.shape[1]:
        raise ValueError(f"need (n, d) and (m, d) arrays, got {X_source.shape}, {X_target.shape}")
    X = np.vstack([X_source, X_target])
    domain = np.r_[np.zeros(len(X_source), int), np.ones(len(X_target), int)]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    folds = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
    scores = cross_val_predict(model, X, domain, cv=folds, method="predict_proba")[:, 1]
    return roc_auc(domain, scores)


def shift_features(X, features, shift_sd, seed=0):
    """A copy of X (n, d) with the listed feature columns moved by ``shift_sd`` of their
    standard deviations plus a little noise: a simple covariate shift for the demos."""
    X = np.array(X, dtype=float)
    rng = np.random.default_rng(seed)
    sd = X[:, features].std(axis=0)
    X[:, features] += shift_sd * sd + 0.1 * sd * rng.standard_normal((len(X), len(features)))
    return X


def majority_baseline(y_train, n_test):
    """The constant prediction of the most frequent training class, (n_test,) ints (the
    smallest label on a tie): the floor every model must beat."""
    y_train = _validate.labels(y_train, "y_train")
    return np.full(int(n_test), int(np.argmax(np.bincount(y_train))), dtype=np.int64)
