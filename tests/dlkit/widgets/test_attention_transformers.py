"""Module-13 widget drawings, headless: right content, labels, validation, no figure leaks."""

import numpy as np
import pytest
import torch

import dlkit
from dlkit import nn, widgets
from dlkit.models import TinyTransformer, TransformerConfig
from dlkit.testing import assert_close
from dlkit.widgets import attention_transformers as at
from tests.dlkit.widgets.figures import (
    assert_labelled,
    assert_redraws_in_place,
    background_renders,
    drawn_lines,
    sweep,
)

pytestmark = pytest.mark.usefixtures("one_thread")
TOKENS = np.array([7, 2, 9, 2, 0, 5, 1, 4])


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return TinyTransformer(TransformerConfig())


def test_heatmap_shows_the_models_own_attention_and_predictions(model):
    fig = widgets.draw_attention_heatmap(model.to_numpy_params(), TOKENS, layer=1, head=2)
    assert_labelled(fig)
    left, right = fig.axes
    _, weights = model(torch.as_tensor(TOKENS[None]), return_attention=True)
    assert_close(left.get_images()[0].get_array(), weights[1][0, 2].detach().numpy(), atol=1e-6)
    logits = model(torch.as_tensor(TOKENS[None]))[0].detach().numpy()
    probabilities = np.asarray(right.get_images()[0].get_array())
    assert_close(probabilities, torch.softmax(torch.as_tensor(logits), -1).numpy(), atol=1e-6)
    predicted = [label.get_text() for label in right.get_yticklabels()]
    assert predicted == [str(p) for p in logits.argmax(axis=1)]
    assert [label.get_text() for label in left.get_xticklabels()] == [str(t) for t in TOKENS]


def test_heatmap_rollout_and_causal_mask(model):
    params = model.to_numpy_params()
    fig = widgets.draw_attention_heatmap(params, TOKENS, rollout=True)
    _, weights = nn.transformer_forward(params, TOKENS[None], 4, return_attention=True)
    shown = fig.axes[0].get_images()[0].get_array()
    assert_close(shown, nn.attention_rollout(weights[:, 0]))
    assert "rollout" in fig.axes[0].get_title()
    causal = widgets.draw_attention_heatmap(params, TOKENS, layer=0, head=0, causal=True)
    shown = np.asarray(causal.axes[0].get_images()[0].get_array())
    assert np.all(shown[np.triu_indices(8, 1)] == 0) and "causal" in causal.axes[0].get_title()


@pytest.mark.parametrize(
    ("options", "message"),
    [({"layer": 2}, r"layer must be in 0\.\.1"), ({"head": 4}, r"head in 0\.\.3")],
)
def test_heatmap_rejects_bad_layers_and_heads(model, options, message):
    with pytest.raises(ValueError, match=message):
        widgets.draw_attention_heatmap(model.to_numpy_params(), TOKENS, **options)
    with pytest.raises(ValueError, match="one sequence"):
        widgets.draw_attention_heatmap(model.to_numpy_params(), TOKENS[None])


def test_positional_encoding_panels():
    fig = widgets.draw_positional_encoding(16, 40, 12)
    assert_labelled(fig)
    table, columns, similarity = fig.axes
    pe = nn.sinusoidal_pe(40, 16)
    assert_close(table.get_images()[0].get_array(), pe)
    p, column0 = columns.get_lines()[0].get_data()
    assert_close(column0, np.sin(p))  # column 0 is sin(p / 10000^0)
    q, dots = similarity.get_lines()[0].get_data()
    assert_close(dots, pe @ pe[12])
    assert int(np.argmax(dots)) == 12 and dots[12] == pytest.approx(8.0)  # d / 2 pairs of 1


@pytest.mark.parametrize(
    ("args", "message"), [((1, 10, 0), "d_model must be"), ((16, 10, 10), r"pos must be in 0\.\.9")]
)
def test_positional_encoding_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        widgets.draw_positional_encoding(*args)


def test_softmax_temperature_entropies():
    entropies = at._entropies()
    assert np.all(entropies[True] > 1.9)  # scaled: the rows stay spread out at every d_k
    assert entropies[False][-1] < 0.3 < entropies[False][0]  # unscaled: nearly one-hot
    fig = widgets.draw_softmax_temperature(256, scaled=False)
    assert_labelled(fig)
    bars = [patch.get_height() for patch in fig.axes[0].patches]
    assert len(bars) == at.N_KEYS and sum(bars) == pytest.approx(1.0)
    assert max(bars) > 0.9  # one key takes nearly everything
    with pytest.raises(ValueError, match="d_k must be one of"):
        widgets.draw_softmax_temperature(3)


# ---------------------------------------------------------------- redrawn in place, steady axes

PE_DEFAULTS = {"d_model": 32, "max_pos": 64, "pos": 10}
PE_SLIDERS = {"d_model": (4, 128, 2), "max_pos": (8, 256, 8), "pos": (0, 63, 1)}  # notebook's
HEATMAP_DEFAULTS = {"example": 0, "layer": 1, "head": 0, "causal": False, "rollout": False}
HEATMAP_SLIDERS = {"example": (0, 7, 1), "layer": (0, 1, 1), "head": (0, 3, 1)}


@pytest.fixture(scope="module")
def examples():
    return dlkit.data.sort_task(8, seed=7)[0]  # the notebook's eight examples


@pytest.fixture(scope="module")
def small_weights():
    """Small synthetic weights: a tiny untrained transformer (the notebook's shapes)."""
    torch.manual_seed(1)
    return TinyTransformer(TransformerConfig()).to_numpy_params()


def test_softmax_saturation_redraws_in_place():
    updates = [
        {"d_k": 64, "scaled": True},
        {"d_k": 1, "scaled": True},
        {"d_k": 512, "scaled": False},
        {"d_k": 512, "scaled": True},
        {"d_k": 2, "scaled": False},
    ]
    assert_redraws_in_place(at.SoftmaxSaturation, {}, updates)


def test_softmax_saturation_keeps_its_axes():
    updates = [{"d_k": d_k, "scaled": s} for s in (True, False) for d_k in at.D_K_GRID]
    assert background_renders(at.SoftmaxSaturation(), updates) == 0  # measured: 0 of 19
    drawing = at.SoftmaxSaturation()
    for params in ({"d_k": 1, "scaled": True}, {"d_k": 512, "scaled": False}):
        left, right = drawing.update(**params).figure.axes
        bars = [patch.get_height() for patch in left.patches]
        assert 0 <= min(bars) and max(bars) <= left.get_ylim()[1] == 1.0
        (x, y), (low, high) = drawing.ring.get_data(), right.get_ylim()
        assert right.get_xlim()[0] < x[0] < right.get_xlim()[1] and low <= y[0] < high
        entropy = np.concatenate([line.get_ydata() for line in right.get_lines()])
        assert entropy.max() < high and entropy.max() > 0.85 * high  # ln 16 = 2.77 of 3


@pytest.mark.parametrize(
    "updates",
    [
        [PE_DEFAULTS, {**PE_DEFAULTS, "pos": 0}, {**PE_DEFAULTS, "pos": 63}],
        [  # d_model across the steps 32 -> 34 and 64 -> 66, and its ends
            {**PE_DEFAULTS, "d_model": 34},
            {**PE_DEFAULTS, "d_model": 4},
            {**PE_DEFAULTS, "d_model": 128},
            {**PE_DEFAULTS, "d_model": 66},
            {**PE_DEFAULTS, "d_model": 30},
        ],
        [  # max_pos across 64 -> 72 and down to a smaller table in the same frame
            {**PE_DEFAULTS, "max_pos": 72},
            {**PE_DEFAULTS, "max_pos": 128},
            {**PE_DEFAULTS, "max_pos": 256, "pos": 63},
            {**PE_DEFAULTS, "max_pos": 16, "pos": 0},
            {"d_model": 128, "max_pos": 8, "pos": 7},
        ],
    ],
)
def test_positional_encoding_redraws_in_place(updates):
    assert_redraws_in_place(at.PositionalEncoding, {}, updates)


@pytest.mark.parametrize(
    ("name", "most"),
    [("d_model", 5), ("max_pos", 5), ("pos", 0)],  # measured: 5 of 62, 5 of 31, 0 of 63
)
def test_positional_encoding_keeps_its_axes(name, most):
    defaults = {**PE_DEFAULTS, "pos": 5}  # a pos that every max_pos of the slider holds
    updates = sweep(defaults, name, PE_SLIDERS[name])
    renders = background_renders(at.PositionalEncoding(), updates)
    assert renders <= most <= (len(updates) - 1) // 3


@pytest.mark.parametrize(
    "params",
    [
        {"d_model": 4, "max_pos": 256, "pos": 0},
        {"d_model": 4, "max_pos": 256, "pos": 63},
        {"d_model": 34, "max_pos": 72, "pos": 10},
        {"d_model": 128, "max_pos": 8, "pos": 7},
        {"d_model": 128, "max_pos": 256, "pos": 63},
        {"d_model": 66, "max_pos": 136, "pos": 0},
    ],
)
def test_positional_encoding_limits_hold_the_curves(params):
    table, columns, similarity = at.PositionalEncoding().update(**params).figure.axes
    left, right, bottom, top = table.get_images()[0].get_extent()
    (x_low, x_high), (y_high, y_low) = table.get_xlim(), table.get_ylim()  # p grows downwards
    assert x_low <= left and right <= x_high and y_low <= top and bottom <= y_high
    assert (right - left) / (x_high - x_low) > 0.5 and (bottom - top) / (y_high - y_low) > 0.5
    for ax in (columns, similarity):
        x, y = np.concatenate([np.column_stack(line.get_data()) for line in drawn_lines(ax)]).T
        (low, high), (bottom, top) = ax.get_xlim(), ax.get_ylim()
        assert low < x.min() and x.max() < high and x.max() > 0.5 * high
        assert bottom < y.min() and y.max() < top
    peak = similarity.get_lines()[0].get_ydata().max()
    assert peak == pytest.approx(params["d_model"] / 2)
    assert peak > 0.45 * similarity.get_ylim()[1]


def test_attention_heatmap_redraws_in_place(small_weights, examples):
    updates = [
        HEATMAP_DEFAULTS,
        {**HEATMAP_DEFAULTS, "example": 7, "head": 3},
        {**HEATMAP_DEFAULTS, "example": 3, "layer": 0, "causal": True},
        {**HEATMAP_DEFAULTS, "example": 5, "rollout": True},
        {**HEATMAP_DEFAULTS, "example": 5, "rollout": True, "causal": True},
        {**HEATMAP_DEFAULTS, "example": 0, "layer": 0, "head": 0},
    ]
    setting = {"params": small_weights, "examples": examples}
    assert_redraws_in_place(at.AttentionHeatmap, setting, updates)


@pytest.mark.parametrize("name", list(HEATMAP_SLIDERS))
def test_attention_heatmap_keeps_its_axes(small_weights, examples, name):
    drawing = at.AttentionHeatmap(small_weights, examples)
    updates = sweep(HEATMAP_DEFAULTS, name, HEATMAP_SLIDERS[name])
    for toggles in ({}, {"causal": True}, {"rollout": True}):
        moves = [{**params, **toggles} for params in updates]
        assert background_renders(drawing, moves) == 0  # measured: 0 for each slider


def test_attention_heatmap_shows_each_example(small_weights, examples):
    """The tokens and predictions of the example chosen, as a one-sequence drawing shows."""
    drawing = at.AttentionHeatmap(small_weights, examples)
    for example in (4, 1):
        drawing.update(example=example, layer=0, head=1, causal=True)
        single = widgets.draw_attention_heatmap(
            small_weights, examples[example], layer=0, head=1, causal=True
        )
        left, right = drawing.figure.axes
        for ax, one in zip((left, right), single.axes):
            assert_close(ax.get_images()[0].get_array(), one.get_images()[0].get_array())
            assert [t.get_text() for t in ax.get_yticklabels()] == [
                t.get_text() for t in one.get_yticklabels()
            ]
        shown = [text.get_text() for text in drawing.keys]  # the labels that are painted
        assert shown == [str(t) for t in examples[example]]
        assert [text.get_text() for text in drawing.predicted] == [
            t.get_text() for t in right.get_yticklabels()
        ]
        assert drawing.suptitle.get_text() == single.get_suptitle()
    with pytest.raises(ValueError, match=r"example must be in 0\.\.7"):
        drawing.update(example=8)
    with pytest.raises(ValueError, match="shape \\(count, n\\)"):
        at.AttentionHeatmap(small_weights, examples[0])


def test_attention_heatmap_through_live_keeps_one_drawing(small_weights, examples):
    redraw = dlkit.plot.live(at.AttentionHeatmap)
    first = redraw(params=small_weights, examples=examples, **HEATMAP_DEFAULTS)
    again = redraw(params=small_weights, examples=examples, **{**HEATMAP_DEFAULTS, "head": 2})
    assert again is first
