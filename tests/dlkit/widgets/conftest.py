"""Every widget test: draw functions must use the object API, never pyplot's state."""

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    """No figure may appear in pyplot's registry while a drawing is made."""
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before, "a draw function created a pyplot figure"
