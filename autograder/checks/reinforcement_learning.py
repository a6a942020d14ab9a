"""Checks for module 20, reinforcement learning.

Every exercise has a visible ``<name>_basic(fn)`` check and a hidden ``<name>_hidden(fn)``
check. MDPs are arrays ``P`` (S, A, S) and ``R`` (S, A); terminal states are absorbing and
pay nothing. The oracles are the check's own: exact linear solves of the Bellman
equations (here over state-action pairs, ``Q = R + gamma P pi Q``), the optimal values
from a linear program (``scipy.optimize.linprog``), backward loops and
``scipy.signal.lfilter`` for returns, torch autograd for the policy gradients and the
Gaussian score (through ``oracles``), and closed forms for the importance-sampling
estimators. The bandit check is statistical: it replays the learner's own history
(actions and rewards) and checks every action against the pinned rule, exactly for UCB
and by a binomial count of non-greedy pulls for epsilon-greedy, allowing ``Z = 6``
standard errors (benchmarks/reinforcement_learning_calibration.py measures that a correct
answer fails far less than once in 10,000 runs). The actor-critic check evaluates the
returned policy exactly. Nothing here uses dlkit or the learner's other answers.
"""

import numpy as np
import scipy.optimize
import scipy.signal

from autograder.checks import oracles
from autograder.checks.harness import (
    CheckFailed,
    Forbidden,
    as_float_array,
    call,
    expect,
    expect_close,
    expect_equal,
    expect_reproducible,
    show,
    unpack,
)

#: Standard errors allowed for a statistical comparison (a Gaussian statistic passes with
#: probability 1 - 2e-9; the calibration script measures the real tails).
Z = 6.0


def _no_rl(exercise, what):
    return Forbidden(
        exercise,
        ("dlkit.rl",),
        f"this exercise asks you to write {what} yourself, not to call dk.rl's reference",
    )


def _softmax(theta):
    z = np.exp(theta - theta.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def _integers(value, text, shape, high, what, hint):
    """``value`` as an int array of ``shape`` with entries in 0..high-1, or CheckFailed."""
    array = as_float_array(value, text)
    if array.shape != shape:
        raise CheckFailed(
            f"{text} returned {what} of shape {array.shape}, expected shape {shape}; hint: {hint}"
        )
    if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
        raise CheckFailed(
            f"{text} returned {what} that are not whole numbers; hint: use integer indices"
        )
    array = array.astype(int)
    if np.any((array < 0) | (array >= high)):
        raise CheckFailed(
            f"{text} returned {what} outside 0..{high - 1}: {show(array)}; hint: actions index "
            "the columns of Q or of the policy"
        )
    return array


# ---------------------------------------------------------------------------
# The check's own MDPs and exact solutions
# ---------------------------------------------------------------------------


def _evaluate(P, R, pi, gamma):
    """Exact (V, Q) of the policy ``pi`` (S, A) from the state-action Bellman system
    ``Q = R + gamma M Q`` with ``M[(s, a), (s2, a2)] = P[s, a, s2] pi[s2, a2]``."""
    S, A = R.shape
    M = (P.reshape(S * A, S)[:, :, None] * pi[None, :, :]).reshape(S * A, S * A)
    Q = np.linalg.solve(np.eye(S * A) - gamma * M, R.reshape(S * A)).reshape(S, A)
    return (pi * Q).sum(axis=1), Q


def _optimal_values(P, R, gamma):
    """V* from the linear program min sum V s.t. V(s) >= R(s, a) + gamma P(s, a) . V."""
    S, A = R.shape
    rows = [gamma * P[s, a] - np.eye(S)[s] for s in range(S) for a in range(A)]
    result = scipy.optimize.linprog(
        np.ones(S), A_ub=np.array(rows), b_ub=-R.reshape(-1), bounds=[(None, None)] * S
    )
    return result.x


def _random_mdp(rng, S, A, n_terminal=0, scale=1.0):
    """Dirichlet transitions, Gaussian rewards, the last n_terminal states absorbing."""
    P = rng.dirichlet(np.ones(S), size=(S, A))
    R = scale * rng.standard_normal((S, A))
    for s in range(S - n_terminal, S):
        P[s] = 0.0
        P[s, :, s] = 1.0
        R[s] = 0.0
    terminal = np.arange(S) >= S - n_terminal
    return P, R, terminal


_MAP = ("SFFF", "FHFH", "FFFH", "HFFG")
_MOVES = {0: (-1, 0), 1: (0, 1), 2: (1, 0), 3: (0, -1)}  # up, right, down, left


def _grid(slip, grid=_MAP, hole_reward=0.0):
    """The slippery grid of the notebook: (P, R, terminal, start); cells row-major, the
    last state terminal; goal and hole cells exit to it with reward 1 and ``hole_reward``."""
    n_rows, n_cols = len(grid), len(grid[0])
    n = n_rows * n_cols
    P, R = np.zeros((n + 1, 4, n + 1)), np.zeros((n + 1, 4))
    P[n, :, n] = 1.0
    for cell in range(n):
        row, col = divmod(cell, n_cols)
        kind = grid[row][col]
        if kind in "GH":
            P[cell, :, n] = 1.0
            R[cell] = 1.0 if kind == "G" else hole_reward
            continue
        for action in range(4):
            for direction, p in (
                (action, 1 - slip),
                ((action + 1) % 4, slip / 2),
                ((action - 1) % 4, slip / 2),
            ):
                r2, c2 = row + _MOVES[direction][0], col + _MOVES[direction][1]
                if not (0 <= r2 < n_rows and 0 <= c2 < n_cols):
                    r2, c2 = row, col
                P[cell, action, r2 * n_cols + c2] += p
    terminal = np.zeros(n + 1, dtype=bool)
    terminal[n] = True
    return P, R, terminal, "".join(grid).index("S")


# ---------------------------------------------------------------------------
# Exercise 1 · rl-corridor · reference: dk.rl.corridor
# ---------------------------------------------------------------------------

_CORRIDOR_HINT = (
    "P has shape (n + 1, 2, n + 1) and R (n + 1, 2); in cells 0..n-2 the intended move has "
    "probability 1 - slip and the opposite move slip (a move left from cell 0 stays in cell "
    "0); both actions in cell n-1 lead to the terminal state n with probability 1 and reward "
    "1; the terminal state is absorbing, P[n, a, n] = 1, with reward 0"
)


def _corridor(
    n, slip, *, goal_slips=False, entry_reward=False, terminal_pays=False, slip_stays=False
):
    """The corridor's (P, R), with switches for the classic mistakes."""
    S = n + 1
    P, R = np.zeros((S, 2, S)), np.zeros((S, 2))
    for cell in range(n - 1):
        for action, step in ((0, -1), (1, 1)):
            intended, opposite = max(cell + step, 0), max(cell - step, 0)
            P[cell, action, intended] += 1 - slip
            P[cell, action, cell if slip_stays else opposite] += slip
    if goal_slips:
        P[n - 1, :, n] = 1 - slip
        P[n - 1, :, n - 2] = slip
    else:
        P[n - 1, :, n] = 1.0
    R[n - 1] = 1.0
    if entry_reward:
        R[n - 1] = 0.0
        R[:, :] += P[:, :, n - 1] * (np.arange(S) != n - 1)[:, None]
    P[n, :, n] = 1.0
    if terminal_pays:
        R[n] = 1.0
    return P, R


def _check_corridor(fn, n, slip):
    result, text = call(fn, "corridor_mdp", n, slip, hint=_CORRIDOR_HINT)
    P, R = unpack(result, text, ("P", "R"))
    P_ref, R_ref = _corridor(n, slip)
    P = as_float_array(P, f"{text}[0] (P)")
    if P.shape == P_ref.shape and np.allclose(P, np.transpose(P_ref, (2, 1, 0))):
        raise CheckFailed(
            f"{text}[0] (P) is transposed; hint: P[s, a, s2] = Pr(s2 | s, a): the current state "
            "is the first axis and the next state the last; your array is P[s2, a, s]"
        )
    if P.shape == P_ref.shape:
        sums = P.sum(axis=2)
        bad = np.argwhere(~np.isclose(sums, 1.0, atol=1e-9))
        if len(bad):
            s, a = bad[0]
            reason = (
                "the terminal state must be absorbing: P[n, a, n] = 1 for both actions"
                if s == n
                else "a move left from cell 0 bumps into the wall and stays in cell 0"
                if s == 0
                else _CORRIDOR_HINT
            )
            raise CheckFailed(
                f"{text}: row P[{s}, {a}, :] sums to {sums[s, a]:.6g}, but every row of P is a "
                f"probability distribution over next states and sums to 1; hint: {reason}"
            )
    expect_close(
        P,
        P_ref,
        f"{text}[0] (P)",
        _CORRIDOR_HINT,
        mistakes=[
            (
                lambda: np.transpose(P_ref, (2, 1, 0)),
                "P[s, a, s2] = Pr(s2 | s, a): the current state is the first axis and the next "
                "state the last; your array is P[s2, a, s]",
            ),
            (
                lambda: _corridor(n, slip, goal_slips=True)[0],
                "the goal's exit does not slip: both actions in cell n-1 lead to the terminal "
                "state with probability 1",
            ),
            (
                lambda: _corridor(n, slip, slip_stays=True)[0],
                "a slip moves the agent the OPPOSITE way (it does not stay in place)",
            ),
            (
                lambda: _corridor(n, 1 - slip)[0],
                "slip is the probability of the opposite move: the intended move has "
                "probability 1 - slip",
            ),
        ],
    )
    expect_close(
        R,
        R_ref,
        f"{text}[1] (R)",
        _CORRIDOR_HINT,
        mistakes=[
            (
                lambda: _corridor(n, slip, entry_reward=True)[1],
                "the reward is paid for the exit from the goal cell: R[n-1, a] = 1 for both "
                "actions, not for the move into cell n-1",
            ),
            (
                lambda: _corridor(n, slip, terminal_pays=True)[1],
                "the terminal state pays nothing: R[n, a] = 0 (otherwise the episode never ends)",
            ),
        ],
    )


_FORBID_CORRIDOR = _no_rl("corridor_mdp", "the arrays P and R")


def corridor_mdp_basic(fn):
    """Three cells without slipping, and four cells with slip 0.2."""
    _check_corridor(fn, 3, 0.0)
    _check_corridor(fn, 4, 0.2)
    _FORBID_CORRIDOR.check(fn)


def corridor_mdp_hidden(fn):
    """The shortest corridor (n = 2), a long one with slip 0.35, and slip 1 (always backwards)."""
    _check_corridor(fn, 2, 0.1)
    _check_corridor(fn, 7, 0.35)
    _check_corridor(fn, 5, 1.0)
    _FORBID_CORRIDOR.check(fn)


# ---------------------------------------------------------------------------
# Exercise 2 · rl-returns · reference: dk.rl.discounted_returns
# ---------------------------------------------------------------------------

_RETURNS_HINT = (
    "walk backwards from the last step: G = 0, then for t = T-1 down to 0, "
    "G = r[t] + gamma * (1 - done[t]) * G and store G in out[t]; a done at step t stops "
    "the later rewards from counting in G_t"
)


def _returns(rewards, gamma, dones):
    """The backward loop G_t = r_t + gamma (1 - done_t) G_{t+1}."""
    out, running = np.zeros(len(rewards)), 0.0
    for t in range(len(rewards) - 1, -1, -1):
        running = rewards[t] + gamma * (0.0 if dones[t] else running)
        out[t] = running
    return out


def _returns_lfilter(rewards, gamma, dones):
    """The same by scipy.signal.lfilter on each episode, reversed: G = r + gamma G[t+1]."""
    out, start = np.zeros(len(rewards)), 0
    ends = [t + 1 for t in np.flatnonzero(dones)] + [len(rewards)]
    for end in ends:
        if end > start:
            segment = rewards[start:end][::-1]
            out[start:end] = scipy.signal.lfilter([1.0], [1.0, -gamma], segment)[::-1]
        start = end
    return out


def _check_returns(fn, rewards, gamma, dones):
    rewards, dones = np.asarray(rewards, dtype=float), np.asarray(dones, dtype=bool)
    expected = _returns(rewards, gamma, dones)
    np.testing.assert_allclose(_returns_lfilter(rewards, gamma, dones), expected, atol=1e-10)
    T = len(rewards)
    powers = gamma ** np.arange(T)
    no_dones = np.zeros(T, dtype=bool)
    shifted = np.concatenate([dones[1:], [False]])
    mistakes = [
        (
            lambda: _returns(rewards, gamma, no_dones),
            "discounting runs through the end of an episode: a done at step t means nothing "
            "after t belongs to G_t, so reset the running return there",
        ),
        (
            lambda: gamma * expected,
            "an off-by-one in the discount exponent: G_t = r_t + gamma r_{t+1} + gamma^2 "
            "r_{t+2} + ..., so r_t itself is not discounted (exponent k - t, from 0)",
        ),
        (
            lambda: powers * expected,
            "the discount is gamma^(k - t), counted from step t, not gamma^k from the start "
            "of the array",
        ),
        (
            lambda: _returns_forward(rewards, gamma, dones),
            "your loop runs forwards, summing the rewards BEFORE step t; G_t sums the rewards "
            "from step t on, so walk backwards from the last step",
        ),
        (
            lambda: _returns(rewards, gamma, shifted),
            "done[t] is the flag of step t (its next state is terminal): mask with done[t], "
            "not done[t + 1]",
        ),
    ]
    if T > 1:
        off_by_one = [
            rewards[t]
            + sum(gamma ** (k - t - 1) * rewards[k] for k in range(t + 1, _episode_end(dones, t)))
            for t in range(T)
        ]
        mistakes.append(
            (
                np.array(off_by_one),
                "an off-by-one in the discount exponent: r_{t+1} is discounted by gamma^1, "
                "r_{t+2} by gamma^2 (exponent k - t)",
            )
        )
    result, text = call(fn, "discounted_returns", rewards, gamma, dones, hint=_RETURNS_HINT)
    expect_close(result, expected, text, _RETURNS_HINT, rtol=1e-9, atol=1e-10, mistakes=mistakes)


def _returns_forward(rewards, gamma, dones):
    """The classic mistake: G_t = r_t + gamma G_{t-1}, accumulated from the first step."""
    out, running = np.zeros(len(rewards)), 0.0
    for t in range(len(rewards)):
        running = rewards[t] + gamma * (0.0 if t > 0 and dones[t - 1] else running)
        out[t] = running
    return out


def _episode_end(dones, t):
    """One past the last step of the episode holding step t."""
    later = np.flatnonzero(dones[t:])
    return t + int(later[0]) + 1 if len(later) else len(dones)


_FORBID_RETURNS = _no_rl("discounted_returns", "the backward loop")


def discounted_returns_basic(fn):
    """Four rewards of 1 with gamma = 0.5 (G = [1.875, 1.75, 1.5, 1]), then an episode end."""
    _check_returns(fn, [1.0, 1.0, 1.0, 1.0], 0.5, [False, False, False, False])
    _check_returns(fn, [1.0, 2.0, 3.0, 4.0, 5.0], 0.9, [False, True, False, False, True])
    _FORBID_RETURNS.check(fn)


def discounted_returns_hidden(fn):
    """Random rewards over several episodes (and one cut without a done), gamma = 0 and 1,
    one step, and done on every step."""
    rng = np.random.default_rng(2002)
    rewards = rng.standard_normal(30)
    dones = rng.random(30) < 0.2
    dones[-1] = False
    _check_returns(fn, rewards, 0.95, dones)
    _check_returns(fn, rewards, 0.0, dones)
    _check_returns(fn, rewards[:12], 1.0, dones[:12])
    _check_returns(fn, [3.0], 0.9, [True])
    _check_returns(fn, rewards[:6], 0.7, np.ones(6, dtype=bool))
    _FORBID_RETURNS.check(fn)


# ---------------------------------------------------------------------------
# Exercise 3 · rl-policy-evaluation · reference: dk.rl.policy_evaluation
# ---------------------------------------------------------------------------

_EVAL_HINT = (
    "with R_pi[s] = sum_a pi[s, a] R[s, a] and P_pi[s, s2] = sum_a pi[s, a] P[s, a, s2] "
    "(np.einsum('sa,sat->st', pi, P)), solve (I - gamma P_pi) V = R_pi with np.linalg.solve, "
    "then Q = R + gamma * P @ V"
)


def _check_evaluation(fn, P, R, pi, gamma):
    result, text = call(fn, "policy_evaluation", P, R, pi, gamma, hint=_EVAL_HINT)
    V, Q = unpack(result, text, ("V", "Q"))
    V_ref, Q_ref = _evaluate(P, R, pi, gamma)
    S = len(R)
    P_pi = np.einsum("sa,sat->st", pi, P)
    R_pi = (pi * R).sum(axis=1)
    eye = np.eye(S)
    v_mistakes = [
        (
            lambda: np.linalg.solve(eye - gamma * P_pi.T, R_pi),
            "P_pi is transposed: P_pi[s, s2] = sum_a pi[s, a] P[s, a, s2] (rows are the "
            "current state)",
        ),
        (
            lambda: np.linalg.solve(eye - gamma * P_pi, gamma * R_pi),
            "gamma multiplies only the future values: V = R_pi + gamma P_pi V, so solve "
            "(I - gamma P_pi) V = R_pi",
        ),
        (
            lambda: np.linalg.solve(eye - gamma * P.mean(axis=1), R.mean(axis=1)),
            "the policy's probabilities are missing: weight R and P by pi[s, a], not by a "
            "plain mean over actions",
        ),
        (
            lambda: R_pi,
            "that is only the immediate reward R_pi; V also counts the discounted future",
        ),
    ]
    V = expect_close(
        V, V_ref, f"{text}[0] (V)", _EVAL_HINT, rtol=1e-8, atol=1e-9, mistakes=v_mistakes
    )
    q_mistakes = [
        (lambda: R + P @ V_ref, "Q = R + gamma * P @ V: the discount gamma is missing"),
        (lambda: R + gamma * P @ (R_pi), "Q bootstraps from V, the full value, not from R_pi"),
        (
            lambda: np.repeat(V_ref[:, None], R.shape[1], axis=1),
            "Q[s, a] depends on the action: Q = R + gamma * P @ V",
        ),
    ]
    Q = expect_close(
        Q, Q_ref, f"{text}[1] (Q)", _EVAL_HINT, rtol=1e-8, atol=1e-9, mistakes=q_mistakes
    )
    expect(
        np.allclose((pi * Q).sum(axis=1), V, atol=1e-8),
        f"{text}: V[s] should equal sum_a pi[s, a] Q[s, a]; hint: {_EVAL_HINT}",
    )


_FORBID_EVALUATION = _no_rl("policy_evaluation", "the linear solve")


def policy_evaluation_basic(fn):
    """Two states, two actions: a hand-sized case (gamma = 0.9)."""
    P = np.array([[[0.8, 0.2], [0.1, 0.9]], [[0.5, 0.5], [0.0, 1.0]]])
    R = np.array([[1.0, 0.0], [2.0, -1.0]])
    pi = np.array([[0.5, 0.5], [0.25, 0.75]])
    _check_evaluation(fn, P, R, pi, 0.9)
    _FORBID_EVALUATION.check(fn)


def policy_evaluation_hidden(fn):
    """Random MDPs with terminal states, a deterministic (one-hot) policy, gamma = 0, the
    grid's uniform policy at gamma = 0.99."""
    rng = np.random.default_rng(2003)
    P, R, _ = _random_mdp(rng, 6, 3, n_terminal=1)
    pi = rng.dirichlet(np.ones(3), size=6)
    _check_evaluation(fn, P, R, pi, 0.95)
    _check_evaluation(fn, P, R, np.eye(3)[rng.integers(3, size=6)], 0.8)
    _check_evaluation(fn, P, R, pi, 0.0)
    P, R, _, _ = _grid(0.1)
    _check_evaluation(fn, P, R, np.full((17, 4), 0.25), 0.99)
    _FORBID_EVALUATION.check(fn)


# ---------------------------------------------------------------------------
# Exercise 4 · rl-value-iteration · reference: dk.rl.value_iteration
# ---------------------------------------------------------------------------

_VI_HINT = (
    "start from V = 0; each sweep computes Q = R + gamma * P @ V and V_new = Q.max(axis=1) "
    "for all states at once; stop after the first sweep k with max |V_new - V| < tol and "
    "return (V_new, the argmax over actions of R + gamma * P @ V_new, k)"
)


def _vi(P, R, gamma, tol, stop="values", in_place=False, over_next_states=False, max_sweeps=10_000):
    """The check's value iteration: (V_k, k), stopping on the values (the pinned rule) or,
    for the classic mistake, when the greedy policy stops changing; ``in_place`` and
    ``over_next_states`` are two more classic mistakes."""
    V = np.zeros(len(R))
    policy = (R + gamma * P @ V).argmax(axis=1) if stop == "policy" else None
    for k in range(1, max_sweeps + 1):
        if in_place:
            V_new = V.copy()
            for s in range(len(R)):
                V_new[s] = (R[s] + gamma * P[s] @ V_new).max()
        elif over_next_states:
            V_new = (R[:, :, None] + gamma * P * V[None, None, :]).max(axis=2).max(axis=1)
        else:
            V_new = (R + gamma * P @ V).max(axis=1)
        new_policy = (R + gamma * P @ V_new).argmax(axis=1)
        if stop == "values":
            done = np.max(np.abs(V_new - V)) < tol
        else:  # "policy" compares with the greedy policy of V_0 too, "policy_late" does not
            done = policy is not None and np.array_equal(new_policy, policy)
        V, policy = V_new, new_policy
        if done:
            return V, k
    return V, max_sweeps


def _check_value_iteration(fn, P, R, gamma, tol):
    result, text = call(fn, "value_iteration", P, R, gamma, tol, hint=_VI_HINT)
    V, policy, n_sweeps = unpack(result, text, ("V", "policy", "n_sweeps"))
    V_ref, k_ref = _vi(P, R, gamma, tol)
    V_star = _optimal_values(P, R, gamma)
    S, A = R.shape
    policy_stops = [_vi(P, R, gamma, tol, stop=rule) for rule in ("policy", "policy_late")]
    V_arr = as_float_array(V, f"{text}[0] (V)")
    stopped_on_policy = (
        "your iteration stops when the greedy policy stops changing instead of when the "
        "values do: the policy can settle long before V converges, so stop on "
        "max |V_new - V| < tol"
    )
    for V_policy_stop, k_policy_stop in policy_stops:
        if (
            V_arr.shape == V_ref.shape
            and k_policy_stop != k_ref
            and np.allclose(V_arr, V_policy_stop, atol=1e-9)
            and not np.allclose(V_arr, V_ref, rtol=0, atol=tol)
        ):
            raise CheckFailed(
                f"{text}[0] (V) is V after {k_policy_stop} sweeps, not the {k_ref} sweeps the "
                f"tolerance needs; hint: {stopped_on_policy}"
            )
    expect_close(
        V_arr,
        V_ref,
        f"{text}[0] (V)",
        _VI_HINT,
        rtol=0,
        atol=tol,
        mistakes=[
            (
                lambda: R + gamma * P @ V_ref,
                "return V (S,), the maximum over actions, not Q (S, A)",
            ),
            (
                lambda: (R + gamma * P @ V_ref).max(axis=0),
                "take the maximum over actions (axis=1 of Q, shape (S, A)), not over states",
            ),
            (
                lambda: R.max(axis=1),
                "that is one sweep from V = 0: iterate until the values converge",
            ),
            (
                lambda: _vi(P, R, gamma, tol, over_next_states=True, max_sweeps=2000)[0],
                "the maximum is over actions of the EXPECTED next value, sum_s2 P[s, a, s2] V[s2], "
                "not over next states s2",
            ),
        ],
    )
    expect(
        np.max(np.abs(V_arr - V_star)) <= gamma * tol / (1 - gamma) + 1e-7,
        f"{text}[0] (V) is further from V* (the linear program's solution) than the tolerance "
        f"allows; hint: {_VI_HINT}",
    )
    policy = _integers(
        policy, f"{text}[1] (policy)", (S,), A, "policy actions", "one action per state, (S,)"
    )
    Q = R + gamma * P @ V_ref
    bad = np.flatnonzero(Q[np.arange(S), policy] < Q.max(axis=1) - 1e-9)
    if len(bad):
        s = int(bad[0])
        raise CheckFailed(
            f"{text}[1] (policy) takes action {policy[s]} in state {s}, but Q[{s}] = {show(Q[s])} "
            f"is largest for action {int(Q[s].argmax())}; hint: the policy is the argmax over "
            "actions (axis=1) of Q = R + gamma * P @ V"
        )
    if isinstance(n_sweeps, float) and n_sweeps == int(n_sweeps):
        n_sweeps = int(n_sweeps)
    expect_equal(
        n_sweeps,
        k_ref,
        f"{text}[2] (n_sweeps)",
        "count one per sweep, the last one (which met the tolerance) included",
        mistakes=[
            (
                k_ref - 1,
                "n_sweeps counts every sweep, the last one (which met the tolerance) included",
            ),
            (k_ref + 1, "n_sweeps counts the sweeps done, from 1: do not count the start V = 0"),
            *[(k, stopped_on_policy) for _, k in policy_stops if k not in (k_ref - 1, k_ref + 1)],
            (
                _vi(P, R, gamma, tol, in_place=True)[1],
                "your sweeps update V in place (Gauss-Seidel), which needs fewer sweeps; this "
                "exercise asks for synchronous sweeps: compute V_new for every state from the "
                "old V, then replace V",
            ),
        ],
    )


_FORBID_VI = _no_rl("value_iteration", "value iteration")


def value_iteration_basic(fn):
    """The notebook's 4 x 4 slippery grid (slip 0.1), gamma = 0.9, tol = 1e-8."""
    P, R, _, _ = _grid(0.1)
    _check_value_iteration(fn, P, R, 0.9, 1e-8)
    _FORBID_VI.check(fn)


def value_iteration_hidden(fn):
    """A grid whose policy settles long before its values; random MDPs at gamma = 0.99 and
    0.5; gamma = 0 (two sweeps)."""
    P, R, _, _ = _grid(0.3, hole_reward=-1.0)
    _check_value_iteration(fn, P, R, 0.95, 1e-6)
    rng = np.random.default_rng(2004)
    P, R, _ = _random_mdp(rng, 8, 3, n_terminal=2)
    _check_value_iteration(fn, P, R, 0.99, 1e-6)
    _check_value_iteration(fn, P, R, 0.5, 1e-10)
    _check_value_iteration(fn, P, R, 0.0, 1e-8)
    _FORBID_VI.check(fn)


# ---------------------------------------------------------------------------
# Exercise 5 · rl-policy-iteration · reference: dk.rl.policy_iteration
# ---------------------------------------------------------------------------

_PI_HINT = (
    "start with action 0 in every state; repeat: evaluate the policy exactly (solve "
    "(I - gamma P_pi) V = R_pi), compute Q = R + gamma * P @ V, switch a state's action to "
    "argmax Q[s] only if it beats the current action by more than 1e-10, and stop when no "
    "state switches; n_iters counts the evaluations"
)


def _pi_iterations(P, R, gamma):
    """The pinned policy iteration: (V, policy, number of evaluations)."""
    S, A = R.shape
    policy = np.zeros(S, dtype=int)
    for n in range(1, 1000):
        V, Q = _evaluate(P, R, np.eye(A)[policy], gamma)
        best = Q.argmax(axis=1)
        better = Q[np.arange(S), best] > Q[np.arange(S), policy] + 1e-10
        if not better.any():
            return V, policy, n
        policy = np.where(better, best, policy)
    raise RuntimeError("policy iteration did not stop")


def _check_policy_iteration(fn, P, R, gamma, exact_count=True):
    result, text = call(fn, "policy_iteration", P, R, gamma, hint=_PI_HINT)
    V, policy, n_iters = unpack(result, text, ("V", "policy", "n_iters"))
    S, A = R.shape
    V_star = _optimal_values(P, R, gamma)
    V_first, _ = _evaluate(P, R, np.eye(A)[np.zeros(S, dtype=int)], gamma)
    V = as_float_array(V, f"{text}[0] (V)")
    if V.shape == V_star.shape and not np.allclose(V, V_star, atol=1e-7):
        if np.allclose(V, V_first, atol=1e-9):
            hint = (
                "V is the value of the first policy (action 0 everywhere): evaluate the policy "
                "again after every improvement"
            )
        elif np.max(np.abs(V - V_star)) < 0.05 * (1 + np.abs(V_star).max()):
            hint = (
                "V is close to V* but not exact: evaluate each policy exactly with a linear "
                "solve, not with a few sweeps of iterative evaluation"
            )
        else:
            hint = _PI_HINT
        raise CheckFailed(
            f"{text}[0] (V) differs from V* of the linear program by "
            f"{np.max(np.abs(V - V_star)):.3g}; hint: {hint}"
        )
    expect_close(V, V_star, f"{text}[0] (V)", _PI_HINT, rtol=1e-7, atol=1e-7)
    policy = _integers(
        policy, f"{text}[1] (policy)", (S,), A, "policy actions", "one action per state, (S,)"
    )
    Q_opt = R + gamma * P @ V_star
    bad = np.flatnonzero(Q_opt[np.arange(S), policy] < Q_opt.max(axis=1) - 1e-7)
    if len(bad):
        s = int(bad[0])
        raise CheckFailed(
            f"{text}[1] (policy) takes action {policy[s]} in state {s}, which is not optimal "
            f"(Q*[{s}] = {show(Q_opt[s])}); hint: return the final, stable policy"
        )
    if isinstance(n_iters, float) and n_iters == int(n_iters):
        n_iters = int(n_iters)
    if exact_count:
        _, _, n_ref = _pi_iterations(P, R, gamma)
        expect_equal(
            n_iters,
            n_ref,
            f"{text}[2] (n_iters)",
            _PI_HINT,
            mistakes=[
                (
                    n_ref - 1,
                    "n_iters counts the evaluations, the last one (which finds the policy "
                    "stable) included",
                ),
                (n_ref + 1, "n_iters counts the evaluations done, not one more"),
            ],
        )
    else:
        expect(
            isinstance(n_iters, int | np.integer) and 1 <= n_iters <= 50,
            f"{text}[2] (n_iters) is {show(n_iters)}, expected a small positive integer (the "
            f"number of evaluations); hint: {_PI_HINT}",
        )


_FORBID_PI = _no_rl("policy_iteration", "policy iteration")


def policy_iteration_basic(fn):
    """A random 5-state MDP (exact iteration count) and the notebook's 4 x 4 grid."""
    rng = np.random.default_rng(2005)
    P, R, _ = _random_mdp(rng, 5, 3)
    _check_policy_iteration(fn, P, R, 0.9)
    P, R, _, _ = _grid(0.1)
    _check_policy_iteration(fn, P, R, 0.9, exact_count=False)
    _FORBID_PI.check(fn)


def policy_iteration_hidden(fn):
    """Random MDPs with terminal states at gamma = 0.99 and 0 (two evaluations), a grid with
    punishing holes."""
    rng = np.random.default_rng(2006)
    P, R, _ = _random_mdp(rng, 10, 4, n_terminal=2)
    _check_policy_iteration(fn, P, R, 0.99)
    _check_policy_iteration(fn, P, R, 0.0)
    P, R, _, _ = _grid(0.2, hole_reward=-1.0)
    _check_policy_iteration(fn, P, R, 0.95, exact_count=False)
    _FORBID_PI.check(fn)


# ---------------------------------------------------------------------------
# Exercise 6 · rl-q-update · reference: dk.rl.q_learning_batch
# ---------------------------------------------------------------------------

_Q_HINT = (
    "copy Q, then for each transition in order: target = r + gamma * max(Q[s2]) if not "
    "done else r; Q[s, a] += alpha * (target - Q[s, a]); later transitions see the "
    "earlier updates"
)


def _q_updates(
    Q,
    s,
    a,
    r,
    s2,
    done,
    alpha,
    gamma,
    terminal_bootstrap=False,
    next_action=False,
    from_current=False,
):
    Q = np.array(Q, dtype=float)
    for i in range(len(s)):
        nxt = s[i] if from_current else s2[i]
        future = Q[nxt, a[i]] if next_action else Q[nxt].max()
        alive = 1.0 if terminal_bootstrap else (0.0 if done[i] else 1.0)
        Q[s[i], a[i]] += alpha * (r[i] + gamma * alive * future - Q[s[i], a[i]])
    return Q


def _q_vectorised(Q, s, a, r, s2, done, alpha, gamma, accumulate):
    Q = np.array(Q, dtype=float)
    target = r + gamma * (1.0 - done) * Q[s2].max(axis=1)
    step = alpha * (target - Q[s, a])
    if accumulate:
        np.add.at(Q, (s, a), step)
    else:
        Q[s, a] += step
    return Q


def _check_q(fn, Q, s, a, r, s2, done, alpha, gamma):
    args = (Q, s, a, r, s2, done, alpha, gamma)
    expected = _q_updates(*args)
    mistakes = [
        (
            lambda: _q_updates(*args, terminal_bootstrap=True),
            "your target bootstraps from a terminal state: when done is True the episode has "
            "ended, the value after it is 0 and the target is just r",
        ),
        (
            lambda: _q_vectorised(*args, accumulate=False),
            "a fancy-indexed Q[s, a] += ... keeps only the last update of a (s, a) pair that "
            "appears twice, and every update reads the old Q: apply the transitions one after "
            "another in a loop",
        ),
        (
            lambda: _q_vectorised(*args, accumulate=True),
            "every update reads the old Q (np.add.at on a vectorised target): apply the "
            "transitions one after another, each seeing the updates before it",
        ),
        (
            lambda: _q_updates(*args, next_action=True),
            "Q-learning's target takes the maximum over the next state's actions, "
            "max_b Q[s2, b], not Q[s2, a]",
        ),
        (
            lambda: _q_updates(*args, from_current=True),
            "the target bootstraps from the NEXT state s2, not from s",
        ),
    ]
    result, text = call(fn, "q_learning_batch", *args, hint=_Q_HINT)
    expect_close(result, expected, text, _Q_HINT, rtol=1e-9, atol=1e-12, mistakes=mistakes)


_FORBID_Q = _no_rl("q_learning_batch", "the Q-learning update")


def q_learning_batch_basic(fn):
    """Three states, a repeated pair and one terminal transition (alpha 0.5, gamma 0.9)."""
    Q = np.array([[0.0, 1.0], [2.0, 0.5], [1.0, 3.0]])
    s, a = np.array([0, 0, 1, 2]), np.array([1, 1, 0, 1])
    r = np.array([1.0, 0.5, -1.0, 2.0])
    s2, done = np.array([1, 2, 2, 0]), np.array([False, False, False, True])
    _check_q(fn, Q, s, a, r, s2, done, 0.5, 0.9)
    _FORBID_Q.check(fn)


def q_learning_batch_hidden(fn):
    """A long random batch with many repeats and terminal transitions; alpha = 1; gamma = 0."""
    rng = np.random.default_rng(2007)
    Q = rng.standard_normal((5, 3))
    n = 40
    s, a = rng.integers(5, size=n), rng.integers(3, size=n)
    r, s2 = rng.standard_normal(n), rng.integers(5, size=n)
    done = rng.random(n) < 0.25
    _check_q(fn, Q, s, a, r, s2, done, 0.3, 0.95)
    _check_q(fn, Q, s[:10], a[:10], r[:10], s2[:10], done[:10], 1.0, 0.9)
    _check_q(fn, Q, s, a, r, s2, done, 0.5, 0.0)
    _FORBID_Q.check(fn)


# ---------------------------------------------------------------------------
# Exercise 7 · rl-bandits · reference: dk.rl.run_bandit
# ---------------------------------------------------------------------------

_BANDIT_HINT = (
    "keep Q (runs, k) and N (runs, k) at 0; at every step choose each run's arm (epsilon-"
    "greedy: with probability eps a uniformly random arm out of all k, else Q.argmax(axis=1); "
    "UCB: arm t at steps t = 0..k-1, then argmax of Q + c * sqrt(log(t + 1) / N)), draw "
    "r = means[run, arm] + rng.standard_normal(runs), then N += 1 and Q += (r - Q) / N for "
    "the pulled arms"
)


def _replay(actions, rewards, k, estimator="mean"):
    """Yield (t, Q, N) before each step, updating with the learner's own (action, reward).

    ``estimator`` "mean" is the pinned sample average; "plus_one" divides by N + 1 after
    the increment (a classic off-by-one)."""
    runs, steps = actions.shape
    rows = np.arange(runs)
    Q, N = np.zeros((runs, k)), np.zeros((runs, k))
    for t in range(steps):
        yield t, Q, N
        a, r = actions[:, t], rewards[:, t]
        N[rows, a] += 1
        count = N[rows, a] + (1 if estimator == "plus_one" else 0)
        Q[rows, a] += (r - Q[rows, a]) / count


def _tied(values):
    """Which arms attain each row's maximum (to 1e-9), (runs, k) bool."""
    top = values.max(axis=1, keepdims=True)
    return values >= top - 1e-9 * (1 + np.abs(top))


def _eps_statistics(actions, rewards, k, estimator="mean"):
    """Per step: whether the pulled arm is non-greedy, and how many arms tie for greedy."""
    runs, steps = actions.shape
    rows = np.arange(runs)
    off = np.zeros((runs, steps), dtype=bool)
    n_tied = np.zeros((runs, steps))
    for t, Q, _ in _replay(actions, rewards, k, estimator):
        tied = _tied(Q)
        off[:, t] = ~tied[rows, actions[:, t]]
        n_tied[:, t] = tied.sum(axis=1)
    return off, n_tied


def _binomial_z(off, p):
    """z of the count of non-greedy pulls against independent Bernoulli(p) steps."""
    count, mean, var = off.sum(), p.sum(), (p * (1 - p)).sum()
    if var == 0:
        return 0.0 if count == mean else np.inf
    return float((count - mean) / np.sqrt(var))


def _ucb_mismatches(actions, rewards, k, c, variant="pinned"):
    """How many of the learner's pulls the UCB rule (or a mistaken variant) would not make."""
    runs, steps = actions.shape
    rows = np.arange(runs)
    bad = 0
    estimator = "plus_one" if variant in ("plus_one", "counts_from_one") else "mean"
    for t, Q, N in _replay(actions, rewards, k, estimator):
        a = actions[:, t]
        pulls = np.maximum(N, 1)  # the bonus of an untried arm is not used below
        if variant == "counts_from_one":  # N starts at 1: no first round, means off by one
            u = Q + c * np.sqrt(np.log(t + 1) / (N + 1))
        elif variant == "log_pulls":
            u = Q + c * np.sqrt(np.log(max(t, 1)) / pulls)
        elif variant == "c_inside":
            u = Q + np.sqrt(c * np.log(t + 1) / pulls)
        else:
            u = Q + c * np.sqrt(np.log(t + 1) / pulls)
        ok = _tied(u)[rows, a]
        if variant != "counts_from_one":  # first every arm once (the prompt: arm t at step t)
            untried = N == 0
            ok = np.where(untried.any(axis=1), untried[rows, a], ok)
        bad += int(np.sum(~ok))
    return bad


def _check_bandit(fn, means, policy, param, steps, seed):
    means = np.asarray(means, dtype=float)
    runs, k = means.shape
    result, text = call(fn, "run_bandit", means, policy, param, steps, seed, hint=_BANDIT_HINT)
    actions, rewards = unpack(result, text, ("actions", "rewards"))
    actions = _integers(
        actions, f"{text}[0] (actions)", (runs, steps), k, "actions", "one arm per run and step"
    )
    rewards = as_float_array(rewards, f"{text}[1] (rewards)")
    if rewards.shape != (runs, steps) or not np.all(np.isfinite(rewards)):
        raise CheckFailed(
            f"{text}[1] (rewards) has shape {rewards.shape} (or non-finite values), expected "
            f"finite rewards of shape {(runs, steps)}; hint: {_BANDIT_HINT}"
        )
    noise = rewards - np.take_along_axis(means, actions, axis=1)
    n = noise.size
    z_mean = noise.mean() * np.sqrt(n)
    z_var = (noise.var() - 1.0) / np.sqrt(2.0 / n)
    if abs(z_mean) > Z or abs(z_var) > Z:
        raise CheckFailed(
            f"{text}: rewards minus the pulled arms' means should be N(0, 1) noise, but their "
            f"mean is {noise.mean():.4g} and variance {noise.var():.4g} over {n} pulls (more than "
            f"{Z:g} standard errors from 0 and 1); hint: the reward of pulling arm a in run i is "
            "means[i, a] + rng.standard_normal(), drawn for the arm actually pulled"
        )
    if policy == "ucb":
        bad = _ucb_mismatches(actions, rewards, k, param)
        if bad == 0:
            return
        hint = _BANDIT_HINT
        for variant, message in (
            (
                "log_pulls",
                "UCB's t counts the steps from 1, so at step index t use log(t + 1), "
                "the current step, not log(t)",
            ),
            ("c_inside", "the bonus is c * sqrt(log(t) / N): c multiplies the square root"),
            (
                "counts_from_one",
                "pull every arm once first (arm t at steps 0..k-1) instead of "
                "starting the counts at 1",
            ),
            (
                "plus_one",
                "the incremental mean divides by the count after the increment: "
                "N += 1, then Q += (r - Q) / N",
            ),
        ):
            if _ucb_mismatches(actions, rewards, k, param, variant) == 0:
                hint = message
                break
        raise CheckFailed(
            f"{text}: {bad} of {actions.size} pulls are not the arm the UCB rule picks from "
            f"the history of that run (replayed from your actions and rewards); hint: {hint}"
        )
    off, n_tied = _eps_statistics(actions, rewards, k)
    p = param * (k - n_tied) / k
    z = _binomial_z(off, p)
    if abs(z) <= Z:
        return
    alternatives = [
        (
            param * (n_tied < k),
            "explore by drawing among ALL k arms, the greedy one included: "
            "a non-greedy arm is then pulled with probability eps (k - 1) / k",
        ),
        (
            (1 - param) * (k - n_tied) / k,
            "explore with probability eps and exploit with "
            "probability 1 - eps, not the other way round",
        ),
        (
            np.zeros_like(p),
            "your policy never explores: draw u = rng.random(runs) and explore where u < eps",
        ),
    ]
    hint = _BANDIT_HINT
    for p_alt, message in alternatives:
        if abs(_binomial_z(off, p_alt)) <= Z:
            hint = message
            break
    else:
        off_alt, tied_alt = _eps_statistics(actions, rewards, k, "plus_one")
        if abs(_binomial_z(off_alt, param * (k - tied_alt) / k)) <= Z:
            hint = (
                "the incremental mean divides by the count after the increment: N += 1, then "
                "Q += (r - Q) / N"
            )
    raise CheckFailed(
        f"{text}: {int(off.sum())} of {off.size} pulls were not greedy for the estimates "
        f"replayed from your history, expected {p.sum():.1f} "
        f"± {Z * np.sqrt((p * (1 - p)).sum()):.1f} "
        f"({Z:g} standard errors) for eps = {param}; hint: {hint}"
    )


_FORBID_BANDIT = _no_rl("run_bandit", "the bandit simulation")


def _testbed(seed, runs, k, spread=1.0):
    return spread * np.random.default_rng(seed).standard_normal((runs, k))


def run_bandit_basic(fn):
    """500 runs of a 5-armed test bed, 200 steps, epsilon = 0.1 and UCB with c = 2."""
    means = _testbed(2008, 500, 5)
    _check_bandit(fn, means, "eps_greedy", 0.1, 200, 1)
    _check_bandit(fn, means, "ucb", 2.0, 200, 2)
    _FORBID_BANDIT.check(fn)


def run_bandit_hidden(fn):
    """Greedy (eps = 0), uniform (eps = 1), two arms with eps = 0.3, tied best arms, UCB with
    c = 0.5 and c = 0, and the seed: same seed, same numbers; another seed, others."""
    means = _testbed(2009, 400, 4)
    _check_bandit(fn, means, "eps_greedy", 0.0, 150, 3)
    _check_bandit(fn, means, "eps_greedy", 1.0, 150, 4)
    _check_bandit(fn, _testbed(2010, 600, 2, 0.3), "eps_greedy", 0.3, 200, 5)
    tied = np.tile([0.5, 1.0, 1.0, -0.5, 0.0], (300, 1))
    _check_bandit(fn, tied, "eps_greedy", 0.05, 200, 6)
    _check_bandit(fn, means, "ucb", 0.5, 200, 7)
    _check_bandit(fn, tied, "ucb", 0.0, 100, 8)
    expect_reproducible(fn, "run_bandit", (means[:20], "eps_greedy", 0.1, 30), 9, hint=_BANDIT_HINT)
    _FORBID_BANDIT.check(fn)


# ---------------------------------------------------------------------------
# Exercise 8 · rl-reinforce-grad · reference: dk.rl.reinforce_gradient
# ---------------------------------------------------------------------------

_REINFORCE_HINT = (
    "G_t = sum_{k >= t} gamma^(k - t) r_k (the reward-to-go, by a backward loop); add "
    "gamma^t * (G_t - baseline[s_t]) * (onehot(a_t) - softmax(theta[s_t])) to row s_t of a "
    "zero (S, A) array, for every step t"
)


def _reward_to_go(rewards, gamma):
    out, running = np.zeros(len(rewards)), 0.0
    for t in range(len(rewards) - 1, -1, -1):
        running = rewards[t] + gamma * running
        out[t] = running
    return out


def _reinforce_torch(states, actions, theta, weights):
    """d/d theta of sum_t weights_t log softmax(theta[s_t])[a_t], by torch autograd."""
    torch = oracles.torch()
    s, a = torch.as_tensor(states), torch.as_tensor(actions)
    w = oracles.tensor(weights)

    def objective(th):
        return (w * torch.log_softmax(th, dim=1)[s, a]).sum()

    return oracles.gradients(objective, theta)[0]


def _reinforce_numpy(states, actions, theta, weights, axis=1):
    z = np.exp(theta - theta.max(axis=axis, keepdims=True))
    pi = z / z.sum(axis=axis, keepdims=True)
    grad = np.zeros_like(theta)
    for t, (s, a) in enumerate(zip(states, actions)):
        grad[s] += weights[t] * (np.eye(theta.shape[1])[a] - pi[s])
    return grad


def _check_reinforce(fn, states, actions, rewards, theta, gamma, baseline):
    states, actions = np.asarray(states), np.asarray(actions)
    rewards, theta = np.asarray(rewards, dtype=float), np.asarray(theta, dtype=float)
    baseline = np.asarray(baseline, dtype=float)
    T = len(rewards)
    G = _reward_to_go(rewards, gamma)
    powers = gamma ** np.arange(T)
    b = baseline[states]
    expected = _reinforce_torch(states, actions, theta, powers * (G - b))

    def weighted(weights, axis=1):
        return lambda: _reinforce_numpy(states, actions, theta, weights, axis)

    mistakes = [
        (
            weighted(powers * (G[0] - b)),
            "you used the total return G_0 of the whole episode at every step; an action "
            "cannot change rewards received before it, so weight step t by the reward-to-go "
            "G_t = sum_{k >= t} gamma^(k - t) r_k",
        ),
        (
            weighted(G - b),
            "the factor gamma^t is missing: the policy gradient of the discounted objective "
            "weights step t by gamma^t (G_t - b(s_t))",
        ),
        (
            lambda: -expected,
            "the sign is flipped: REINFORCE ascends J, the gradient is + (G_t - b) * "
            "(onehot(a_t) - pi(. | s_t))",
        ),
        (weighted(powers * G), "the baseline is not subtracted: use G_t - baseline[s_t]"),
        (weighted(powers * (G + b)), "subtract the baseline, G_t - baseline[s_t], do not add it"),
        (
            weighted(powers * (_reward_to_go(rewards, 1.0) - b)),
            "the reward-to-go is discounted too: G_t = sum_{k >= t} gamma^(k - t) r_k",
        ),
        (
            weighted(powers * (G - b), axis=0),
            "pi(. | s) is the softmax of theta[s] over the ACTIONS (axis=1), not over states",
        ),
    ]
    result, text = call(
        fn,
        "reinforce_gradient",
        states,
        actions,
        rewards,
        theta,
        gamma,
        baseline,
        hint=_REINFORCE_HINT,
    )
    expect_close(result, expected, text, _REINFORCE_HINT, rtol=1e-8, atol=1e-10, mistakes=mistakes)


_FORBID_REINFORCE = _no_rl("reinforce_gradient", "the REINFORCE estimate")


def reinforce_gradient_basic(fn):
    """A five-step episode over three states and two actions, gamma = 0.9, a baseline."""
    theta = np.array([[0.0, 0.5], [1.0, -1.0], [0.2, 0.2]])
    _check_reinforce(
        fn,
        [0, 1, 0, 2, 1],
        [1, 0, 0, 1, 1],
        [0.0, 1.0, 0.0, -1.0, 2.0],
        theta,
        0.9,
        np.array([0.5, 0.2, -0.1]),
    )
    _FORBID_REINFORCE.check(fn)


def reinforce_gradient_hidden(fn):
    """Random episodes over 6 states and 4 actions (repeated states), gamma = 1 and 0.5,
    no baseline (zeros), large logits."""
    rng = np.random.default_rng(2011)
    S, A, T = 6, 4, 15
    states, actions = rng.integers(S, size=T), rng.integers(A, size=T)
    rewards, theta = rng.standard_normal(T), rng.standard_normal((S, A))
    baseline = rng.standard_normal(S)
    _check_reinforce(fn, states, actions, rewards, theta, 0.97, baseline)
    _check_reinforce(fn, states, actions, rewards, theta, 1.0, baseline)
    _check_reinforce(fn, states, actions, rewards, theta, 0.5, np.zeros(S))
    _check_reinforce(fn, states[:4], actions[:4], rewards[:4], 30 * theta, 0.9, baseline)
    _FORBID_REINFORCE.check(fn)


# ---------------------------------------------------------------------------
# Exercise 9 · rl-gaussian-score · reference: dk.rl.gaussian_policy_score
# ---------------------------------------------------------------------------

_GAUSS_HINT = (
    "with sigma = exp(log_std): d log pi / d mu = (a - mu) / sigma^2 and "
    "d log pi / d log_std = (a - mu)^2 / sigma^2 - 1 (element-wise, broadcasting)"
)


def _gaussian_torch(a, mu, log_std):
    a, mu, log_std = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (a, mu, log_std)))
    torch = oracles.torch()
    action = oracles.tensor(a)

    def log_prob(m, ls):
        return torch.distributions.Normal(m, torch.exp(ls)).log_prob(action).sum()

    return oracles.gradients(log_prob, mu, log_std)


def _check_gaussian(fn, a, mu, log_std):
    d_mu_ref, d_ls_ref = _gaussian_torch(a, mu, log_std)
    a_b, mu_b, ls_b = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (a, mu, log_std)))
    sigma = np.exp(ls_b)
    result, text = call(fn, "gaussian_policy_score", a, mu, log_std, hint=_GAUSS_HINT)
    d_mu, d_ls = unpack(result, text, ("d_mu", "d_log_std"))
    expect_close(
        d_mu,
        d_mu_ref,
        f"{text}[0] (d_mu)",
        _GAUSS_HINT,
        rtol=1e-8,
        atol=1e-10,
        mistakes=[
            (
                -d_mu_ref,
                "the sign: log pi grows as mu moves towards a, so d/d mu = (a - mu) / sigma^2",
            ),
            ((a_b - mu_b) / sigma, "divide by the variance sigma^2, not by sigma"),
            (a_b - mu_b, "divide by the variance sigma^2 = exp(2 log_std)"),
        ],
    )
    z = (a_b - mu_b) / sigma
    expect_close(
        d_ls,
        d_ls_ref,
        f"{text}[1] (d_log_std)",
        _GAUSS_HINT,
        rtol=1e-8,
        atol=1e-10,
        mistakes=[
            (
                (z**2 - 1) / sigma,
                "that is the derivative with respect to sigma; with respect to log sigma "
                "multiply by d sigma / d log sigma = sigma: (a - mu)^2 / sigma^2 - 1",
            ),
            (z**2, "the -1 from the -log sigma term of log pi is missing"),
            (np.abs(z) - 1, "the square is missing: (a - mu)^2 / sigma^2 - 1"),
            (1 - z**2, "the sign: d/d log_std = (a - mu)^2 / sigma^2 - 1"),
        ],
    )


_FORBID_GAUSS = Forbidden(
    "gaussian_policy_score",
    ("dlkit.rl", "torch"),
    "this exercise asks you to write the two derivatives of log N(a; mu, sigma^2) yourself",
)


def gaussian_policy_score_basic(fn):
    """a = 0.5 under N(0, 1): (0.5, -0.75); then a vector with sigma = e^0.5."""
    _check_gaussian(fn, np.array([0.5]), np.array([0.0]), np.array([0.0]))
    _check_gaussian(
        fn, np.array([-1.0, 0.0, 2.0]), np.array([0.0, 1.0, 1.0]), np.array([0.5, 0.5, 0.5])
    )
    _FORBID_GAUSS.check(fn)


def gaussian_policy_score_hidden(fn):
    """Random actions and parameters, a = mu (zero d_mu, d_log_std = -1), a scalar mu and
    log_std broadcast over a batch, tiny and large sigma."""
    rng = np.random.default_rng(2012)
    _check_gaussian(
        fn, rng.standard_normal(8), rng.standard_normal(8), 0.5 * rng.standard_normal(8)
    )
    _check_gaussian(fn, np.array([1.5, -2.0]), np.array([1.5, -2.0]), np.array([-1.0, 1.0]))
    _check_gaussian(fn, rng.standard_normal(6), np.array(0.3), np.array(-0.7))
    _check_gaussian(fn, np.array([0.01, 3.0]), np.array([0.0, 0.0]), np.array([-3.0, 2.0]))
    _FORBID_GAUSS.check(fn)


# ---------------------------------------------------------------------------
# Exercise 10 · rl-gae · reference: dk.rl.gae
# ---------------------------------------------------------------------------

_GAE_HINT = (
    "delta_t = r_t + gamma * (1 - done_t) * next_values_t - values_t; then backwards "
    "A = 0 and, for t = T-1 .. 0, A = delta_t + gamma * lam * (1 - done_t) * A"
)


def _gae(r, v, v_next, d, gamma, lam, mask_delta=True, mask_recursion=True, factor=None):
    alive = 1.0 - d.astype(float)
    deltas = r + gamma * (alive if mask_delta else 1.0) * v_next - v
    out, running = np.zeros(len(r)), 0.0
    decay = gamma * lam if factor is None else factor
    for t in range(len(r) - 1, -1, -1):
        running = deltas[t] + decay * (alive[t] if mask_recursion else 1.0) * running
        out[t] = running
    return out


def _check_gae(fn, rewards, values, next_values, dones, gamma, lam):
    r, v, v_next = (np.asarray(x, dtype=float) for x in (rewards, values, next_values))
    d = np.asarray(dones, dtype=bool)
    expected = _gae(r, v, v_next, d, gamma, lam)
    mistakes = [
        (
            lambda: _gae(r, v, v_next, d, gamma, lam, mask_recursion=False),
            "your advantages run across an episode boundary: multiply the recursion by "
            "(1 - done_t) so A_t stops at the end of its episode",
        ),
        (
            lambda: _gae(r, v, v_next, d, gamma, lam, mask_delta=False),
            "delta_t bootstraps from a terminal state: use "
            "r_t + gamma (1 - done_t) V(s_{t+1}) - V(s_t)",
        ),
        (
            lambda: _gae(r, v, v_next, d, gamma, lam, mask_delta=False, mask_recursion=False),
            "no episode ends were used: done_t masks both V(s_{t+1}) in delta_t and the "
            "recursion A_t = delta_t + gamma lam (1 - done_t) A_{t+1}",
        ),
        (
            lambda: _gae(r, v, v_next, d, gamma, lam, factor=lam),
            "the decay is gamma * lam, not lam alone",
        ),
        (
            lambda: _gae(r, v, v, d, gamma, lam),
            "delta_t uses the NEXT state's value, next_values[t] = V(s_{t+1}), not values[t]",
        ),
    ]
    result, text = call(fn, "gae", r, v, v_next, d, gamma, lam, hint=_GAE_HINT)
    expect_close(result, expected, text, _GAE_HINT, rtol=1e-9, atol=1e-11, mistakes=mistakes)


_FORBID_GAE = _no_rl("gae", "the advantage recursion")


def gae_basic(fn):
    """Four steps without an end (gamma 0.9, lam 0.8), then an episode boundary in the middle."""
    _check_gae(
        fn,
        [1.0, 0.0, 2.0, -1.0],
        [0.5, 1.0, 0.2, 0.3],
        [1.0, 0.2, 0.3, 0.7],
        [False, False, False, False],
        0.9,
        0.8,
    )
    _check_gae(
        fn,
        [1.0, 1.0, 1.0, 1.0, 1.0],
        [0.2, 0.4, 0.6, 0.1, 0.3],
        [0.4, 0.6, 5.0, 0.3, 0.8],
        [False, False, True, False, False],
        0.99,
        0.95,
    )
    _FORBID_GAE.check(fn)


def gae_hidden(fn):
    """Random rollouts with several episode ends, lam = 0 (the TD errors) and lam = 1
    (returns minus values), gamma = 1, done on the last step."""
    rng = np.random.default_rng(2013)
    T = 25
    r, v = rng.standard_normal(T), rng.standard_normal(T)
    v_next = np.concatenate([v[1:], rng.standard_normal(1)])
    d = rng.random(T) < 0.2
    v_next[d] = rng.standard_normal(d.sum())  # whatever a terminal state's value was estimated
    _check_gae(fn, r, v, v_next, d, 0.97, 0.9)
    _check_gae(fn, r, v, v_next, d, 0.9, 0.0)
    _check_gae(fn, r, v, v_next, d, 0.9, 1.0)
    d_end = d.copy()
    d_end[-1] = True
    _check_gae(fn, r, v, v_next, d_end, 1.0, 0.7)
    _FORBID_GAE.check(fn)


# ---------------------------------------------------------------------------
# Exercise 11 · rl-off-policy · reference: dk.rl.off_policy_estimates
# ---------------------------------------------------------------------------

_IS_HINT = (
    "rho = pi[states, actions] / b[states, actions] (N, H); its running product "
    "c = np.cumprod(rho, axis=1); G = rewards @ gamma^t; ordinary = mean(c[:, -1] * G), "
    "weighted = sum(c[:, -1] * G) / sum(c[:, -1]), per_decision = mean(sum_t gamma^t c[:, t] r_t)"
)
_IS_KEYS = ("ordinary", "weighted", "per_decision")


def _is_estimates(
    states, actions, rewards, pi, b, gamma, flip=False, cumulative=True, discount=True
):
    ratio = pi[states, actions] / b[states, actions]
    if flip:
        ratio = 1.0 / ratio
    prods = np.cumprod(ratio, axis=1) if cumulative else ratio
    g = gamma ** np.arange(rewards.shape[1]) if discount else np.ones(rewards.shape[1])
    G = rewards @ g
    w = prods[:, -1] if cumulative else np.prod(ratio, axis=1)
    return {
        "ordinary": float(np.mean(w * G)),
        "weighted": float(np.sum(w * G) / np.sum(w)),
        "per_decision": float(np.mean((prods * rewards) @ g)),
    }


def _trajectories(rng, P, R, b, start, n, horizon):
    """n trajectories of the behaviour policy b (the check's own sampler)."""
    S, A = R.shape
    states = np.zeros((n, horizon), dtype=int)
    actions = np.zeros((n, horizon), dtype=int)
    s = np.full(n, start)
    for t in range(horizon):
        a = (rng.random((n, 1)) > np.cumsum(b[s], axis=1)).sum(axis=1).clip(0, A - 1)
        states[:, t], actions[:, t] = s, a
        s = (rng.random((n, 1)) > np.cumsum(P[s, a], axis=1)).sum(axis=1).clip(0, S - 1)
    return states, actions, R[states, actions]


def _check_off_policy(fn, states, actions, rewards, pi, b, gamma):
    with np.errstate(all="ignore"):
        return _check_off_policy_quietly(fn, states, actions, rewards, pi, b, gamma)


def _check_off_policy_quietly(fn, states, actions, rewards, pi, b, gamma):
    expected = _is_estimates(states, actions, rewards, pi, b, gamma)
    result, text = call(
        fn, "off_policy_estimates", states, actions, rewards, pi, b, gamma, hint=_IS_HINT
    )
    if not isinstance(result, dict) or set(result) != set(_IS_KEYS):
        raise CheckFailed(
            f"{text} returned {show(result)}, expected a dict with the keys {list(_IS_KEYS)}; "
            "hint: return {'ordinary': ..., 'weighted': ..., 'per_decision': ...}"
        )
    wrong = {
        "flip": _is_estimates(states, actions, rewards, pi, b, gamma, flip=True),
        "step": _is_estimates(states, actions, rewards, pi, b, gamma, cumulative=False),
        "undiscounted": _is_estimates(states, actions, rewards, pi, b, gamma, discount=False),
    }
    common = [
        (wrong["flip"], "the ratio is pi / b (target over behaviour), not b / pi"),
        (wrong["undiscounted"], "the discount is missing: G = sum_t gamma^t r_t"),
    ]
    specific = {
        "ordinary": [],
        "weighted": [
            (expected["ordinary"], "weighted IS divides by the sum of the weights, not by N"),
        ],
        "per_decision": [
            (
                expected["ordinary"],
                "per-decision IS weights reward r_t by the product of the ratios up to step t "
                "only, rho_0 ... rho_t, not by the product over the whole trajectory",
            ),
            (
                wrong["step"]["per_decision"],
                "r_t needs the running product rho_0 rho_1 ... rho_t (np.cumprod), not the "
                "single ratio rho_t",
            ),
        ],
    }
    for key in _IS_KEYS:
        mistakes = [(m[key], message) for m, message in common] + specific[key]
        expect_close(
            result[key],
            expected[key],
            f"{text}['{key}']",
            _IS_HINT,
            rtol=1e-9,
            atol=1e-12,
            mistakes=mistakes,
        )


_FORBID_IS = _no_rl("off_policy_estimates", "the three estimators")


def _off_policy_case(seed, S, A, n, horizon):
    rng = np.random.default_rng(seed)
    P, R, _ = _random_mdp(rng, S, A)
    b = rng.dirichlet(np.full(A, 4.0), size=S)
    pi = rng.dirichlet(np.ones(A), size=S)
    states, actions, rewards = _trajectories(rng, P, R, b, 0, n, horizon)
    return states, actions, rewards, pi, b


def off_policy_estimates_basic(fn):
    """2000 trajectories of 5 steps in a random 4-state, 2-action MDP, gamma = 0.9."""
    states, actions, rewards, pi, b = _off_policy_case(2014, 4, 2, 2000, 5)
    _check_off_policy(fn, states, actions, rewards, pi, b, 0.9)
    _FORBID_IS.check(fn)


def off_policy_estimates_hidden(fn):
    """A longer horizon with three actions, gamma = 1, one-step trajectories, a deterministic
    target (many zero weights), and on-policy data (b = pi: every weight is 1)."""
    states, actions, rewards, pi, b = _off_policy_case(2015, 5, 3, 3000, 10)
    _check_off_policy(fn, states, actions, rewards, pi, b, 0.95)
    _check_off_policy(fn, states, actions, rewards, pi, b, 1.0)
    _check_off_policy(fn, states[:, :1], actions[:, :1], rewards[:, :1], pi, b, 0.9)
    greedy = np.eye(3)[np.argmax(pi, axis=1)]
    _check_off_policy(fn, states[:, :3], actions[:, :3], rewards[:, :3], greedy, b, 0.9)
    _check_off_policy(fn, states, actions, rewards, b, b, 0.9)
    _FORBID_IS.check(fn)


# ---------------------------------------------------------------------------
# Exercise 12 · rl-actor-critic · reference: dk.rl.actor_critic
# ---------------------------------------------------------------------------

#: The returned policy must reach this fraction of the optimal value of the start state.
PASS_FRACTION = 0.7
AC_EPISODES = 1000

_AC_HINT = (
    "theta and V start at 0; in every episode from the start state, with I = 1: draw "
    "a ~ softmax(theta[s]), s2 ~ P[s, a], r = R[s, a], delta = r + gamma * (1 - done) * "
    "V[s2] - V[s]; V[s] += 0.5 * delta; theta[s] += 1.0 * I * delta * (onehot(a) - pi); "
    "I *= gamma; stop at a terminal state (or after 100 steps); return theta"
)


def _check_actor_critic(fn, slip, gamma, seed):
    P, R, terminal, start = _grid(slip)
    S, A = R.shape
    result, text = call(
        fn, "train_actor_critic", P, R, terminal, start, gamma, AC_EPISODES, seed, hint=_AC_HINT
    )
    theta = as_float_array(result, text)
    if theta.shape != (S, A):
        hint = (
            "theta has one row per state and one column per action (S, A); did you transpose it?"
            if theta.shape == (A, S)
            else _AC_HINT
        )
        raise CheckFailed(
            f"{text} returned shape {theta.shape}, expected the logits theta of shape "
            f"{(S, A)}; hint: {hint}"
        )
    if not np.all(np.isfinite(theta)):
        raise CheckFailed(f"{text} returned non-finite logits; hint: {_AC_HINT}")
    V_pi, _ = _evaluate(P, R, _softmax(theta), gamma)
    V_star = _optimal_values(P, R, gamma)
    V_uniform, _ = _evaluate(P, R, np.full((S, A), 1.0 / A), gamma)
    value, best = V_pi[start], V_star[start]
    if value >= PASS_FRACTION * best:
        return
    if value < V_uniform[start] - 1e-9:
        hint = (
            "your policy is worse than choosing uniformly at random: does the actor step up the "
            "gradient (theta[s] += ... delta * (onehot(a) - pi))?"
        )
    elif np.all(theta >= 0) and np.allclose(theta.sum(axis=1), 1.0):
        hint = "return the logits theta (the policy is softmax(theta[s])), not the probabilities"
    else:
        hint = _AC_HINT
    raise CheckFailed(
        f"{text}: the softmax policy of the returned theta has value V(start) = {value:.4f} "
        f"(exactly evaluated), below {PASS_FRACTION:g} of the optimal V*(start) = {best:.4f} "
        f"(a uniform policy has {V_uniform[start]:.4f}); hint: {hint}"
    )


_FORBID_AC = _no_rl("train_actor_critic", "the actor-critic")


def train_actor_critic_basic(fn):
    """The notebook's grid (slip 0.1, gamma 0.9): 1000 episodes must reach 0.7 V*(start)."""
    _check_actor_critic(fn, 0.1, 0.9, 2020)
    _FORBID_AC.check(fn)


def train_actor_critic_hidden(fn):
    """The grid with a longer horizon (gamma 0.95), and the seed on a short run of a random
    MDP with dense rewards: the same seed gives the same theta, another seed another."""
    _check_actor_critic(fn, 0.1, 0.95, 2021)
    rng = np.random.default_rng(2022)
    P, R, terminal = _random_mdp(rng, 5, 3, n_terminal=1)
    expect_reproducible(fn, "train_actor_critic", (P, R, terminal, 0, 0.9, 20), 23, hint=_AC_HINT)
    _FORBID_AC.check(fn)
