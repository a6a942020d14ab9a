"""The live widgets of the solution notebooks with the controls each notebook gives them,
read by running the cells that call ``interact(dk.plot.live(...))`` with ``interact``
recording its arguments. Shared by the steady-axes test and benchmarks/widgets.py."""

import functools

import ipywidgets
import nbformat
import numpy as np

import dlkit
from tests import ROOT

SLIDERS = (ipywidgets.IntSlider, ipywidgets.FloatSlider, ipywidgets.FloatLogSlider)


@functools.cache
def notebook_widgets() -> tuple:
    """(module, the function made by ``dk.plot.live``, its controls by parameter name) for
    each live widget, in course order. The cells run with the data they pass with
    ``fixed`` where it is at hand (module 01's sample image); a cell that needs what its
    notebook computed before (a trained model's weights: a NameError here) is left out,
    and its widget's own tests sweep its sliders with data of their own."""
    found = []
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        namespace = {
            **{name: getattr(ipywidgets, name) for name in dir(ipywidgets)},
            "dk": dlkit,
            "np": np,
            "image": dlkit.data.sample_image(),
            "interact": lambda f, module=path.parent.name, **controls: found.append(
                (module, f, controls)
            ),
        }
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and "dk.plot.live(" in cell.source:
                try:
                    exec(cell.source, namespace)
                except NameError:  # the notebook's own data or model: see the docstring
                    continue
    return tuple(found)


def initial_value(control):
    """The value ``interact`` starts a parameter at: a widget's, a list's first, fixed's."""
    if isinstance(control, ipywidgets.fixed | ipywidgets.ValueWidget):
        return control.value
    return control[0] if isinstance(control, list | tuple) else control


def slider_values(slider) -> np.ndarray:
    """Every value the slider's arrow keys reach, from its minimum to its maximum."""
    count = int(round((slider.max - slider.min) / slider.step)) + 1
    positions = slider.min + slider.step * np.arange(count)  # (count,)
    if isinstance(slider, ipywidgets.FloatLogSlider):
        return slider.base**positions  # the slider's min, max and step are exponents
    if isinstance(slider, ipywidgets.IntSlider):
        return positions.astype(int)
    return np.round(positions, 10)


def one_step(slider):
    """The value one arrow-key press from the slider's value (up; down at the top)."""
    values = slider_values(slider)
    at = int(np.argmin(np.abs(values - slider.value)))
    return values[at + 1] if at + 1 < len(values) else values[at - 1]
