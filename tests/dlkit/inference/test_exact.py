"""dlkit.inference.exact against brute force: sums over every assignment with loops.

The oracle multiplies the factors entry by entry for each joint assignment
(itertools.product), independent of the einsum products the library uses; hypothesis
draws random networks, factor scopes and elimination orders.
"""

from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from dlkit import inference
from dlkit.testing import assert_close

fast = settings(max_examples=25, deadline=None)


def brute_posterior(factors, query, evidence):
    """P(query | evidence) by looping over every assignment of every variable."""
    states = {}
    for scope, table in factors:
        states.update(zip(scope, np.shape(table)))
    names = list(states)
    result = np.zeros(states[query])
    for values in product(*(range(states[v]) for v in names)):
        x = dict(zip(names, values))
        if any(x[v] != e for v, e in evidence.items()):
            continue
        weight = 1.0
        for scope, table in factors:
            weight *= table[tuple(x[v] for v in scope)]
        result[x[query]] += weight
    return result / result.sum()


def sprinkler():
    parents = {"c": [], "s": ["c"], "r": ["c"], "w": ["s", "r"]}
    cpts = {
        "c": np.array([0.5, 0.5]),
        "s": np.array([[0.5, 0.5], [0.9, 0.1]]),
        "r": np.array([[0.8, 0.2], [0.2, 0.8]]),
        "w": np.array([[[1.0, 0.0], [0.1, 0.9]], [[0.1, 0.9], [0.01, 0.99]]]),
    }
    return parents, cpts


def test_sprinkler_posteriors_match_the_textbook_numbers():
    parents, cpts = sprinkler()
    # P(r = 1 | w = 1) = 0.4581 / 0.6471 and P(s = 1 | w = 1) = 0.2781 / 0.6471 (Russell-Norvig)
    assert_close(
        inference.bayes_net_posterior(parents, cpts, "r", {"w": 1})[1], 0.4581 / 0.6471, rtol=1e-3
    )
    assert_close(
        inference.bayes_net_posterior(parents, cpts, "s", {"w": 1})[1], 0.2781 / 0.6471, rtol=1e-3
    )
    explained = inference.bayes_net_posterior(parents, cpts, "s", {"w": 1, "r": 1})[1]
    assert explained < inference.bayes_net_posterior(parents, cpts, "s", {"w": 1})[1]


@hst.composite
def networks(draw):
    """A random DAG over 2-6 variables (each variable's parents among the earlier ones),
    2-3 states each, Dirichlet CPT rows, evidence on some variables and a query."""
    n = draw(hst.integers(2, 6))
    names = [f"v{i}" for i in range(n)]
    seed = draw(hst.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    states = {v: draw(hst.integers(2, 3)) for v in names}
    parents = {}
    for i, v in enumerate(names):
        parents[v] = [u for u in names[:i] if draw(hst.booleans())][:3]
    cpts = {}
    for v in names:
        shape = tuple(states[u] for u in parents[v])
        cpts[v] = rng.dirichlet(np.ones(states[v]), size=shape).reshape(shape + (states[v],))
    query = draw(hst.sampled_from(names))
    observed = [v for v in names if v != query and draw(hst.booleans())]
    evidence = {v: int(rng.integers(states[v])) for v in observed}
    return parents, cpts, query, evidence


@fast
@given(networks())
def test_enumeration_matches_brute_force(network):
    parents, cpts, query, evidence = network
    factors = [((*parents[v], v), cpts[v]) for v in cpts]
    got = inference.bayes_net_posterior(parents, cpts, query, evidence)
    assert_close(got, brute_posterior(factors, query, evidence), atol=1e-12)


@fast
@given(networks(), hst.randoms(use_true_random=False))
def test_variable_elimination_matches_enumeration_in_any_order(network, shuffler):
    parents, cpts, query, evidence = network
    factors = [((*parents[v], v), cpts[v]) for v in cpts]
    hidden = [v for v in cpts if v != query and v not in evidence]
    shuffler.shuffle(hidden)
    probs, size = inference.variable_elimination(factors, hidden, query, evidence)
    assert_close(probs, brute_posterior(factors, query, evidence), atol=1e-12)
    scopes = [list(s) for s, _ in factors]
    reduced = [[v for v in s if v not in evidence] for s in scopes]
    assert size == max(inference.elimination_sizes(reduced, hidden) + [1])


def test_variable_elimination_accepts_the_exercise_form_and_counts_products():
    rng = np.random.default_rng(0)
    chain = inference.chain_mrf([rng.uniform(0.5, 2, (2, 2)) for _ in range(5)])  # x0..x5
    as_dict = {",".join(s): (list(s), t) for s, t in chain}
    probs, size = inference.variable_elimination(as_dict, ["x0", "x1", "x2", "x3", "x4"], "x5")
    assert size == 2
    assert_close(probs, brute_posterior(chain, "x5", {}))
    _, size = inference.variable_elimination(chain, ["x2", "x3", "x1", "x4", "x0"], "x5")
    assert size == 3
    as_records = [{"variables": list(s), "table": t} for s, t in chain]
    probs, _ = inference.variable_elimination(as_records, ["x2", "x0", "x1", "x4", "x3"], "x5")
    assert_close(probs, brute_posterior(chain, "x5", {}))


def test_elimination_sizes_on_chains_and_grids():
    chain = [[f"x{i}", f"x{i + 1}"] for i in range(6)]
    assert inference.elimination_sizes(chain, [f"x{i}" for i in range(6)]) == [2] * 6
    assert max(inference.elimination_sizes(chain, ["x3", "x2", "x4", "x1", "x5", "x0"])) == 3
    w = 4
    grid = [[f"{r}{c}", f"{r}{c + 1}"] for r in range(w) for c in range(w - 1)]
    grid += [[f"{r}{c}", f"{r + 1}{c}"] for r in range(w - 1) for c in range(w)]
    row_by_row = [f"{r}{c}" for r in range(w) for c in range(w)][:-1]
    assert max(inference.elimination_sizes(grid, row_by_row)) == w + 1


def test_partition_function_of_a_chain_is_a_product_of_transfer_matrices():
    rng = np.random.default_rng(1)
    tables = [rng.uniform(0.1, 2.0, (3, 3)) for _ in range(4)]
    unary = [rng.uniform(0.5, 1.5, 3) for _ in range(5)]
    expected = (
        unary[0] @ np.linalg.multi_dot([t * u for t, u in zip(tables, unary[1:])]) @ np.ones(3)
    )
    assert_close(inference.partition_function(inference.chain_mrf(tables, unary)), expected)


def test_ising_grid_against_a_sum_over_spins():
    field = np.array([[0.3, -0.2], [0.1, 0.5]])
    factors = inference.grid_mrf(2, 2, coupling=0.7, field=field)
    Z = 0.0
    for spins in product([-1, 1], repeat=4):
        s = np.array(spins).reshape(2, 2)
        pairs = s[0, 0] * s[0, 1] + s[1, 0] * s[1, 1] + s[0, 0] * s[1, 0] + s[0, 1] * s[1, 1]
        Z += np.exp(0.7 * pairs + np.sum(field * s))
    assert_close(inference.partition_function(factors), Z)


def test_factor_operations():
    f = (("a", "b"), np.arange(6.0).reshape(2, 3))
    g = (("b", "c"), np.arange(12.0).reshape(3, 4))
    variables, table = inference.factor_product(f, g)
    assert variables == ("a", "b", "c")
    assert_close(table, f[1][:, :, None] * g[1][None, :, :])
    assert_close(inference.sum_out((variables, table), "b")[1], f[1] @ g[1])
    kept, reduced = inference.reduce_factor(f, {"b": 2})
    assert kept == ("a",)
    assert_close(reduced, f[1][:, 2])
    assert_close(inference.normalize_factor(f)[1].sum(), 1.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: inference.factor_product((("a",), np.ones(2)), (("a",), np.ones(3))), "states"),
        (lambda: inference.sum_out((("a",), np.ones(2)), "b"), "not a variable"),
        (lambda: inference.factor_product((("a", "b"), np.ones(2))), "one axis per"),
        (lambda: inference.factor_product((("a",), -np.ones(2))), "negative"),
        (lambda: inference.normalize_factor((("a",), np.zeros(2))), "probability 0"),
        (
            lambda: inference.bayes_net_factors({"a": []}, {"a": np.array([0.5, 0.6])}),
            "sum to 1",
        ),
        (
            lambda: inference.bayes_net_factors(
                {"a": ["b"], "b": ["a"]}, {"a": np.eye(2), "b": np.eye(2)}
            ),
            "cycle",
        ),
        (
            lambda: inference.variable_elimination([(("a", "b"), np.ones((2, 2)))], [], "a"),
            "order must list",
        ),
        (
            lambda: inference.enumerate_posterior([(("a",), np.ones(2))], "a", {"a": 0}),
            "also observed",
        ),
        (
            lambda: inference.enumerate_posterior([(("a", "b"), np.ones((2, 2)))], "a", {"b": 5}),
            "must be a state",
        ),
    ],
)
def test_bad_input_is_rejected_with_advice(call, message):
    with pytest.raises(ValueError, match=message):
        call()
