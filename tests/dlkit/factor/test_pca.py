"""dlkit.factor.pca against scikit-learn's PCA (components compared up to sign, n - 1
variances), its PCA(float) rule for choosing k, and the Eckart-Young closed form."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst
from sklearn.datasets import load_wine
from sklearn.decomposition import PCA

from dlkit import factor
from dlkit.testing import assert_close


def _align(rows, reference):
    """``rows`` with each row's sign flipped to agree with the same row of ``reference``."""
    return rows * np.sign(np.sum(rows * reference, axis=1))[:, None]


def _data(seed, n, d):
    rng = np.random.default_rng(seed)
    spectrum = np.linspace(3.0, 0.3, d)
    return rng.standard_normal((n, d)) * spectrum @ np.linalg.qr(rng.normal(size=(d, d)))[0] + 5


@pytest.mark.parametrize("method", [factor.pca_svd, factor.pca_eig])
def test_pca_matches_sklearn_up_to_sign(method):
    X = load_wine().data
    X = (X - X.mean(0)) / X.std(0) + 1.0
    components, variance, scores = method(X, 5)
    reference = PCA(5).fit(X)
    assert_close(_align(components, reference.components_), reference.components_, atol=1e-9)
    assert_close(variance, reference.explained_variance_, rtol=1e-10)
    signs = np.sign(np.sum(components * reference.components_, axis=1))
    assert_close(scores * signs, reference.transform(X), atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(seed=hst.integers(0, 10_000), n=hst.integers(3, 30), d=hst.integers(1, 8))
def test_both_methods_agree_and_fix_the_sign(seed, n, d):
    X = _data(seed, n, d)
    k = min(n - 1, d)
    c1, v1, s1 = factor.pca_svd(X, k)
    c2, v2, s2 = factor.pca_eig(X, k)
    assert c1.shape == (k, d) and v1.shape == (k,) and s1.shape == (n, k)
    assert_close(c1 @ c1.T, np.eye(k), atol=1e-9)
    biggest = np.abs(c1).argmax(axis=1)
    assert np.all(c1[np.arange(k), biggest] > 0)
    gaps = np.abs(np.diff(v1)) > 1e-6 * v1[0]  # distinct eigenvalues: unique components
    if gaps.all():
        assert_close(c2, c1, atol=1e-6)
    assert_close(v2, v1, rtol=1e-8, atol=1e-10)
    assert_close(s1, (X - X.mean(0)) @ c1.T, atol=1e-9)


def test_choose_k_is_sklearns_strict_rule_including_an_exact_tie():
    assert factor.choose_k([2.0, 1.0, 1.0], 0.5) == 2  # cumulative 0.5 is not > 0.5
    assert factor.choose_k([4.0, 2.0, 1.0, 1.0], 0.75) == 3
    assert factor.choose_k([4.0, 2.0, 1.0, 1.0], 0.74) == 2
    X = load_wine().data
    X = (X - X.mean(0)) / X.std(0)
    variance = PCA().fit(X).explained_variance_
    for threshold in (0.3, 0.5, 0.8, 0.9, 0.95, 0.99):
        assert factor.choose_k(variance, threshold) == PCA(threshold).fit(X).n_components_


def test_explained_variance_ratio_sums_to_one():
    assert_close(factor.explained_variance_ratio([3.0, 1.0]), [0.75, 0.25])


def test_reconstruction_error_is_the_discarded_spectrum():
    X = _data(3, 40, 6)
    ks, errors = factor.reconstruction_errors(X, [0, 2, 6])
    for k, error in zip(ks[1:], errors[1:]):
        assert_close(np.mean((factor.pca_reconstruct(X, k) - X) ** 2), error, atol=1e-12)
    assert_close(errors[0], np.mean((X - X.mean(0)) ** 2))
    assert errors[-1] < 1e-20


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: factor.pca_svd(np.ones(5), 1), "2-D array"),
        (lambda: factor.pca_svd(np.ones((5, 3)), 4), r"1\.\.3"),
        (lambda: factor.pca_eig(np.ones((5, 3)), 0), r"1\.\.3"),
        (lambda: factor.pca_svd(np.full((3, 2), np.nan), 1), "NaN"),
        (lambda: factor.choose_k([1.0, 1.0], 1.0), "strictly between"),
        (lambda: factor.explained_variance_ratio([0.0, 0.0]), "all variances are 0"),
        (lambda: factor.explained_variance_ratio([1.0, -1.0]), "non-negative"),
        (lambda: factor.reconstruction_errors(np.ones((4, 2)), [3]), r"0\.\.2"),
    ],
)
def test_bad_input_is_rejected_with_advice(call, message):
    with pytest.raises(ValueError, match=message):
        call()
