"""Module-15 widget drawings, headless: right content (against scikit-learn's PCA and
Lasso), labels, validation, and redraws in place against steady axes."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.linear_model import Lasso

from dlkit import widgets
from dlkit.testing import assert_close
from dlkit.widgets import linear_factor_models as lf
from tests.dlkit.widgets.figures import (
    assert_labelled,
    assert_redraws_in_place,
    background_renders,
    sweep,
)

# the notebook's sliders: (low, high, step); the lam slider's are exponents of 10
PCA_DEFAULTS = {"k": 8, "index": 0}
PCA_SLIDERS = {"k": (0, 64, 1), "index": (0, 1794, 6)}  # index: every sixth digit
ICA_DEFAULTS = {"angle": 60.0, "n": 800}
ICA_SLIDERS = {"angle": (10.0, 170.0, 5.0), "n": (200, 2000, 200)}
CODE_DEFAULTS = {"lam": 0.1, "index": 0}
LOG_LAMS = (-2.3, 0.0, 0.1)
CODE_INDEXES = (0, 1287, 13)  # every thirteenth test digit: a new digit costs 1000 ISTA steps


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


@pytest.mark.parametrize("source", lf.SOURCES)
def test_pca_reconstruction_redraws_in_place(source):
    updates = [{"k": 8}, {"k": 0}, {"k": 64}, {"k": 1, "index": 1796}, {"k": 20, "index": 5}]
    assert_redraws_in_place(widgets.PCAReconstruction, {"source": source}, updates)


@pytest.mark.parametrize("source", lf.SOURCES)
def test_pca_reconstruction_limits_are_fixed(source):
    for k in (0, 64):
        fig = widgets.draw_pca_reconstruction(k, 0, source)
        height, width = lf.pca_reconstruction(source, k)[0].shape
        for ax in fig.axes[:2]:
            assert ax.get_xlim() == (-0.5, width - 0.5) and ax.get_ylim() == (height - 0.5, -0.5)
        curve = fig.axes[3]
        assert curve.get_xlim() == (-1, 66) and curve.get_ylim() == (0, 1.02)
        (k_shown,) = set(curve.get_lines()[1].get_xdata())
        assert curve.get_xlim()[0] < k_shown < curve.get_xlim()[1]


# measured: no full render over either whole range (k 64 moves, index 299 moves)
@pytest.mark.parametrize("source", lf.SOURCES)
@pytest.mark.parametrize("slider", PCA_SLIDERS)
def test_pca_reconstruction_sliders_keep_the_axes(source, slider):
    updates = sweep(PCA_DEFAULTS, slider, PCA_SLIDERS[slider])
    assert background_renders(widgets.PCAReconstruction(source), updates) == 0


@pytest.mark.parametrize("kind", lf.ICA_KINDS)
def test_ica_mixing_redraws_in_place(kind):
    updates = [
        {"angle": 60.0, "n": 800},
        {"angle": 10.0, "n": 800},
        {"angle": 170.0, "n": 2000},  # laplace and gaussian: the mixture's frame steps up
        {"angle": 90.0, "n": 200},  # ... and down
        {"angle": 35.0, "n": 1400},
    ]
    assert_redraws_in_place(widgets.ICAMixing, {"source_kind": kind}, updates)


@pytest.mark.parametrize("kind", lf.ICA_KINDS)
@pytest.mark.parametrize("angle", [10.0, 90.0, 170.0])
@pytest.mark.parametrize("n", [200, 2000])
def test_ica_mixing_limits_hold_the_clouds(kind, angle, n):
    fig = widgets.draw_ica_mixing(angle, kind, n)
    for ax in fig.axes:
        (low, high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
        assert low == -high and (y_low, y_high) == (low, high), "a panel is not a centred square"
        x, y = ax.get_lines()[0].get_data()
        reach = max(np.abs(x).max(), np.abs(y).max())
        assert reach <= high, f"{kind} {angle} {n}: the cloud leaves the frame"
        assert reach >= 0.4 * high, f"{kind} {angle} {n}: the cloud fills too little of it"
        assert high in lf.REACH_STEPS or high / 10 in lf.REACH_STEPS


# measured: the angle renders nothing over its whole range (32 moves), for every kind;
# n (9 moves) 0 for uniform and sine-square, 1 for laplace and gaussian (800 steps the
# mixture's frame up)
@pytest.mark.parametrize("kind", lf.ICA_KINDS)
@pytest.mark.parametrize("slider", ICA_SLIDERS)
def test_ica_mixing_sliders_keep_the_axes(kind, slider):
    updates = sweep(ICA_DEFAULTS, slider, ICA_SLIDERS[slider])
    renders = background_renders(widgets.ICAMixing(kind), updates)
    assert renders == 0 if slider == "angle" else renders <= 1


def _lam_sweep(index):
    return [{"lam": 10.0 ** step["e"], "index": index} for step in sweep({}, "e", LOG_LAMS)]


def test_sparse_code_redraws_in_place():
    lam_min, lam_max = 10.0**-2.3, 1.0
    updates = [
        {"lam": 0.1, "index": 0},
        {"lam": lam_min, "index": 0},
        {"lam": lam_max, "index": 1296},
        {"lam": lam_min, "index": 195},  # a code past 2: the top steps to 3
        {"lam": 0.05, "index": 3},  # ... and back
    ]
    assert_redraws_in_place(widgets.SparseCode, {}, updates)


@pytest.mark.parametrize("index", [0, 1, 3, 195, 1296])
def test_sparse_code_limits_hold_the_code(index):
    for lam in (10.0**-2.3, 0.1, 1.0):
        fig = widgets.draw_sparse_code(lam, index)
        bars = fig.axes[1].collections[0].get_segments()
        tops = np.array([segment[1, 1] for segment in bars])
        low, high = fig.axes[1].get_ylim()
        assert low <= tops.min() and tops.max() <= high, f"digit {index}: a bar leaves the frame"
        assert (low, high) == (-1.0, 2.0) or high in (2.5, 3.0) or low < -1.0
        assert fig.axes[2].get_xlim() == (-2.4, 0.1) and fig.axes[2].get_ylim() == (0, 1.02)
    # at the smallest lam the code spans a fair share of its frame
    _, codes = lf.sparse_codes(index)
    assert (codes.max() - min(codes.min(), 0)) / (high - low) >= 0.35


# measured: lam renders nothing over its whole range (23 moves) for each digit below;
# the digit (99 moves, every thirteenth) renders 12 times: 6 of its 100 digits have a
# code past the frame -1 .. 2 (the frame steps out on the way in and back on the way out)
@pytest.mark.parametrize("index", [0, 1, 195, 1296])
def test_sparse_code_lam_keeps_the_axes(index):
    assert background_renders(widgets.SparseCode(), _lam_sweep(index)) == 0


def test_sparse_code_digit_keeps_the_axes():
    updates = sweep(CODE_DEFAULTS, "index", CODE_INDEXES)
    assert background_renders(widgets.SparseCode(), updates) <= len(updates) // 6
