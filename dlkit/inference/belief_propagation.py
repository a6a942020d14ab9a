"""Message passing: sum-product on a chain, loopy belief propagation and mean-field on
an Ising model, with brute-force enumeration as the exact answer for small models.

Reference implementations for module 18. A pairwise Markov random field

    p(x) ∝ prod_i phi_i(x_i) prod_(i,j) psi_ij(x_i, x_j)

is solved by sending messages along the edges (eq. 19.10),

    m_{i->j}(x_j) = sum_{x_i} psi_ij(x_i, x_j) phi_i(x_i) prod_{k in N(i) minus j} m_{k->i}(x_i),

and reading off beliefs ``b_i(x_i) ∝ phi_i(x_i) prod_{k in N(i)} m_{k->i}(x_i)`` (eq. 19.11).
The recipient's own message is left out of what a node sends it (otherwise evidence is
counted twice), and every message is normalised (otherwise products of many messages
under- or overflow). On a tree the beliefs are the exact marginals; on a graph with
loops they are an approximation, usually a good one for weak couplings.

Ising models use spins ``x_i in {-1, +1}`` and ``p(x) ∝ exp(sum_{i<j} J_ij x_i x_j +
sum_i h_i x_i)`` with a symmetric J; its diagonal only adds a constant (``x_i^2 = 1``)
and is ignored. Beliefs are (n, 2) arrays of probabilities for ``x_i = -1`` (column 0)
and ``x_i = +1`` (column 1).
"""

import numpy as np
import scipy.special

SPINS = np.array([-1.0, 1.0])
MAX_ENUMERATED = 22
_CHUNK = 2**15


# ---------------------------------------------------------------- validation


def _chain(unary, pairwise, func):
    unary, pairwise = np.asarray(unary, dtype=float), np.asarray(pairwise, dtype=float)
    if unary.ndim != 2 or unary.shape[0] < 1:
        raise ValueError(f"{func}: unary must be an (n, K) table of potentials, got {unary.shape}")
    k = unary.shape[1]
    if pairwise.shape != (k, k):
        raise ValueError(
            f"{func}: pairwise must be ({k}, {k}), pairwise[a, b] = psi(x_i = a, x_(i+1) = b); "
            f"got {pairwise.shape}"
        )
    if np.any(unary < 0) or np.any(pairwise < 0) or not np.all(np.isfinite(unary)):
        raise ValueError(f"{func}: potentials must be finite and non-negative")
    return unary, pairwise


def _ising(J, h, func):
    J, h = np.asarray(J, dtype=float), np.asarray(h, dtype=float)
    if h.ndim != 1 or J.shape != (h.size, h.size):
        raise ValueError(f"{func}: J must be (n, n) and h (n,), got {J.shape} and {h.shape}")
    if not np.allclose(J, J.T):
        raise ValueError(
            f"{func}: J must be symmetric (J_ij couples i and j once); use (J + J.T) / 2"
        )
    J = J.copy()
    np.fill_diagonal(J, 0.0)  # x_i^2 = 1: the diagonal is a constant
    return J, h


def _count(n, name, func):
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 0:
        raise ValueError(f"{func}: {name} must be an integer >= 0, got {n!r}")
    return int(n)


def _damping(damping, func):
    damping = float(damping)
    if not 0.0 <= damping < 1.0:
        raise ValueError(f"{func}: damping must lie in [0, 1), got {damping}")
    return damping


# ---------------------------------------------------------------- chains


def chain_marginals(unary, pairwise):
    """Exact marginals of a chain MRF by sum-product (forward and backward messages).

    ``p(x) ∝ prod_i unary[i, x_i] prod_i pairwise[x_i, x_(i+1)]``; unary (n, K),
    pairwise (K, K) with rows indexed by the left node. The forward message into node i
    is ``alpha_i = (alpha_(i-1) * unary[i-1]) @ pairwise`` and the backward one
    ``beta_i = pairwise @ (beta_(i+1) * unary[i+1])``, each normalised to sum 1; the
    marginal is ``unary[i] * alpha_i * beta_i`` normalised. Returns (n, K). Cost
    O(n K^2), against O(K^n) for enumeration.
    """
    unary, pairwise = _chain(unary, pairwise, "chain_marginals")
    n, k = unary.shape
    forward, backward = np.ones((n, k)) / k, np.ones((n, k)) / k
    for i in range(1, n):
        message = (forward[i - 1] * unary[i - 1]) @ pairwise  # (K,), a function of x_i
        forward[i] = message / message.sum()
    for i in range(n - 2, -1, -1):
        message = pairwise @ (backward[i + 1] * unary[i + 1])  # (K,)
        backward[i] = message / message.sum()
    beliefs = unary * forward * backward  # (n, K)
    return beliefs / beliefs.sum(axis=1, keepdims=True)


def chain_brute_force(unary, pairwise):
    """Marginals of the chain by enumerating all K^n configurations (the oracle for
    :func:`chain_marginals`; K^n at most about a million). Returns (n, K)."""
    unary, pairwise = _chain(unary, pairwise, "chain_brute_force")
    n, k = unary.shape
    if k**n > 2_000_000:
        raise ValueError(f"chain_brute_force: {k}^{n} configurations are too many to enumerate")
    states = np.indices((k,) * n).reshape(n, -1).T  # (K^n, n)
    weight = np.prod(unary[np.arange(n), states], axis=1)  # (K^n,)
    if n > 1:
        weight = weight * np.prod(pairwise[states[:, :-1], states[:, 1:]], axis=1)
    marginals = np.zeros((n, k))
    for i in range(n):
        np.add.at(marginals[i], states[:, i], weight)
    return marginals / marginals.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------- Ising models


def grid_couplings(rows, cols, coupling=1.0):
    """J (n, n), n = rows * cols, of a rows x cols grid with ``coupling`` on each
    horizontal and vertical edge (node ``r * cols + c``); symmetric, zero diagonal."""
    rows, cols = _count(rows, "rows", "grid_couplings"), _count(cols, "cols", "grid_couplings")
    n = rows * cols
    J = np.zeros((n, n))
    for r in range(rows):
        for c in range(cols):
            i = r * cols + c
            if c + 1 < cols:
                J[i, i + 1] = J[i + 1, i] = coupling
            if r + 1 < rows:
                J[i, i + cols] = J[i + cols, i] = coupling
    return J


def chain_couplings(n, coupling=1.0):
    """J (n, n) of a chain 0 - 1 - ... - (n-1) with ``coupling`` on each edge."""
    return grid_couplings(1, n, coupling)


def _states(n, start, stop):
    """Spin configurations ``start..stop-1`` of n spins, by their bits: (stop - start, n)."""
    codes = np.arange(start, stop)[:, None]  # (B, 1)
    return np.where((codes >> np.arange(n)) & 1, 1.0, -1.0)  # (B, n)


def ising_exact(J, h):
    """Exact marginals and log partition function of an Ising model by enumerating all
    2^n spin configurations (n <= 22), in chunks, with log-sum-exp for stability.

    Returns ``(beliefs (n, 2), log_Z)``: column 0 is P(x_i = -1), column 1 P(x_i = +1).
    """
    J, h = _ising(J, h, "ising_exact")
    n = h.size
    if n > MAX_ENUMERATED:
        raise ValueError(
            f"ising_exact: 2^{n} states are too many; use at most {MAX_ENUMERATED} spins"
        )
    log_weights, up = [], np.zeros(n)
    chunks = range(0, 2**n, _CHUNK)
    for start in chunks:
        x = _states(n, start, min(start + _CHUNK, 2**n))  # (B, n)
        log_weights.append(0.5 * np.einsum("bi,ij,bj->b", x, J, x) + x @ h)  # (B,)
    shift = max(w.max() for w in log_weights)
    total = 0.0
    for start, w in zip(chunks, log_weights):
        x = _states(n, start, start + w.size)
        p = np.exp(w - shift)  # (B,)
        total += p.sum()
        up += p @ (x > 0)
    p_up = up / total
    return np.column_stack([1.0 - p_up, p_up]), float(shift + np.log(total))


def loopy_bp_ising(J, h, n_iter=100, damping=0.0, history=False):
    """Loopy belief propagation (sum-product) on an Ising model, synchronous updates.

    ``M[i, j]`` (n, n, 2) is the normalised message from i to j about x_j, kept for the
    edges (J_ij != 0) and 1 elsewhere; all start uniform. Each iteration computes every
    message from the previous ones,

        new[i, j, x_j] ∝ sum_{x_i} exp(J_ij x_i x_j + h_i x_i) prod_{k != j} M[k, i, x_i],

    normalises it over x_j and damps it: ``M = (1 - damping) new + damping M_old``. The
    beliefs are ``b_i(x_i) ∝ exp(h_i x_i) prod_k M[k, i, x_i]`` (incoming messages).
    Computed in logs. Returns ``(beliefs (n, 2), deltas (n_iter,))``, deltas the largest
    change of a message entry per iteration; with ``history=True`` also a dict with the
    beliefs (``"beliefs"``, (n_iter + 1, n, 2)) and messages (``"messages"``,
    (n_iter + 1, n, n, 2)) after 0..n_iter iterations. Exact on trees (a chain converges in n
    iterations); on loopy graphs an approximation, and it may fail to converge for strong J.
    """
    J, h = _ising(J, h, "loopy_bp_ising")
    n_iter = _count(n_iter, "n_iter", "loopy_bp_ising")
    damping = _damping(damping, "loopy_bp_ising")
    n = h.size
    edges = J != 0  # (n, n)
    log_m = np.full((n, n, 2), -np.log(2.0)) * edges[:, :, None]  # 0 (= log 1) off the edges
    pair = J[:, :, None, None] * SPINS[:, None] * SPINS[None, :]  # (n, n, x_i, x_j)
    local = h[:, None] * SPINS  # (n, 2): log phi_i(x_i)

    def beliefs_of(log_m):
        log_b = local + log_m.sum(axis=0)  # (n, 2): incoming messages k -> i
        return np.exp(log_b - scipy.special.logsumexp(log_b, axis=1, keepdims=True))

    deltas, trace, messages = np.zeros(n_iter), [beliefs_of(log_m)], [np.exp(log_m)]
    for t in range(n_iter):
        incoming = log_m.sum(axis=0)  # (n, 2), all messages into each node
        cavity = local[:, None, :] + incoming[:, None, :] - log_m.transpose(1, 0, 2)  # (i, j, x_i)
        new = scipy.special.logsumexp(cavity[:, :, :, None] + pair, axis=2)  # (i, j, x_j)
        new -= scipy.special.logsumexp(new, axis=2, keepdims=True)
        old = np.exp(log_m)
        mixed = (1 - damping) * np.exp(new) + damping * old
        mixed = np.where(edges[:, :, None], mixed, 1.0)
        deltas[t] = np.max(np.abs(mixed - old)) if edges.any() else 0.0
        log_m = np.log(mixed)
        if history:
            trace.append(beliefs_of(log_m))
            messages.append(mixed)
    beliefs = beliefs_of(log_m)
    if history:
        return beliefs, deltas, {"beliefs": np.array(trace), "messages": np.array(messages)}
    return beliefs, deltas


def mean_field_ising(J, h, m0, n_sweeps, history=False):
    """Naive mean-field for an Ising model: ``q(x) = prod_i q_i(x_i)`` with magnetisations
    ``m_i = E_q[x_i]`` updated in turn (i = 0..n-1, newest values) by

        m_i = tanh(h_i + sum_{j != i} J_ij m_j),

    the CAVI update for ±1 spins. Starts from ``m0`` (n,); returns m (n,) after
    ``n_sweeps`` sweeps, and with ``history=True`` also the magnetisations after
    0..n_sweeps sweeps, (n_sweeps + 1, n). Beliefs are ``((1 - m)/2, (1 + m)/2)``.
    """
    J, h = _ising(J, h, "mean_field_ising")
    n_sweeps = _count(n_sweeps, "n_sweeps", "mean_field_ising")
    m = np.asarray(m0, dtype=float).copy()
    if m.shape != h.shape or np.any(np.abs(m) > 1):
        raise ValueError(f"mean_field_ising: m0 must be {h.shape} with entries in [-1, 1]")
    trace = [m.copy()]
    for _ in range(n_sweeps):
        for i in range(h.size):
            m[i] = np.tanh(h[i] + J[i] @ m)  # J_ii = 0
        trace.append(m.copy())
    return (m, np.array(trace)) if history else m


def magnetisation_to_beliefs(m):
    """Beliefs (n, 2) = ((1 - m)/2, (1 + m)/2) from magnetisations m = E[x_i] (n,)."""
    m = np.asarray(m, dtype=float)
    return np.column_stack([(1 - m) / 2, (1 + m) / 2])


__all__ = [
    "chain_brute_force",
    "chain_couplings",
    "chain_marginals",
    "grid_couplings",
    "ising_exact",
    "loopy_bp_ising",
    "magnetisation_to_beliefs",
    "mean_field_ising",
]
