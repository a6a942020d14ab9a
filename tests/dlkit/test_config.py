"""dlkit.config: fast mode, seeds, device and notebook set-up."""

import random

import matplotlib as mpl
import numpy as np
import pytest
import torch

from dlkit import config


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_fast_mode_on(monkeypatch, value):
    monkeypatch.setenv("DLKIT_FAST", value)
    assert config.is_fast()
    assert config.budget(full=200, fast=5) == 5


@pytest.mark.parametrize("value", ["0", "", "false", "no"])
def test_fast_mode_off(monkeypatch, value):
    monkeypatch.setenv("DLKIT_FAST", value)
    assert not config.is_fast()
    assert config.budget(full=200, fast=5) == 200


def test_fast_mode_off_when_unset(monkeypatch):
    monkeypatch.delenv("DLKIT_FAST", raising=False)
    assert not config.is_fast()


def _draws():
    """One draw from each random source that seed_everything controls."""
    rng = np.random.default_rng(config.seed_everything(123).integers(2**32))
    return (random.random(), np.random.rand(), rng.standard_normal(), torch.rand(1).item())


def test_seed_everything_is_reproducible():
    assert _draws() == _draws()
    assert isinstance(config.seed_everything(), np.random.Generator)


def test_different_seeds_differ():
    assert config.seed_everything(1).random() != config.seed_everything(2).random()


def test_device_is_a_torch_device():
    dev = config.device()
    assert isinstance(dev, torch.device)
    assert dev.type == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.parametrize(("fast", "mode"), [("1", "mode=fast"), ("0", "mode=full")])
def test_setup_notebook_reports_mode(monkeypatch, capsys, fast, mode):
    monkeypatch.setenv("DLKIT_FAST", fast)
    with mpl.rc_context():  # setup_notebook changes the global plot style
        rng = config.setup_notebook(seed=7)
    out = capsys.readouterr().out
    assert mode in out and "seed=7" in out and "device=" in out
    assert rng.random() == np.random.default_rng(7).random()


def test_setup_notebook_can_be_quiet(capsys):
    with mpl.rc_context():
        config.setup_notebook(verbose=False)
    assert capsys.readouterr().out == ""


def test_widget_figures_are_shown_uncropped_and_pyplot_figures_cropped(monkeypatch):
    """Cropping (bbox_inches="tight") renders a figure twice: widget drawings, built with
    fixed margins, skip it; pyplot figures keep it, as ``%matplotlib inline`` shows them."""
    import base64

    import matplotlib.pyplot as plt
    from IPython.core.pylabtools import print_figure

    from dlkit.plot import new_figure

    drawing, _ = new_figure(width=3, height=2)
    assert base64.b64decode(config.figure_png(drawing)) == print_figure(drawing, bbox_inches=None)
    draws = []
    original = drawing.draw
    monkeypatch.setattr(drawing, "draw", lambda renderer: draws.append(1) or original(renderer))
    config.figure_png(drawing)
    assert len(draws) == 1  # cropping would have drawn it twice
    pyplot_figure = plt.figure(figsize=(3, 2))
    try:
        assert config.figure_png(pyplot_figure) == print_figure(pyplot_figure, "png", base64=True)
    finally:
        plt.close(pyplot_figure)
