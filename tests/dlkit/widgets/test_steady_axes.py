"""Every slider of every live widget, as its notebook sets it up, keeps the axes steady:
swept step by step, it renders the figure's static part again only where a curve crosses
a limit step (dlkit.plot.nice_ceil), never on every step. Steady axes let the learner
see a curve move, and keep a redraw to painting the moving artists (dlkit.plot.LiveFigure).
"""

from unittest import mock

import numpy as np
import pytest

from dlkit.plot import LiveFigure
from tests.dlkit.widgets.notebook_controls import (
    SLIDERS,
    initial_value,
    notebook_widgets,
    slider_values,
)

#: At most this many consecutive steps of a slider are swept (from its notebook value).
SWEEP = 40


def _sliders():
    for module, redraw, controls in notebook_widgets():
        for name, control in controls.items():
            if isinstance(control, SLIDERS):
                yield pytest.param(
                    redraw, controls, name, id=f"{module[:2]}-{redraw.__name__}-{name}"
                )


def _sweep(slider) -> np.ndarray:
    """Up to SWEEP consecutive values of the slider, starting at its notebook value."""
    values = slider_values(slider)
    start = min(int(np.argmin(np.abs(values - slider.value))), max(0, len(values) - SWEEP))
    return values[start : start + SWEEP]


@pytest.mark.parametrize("redraw, controls, name", list(_sliders()))
def test_a_slider_step_keeps_the_axes(redraw, controls, name):
    values = {key: initial_value(control) for key, control in controls.items()}
    redraw(**values)._repr_png_()
    moves = 0
    with mock.patch.object(
        LiveFigure, "_render_background", autospec=True, side_effect=LiveFigure._render_background
    ) as render:
        for value in _sweep(controls[name]):
            try:
                drawing = redraw(**{**values, name: value})
            except ValueError:  # a setting the drawing refuses (heads > flips): not a move
                continue
            drawing._repr_png_()
            moves += 1
    assert render.call_count <= max(2, moves // 3), (
        f"{redraw.__name__}: moving {name} over {moves} steps rendered the whole figure "
        f"{render.call_count} times; its limits follow the slider on most steps"
    )
