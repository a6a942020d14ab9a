"""Synthetic sequence tasks for recurrent networks: the adding problem, copy and reverse.

- ``adding_problem``: a regression task that needs a memory of length T. Each step holds
  a random number and a 0/1 marker; exactly two steps are marked (one in each half of
  the sequence) and the target is the sum of their numbers. Predicting the mean, 1,
  scores an MSE of Var(u_1 + u_2) = 1/6: a model that cannot carry the marked numbers
  to the end of the sequence stays at that baseline.
- ``copy_pairs`` and ``reverse_pairs``: sequence-to-sequence tasks for an encoder-decoder.
  Symbols are drawn from ``1..vocab-1``; token 0 (:data:`BOS`) is reserved as the
  decoder's start symbol, so the decoder's input is ``[BOS, y_1, ..., y_{T-1}]``.

(Token tasks for one prediction per position, such as sorting, are in ``tokens``.)
"""

import numpy as np

BOS = 0
ADDING_BASELINE_MSE = 1.0 / 6.0


def _positive_int(value, name, owner, minimum=1):
    if not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{owner}: {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def adding_problem(n, T=50, seed=0):
    """``(X, y)``: n sequences of the adding problem, X (n, T, 2) and y (n, 1), float32.

    ``X[:, t, 0] ~ U(0, 1)`` are the numbers, ``X[:, t, 1]`` the markers: one marked step
    drawn uniformly from the first half ``[0, T // 2)`` and one from the second half
    ``[T // 2, T)``. ``y = sum_t X[:, t, 0] * X[:, t, 1]``, in [0, 2] with mean 1 and
    variance 1/6 (:data:`ADDING_BASELINE_MSE`). Drawn with ``np.random.default_rng(seed)``.
    """
    n = _positive_int(n, "n", "adding_problem")
    T = _positive_int(T, "T", "adding_problem", minimum=2)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(n, T))
    markers = np.zeros((n, T))
    rows = np.arange(n)
    markers[rows, rng.integers(0, T // 2, size=n)] = 1.0
    markers[rows, rng.integers(T // 2, T, size=n)] = 1.0
    X = np.stack([values, markers], axis=2)  # (n, T, 2)
    y = np.sum(values * markers, axis=1, keepdims=True)  # (n, 1)
    return X.astype(np.float32), y.astype(np.float32)


def _symbols(n, length, vocab, seed, owner):
    n = _positive_int(n, "n", owner)
    length = _positive_int(length, "length", owner)
    vocab = _positive_int(vocab, "vocab", owner, minimum=2)
    rng = np.random.default_rng(seed)
    return rng.integers(BOS + 1, vocab, size=(n, length), dtype=np.int64)


def copy_pairs(n, length=6, vocab=10, seed=0):
    """``(src, tgt)``: n random sequences (n, length) of symbols 1..vocab-1, and a copy.

    int64 arrays; token 0 never occurs (it is the decoder's BOS).
    """
    src = _symbols(n, length, vocab, seed, "copy_pairs")
    return src, src.copy()


def reverse_pairs(n, length=6, vocab=10, seed=0):
    """``(src, tgt)`` with ``tgt[:, t] = src[:, length - 1 - t]``: reverse the sequence.

    int64 arrays of symbols 1..vocab-1 (token 0 is the decoder's BOS). Reversal is the
    classic seq2seq test: the first output needs the *last* input, so an encoder-decoder
    without attention must squeeze the whole sequence into its final state.
    """
    src = _symbols(n, length, vocab, seed, "reverse_pairs")
    return src, src[:, ::-1].copy()
