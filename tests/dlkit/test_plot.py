"""dlkit.plot: figures redrawn in place (LiveFigure) and the function that interact calls."""

import inspect
import io

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from dlkit.plot import LiveFigure, live, new_figure, nice_ceil, nice_floor, png_bytes, tick_texts


class Wave(LiveFigure):
    """A test drawing: a sine of a chosen colour whose phase and height move."""

    builds = 0

    def __init__(self, colour="C0", image=None):
        Wave.builds += 1
        self.image = image
        fig, self.ax = new_figure(width=3, height=2)
        self.x = np.linspace(0, 2 * np.pi, 50)
        self.ax.plot(self.x, np.cos(self.x), color="0.5")  # static
        (self.line,) = self.ax.plot([], [], color=colour)
        self.ax.set_ylim(-1.5, 1.5)
        self.ax.set_xlabel("x")
        self.ax.set_ylabel("y")
        super().__init__(fig, [self.line, self.ax.title])

    def update(self, phase=0.0, height=1.5):
        if height <= 0:
            raise ValueError(f"height must be positive, got {height}")
        self.line.set_data(self.x, np.sin(self.x + phase))
        self.ax.set_ylim(-height, height)
        self.ax.set_title(f"phase {phase:.2f}")
        return self


def picture(drawing) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(drawing._repr_png_())).convert("RGBA"))


def count_draws(drawing, monkeypatch) -> list:
    draws = []
    original = drawing._canvas.draw
    monkeypatch.setattr(drawing._canvas, "draw", lambda: draws.append(1) or original())
    return draws


def test_a_slider_move_repaints_only_the_moving_artists(monkeypatch):
    drawing = Wave().update(phase=0.0)
    draws = count_draws(drawing, monkeypatch)
    first = picture(drawing)
    second = picture(drawing.update(phase=1.0))
    assert len(draws) == 1  # the background was rendered once, then reused
    assert (first != second).any()
    assert (picture(Wave().update(phase=1.0)) == second).all()


def test_new_limits_render_the_background_again(monkeypatch):
    drawing = Wave().update(phase=0.5)
    draws = count_draws(drawing, monkeypatch)
    picture(drawing)
    shown = picture(drawing.update(phase=0.5, height=3.0))
    assert len(draws) == 2
    assert (shown == picture(Wave().update(phase=0.5, height=3.0))).all()


class TwoPanels(LiveFigure):
    """A test drawing: a fixed panel with a moving marker, and a panel whose limits follow
    a moving line (live axes)."""

    def __init__(self):
        fig, (self.fixed, self.following) = new_figure(ncols=2, width=3, height=2)
        self.fixed.plot([0, 1], [0, 1], color="0.5")
        (self.marker,) = self.fixed.plot([], [], "o")
        (self.line,) = self.following.plot([], [])
        super().__init__(fig, [self.marker, self.line], live_axes=[self.following])

    def update(self, t=0.5, height=1.0):
        self.marker.set_data([t], [t])
        self.line.set_data([0, 1], [0, height])
        self.following.relim()
        self.following.autoscale_view()
        return self


def test_live_axes_follow_their_limits_without_rendering_the_rest_again(monkeypatch):
    drawing = TwoPanels().update()
    draws = count_draws(drawing, monkeypatch)
    for t, height in [(0.5, 1.0), (0.6, 10.0), (0.7, -3.0)]:
        shown = picture(drawing.update(t=t, height=height))
        assert (shown == picture(TwoPanels().update(t=t, height=height))).all()
    assert len(draws) == 1
    assert drawing.following.get_ylim()[0] < -2.9  # the live panel did follow the line


def test_the_figure_stays_an_ordinary_figure():
    """After a live redraw nothing is left animated: savefig draws the moving artists."""
    drawing = Wave().update(phase=1.0)
    picture(drawing)
    assert not any(artist.get_animated() for artist in drawing.moving)
    buffer = io.BytesIO()
    drawing.figure.savefig(buffer, format="png")
    saved = np.asarray(Image.open(buffer).convert("RGBA"))
    blank = Wave()
    blank.ax.set_title("phase 1.00")
    buffer = io.BytesIO()
    blank.figure.savefig(buffer, format="png")
    without_line = np.asarray(Image.open(buffer).convert("RGBA"))
    assert saved.shape == picture(drawing).shape
    assert (np.abs(saved.astype(int) - picture(drawing)).max(axis=-1) > 32).mean() < 0.01
    assert (saved != without_line).any()  # the moving line is in the saved picture


def test_live_updates_one_drawing_and_builds_another_for_a_new_setting():
    redraw = live(Wave)
    Wave.builds = 0
    first = redraw(colour="C0", phase=0.0, height=1.5)
    assert redraw(colour="C0", phase=0.3, height=1.5) is first
    assert Wave.builds == 1
    other = redraw(colour="C3", phase=0.3, height=1.5)
    assert other is not first and Wave.builds == 2


def test_live_compares_arrays_in_the_setting_by_identity():
    """An array passed with ``fixed`` is the same object on each call (``==`` would be
    element-wise and ambiguous)."""
    image = np.zeros((4, 4))
    redraw = live(Wave)
    first = redraw(image=image, phase=0.0)
    assert redraw(image=image, phase=0.1) is first
    assert redraw(image=image.copy(), phase=0.1) is not first


def test_live_has_the_parameters_interact_needs():
    redraw = live(Wave)
    parameters = inspect.signature(redraw).parameters
    assert list(parameters) == ["colour", "image", "phase", "height"]
    assert parameters["height"].default == 1.5
    assert redraw.__name__ == "Wave"


def test_bad_input_raises_and_leaves_the_drawing_usable():
    redraw = live(Wave)
    shown = redraw(phase=0.2)
    with pytest.raises(ValueError, match="height must be positive"):
        redraw(phase=0.2, height=0.0)
    assert (picture(redraw(phase=0.2)) == picture(Wave().update(phase=0.2))).all()
    assert redraw(phase=0.2) is shown


def test_a_subclass_must_say_how_it_updates():
    fig, _ = new_figure(width=2, height=2)
    with pytest.raises(NotImplementedError, match="update"):
        LiveFigure(fig, []).update(x=1)


def test_png_bytes_round_trips_pixels():
    rgba = np.random.default_rng(0).integers(0, 256, size=(5, 7, 4), dtype=np.uint8)
    decoded = np.asarray(Image.open(io.BytesIO(png_bytes(rgba))))
    assert (decoded == rgba).all()


def test_png_bytes_of_a_figure_decode_to_its_pixels():
    fig, ax = new_figure(width=3, height=2)
    ax.plot([0, 1], [1, 0])
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    assert (np.asarray(Image.open(io.BytesIO(png_bytes(rgba)))) == rgba).all()


@pytest.mark.parametrize("bad", [np.zeros((4, 5, 3), np.uint8), np.zeros((4, 5, 4))])
def test_png_bytes_names_the_array_it_expected(bad):
    with pytest.raises(ValueError, match=r"\(height, width, 4\) uint8 RGBA"):
        png_bytes(bad)


@pytest.mark.parametrize(
    "value, above, below",
    [
        (0.3, 0.5, 0.2),
        (4.0, 5.0, 2.0),
        (5.1, 10.0, 5.0),
        (2.0, 2.0, 2.0),
        (1e-3, 1e-3, 1e-3),
        (0.0123, 0.02, 0.01),
        (730.0, 1000.0, 500.0),
    ],
)
def test_nice_ceil_and_floor_round_to_one_two_five(value, above, below):
    assert nice_ceil(value) == pytest.approx(above)
    assert nice_floor(value) == pytest.approx(below)


def test_nice_ceil_is_the_smallest_ladder_value_above():
    ladder = np.array([s * 10.0**k for k in range(-6, 7) for s in (1, 2, 5)])  # an oracle
    for value in np.random.default_rng(1).lognormal(0.0, 4.0, size=300):
        assert nice_ceil(value) == pytest.approx(ladder[ladder >= value].min())
        assert nice_floor(value) == pytest.approx(ladder[ladder <= value].max())
    assert nice_ceil(30.0, steps=(1.0,)) == pytest.approx(100.0)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan")])
def test_nice_ceil_says_the_value_must_be_positive(bad):
    with pytest.raises(ValueError, match="must be positive"):
        nice_ceil(bad)


class Labelled(LiveFigure):
    """A test drawing: up to two labelled curves, whose labels and number move."""

    def __init__(self):
        fig, self.ax = new_figure(width=3, height=2)
        self.curves = [self.ax.plot([0, 1], [k, k + 1])[0] for k in range(2)]
        self.ax.set_ylim(0, 3)
        self.legend = self.ax.legend(self.curves, ["", ""], loc="upper left")
        super().__init__(fig, [*self.curves, self.legend])

    def update(self, labels=("a", "b")):
        names = [*labels, "_hidden", "_hidden"][:2]  # a leading underscore: not in the legend
        for curve, name in zip(self.curves, names):
            curve.set_label(name)
        self.legend = self.refresh_legend(self.legend, loc="upper left")
        return self


def test_refresh_legend_sets_the_texts_in_place_while_the_entries_stay():
    drawing = Labelled().update(("a", "b"))
    legend = drawing.legend
    shown = picture(drawing.update(("slope 1", "slope 2")))
    assert drawing.legend is legend
    assert [text.get_text() for text in legend.get_texts()] == ["slope 1", "slope 2"]
    assert (shown == picture(Labelled().update(("slope 1", "slope 2")))).all()


def test_refresh_legend_builds_a_new_one_when_an_entry_goes():
    drawing = Labelled().update(("a", "b"))
    old = drawing.legend
    shown = picture(drawing.update(("only",)))
    assert drawing.legend is not old and old not in drawing.moving
    assert drawing.legend in drawing.moving and drawing.ax.get_legend() is drawing.legend
    assert [text.get_text() for text in drawing.legend.get_texts()] == ["only"]
    assert (shown == picture(Labelled().update(("only",)))).all()


@pytest.mark.parametrize("which", ["x", "y"])
def test_tick_texts_sit_where_the_axis_tick_labels_do(which):
    fig, ax = new_figure(width=3, height=2)
    ax.set_xlim(-0.5, 2.5)
    ax.set_ylim(-0.5, 2.5)
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_ticks(range(3), labels=["a", "b", "c"])
    texts = tick_texts(ax, which, 3)
    for text, label in zip(texts, "abc"):
        text.set_text(label)
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    for text, tick in zip(texts, axis.get_ticklabels()):
        ours, theirs = text.get_window_extent(renderer), tick.get_window_extent(renderer)
        assert np.allclose(ours.get_points(), theirs.get_points(), atol=1.0)


def test_tick_texts_reject_an_unknown_axis():
    _, ax = new_figure(width=3, height=2)
    with pytest.raises(ValueError, match='which must be "x" or "y"'):
        tick_texts(ax, "z", 2)
