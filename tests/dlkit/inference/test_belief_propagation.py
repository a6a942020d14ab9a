"""dlkit.inference.belief_propagation against brute-force enumeration (itertools, written
here), log-space message passing, and the mean-field fixed-point equations."""

import itertools

import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as hst

from dlkit.inference import belief_propagation as bp


def enumerate_chain(unary, pairwise):
    n, k = unary.shape
    out = np.zeros((n, k))
    for states in itertools.product(range(k), repeat=n):
        w = np.prod(unary[np.arange(n), states])
        w *= np.prod([pairwise[a, b] for a, b in zip(states, states[1:])])
        out[np.arange(n), states] += w
    return out / out.sum(axis=1, keepdims=True)


def enumerate_ising(J, h):
    n = len(h)
    x = np.array(list(itertools.product([-1.0, 1.0], repeat=n)))
    off = J - np.diag(np.diag(J))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]  # each edge once
    log_w = np.array([sum(off[i, j] * s[i] * s[j] for i, j in pairs) for s in x]) + x @ h
    p = np.exp(log_w - log_w.max())
    up = p @ (x > 0) / p.sum()
    return np.column_stack([1 - up, up]), log_w.max() + np.log(p.sum())


@settings(max_examples=30, deadline=None)
@given(hst.integers(1, 6), hst.integers(1, 3), hst.integers(0, 2**31))
def test_chain_marginals_match_enumeration(n, k, seed):
    rng = np.random.default_rng(seed)
    unary, pairwise = rng.uniform(0.05, 3, (n, k)), rng.uniform(0.05, 3, (k, k))
    exact = enumerate_chain(unary, pairwise)
    assert np.allclose(bp.chain_marginals(unary, pairwise), exact, atol=1e-12)
    assert np.allclose(bp.chain_brute_force(unary, pairwise), exact, atol=1e-12)


def test_a_long_chain_does_not_underflow():
    rng = np.random.default_rng(0)
    unary, pairwise = rng.uniform(1e-4, 1e-3, (5000, 3)), rng.uniform(1e-4, 1e-3, (3, 3))
    got = bp.chain_marginals(unary, pairwise)
    log_u, log_p = np.log(unary), np.log(pairwise)
    fwd, bwd = np.zeros_like(log_u), np.zeros_like(log_u)
    for i in range(1, 5000):
        fwd[i] = scipy.special.logsumexp((fwd[i - 1] + log_u[i - 1])[:, None] + log_p, axis=0)
    for i in range(4998, -1, -1):
        bwd[i] = scipy.special.logsumexp(log_p + (bwd[i + 1] + log_u[i + 1]), axis=1)
    log_b = fwd + bwd + log_u
    expected = np.exp(log_b - scipy.special.logsumexp(log_b, axis=1, keepdims=True))
    assert np.all(np.isfinite(got)) and np.allclose(got, expected, atol=1e-12)


def test_chain_functions_reject_bad_input():
    with pytest.raises(ValueError, match="pairwise must be"):
        bp.chain_marginals(np.ones((3, 2)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="non-negative"):
        bp.chain_marginals(-np.ones((3, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="too many"):
        bp.chain_brute_force(np.ones((30, 3)), np.ones((3, 3)))


def test_grid_couplings_is_a_symmetric_grid():
    J = bp.grid_couplings(3, 4, 0.5)
    assert J.shape == (12, 12) and np.array_equal(J, J.T) and np.all(np.diag(J) == 0)
    assert (J != 0).sum() == 2 * (3 * 3 + 2 * 4)  # 17 edges, both directions
    assert J[0, 1] == J[0, 4] == 0.5 and J[3, 4] == 0  # no wrap-around at the row's end


def test_ising_exact_matches_enumeration():
    rng = np.random.default_rng(1)
    J = rng.normal(0, 0.7, (6, 6))
    J = (J + J.T) / 2
    h = rng.normal(0, 0.5, 6)
    beliefs, log_z = bp.ising_exact(J, h)
    expected, expected_log_z = enumerate_ising(J, h)
    assert np.allclose(beliefs, expected, atol=1e-12) and np.isclose(log_z, expected_log_z)
    with pytest.raises(ValueError, match="symmetric"):
        bp.ising_exact(np.triu(J), h)
    with pytest.raises(ValueError, match="too many"):
        bp.ising_exact(np.zeros((23, 23)), np.zeros(23))


def test_ising_exact_handles_several_chunks():
    J, h = bp.grid_couplings(4, 4, 0.2), np.linspace(-0.5, 0.5, 16)
    beliefs, _ = bp.ising_exact(J, h)  # 2^16 states: two chunks
    m = bp.mean_field_ising(J * 0, h, np.zeros(16), 1)  # no coupling: tanh(h) exactly
    free, _ = bp.ising_exact(J * 0, h)
    assert np.allclose(free[:, 1] - free[:, 0], np.tanh(h)) and np.allclose(m, np.tanh(h))
    assert np.allclose(beliefs.sum(axis=1), 1.0)


def test_bp_is_exact_on_trees():
    rng = np.random.default_rng(2)
    J = np.zeros((7, 7))
    for child, parent in [(1, 0), (2, 0), (3, 1), (4, 1), (5, 2), (6, 5)]:
        J[child, parent] = J[parent, child] = rng.uniform(-1.5, 1.5)
    h = rng.normal(0, 0.5, 7)
    beliefs, deltas, trace = bp.loopy_bp_ising(J, h, 10, history=True)
    assert np.allclose(beliefs, enumerate_ising(J, h)[0], atol=1e-12)
    assert trace["beliefs"].shape == (11, 7, 2) and trace["messages"].shape == (11, 7, 7, 2)
    assert deltas[-1] < 1e-14 and np.allclose(trace["beliefs"][-1], beliefs)
    assert np.allclose(trace["beliefs"][0], bp.magnetisation_to_beliefs(np.tanh(h)))  # no messages
    assert np.allclose(trace["messages"][:, J == 0], 1.0)  # only edges carry messages
    assert np.allclose(trace["messages"][:, J != 0].sum(axis=-1), 1.0)  # normalised


def test_loopy_bp_is_close_for_weak_coupling_and_beats_mean_field():
    rng = np.random.default_rng(3)
    J, h = bp.grid_couplings(4, 4, 0.3), rng.normal(0, 0.3, 16)
    exact, _ = bp.ising_exact(J, h)
    beliefs, deltas = bp.loopy_bp_ising(J, h, 100, damping=0.2)
    m = bp.mean_field_ising(J, h, np.zeros(16), 100)
    bp_error = np.abs(beliefs - exact).max()
    mf_error = np.abs(bp.magnetisation_to_beliefs(m) - exact).max()
    assert deltas[-1] < 1e-10 and bp_error < 0.02 and bp_error < mf_error


def test_damping_keeps_the_fixed_point():
    J, h = bp.grid_couplings(3, 3, 0.4), np.full(9, 0.1)
    plain, _ = bp.loopy_bp_ising(J, h, 300)
    damped, _ = bp.loopy_bp_ising(J, h, 300, damping=0.6)
    assert np.allclose(plain, damped, atol=1e-10)


def test_mean_field_ising_reaches_a_fixed_point_and_ignores_the_diagonal():
    rng = np.random.default_rng(4)
    J, h = bp.grid_couplings(3, 3, 0.5), rng.normal(0, 0.5, 9)
    m, trace = bp.mean_field_ising(J, h, np.zeros(9), 100, history=True)
    assert trace.shape == (101, 9) and np.allclose(m, np.tanh(h + J @ m), atol=1e-12)
    same = bp.mean_field_ising(J + 3 * np.eye(9), h, np.zeros(9), 100)
    assert np.allclose(m, same)


def test_ising_functions_reject_bad_input():
    with pytest.raises(ValueError, match="damping"):
        bp.loopy_bp_ising(np.zeros((2, 2)), np.zeros(2), 3, damping=1.0)
    with pytest.raises(ValueError, match="J must be"):
        bp.loopy_bp_ising(np.zeros((3, 3)), np.zeros(2), 3)
    with pytest.raises(ValueError, match="m0"):
        bp.mean_field_ising(np.zeros((2, 2)), np.zeros(2), np.array([2.0, 0.0]), 3)
    with pytest.raises(ValueError, match="n_sweeps"):
        bp.mean_field_ising(np.zeros((2, 2)), np.zeros(2), np.zeros(2), -1)
