"""Exact inference on small discrete graphical models: enumeration and variable elimination.

Reference implementations for module 17. A **factor** is a pair ``(variables, table)``:
``variables`` a tuple of names (strings) and ``table`` a non-negative float array with one
axis per variable, in that order, of length the variable's number of states. Both kinds
of graphical model become lists of factors:

- a **Bayesian network** ``p(x) = prod_i p(x_i | Pa(x_i))`` is given as ``parents``
  (name -> list of parent names) and ``cpts`` (name -> array of shape
  ``(|Pa_1|, ..., |Pa_m|, |x_i|)``: the parents' axes in the listed order and the
  **child on the last axis**, each row summing to 1); each CPT is one factor;
- a **Markov random field** ``p(x) = prod_c psi_c(x_c) / Z`` is its list of potentials.

Evidence is a dict name -> observed state (an integer). Everything is numpy float64;
products and sums are ``np.einsum`` calls over named axes. A list of factors may also be a
dict name -> factor, and a factor a dict ``{"variables": [...], "table": array}``.
"""

import string
from itertools import chain

import numpy as np

_LETTERS = string.ascii_letters  # einsum subscripts: at most 52 distinct variables


# ---------------------------------------------------------------- input validation


def _factor(factor, func):
    """``factor`` (a pair, or a dict with keys "variables" and "table") as
    ``(tuple of names, float array)`` with one axis per name."""
    if isinstance(factor, dict):
        factor = (factor.get("variables"), factor.get("table"))
    try:
        variables, table = factor
        variables = tuple(variables)
    except (TypeError, ValueError):
        raise ValueError(
            f"{func}: a factor is a pair (variables, table) or a dict with keys 'variables' "
            f"and 'table', got {type(factor).__name__}"
        ) from None
    table = np.asarray(table, dtype=float)
    if table.ndim != len(variables) or len(set(variables)) != len(variables):
        raise ValueError(
            f"{func}: factor over {variables} needs one axis per distinct variable, "
            f"got a table of shape {table.shape}"
        )
    if np.any(table < 0) or not np.all(np.isfinite(table)):
        raise ValueError(f"{func}: factor over {variables} has negative or non-finite entries")
    return variables, table


def _factors(factors, func):
    """A list of valid factors whose shared variables agree on their number of states
    (``factors`` a list, or a dict name -> factor)."""
    if isinstance(factors, dict):
        factors = list(factors.values())
    factors = [_factor(f, func) for f in factors]
    if not factors:
        raise ValueError(f"{func}: need at least one factor")
    cardinality(factors)
    return factors


def cardinality(factors):
    """Name -> number of states, read from the tables; ValueError when two factors disagree."""
    states = {}
    for variables, table in factors:
        for name, size in zip(variables, np.shape(table)):
            if states.setdefault(name, size) != size:
                raise ValueError(
                    f"variable {name!r} has {states[name]} states in one factor and {size} "
                    "in another"
                )
    return states


def _evidence(evidence, states, func):
    evidence = dict(evidence or {})
    for name, value in evidence.items():
        if name not in states:
            raise ValueError(f"{func}: evidence on unknown variable {name!r}")
        if not (isinstance(value, int | np.integer) and 0 <= value < states[name]):
            raise ValueError(
                f"{func}: evidence {name}={value!r} must be a state 0..{states[name] - 1}"
            )
    return {name: int(value) for name, value in evidence.items()}


# ---------------------------------------------------------------- factor operations


def _subscripts(*groups):
    """einsum letters for the variables of each group, one letter per distinct name."""
    names = list(dict.fromkeys(chain.from_iterable(groups)))
    if len(names) > len(_LETTERS):
        raise ValueError(f"at most {len(_LETTERS)} variables, got {len(names)}")
    letter = dict(zip(names, _LETTERS))
    return ["".join(letter[v] for v in group) for group in groups]


def factor_product(*factors):
    """The product of factors, over the union of their variables (first-seen order).

    ``phi(x_A) psi(x_B) -> tau(x_{A u B})`` entry by entry, broadcasting shared axes.
    """
    factors = [_factor(f, "factor_product") for f in factors]
    cardinality(factors)
    variables = tuple(dict.fromkeys(chain.from_iterable(v for v, _ in factors)))
    *inputs, output = _subscripts(*(v for v, _ in factors), variables)
    table = np.einsum(",".join(inputs) + "->" + output, *(t for _, t in factors))
    return variables, np.asarray(table, dtype=float)


def sum_out(factor, name):
    """``tau(x_rest) = sum_{x_name} phi(x_name, x_rest)``: the factor without ``name``."""
    variables, table = _factor(factor, "sum_out")
    if name not in variables:
        raise ValueError(f"sum_out: {name!r} is not a variable of the factor {variables}")
    axis = variables.index(name)
    return variables[:axis] + variables[axis + 1 :], table.sum(axis=axis)


def reduce_factor(factor, evidence):
    """Fix the observed variables: index their states and drop their axes."""
    variables, table = _factor(factor, "reduce_factor")
    index = tuple(evidence.get(v, slice(None)) for v in variables)
    kept = tuple(v for v in variables if v not in evidence)
    return kept, np.array(table[index], dtype=float)


def normalize_factor(factor):
    """The factor divided by its total (a distribution); ValueError when the total is 0."""
    variables, table = _factor(factor, "normalize_factor")
    total = table.sum()
    if not total > 0:
        raise ValueError(
            "normalize_factor: the factor sums to 0: the evidence has probability 0 under the model"
        )
    return variables, table / total


# ---------------------------------------------------------------- Bayesian networks


def bayes_net_factors(parents, cpts):
    """The CPTs of a Bayesian network as factors ``((*parents, child), table)``.

    ``parents``: name -> list of parent names; ``cpts``: name -> table with the parents'
    axes in that order and the child on the last axis; each row must sum to 1.
    """
    if set(parents) != set(cpts):
        raise ValueError(
            "bayes_net_factors: parents and cpts must name the same variables, got "
            f"{sorted(parents)} and {sorted(cpts)}"
        )
    factors = []
    for child, table in cpts.items():
        variables = (*parents[child], child)
        variables, table = _factor((variables, table), "bayes_net_factors")
        if not np.allclose(table.sum(axis=-1), 1.0, atol=1e-9):
            raise ValueError(
                f"bayes_net_factors: the CPT of {child!r} must sum to 1 over its last axis "
                "(the child's states) for every parent assignment"
            )
        factors.append((variables, table))
    _check_acyclic(parents)
    return factors


def _check_acyclic(parents):
    """ValueError when the parent lists contain a directed cycle."""
    done, active = set(), set()

    def visit(node):
        if node in done:
            return
        if node in active:
            raise ValueError(f"bayes_net_factors: the graph has a cycle through {node!r}")
        active.add(node)
        for parent in parents.get(node, ()):
            visit(parent)
        active.discard(node)
        done.add(node)

    for node in parents:
        visit(node)


def joint_table(factors, order=None):
    """The full product of ``factors`` as ``(variables, table)`` (all variables; unnormalised
    for an MRF), axes in ``order`` when given. Exponential in the number of variables: for
    small models only."""
    factors = _factors(factors, "joint_table")
    variables, table = factor_product(*factors)
    if order is not None:
        order = tuple(order)
        if sorted(order) != sorted(variables):
            raise ValueError(f"joint_table: order must list the variables {sorted(variables)}")
        table = table.transpose([variables.index(v) for v in order])
        variables = order
    return variables, table


def partition_function(factors):
    """``Z = sum_x prod_c psi_c(x_c)`` by brute force (1 for a Bayesian network)."""
    return float(joint_table(factors)[1].sum())


def enumerate_posterior(factors, query, evidence=None):
    """``P(query | evidence)`` by enumeration: build the joint, fix the evidence, sum out
    every other variable, divide by ``P(evidence)``. Returns shape (states of query,)."""
    factors = _factors(factors, "enumerate_posterior")
    states = cardinality(factors)
    if query not in states:
        raise ValueError(f"enumerate_posterior: unknown query variable {query!r}")
    evidence = _evidence(evidence, states, "enumerate_posterior")
    if query in evidence:
        raise ValueError(f"enumerate_posterior: the query {query!r} is also observed")
    variables, table = reduce_factor(factor_product(*factors), evidence)
    axis = variables.index(query)
    others = tuple(i for i in range(table.ndim) if i != axis)
    return normalize_factor(((query,), table.sum(axis=others)))[1]


def bayes_net_posterior(parents, cpts, query, evidence=None):
    """``P(query | evidence)`` in a Bayesian network, by enumeration (module 17, Ex 1)."""
    return enumerate_posterior(bayes_net_factors(parents, cpts), query, evidence)


# ---------------------------------------------------------------- variable elimination


def variable_elimination(factors, order, query, evidence=None):
    """``P(query | evidence)`` by variable elimination, and the largest factor formed.

    1. reduce every factor by the evidence (observed variables leave the scopes);
    2. for each variable of ``order``: multiply **all** factors that mention it, sum it
       out of the product and put the result back;
    3. multiply what remains (factors over the query, or constants) and normalise.

    ``order`` lists every variable except the query and the observed ones, once.
    Returns ``(probs, max_factor_size)``: probs of shape (states of query,) and the largest
    number of variables of any product of steps 2 and 3, the cost driver: the work is
    exponential in it (its minimum over orders is the treewidth plus one).
    """
    factors = _factors(factors, "variable_elimination")
    states = cardinality(factors)
    evidence = _evidence(evidence, states, "variable_elimination")
    if query not in states or query in evidence:
        raise ValueError(f"variable_elimination: {query!r} must be an unobserved variable")
    expected = set(states) - set(evidence) - {query}
    order = list(order)
    if sorted(order) != sorted(expected):
        raise ValueError(
            "variable_elimination: order must list each hidden variable once (not the query, "
            f"not the evidence): expected {sorted(expected)}, got {order}"
        )
    pool = [reduce_factor(f, evidence) for f in factors]
    largest = 0
    for name in order:
        touching = [f for f in pool if name in f[0]]
        pool = [f for f in pool if name not in f[0]]
        product = factor_product(*touching)
        largest = max(largest, len(product[0]))
        pool.append(sum_out(product, name))
    variables, table = factor_product(*pool)
    largest = max(largest, len(variables))
    if variables != (query,):  # only constants were left: the query is independent
        table = table * np.ones(states[query])
    return normalize_factor(((query,), table))[1], largest


def elimination_sizes(scopes, order):
    """The number of variables of each product variable elimination forms, per step.

    ``scopes``: the factors' variable lists (tables are not needed to count); same rule as
    :func:`variable_elimination` step 2. Returns a list, one size per eliminated variable.
    """
    pool = [set(scope) for scope in scopes]
    sizes = []
    for name in order:
        touching = [s for s in pool if name in s]
        pool = [s for s in pool if name not in s]
        merged = set().union(*touching) if touching else {name}
        sizes.append(len(merged))
        pool.append(merged - {name})
    return sizes


def chain_mrf(potentials, unary=None):
    """The factors of a chain MRF ``x_0 - x_1 - ... - x_n``, variables named "x0", "x1", ...

    ``potentials``: list of n pairwise tables ``psi_i(x_i, x_{i+1})``; ``unary``: optional
    list of n + 1 vectors ``phi_i(x_i)``.
    """
    factors = [
        ((f"x{i}", f"x{i + 1}"), np.asarray(t, dtype=float)) for i, t in enumerate(potentials)
    ]
    if unary is not None:
        if len(unary) != len(potentials) + 1:
            raise ValueError("chain_mrf: need one unary vector per variable (n + 1)")
        factors += [((f"x{i}",), np.asarray(u, dtype=float)) for i, u in enumerate(unary)]
    return factors


def grid_mrf(rows, cols, coupling, field=None):
    """An Ising-style grid MRF with +-1 spins stored as states 0 (=-1) and 1 (=+1).

    ``psi(x_i, x_j) = exp(coupling * s_i s_j)`` on each horizontal and vertical edge, and
    ``phi(x_i) = exp(field_i * s_i)`` with ``field`` of shape (rows, cols) when given.
    Variables are named "r,c".
    """
    spin = np.array([-1.0, 1.0])
    pair = np.exp(coupling * np.outer(spin, spin))  # (2, 2)
    factors = []
    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols:
                factors.append(((f"{r},{c}", f"{r},{c + 1}"), pair))
            if r + 1 < rows:
                factors.append(((f"{r},{c}", f"{r + 1},{c}"), pair))
            if field is not None:
                factors.append(((f"{r},{c}",), np.exp(np.asarray(field)[r, c] * spin)))
    return factors


__all__ = [
    "bayes_net_factors",
    "bayes_net_posterior",
    "cardinality",
    "chain_mrf",
    "elimination_sizes",
    "enumerate_posterior",
    "factor_product",
    "grid_mrf",
    "joint_table",
    "normalize_factor",
    "partition_function",
    "reduce_factor",
    "sum_out",
    "variable_elimination",
]
