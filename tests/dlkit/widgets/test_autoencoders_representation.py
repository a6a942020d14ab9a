"""Module-16 widget drawings, headless: the models' own outputs, labels, validation."""

import numpy as np
import pytest
import torch

from dlkit import nn, widgets
from dlkit.models import AE, VAE, AEConfig, VAEConfig
from dlkit.testing import assert_close
from dlkit.widgets import autoencoders_representation as ar
from tests.dlkit.widgets.figures import (
    assert_labelled,
    assert_redraws_in_place,
    background_renders,
    sweep,
)

pytestmark = pytest.mark.usefixtures("one_thread")


def _vae(latent):
    torch.manual_seed(0)
    return VAE(VAEConfig(latent=latent, hidden=16)).double()


def _decoded(model, z):
    """The torch decoder's pixel probabilities at the codes z, as numpy."""
    with torch.no_grad():
        return torch.sigmoid(model.decode(torch.tensor(z, dtype=torch.float64))).numpy()


def test_mosaic_tiles_rows_of_images_with_blank_gaps():
    images = np.arange(5 * 4, dtype=float).reshape(5, 4)  # five 2 x 2 images
    tiles = ar.mosaic(images, cols=3, side=2)
    assert tiles.shape == (2 * 3 - 1, 3 * 3 - 1)
    assert_close(tiles[3:5, 3:5], images[4].reshape(2, 2))  # row 1, column 1
    assert np.isnan(tiles[2]).all() and np.isnan(tiles[:, 2]).all()
    assert np.isnan(tiles[3:, 6:]).all()  # the sixth slot stays empty
    with pytest.raises(ValueError, match="rows of 4 pixels"):
        ar.mosaic(np.zeros((2, 5)), cols=2, side=2)


def test_latent_space_decodes_the_chosen_point_with_the_vaes_decoder():
    model = _vae(2)
    params = model.to_numpy_params()
    codes = np.random.default_rng(0).normal(size=(30, 2))
    labels = np.arange(30) % 10
    fig = widgets.draw_latent_space(params, codes, labels, z1=1.5, z2=-0.5, grid=5)
    assert_labelled(fig)
    left, middle, right = fig.axes
    assert_close(left.collections[0].get_offsets(), codes)
    expected = _decoded(model, [[1.5, -0.5]])
    assert_close(right.get_images()[0].get_array(), expected.reshape(8, 8), atol=1e-12)
    lattice = np.asarray(middle.get_images()[0].get_array())
    assert lattice.shape == (5 * 9 - 1, 5 * 9 - 1)
    corner = _decoded(model, [[-3.0, 3.0]])  # the top-left tile: the code (-extent, +extent)
    assert_close(lattice[:8, :8], corner.reshape(8, 8), atol=1e-12)
    assert "(1.5, -0.5)" in right.get_title()


@pytest.mark.parametrize(
    ("latent", "codes", "options", "message"),
    [
        (8, np.zeros((4, 2)), {}, "2-D latent space"),
        (2, np.zeros((4, 3)), {}, r"codes must be \(n, 2\)"),
        (2, np.zeros((4, 2)), {"grid": 1}, "grid must be an int in 2..20"),
    ],
)
def test_latent_space_rejects_bad_input(latent, codes, options, message):
    params = _vae(latent).to_numpy_params()
    with pytest.raises(ValueError, match=message):
        widgets.draw_latent_space(params, codes, np.zeros(len(codes)), **options)


def _summary(kl_per_dim, reconstruction, active):
    return {
        "kl": float(sum(kl_per_dim)),
        "kl_per_dim": list(kl_per_dim),
        "reconstruction": reconstruction,
        "neg_elbo": reconstruction + float(sum(kl_per_dim)),
        "active_units": active,
        "samples": np.full((4, 64), 0.5),
    }


def test_beta_tradeoff_plots_every_beta_and_details_the_chosen_one():
    results = {
        0.5: _summary([4.0, 3.0, 2.0, 1.0], 14.0, 4),
        1.0: _summary([3.0, 2.0, 0.5, 0.0], 16.0, 3),
        4.0: _summary([0.01, 0.0, 0.0, 0.0], 24.0, 0),
    }
    fig = widgets.draw_beta_tradeoff(results, 1.0)
    assert_labelled(fig)
    left, middle, right = fig.axes
    curve = [line for line in left.get_lines() if len(line.get_xdata()) == 3][0]
    assert_close(curve.get_xdata(), [10.0, 5.5, 0.01])
    assert_close(curve.get_ydata(), [14.0, 16.0, 24.0])
    assert_close([bar.get_height() for bar in middle.patches], [3.0, 2.0, 0.5, 0.0])
    assert "3 of 4 units active" in middle.get_title()
    assert "-ELBO 21.5 nats" in fig.get_suptitle()
    with pytest.raises(ValueError, match="one of the trained values"):
        widgets.draw_beta_tradeoff(results, 2.0)


def test_denoising_shows_the_autoencoders_reconstruction_of_the_corrupted_digits():
    torch.manual_seed(1)
    model = AE(AEConfig(hidden=(16,), latent=4)).double()
    X = np.random.default_rng(1).random((5, 64))
    fig = widgets.draw_denoising(model.to_numpy_params(), X, "salt_pepper", 0.2, seed=4)
    assert_labelled(fig)
    clean, noisy, restored = (ax.get_images()[0].get_array() for ax in fig.axes)
    corrupted = nn.corrupt(X, "salt_pepper", 0.2, 4)
    assert_close(np.asarray(noisy)[:8, :8], corrupted[0].reshape(8, 8))
    expected = np.clip(model.numpy_forward(corrupted), 0, 1)
    assert_close(np.asarray(restored)[:8, 9:17], expected[1].reshape(8, 8), atol=1e-12)
    assert_close(np.asarray(clean)[:8, :8], X[0].reshape(8, 8))
    with pytest.raises(ValueError, match="kind must be one of"):
        widgets.draw_denoising(model.to_numpy_params(), X, "blur", 0.2)
    with pytest.raises(ValueError, match="1 to 12 digits"):
        widgets.draw_denoising(model.to_numpy_params(), np.zeros((13, 64)))


# Redrawn in place: the module's notebook sliders, swept with small synthetic weights and
# results (the notebook's own come from training, so its cells are not swept by
# tests/dlkit/widgets/test_steady_axes.py).
LATENT_SLIDERS = {"z1": (-3.0, 3.0, 0.1), "z2": (-3.0, 3.0, 0.1)}
LEVEL_SLIDER = (0.0, 0.8, 0.05)


def _latent_setting():
    codes = np.random.default_rng(2).normal(size=(60, 2)) * 1.5
    return {"params": _vae(2).to_numpy_params(), "codes": codes, "labels": np.arange(60) % 10}


def _beta_results():
    rng = np.random.default_rng(3)
    results = {
        0.5: _summary([4.0, 3.0, 2.0, 1.0], 14.0, 4),
        1.0: _summary([3.0, 2.0, 0.5, 0.0], 16.0, 3),
        2.0: _summary([1.5, 0.2, 0.0, 0.0], 19.0, 1),
        4.0: _summary([0.01, 0.0, 0.0, 0.0], 24.0, 0),
    }
    for summary in results.values():  # each beta's samples differ: no stale image passes
        summary["samples"] = rng.random((16, 64))
    return results


def _denoising_setting():
    torch.manual_seed(1)
    model = AE(AEConfig(hidden=(16,), latent=4)).double()
    X = np.random.default_rng(1).random((10, 64))
    return {"params": model.to_numpy_params(), "X": X, "seed": 3}


def test_latent_space_redraws_in_place():
    updates = [
        {"z1": 0.0, "z2": 0.0},
        {"z1": -3.0, "z2": -3.0},
        {"z1": 3.0, "z2": 3.0},
        {"z1": 3.0, "z2": -1.2},  # moves only z2
        {"z1": 0.4, "z2": -1.2},  # moves only z1
    ]
    assert_redraws_in_place(ar.LatentSpace, _latent_setting(), updates)


def test_beta_tradeoff_redraws_in_place():
    updates = [{"beta": 1.0}, {"beta": 0.5}, {"beta": 4.0}, {"beta": 2.0}, {"beta": 1.0}]
    assert_redraws_in_place(ar.BetaTradeoff, {"results": _beta_results()}, updates)


def test_denoising_redraws_in_place():
    updates = [
        {"kind": "mask", "level": 0.3},
        {"kind": "mask", "level": 0.0},
        {"kind": "mask", "level": 0.8},
        {"kind": "gaussian", "level": 0.8},  # moves only the kind
        {"kind": "salt_pepper", "level": 0.05},
        {"kind": "salt_pepper", "level": 0.5},  # moves only the level
    ]
    assert_redraws_in_place(ar.Denoising, _denoising_setting(), updates)


# Measured over the notebook's whole ranges: no full render at all (every limit is fixed),
# z1 and z2 0 of 60 moves each, beta 0 of 7, level 0 of 16 for each kind, kind 0 of 3.
@pytest.mark.parametrize("slider", LATENT_SLIDERS)
def test_latent_space_sweeps_without_rendering_again(slider):
    moves = sweep({"z1": 0.0, "z2": 0.0}, slider, LATENT_SLIDERS[slider])
    assert background_renders(ar.LatentSpace(**_latent_setting()), moves) == 0


def test_beta_tradeoff_sweeps_without_rendering_again():
    results = _beta_results()
    moves = [{"beta": beta} for beta in [*sorted(results), *sorted(results)[::-1]]]
    assert background_renders(ar.BetaTradeoff(results), moves) == 0


@pytest.mark.parametrize("kind", nn.CORRUPTIONS)
def test_denoising_sweeps_without_rendering_again(kind):
    drawing = ar.Denoising(**_denoising_setting())
    moves = sweep({"kind": kind, "level": 0.3}, "level", LEVEL_SLIDER)
    assert background_renders(drawing, moves) == 0
    kinds = [{"kind": other, "level": 0.3} for other in (kind, *nn.CORRUPTIONS)]
    assert background_renders(drawing, kinds) == 0


@pytest.mark.parametrize(("z1", "z2"), [(-3.0, -3.0), (3.0, 3.0), (-3.0, 3.0)])
def test_latent_space_limits_hold_the_point_and_the_codes(z1, z2):
    setting = _latent_setting()
    left, middle, _ = ar.LatentSpace(**setting).update(z1=z1, z2=z2).figure.axes
    assert left.get_xlim() == left.get_ylim() == (-4.0, 4.0)
    for ax in (left, middle):
        (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
        assert x_low < z1 < x_high and y_low < z2 < y_high, "the point leaves the frame"
    reach = np.abs(setting["codes"]).max(axis=0)  # the codes fill a fair share of the frame
    assert reach.min() >= 0.5 * left.get_xlim()[1]


def test_beta_tradeoff_limits_hold_every_beta():
    results = _beta_results()
    drawing = ar.BetaTradeoff(results)
    left, middle, _ = drawing.figure.axes
    top = middle.get_ylim()[1]
    assert top == 5.0  # 1.1 x 4.0, the largest KL of a dimension at any beta, rounded up
    for beta, summary in results.items():
        drawing.update(beta=beta)
        (x_low, x_high), (y_low, y_high) = left.get_xlim(), left.get_ylim()
        assert x_low < summary["kl"] < x_high and y_low < summary["reconstruction"] < y_high
        assert max(bar.get_height() for bar in middle.patches) < top
    drawing.update(beta=0.5)
    assert max(bar.get_height() for bar in middle.patches) >= 0.6 * top
