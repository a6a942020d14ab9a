"""Module-13 widget drawings, headless: right content, labels, validation, no figure leaks."""

import numpy as np
import pytest
import torch

from dlkit import nn, widgets
from dlkit.models import TinyTransformer, TransformerConfig
from dlkit.testing import assert_close
from dlkit.widgets import attention_transformers as at
from tests.dlkit.widgets.figures import assert_labelled

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
