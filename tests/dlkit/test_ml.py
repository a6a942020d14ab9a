"""dlkit.ml against scikit-learn (on its bundled data sets), scipy, torch and closed forms."""

from functools import cache

import numpy as np
import pytest
import scipy.spatial.distance
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn import datasets, linear_model, naive_bayes, neighbors, preprocessing, svm, tree
from sklearn.cluster import KMeans
from sklearn.model_selection import KFold, cross_val_score
from sklearn.preprocessing import PolynomialFeatures

from dlkit import ml
from dlkit.testing import assert_close
from tests.oracles import loss_and_gradients

fast = settings(max_examples=25, deadline=None)


@cache
def standardized(name):
    """A bundled data set with standardized features: (X, y)."""
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    return preprocessing.StandardScaler().fit_transform(X), y


# ---------------------------------------------------------------- linear regression


def test_normal_equations_match_linear_regression():
    X, y = datasets.load_diabetes(return_X_y=True)
    w, b = ml.normal_equations(X, y)
    reference = linear_model.LinearRegression().fit(X, y)
    assert_close(w, reference.coef_, rtol=1e-8)
    assert_close(b, reference.intercept_, rtol=1e-10)
    w0, b0 = ml.normal_equations(X, y, fit_intercept=False)
    assert b0 == 0.0
    assert_close(w0, np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-8)


def test_normal_equations_reject_collinear_and_bad_shapes():
    X = np.column_stack([np.arange(5.0), 2 * np.arange(5.0)])
    with pytest.raises(ValueError, match="singular"):
        ml.normal_equations(X, np.ones(5))
    with pytest.raises(ValueError, match="one target per row"):
        ml.normal_equations(np.ones((5, 2)), np.ones(4))
    with pytest.raises(ValueError, match=r"reshape\(-1, 1\)"):
        ml.normal_equations(np.ones(5), np.ones(5))


@pytest.mark.parametrize("alpha", [0.0, 0.1, 10.0, 1000.0])
def test_ridge_matches_sklearn(alpha):
    X, y = datasets.load_diabetes(return_X_y=True)
    w, b = ml.ridge(X, y, alpha)
    reference = linear_model.Ridge(alpha=alpha, solver="cholesky").fit(X, y)
    assert_close(w, reference.coef_, rtol=1e-7, atol=1e-7)
    assert_close(b, reference.intercept_, rtol=1e-9)
    with pytest.raises(ValueError, match="alpha must be"):
        ml.ridge(X, y, -1.0)


@fast
@given(hnp.arrays(np.float64, 12, elements=st.floats(-5, 5)), st.floats(0.0, 3.0))
def test_soft_threshold_is_the_prox_of_the_l1_norm(z, t):
    # prox_t|.|(z) minimises 0.5 (u - z)^2 + t |u|: check against a dense grid search
    u = np.linspace(-6, 6, 24001)
    objective = 0.5 * (u[:, None] - z) ** 2 + t * np.abs(u[:, None])  # (grid, 12)
    assert_close(ml.soft_threshold(z, t), u[np.argmin(objective, axis=0)], atol=1e-3)


@pytest.mark.parametrize("alpha", [0.05, 0.5, 5.0])
def test_lasso_matches_sklearn(alpha):
    X, y = datasets.load_diabetes(return_X_y=True)
    X = preprocessing.StandardScaler().fit_transform(X)
    w, b = ml.lasso_cd(X, y, alpha)
    reference = linear_model.Lasso(alpha=alpha, tol=1e-12, max_iter=100000).fit(X, y)
    assert_close(w, reference.coef_, rtol=1e-5, atol=1e-5)
    assert_close(b, reference.intercept_, rtol=1e-8)
    assert np.array_equal(w == 0, reference.coef_ == 0)  # the same sparsity pattern


def test_linear_regression_gd_converges_to_least_squares():
    X, y = standardized("diabetes")
    w, b, losses = ml.linear_regression_gd(X, y, lr=0.4, n_steps=3000)
    reference = linear_model.LinearRegression().fit(X, y)
    best = 0.5 * np.mean((reference.predict(X) - y) ** 2)
    assert (
        best <= losses[-1] <= best * (1 + 1e-4)
    )  # diabetes is ill-conditioned: w converges slowly
    assert_close(b, reference.intercept_, rtol=1e-8)
    assert_close(losses[-1], 0.5 * np.mean((X @ w + b - y) ** 2), rtol=1e-3)
    assert losses.shape == (3001,) and np.all(np.diff(losses) <= 1e-9)  # monotone for lr < 2 / L


# ---------------------------------------------------------------- logistic and softmax regression


def test_logistic_loss_and_gradient_match_torch():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 5)), rng.integers(0, 2, 40).astype(float)
    w, b, lam = 3 * rng.standard_normal(5), 0.7, 0.3

    def loss(w_t, b_t):
        z = torch.tensor(X) @ w_t + b_t
        bce = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(y))
        return bce + 0.5 * lam * (w_t**2).sum()

    expected, (g_w, g_b) = loss_and_gradients(loss, w, b)
    assert_close(ml.logistic_loss(w, b, X, y, lam), expected, rtol=1e-12)
    got_w, got_b = ml.logistic_gradient(w, b, X, y, lam)
    assert_close(got_w, g_w, rtol=1e-10)
    assert_close(got_b, g_b, rtol=1e-10)


def test_logistic_loss_is_stable_for_huge_logits():
    X, y = np.array([[1000.0], [-1000.0]]), np.array([0.0, 1.0])
    assert_close(ml.logistic_loss(np.array([1.0]), 0.0, X, y), 1000.0)
    assert np.all(np.isfinite(ml.logistic_gradient(np.array([1.0]), 0.0, X, y)[0]))


@pytest.mark.parametrize("lam", [0.01, 0.1])
def test_logistic_regression_gd_matches_sklearn_on_breast_cancer(lam):
    X, y = standardized("breast_cancer")
    w, b = ml.logistic_regression_gd(X, y, lam=lam, lr=1.0, n_steps=3000)
    C = 1.0 / (lam * len(y))  # sklearn minimises 0.5 ||w||^2 + C sum(loss)
    reference = linear_model.LogisticRegression(C=C, tol=1e-12, max_iter=10000).fit(X, y)
    assert_close(w, reference.coef_[0], rtol=1e-4, atol=1e-5)
    assert_close(b, reference.intercept_[0], rtol=1e-4, atol=1e-5)


def test_softmax_loss_and_gradient_match_torch():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((30, 4)), rng.integers(0, 3, 30)
    W, b, lam = rng.standard_normal((4, 3)), rng.standard_normal(3), 0.2

    def loss(W_t, b_t):
        logits = torch.tensor(X) @ W_t + b_t
        return (
            torch.nn.functional.cross_entropy(logits, torch.tensor(y)) + 0.5 * lam * (W_t**2).sum()
        )

    expected, (g_W, g_b) = loss_and_gradients(loss, W, b)
    assert_close(ml.softmax_loss(W, b, X, y, lam), expected, rtol=1e-12)
    got_W, got_b = ml.softmax_gradient(W, b, X, y, lam)
    assert_close(got_W, g_W, rtol=1e-10)
    assert_close(got_b, g_b, rtol=1e-10)


def test_softmax_epoch_matches_torch_sgd():
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((23, 4)), rng.integers(0, 3, 23)
    W0, b0 = rng.standard_normal((4, 3)), rng.standard_normal(3)
    W_t, b_t = torch.tensor(W0), torch.tensor(b0)
    for start in range(0, 23, 5):  # 5 batches, the last of 3 rows
        rows = slice(start, start + 5)
        W_t.requires_grad_(True)
        b_t.requires_grad_(True)
        logits = torch.tensor(X[rows]) @ W_t + b_t
        loss = torch.nn.functional.cross_entropy(logits, torch.tensor(y[rows]))
        (loss + 0.025 * (W_t**2).sum()).backward()
        with torch.no_grad():
            W_t, b_t = W_t - 0.3 * W_t.grad, b_t - 0.3 * b_t.grad
    W, b = ml.softmax_epoch(W0, b0, X, y, lr=0.3, batch_size=5, lam=0.05)
    assert_close(W, W_t.numpy(), rtol=1e-10)
    assert_close(b, b_t.numpy(), rtol=1e-10)


def test_softmax_rejects_bad_labels_and_batch_size():
    W, b, X = np.zeros((2, 3)), np.zeros(3), np.ones((4, 2))
    with pytest.raises(ValueError, match=r"labels in 0\.\.2"):
        ml.softmax_loss(W, b, X, np.array([0, 1, 2, 3]))
    with pytest.raises(ValueError, match="W of shape"):
        ml.softmax_loss(np.zeros((3, 3)), b, X, np.zeros(4))
    with pytest.raises(ValueError, match="batch_size"):
        ml.softmax_epoch(W, b, X, np.zeros(4), 0.1, 0)


def test_softmax_regression_matches_sklearn_on_iris():
    X, y = standardized("iris")
    lam = 0.01
    W, b = ml.softmax_regression_fit(X, y, lam=lam, lr=1.0, epochs=3000)
    C = 1.0 / (lam * len(y))
    reference = linear_model.LogisticRegression(C=C, tol=1e-12, max_iter=10000).fit(X, y)
    # sklearn's multinomial W is determined up to nothing (the penalty fixes it), b up to a shift
    assert_close(W, reference.coef_.T, rtol=1e-3, atol=1e-3)
    assert_close(b - b.mean(), reference.intercept_ - reference.intercept_.mean(), atol=1e-3)
    W_sgd, b_sgd = ml.softmax_regression_fit(X, y, lam=lam, lr=0.1, epochs=30, batch_size=16)
    accuracy = np.mean(np.argmax(X @ W_sgd + b_sgd, axis=1) == y)
    assert accuracy >= reference.score(X, y) - 0.03


# ---------------------------------------------------------------- support vector machines


def test_hinge_loss_and_subgradient_match_torch():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((50, 4)), rng.choice([-1.0, 1.0], 50)
    w, b, lam = rng.standard_normal(4), 0.2, 0.1

    def loss(w_t, b_t):
        margins = torch.tensor(y) * (torch.tensor(X) @ w_t + b_t)
        return torch.relu(1 - margins).mean() + 0.5 * lam * (w_t**2).sum()

    expected, (g_w, g_b) = loss_and_gradients(loss, w, b)
    assert_close(ml.hinge_loss(w, b, X, y, lam), expected, rtol=1e-12)
    got_w, got_b = ml.hinge_subgradient(w, b, X, y, lam)
    assert_close(got_w, g_w, rtol=1e-10)
    assert_close(got_b, g_b, rtol=1e-10)


def test_hinge_subgradient_ignores_points_on_the_margin():
    X, y = np.array([[1.0], [3.0]]), np.array([1.0, -1.0])
    g_w, g_b = ml.hinge_subgradient(np.array([1.0]), 0.0, X, y)  # margins 1 and -3
    assert_close(g_w, [3.0 / 2]) and g_b == 0.5
    with pytest.raises(ValueError, match="-1 and \\+1"):
        ml.hinge_loss(np.array([1.0]), 0.0, X, np.array([0.0, 1.0]))


def test_linear_svm_matches_sklearn_svc():
    X, y = standardized("breast_cancer")
    y = 2 * y - 1
    lam = 0.01
    w, b = ml.linear_svm_fit(X, y, lam=lam, n_steps=2000)
    reference = svm.SVC(kernel="linear", C=1.0 / (lam * len(y)), tol=1e-8).fit(X, y)
    best = ml.hinge_loss(reference.coef_[0], reference.intercept_[0], X, y, lam)
    ours = ml.hinge_loss(w, b, X, y, lam)
    assert best <= ours <= 1.03 * best  # same objective, near its minimum
    assert np.mean(np.sign(X @ w + b) == y) >= reference.score(X, y) - 0.01


def test_rbf_kernel_and_decision_function_match_svc():
    X, y = standardized("wine")
    X, y = X[y < 2], 2 * y[y < 2] - 1
    gamma = 0.2
    assert_close(
        ml.rbf_kernel(X[:7], X[5:9], gamma),
        np.exp(-gamma * scipy.spatial.distance.cdist(X[:7], X[5:9], "sqeuclidean")),
        rtol=1e-10,
    )
    model = svm.SVC(kernel="rbf", gamma=gamma, C=1.0).fit(X, y)
    got = ml.kernel_decision_function(
        X, model.support_vectors_, model.dual_coef_[0], model.intercept_[0], gamma
    )
    assert_close(got, model.decision_function(X), rtol=1e-8, atol=1e-10)
    with pytest.raises(ValueError, match="one entry per support vector"):
        ml.kernel_decision_function(X, model.support_vectors_, [1.0], 0.0, gamma)


# ---------------------------------------------------------------- decision tree splits


@fast
@given(st.lists(st.integers(0, 4), min_size=1, max_size=30))
def test_gini_and_entropy_closed_forms(labels):
    _, counts = np.unique(labels, return_counts=True)
    p = counts / counts.sum()
    assert_close(ml.gini(labels), 1 - np.sum(p**2), atol=1e-12)
    assert_close(ml.label_entropy(labels), -np.sum(p * np.log2(p)), atol=1e-12)


def sklearn_stump(X, y, criterion):
    """Threshold, feature and weighted child impurity of a depth-1 sklearn tree."""
    t = tree.DecisionTreeClassifier(max_depth=1, criterion=criterion).fit(X, y).tree_
    n = t.n_node_samples
    weighted = (n[1] * t.impurity[1] + n[2] * t.impurity[2]) / n[0]
    return int(t.feature[0]), float(t.threshold[0]), float(weighted)


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("seed", range(4))
def test_best_split_matches_a_sklearn_stump(criterion, seed):
    rng = np.random.default_rng(seed)
    x = np.round(rng.standard_normal(60), 1)  # ties on purpose; float32-exact after rounding?
    x = x.astype(np.float32).astype(float)  # sklearn trees work in float32
    y = (x + 0.8 * rng.standard_normal(60) > 0).astype(int) + (x > 1.0)
    _, threshold, impurity = sklearn_stump(x[:, None], y, criterion)
    got_threshold, got_impurity = ml.best_split(x, y, criterion)
    assert_close(got_threshold, threshold, rtol=1e-6)
    assert_close(got_impurity, impurity, rtol=1e-10)


@pytest.mark.parametrize("name", ["iris", "wine"])
def test_best_feature_split_matches_sklearn(name):
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    X = X.astype(np.float32).astype(float)
    feature, threshold, impurity = sklearn_stump(X, y, "gini")
    got = ml.best_feature_split(X, y)
    _, _, got_impurity = got
    assert_close(got_impurity, impurity, rtol=1e-10)
    if name == "wine":  # iris has several equally good first splits; wine has one
        assert got[:2] == (feature, pytest.approx(threshold, rel=1e-6))


def test_best_split_without_a_split():
    assert ml.best_split(np.ones(4), np.array([0, 1, 1, 1])) == (None, pytest.approx(0.375))
    assert ml.best_feature_split(np.ones((4, 2)), np.array([0, 0, 1, 1]))[:2] == (-1, None)
    with pytest.raises(ValueError, match="'gini' or 'entropy'"):
        ml.best_split(np.arange(4.0), np.array([0, 0, 1, 1]), "error")


# ---------------------------------------------------------------- distances and k-NN


@fast
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 4), st.integers(0, 2**31))
def test_pairwise_distances_match_scipy(m, p, d, seed):
    rng = np.random.default_rng(seed)
    A, B = rng.standard_normal((m, d)), rng.standard_normal((p, d))
    expected = scipy.spatial.distance.cdist(A, B)
    assert_close(ml.pairwise_distances(A, B), expected, rtol=1e-9, atol=1e-7)
    assert_close(ml.pairwise_distances_loops(A, B), expected, rtol=1e-12, atol=1e-12)


def test_pairwise_distances_of_identical_points_are_zero_not_nan():
    A = np.random.default_rng(4).standard_normal((20, 3)) * 1e3
    D = ml.pairwise_distances(A, A)
    assert not np.isnan(D).any() and np.all(D >= 0)
    with pytest.raises(ValueError, match="same number of features"):
        ml.pairwise_distances(np.ones((2, 3)), np.ones((2, 2)))


@pytest.mark.parametrize(("name", "k"), [("iris", 5), ("wine", 3), ("digits", 1)])
def test_knn_matches_sklearn(name, k):
    X, y = standardized(name)
    rng = np.random.default_rng(5)
    test = rng.permutation(len(y))[: len(y) // 4]
    train = np.setdiff1d(np.arange(len(y)), test)
    got = ml.knn_predict(X[train], y[train], X[test], k)
    reference = neighbors.KNeighborsClassifier(k).fit(X[train], y[train]).predict(X[test])
    assert np.mean(got == reference) >= 0.98  # ties in distance may be ordered differently
    with pytest.raises(ValueError, match="k must be in"):
        ml.knn_predict(X[train], y[train], X[test], 0)


# ---------------------------------------------------------------- k-means


def test_kmeans_steps_against_brute_force():
    rng = np.random.default_rng(6)
    X, centers = rng.standard_normal((40, 2)), rng.standard_normal((4, 2))
    labels = ml.kmeans_assign(X, centers)
    assert np.array_equal(labels, scipy.spatial.distance.cdist(X, centers).argmin(axis=1))
    labels[labels == 3] = 0  # cluster 3 becomes empty
    new = ml.kmeans_update(X, labels, centers)
    for c in range(3):
        assert_close(new[c], X[labels == c].mean(axis=0))
    assert_close(new[3], centers[3])


def test_kmeans_plusplus_picks_distinct_data_points():
    X, _ = standardized("iris")
    centers = ml.kmeans_plusplus(X, 5, seed=1)
    assert centers.shape == (5, 4)
    assert len(np.unique(centers, axis=0)) == 5
    assert all(np.any(np.all(X == c, axis=1)) for c in centers)


@pytest.mark.parametrize(("name", "k"), [("iris", 3), ("wine", 3)])
def test_kmeans_inertia_matches_sklearn(name, k):
    X, _ = standardized(name)
    centers, labels, inertia = ml.kmeans(X, k, n_init=25, seed=0)  # plain k-means++: more starts
    reference = KMeans(k, n_init=10, random_state=0).fit(X)
    assert_close(inertia, reference.inertia_, rtol=1e-3)
    assert_close(inertia, ml.kmeans_inertia(X, centers, labels))


# ---------------------------------------------------------------- Gaussian naive Bayes


@pytest.mark.parametrize("name", ["iris", "wine"])
def test_gaussian_nb_matches_sklearn(name):
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    classes, priors, means, variances = ml.gaussian_nb_fit(X, y)
    reference = naive_bayes.GaussianNB().fit(X, y)
    assert_close(classes, reference.classes_)
    assert_close(priors, reference.class_prior_, rtol=1e-12)
    assert_close(means, reference.theta_, rtol=1e-10)
    assert_close(variances, reference.var_, rtol=1e-8)
    log_post = ml.gaussian_nb_log_posterior(X, priors, means, variances)
    assert_close(log_post, reference.predict_log_proba(X), rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------- model selection


@pytest.mark.parametrize(("n", "k"), [(10, 3), (442, 5), (7, 7)])
def test_kfold_matches_sklearn(n, k):
    ours = ml.kfold_indices(n, k)
    theirs = list(KFold(k).split(np.zeros(n)))
    assert len(ours) == k
    for (train, test), (train_ref, test_ref) in zip(ours, theirs):
        assert np.array_equal(train, train_ref) and np.array_equal(test, test_ref)
    shuffled = ml.kfold_indices(n, k, shuffle=True, seed=3)
    assert np.array_equal(np.sort(np.concatenate([t for _, t in shuffled])), np.arange(n))
    with pytest.raises(ValueError, match="k must be an integer"):
        ml.kfold_indices(n, 1)


def test_cross_val_scores_match_sklearn():
    X, y = datasets.load_diabetes(return_X_y=True)

    def fit(X_train, y_train):
        return ml.ridge(X_train, y_train, 0.1)

    def score(model, X_test, y_test):
        w, b = model
        return -np.mean((X_test @ w + b - y_test) ** 2)

    ours = ml.cross_val_scores(fit, score, X, y, k=5)
    theirs = cross_val_score(
        linear_model.Ridge(alpha=0.1), X, y, cv=KFold(5), scoring="neg_mean_squared_error"
    )
    assert_close(ours, theirs, rtol=1e-8)


@pytest.mark.parametrize(("d", "degree", "bias"), [(1, 4, True), (2, 3, False), (3, 2, True)])
def test_polynomial_features_match_sklearn(d, degree, bias):
    X = np.random.default_rng(7).standard_normal((6, d))
    expected = PolynomialFeatures(degree, include_bias=bias).fit_transform(X)
    assert_close(ml.polynomial_features(X, degree, include_bias=bias), expected, rtol=1e-12)
    if d == 1:
        assert_close(ml.polynomial_features(X[:, 0], degree), np.vander(X[:, 0], 5, True))


# ---------------------------------------------------------------- bias and variance


def test_bias_variance_simulation_agrees_with_the_exact_decomposition():
    x_train, x_test = np.linspace(0, 1, 12), np.linspace(0.05, 0.95, 30)

    def truth(x):
        return np.sin(2 * np.pi * x)

    for degree in (1, 3, 6):
        exact_bias, exact_var = ml.bias_variance_exact(truth, degree, x_train, x_test, 0.3)
        bias, var = ml.bias_variance_simulation(truth, degree, x_train, x_test, 0.3, 20000)
        assert_close(var, exact_var, rtol=0.03)
        assert_close(bias, exact_bias, rtol=0.03, atol=3 * exact_var / 20000 + 1e-4)
    # degree n - 1 interpolates: no bias at the training points, variance sigma^2
    bias, var = ml.bias_variance_exact(truth, 11, x_train, x_train, 0.3)
    assert_close(bias, 0.0, atol=1e-12)
    assert_close(var, 0.09, rtol=1e-6)
