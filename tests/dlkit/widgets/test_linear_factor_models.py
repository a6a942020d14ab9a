"""Module-15 widget drawings, headless: right content (against scikit-learn's PCA and
Lasso), labels, validation."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.linear_model import Lasso

from dlkit import widgets
from dlkit.testing import assert_close
from dlkit.widgets import linear_factor_models as lf
from tests.dlkit.widgets.figures import assert_labelled


@pytest.mark.parametrize(("source", "k"), [("digits", 5), ("photo", 12)])
def test_pca_reconstruction_is_sklearns_inverse_transform(source, k):
    fig = widgets.draw_pca_reconstruction(k, 7, source)
    assert_labelled(fig)
    X = lf._pca(source)[0]
    pca = PCA(k).fit(X)
    rebuilt = pca.inverse_transform(pca.transform(X))
    original, image, mse = lf.pca_reconstruction(source, k, 7)
    if source == "digits":
        assert_close(image.ravel(), rebuilt[7], atol=1e-10)
        assert_close(original.ravel(), X[7])
    else:
        assert_close(image, lf._from_patches(rebuilt, lf._pca(source)[5]), atol=1e-10)
    assert_close(mse, np.mean((image - original) ** 2))
    curve = fig.axes[3].get_lines()[0].get_ydata()
    assert_close(curve[:k], np.cumsum(PCA().fit(X).explained_variance_ratio_)[:k], atol=1e-10)
    assert f"{100 * curve[k - 1]:.1f} %" in fig.axes[3].get_title()


def test_all_components_reconstruct_exactly_and_none_gives_the_mean():
    original, image, mse = lf.pca_reconstruction("digits", 64, 3)
    assert mse < 1e-25
    _, mean_image, _ = lf.pca_reconstruction("digits", 0, 3)
    assert_close(mean_image.ravel(), lf._pca("digits")[0].mean(axis=0))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((65, 0, "digits"), r"0\.\.64"),
        ((3, 1797, "digits"), r"0\.\.1796"),
        ((3, 0, "faces"), "unknown source"),
    ],
)
def test_pca_reconstruction_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        widgets.draw_pca_reconstruction(*args)


@pytest.mark.parametrize("kind", ["uniform", "laplace", "sine-square"])
def test_ica_mixing_recovers_non_gaussian_sources(kind):
    fig = widgets.draw_ica_mixing(50.0, kind)
    assert_labelled(fig)
    match = float(fig.axes[2].get_title().rsplit("= ", 1)[1])
    assert match > 0.98
    labels = [line.get_label() for line in fig.axes[1].get_lines()]
    assert {"true A columns", "PCA directions", "ICA directions"} <= set(labels)
    # the ICA directions lie along the true mixing directions (up to order and sign)
    lines = fig.axes[1].get_lines()[1:]
    directions = [np.array([line.get_xdata()[1], line.get_ydata()[1]]) for line in lines]
    true, ica = directions[:2], directions[4:]
    cosines = np.abs([[t @ i / np.linalg.norm(t) / np.linalg.norm(i) for i in ica] for t in true])
    assert min(cosines.max(axis=1)) > 0.99


def test_ica_mixing_pca_directions_are_orthogonal():
    fig = widgets.draw_ica_mixing(30.0, "uniform")
    lines = fig.axes[1].get_lines()[1:]
    a, b = [np.array([line.get_xdata()[1], line.get_ydata()[1]]) for line in lines[2:4]]
    assert abs(a @ b) < 1e-9


@pytest.mark.parametrize(
    ("args", "message"), [((0.0,), "strictly between"), ((60.0, "cauchy"), "unknown")]
)
def test_ica_mixing_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        widgets.draw_ica_mixing(*args)


def test_sparse_code_is_the_lasso_code_of_the_digit():
    fig = widgets.draw_sparse_code(0.1, 4)
    assert_labelled(fig)
    D = lf._dictionary()
    assert_close(np.linalg.norm(D, axis=0).max(), 1.0, atol=1e-9)
    x, codes = lf.sparse_codes(4)
    j = int(np.argmin(np.abs(lf.CODE_LAMS - 0.1)))
    lam = lf.CODE_LAMS[j]
    lasso = Lasso(alpha=lam / 64, fit_intercept=False, tol=1e-12, max_iter=100_000).fit(D, x)
    objective = lambda z: 0.5 * np.sum((x - D @ z) ** 2) + lam * np.abs(z).sum()  # noqa: E731
    assert objective(codes[j]) <= objective(lasso.coef_) * (1 + 1e-3)  # ISTA: near optimal
    used = int(fig.axes[1].get_title().split(": ")[1].split(" of")[0])
    assert 0 < used < D.shape[1]
    fractions = np.mean(codes != 0, axis=1)
    assert fractions[0] > fractions[-1]  # more lam, fewer atoms


@pytest.mark.parametrize(
    ("args", "message"), [((5.0,), r"lam must lie"), ((0.1, 1297), r"0\.\.1296")]
)
def test_sparse_code_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        widgets.draw_sparse_code(*args)
