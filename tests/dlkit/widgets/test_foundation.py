"""dlkit.widgets drawn headless: figures with titles and labels, correct content, no leaks."""

import numpy as np
import pytest

from dlkit import widgets
from dlkit.data import sample_image
from dlkit.testing import assert_close
from tests.dlkit.widgets.figures import (
    assert_labelled,
    assert_redraws_in_place,
    background_renders,
    sweep,
)

SINE_DEFAULTS = {"amplitude": 1.0, "frequency": 1.0, "phase": 0.0}
SINE_SLIDERS = {  # module 00's notebook: (min, max, step) of each slider
    "amplitude": (0.0, 2.0, 0.1),
    "frequency": (0.25, 4.0, 0.25),
    "phase": (-np.pi, np.pi, np.pi / 12),
}
MATRIX_DEFAULTS = {"a": 1.5, "b": 0.5, "c": 0.5, "d": 1.0}
MATRIX_SLIDERS = dict.fromkeys("abcd", (-2.0, 2.0, 0.1))  # module 01's notebook


@pytest.fixture(scope="module")
def image():
    return sample_image(size=(40, 60))


def eigenvector_lines(fig):
    (ax,) = fig.axes
    return [line for line in ax.get_lines() if line.get_label().startswith("eigenvector")]


def test_sine_wave():
    fig = widgets.draw_sine_wave(amplitude=2.0, frequency=1.5, phase=0.3)
    assert_labelled(fig)
    (ax,) = fig.axes
    assert "(s)" in ax.get_xlabel()
    t, y = ax.get_lines()[0].get_data()
    assert t[0] == 0.0 and t[-1] == 2.0
    assert_close(y, 2.0 * np.sin(2 * np.pi * 1.5 * t + 0.3))


def test_sine_wave_redraws_in_place():
    updates = [  # the slider ends, and |A| above 2 stepping the y-limits to 5 and 20, back
        {"amplitude": 1.0, "frequency": 1.0, "phase": 0.0},
        {"amplitude": 0.0, "frequency": 0.25, "phase": -np.pi},
        {"amplitude": 2.0, "frequency": 4.0, "phase": np.pi},
        {"amplitude": 3.0, "frequency": 2.5, "phase": 0.5},
        {"amplitude": -12.0, "frequency": 1.0, "phase": 0.0},
        {"amplitude": 0.4, "frequency": 4.0, "phase": -1.0},
    ]
    assert_redraws_in_place(widgets.SineWave, {}, updates)


@pytest.mark.parametrize("name", SINE_SLIDERS)
def test_sine_wave_sliders_keep_the_axes(name):
    updates = sweep(SINE_DEFAULTS, name, SINE_SLIDERS[name])
    assert background_renders(widgets.SineWave(), updates) == 0  # fixed over A in 0..2


@pytest.mark.parametrize(
    ("amplitude", "limit"), [(0.0, 2.2), (1.0, 2.2), (2.0, 2.2), (-2.0, 2.2), (3.0, 5.5)]
)
def test_sine_wave_y_range_holds_the_wave(amplitude, limit):
    (ax,) = widgets.draw_sine_wave(amplitude, 4.0, np.pi / 2).axes
    _, y = ax.get_lines()[0].get_data()
    assert_close(np.array(ax.get_ylim()), np.array([-limit, limit]))
    assert np.abs(y).max() <= limit / 1.1 + 1e-12


def test_matrix_on_circle_with_real_eigenvalues():
    fig = widgets.draw_matrix_on_circle(2.0, 1.0, 1.0, 2.0)  # eigenvalues 3 and 1
    assert_labelled(fig)
    (ax,) = fig.axes
    assert "det M = 3" in ax.get_title() and "3, 1" in ax.get_title()
    lines = eigenvector_lines(fig)
    assert len(lines) == 2
    for line in lines:  # each segment runs from -lam v to lam v, so its half-length is |lam|
        x, y = line.get_data()
        assert_close(np.hypot(x[1], y[1]), float(line.get_label().split("= ")[1]), rtol=1e-3)
    assert ax.get_aspect() == 1.0


def test_matrix_on_circle_with_complex_eigenvalues():
    fig = widgets.draw_matrix_on_circle(0.0, -1.0, 1.0, 0.0)  # rotation by 90 degrees: +-i
    assert_labelled(fig)
    assert eigenvector_lines(fig) == []
    assert "± 1i" in fig.axes[0].get_title() and "complex" in fig.axes[0].get_title()


def test_matrix_on_circle_image_is_the_ellipse():
    fig = widgets.draw_matrix_on_circle(1.0, 0.5, 0.0, 3.0)
    circle, ellipse = fig.axes[0].get_lines()[:2]
    M = np.array([[1.0, 0.5], [0.0, 3.0]])
    assert_close(np.stack(ellipse.get_data()), M @ np.stack(circle.get_data()))


def test_matrix_on_circle_redraws_in_place():
    updates = [  # real; complex (eigenvectors hidden) twice, the limits growing; real at the
        # slider ends (eigenvectors shown again); singular (det M = 0); zero
        {"a": 1.5, "b": 0.5, "c": 0.5, "d": 1.0},
        {"a": 0.0, "b": -1.0, "c": 1.0, "d": 0.0},
        {"a": 2.0, "b": 2.0, "c": -2.0, "d": 2.0},
        {"a": -2.0, "b": 2.0, "c": 2.0, "d": 2.0},
        {"a": 1.0, "b": 2.0, "c": 0.5, "d": 1.0},
        {"a": 0.0, "b": 0.0, "c": 0.0, "d": 0.0},
    ]
    assert_redraws_in_place(widgets.MatrixOnCircle, {}, updates)


def test_matrix_on_circle_legend_texts_change_in_place():
    updates = [  # real eigenvalues in a row (the legend's texts set in place: short, long,
        # negative, back), the limits stepping from 1.15 x 2 to 1.15 x 3 and back; complex
        {"a": 1.5, "b": 0.5, "c": 0.5, "d": 1.0},
        {"a": 1.6, "b": 0.5, "c": 0.5, "d": 1.0},
        {"a": 2.0, "b": 0.5, "c": 0.5, "d": 1.0},
        {"a": -1.9, "b": 0.3, "c": 0.7, "d": 0.2},
        {"a": 1.0, "b": 0.0, "c": 0.0, "d": 1.0},
        {"a": 0.5, "b": -1.0, "c": 1.0, "d": 0.5},
        {"a": 1.5, "b": 0.5, "c": 0.5, "d": 1.0},
    ]
    assert_redraws_in_place(widgets.MatrixOnCircle, {}, updates)


@pytest.mark.parametrize("name", MATRIX_SLIDERS)
def test_matrix_on_circle_sliders_keep_the_axes(name):
    updates = sweep(MATRIX_DEFAULTS, name, MATRIX_SLIDERS[name])  # 40 moves
    assert background_renders(widgets.MatrixOnCircle(), updates) <= 3  # measured: 2 each


@pytest.mark.parametrize("name", MATRIX_SLIDERS)
@pytest.mark.parametrize("end", [-2.0, 2.0])
def test_matrix_on_circle_square_holds_the_ellipse(name, end):
    fig = widgets.draw_matrix_on_circle(**{**MATRIX_DEFAULTS, name: end})
    (ax,) = fig.axes
    _, ellipse = ax.get_lines()[:2]
    extent = np.abs(np.stack(ellipse.get_data())).max()
    (low, high), limits = ax.get_xlim(), ax.get_ylim()
    assert low == -high and limits == (low, high)
    assert extent * 1.15 <= high <= 3 * extent  # inside, with a margin, and filling it


def test_svd_rank_panels(image):
    fig = widgets.draw_svd_rank(image, 5)
    assert_labelled(fig)
    assert len(fig.axes) == 2
    assert "relative error" in fig.get_suptitle()
    assert f"{5 * (40 + 60 + 1) / (40 * 60):.1%}" in fig.get_suptitle()


def test_svd_rank_at_full_rank_reproduces_the_image(image):
    fig = widgets.draw_svd_rank(image, min(image.shape))
    original, approximation = (ax.get_images()[0].get_array() for ax in fig.axes)
    assert_close(original, image)
    assert_close(approximation, image, atol=1e-10)


@pytest.mark.parametrize("rank", [0, 41, 2.5])
def test_svd_rank_rejects_bad_rank(image, rank):
    with pytest.raises(ValueError, match=r"rank must be an integer in 1\.\.40"):
        widgets.draw_svd_rank(image, rank)


def test_svd_rank_rejects_colour_image():
    with pytest.raises(ValueError, match="2-D grayscale"):
        widgets.draw_svd_rank(np.zeros((4, 4, 3)), 1)


@pytest.mark.parametrize("shape", [(40, 60), (60, 40)])
def test_svd_rank_redraws_in_place(shape):
    updates = [{"rank": k} for k in (1, 40, 2, 20)]  # the ends, and back
    assert_redraws_in_place(widgets.SVDRank, {"image": sample_image(size=shape)}, updates)
