"""Sequence metrics: perplexity (eq 11.8) and sentence BLEU."""

from collections import Counter

import numpy as np


def token_log_probs(logits, targets):
    """Natural log-probability the model gives each target token: logits (N, V), targets
    (N,) integer ids -> (N,), by a stable log-softmax (the row maximum subtracted first)."""
    logits = np.asarray(logits, dtype=float)
    targets = np.asarray(targets)
    if logits.ndim != 2 or targets.shape != (logits.shape[0],):
        raise ValueError(
            f"logits must be (N, V) and targets (N,), got {logits.shape} and {targets.shape}; "
            "flatten a (B, T, V) batch with logits.reshape(-1, V) first"
        )
    if targets.dtype.kind not in "iu" or targets.min() < 0 or targets.max() >= logits.shape[1]:
        raise ValueError(f"targets must be integer ids in 0..{logits.shape[1] - 1}")
    shifted = logits - logits.max(axis=1, keepdims=True)  # (N, V)
    log_z = np.log(np.exp(shifted).sum(axis=1))  # (N,)
    return shifted[np.arange(len(targets)), targets] - log_z


def perplexity(log_probs):
    """``PPL = exp(-(1/N) sum_i log p(x_i))`` from natural-log token probabilities (N,).

    The exponential of the mean cross-entropy in nats; 1 is a perfect model, V a uniform
    guess over V tokens. (With log2 probabilities the same number is 2 ** (-mean).)
    """
    log_probs = np.asarray(log_probs, dtype=float).ravel()
    if log_probs.size == 0:
        raise ValueError("perplexity needs at least one token")
    if np.any(log_probs > 1e-12):
        raise ValueError("log-probabilities must be <= 0; did you pass probabilities or logits?")
    return float(np.exp(-np.mean(log_probs)))


def ngrams(tokens, n):
    """Counter of the n-grams (tuples of n consecutive tokens) of a token list."""
    tokens = list(tokens)
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def bleu(candidate, references, max_n=4):
    """Sentence BLEU of a candidate token list against one or more reference token lists.

    ``BLEU = BP * exp(mean_n log p_n)`` for n = 1..max_n, where ``p_n`` is the clipped
    n-gram precision: each candidate n-gram counts at most as often as it occurs in the
    reference where it is most frequent, divided by the candidate's number of n-grams.
    ``BP = 1`` if the candidate is longer than r, else ``exp(1 - r / c)``, with c the
    candidate's length and r the reference length closest to c (the shorter on a tie).
    No smoothing: BLEU is 0 when some p_n is 0 (or the candidate has fewer than n tokens).
    """
    if isinstance(candidate, str) or any(isinstance(r, str) for r in references):
        raise ValueError(
            "bleu takes token lists, not strings: split them first, e.g. "
            "bleu('the cat'.split(), ['the cat sat'.split()])"
        )
    candidate = list(candidate)
    references = [list(r) for r in references]
    if not references:
        raise ValueError("bleu needs at least one reference (a list of token lists)")
    if not isinstance(max_n, int | np.integer) or max_n < 1:
        raise ValueError(f"max_n must be a positive integer, got {max_n!r}")
    c = len(candidate)
    if c == 0:
        return 0.0
    log_p = 0.0
    for n in range(1, max_n + 1):
        counts = ngrams(candidate, n)
        total = sum(counts.values())
        if total == 0:
            return 0.0
        best = Counter()
        for ref in references:
            best |= ngrams(ref, n)  # elementwise maximum of the counts
        clipped = sum(min(count, best[gram]) for gram, count in counts.items())
        if clipped == 0:
            return 0.0
        log_p += np.log(clipped / total) / max_n
    r = min((abs(len(ref) - c), len(ref)) for ref in references)[1]
    brevity = 1.0 if c > r else float(np.exp(1.0 - r / c))
    return float(brevity * np.exp(log_p))
