"""The module-20 checks: the references, other correct answers and realistic mistakes.

The table is run by tests/autograder/checks/test_contract.py. The bandit and actor-critic
checks judge random output on the check's fixed seeds, so every row here is
deterministic. With other random draws a correct answer still passes: the bandit check
allows 6 standard errors on counts of about 10^4 to 10^5 pulls, a normal tail of 2e-9, so
a correct answer fails far less than once in 10,000 gradings (UCB is checked exactly), and
the actor-critic's pass mark lies about 5 standard deviations below the reference's mean;
benchmarks/reinforcement_learning_calibration.py measures both over many seeds, and that
each mutant fails on every seed. The off-policy check is exact on fixed trajectories.
"""

import numpy as np

from dlkit import rl

# ---------------------------------------------------------------------------
# Reference solutions (signatures as in the notebook, built on dlkit)
# ---------------------------------------------------------------------------


def corridor_ref(n, slip):
    mdp = rl.corridor(n, slip)
    return mdp.P.copy(), mdp.R.copy()


def value_iteration_ref(P, R, gamma, tol):
    return rl.value_iteration(P, R, gamma, tol)


def actor_critic_ref(P, R, terminal, start, gamma, episodes, seed):
    mdp = rl.MDP(P, R, terminal, start)
    theta, _, _ = rl.actor_critic(mdp, episodes, gamma, 1.0, 0.5, seed=seed, max_steps=100)
    return theta


REFERENCES = {
    "corridor_mdp": corridor_ref,
    "discounted_returns": rl.discounted_returns,
    "policy_evaluation": rl.policy_evaluation,
    "value_iteration": value_iteration_ref,
    "policy_iteration": rl.policy_iteration,
    "q_learning_batch": rl.q_learning_batch,
    "run_bandit": rl.run_bandit,
    "reinforce_gradient": rl.reinforce_gradient,
    "gaussian_policy_score": rl.gaussian_policy_score,
    "gae": rl.gae,
    "off_policy_estimates": rl.off_policy_estimates,
    "train_actor_critic": actor_critic_ref,
}


# ---------------------------------------------------------------------------
# Other correct answers: the notebook's solutions (plain numpy), other conventions
# ---------------------------------------------------------------------------


def corridor_solution(n, slip):
    S = n + 1
    P, R = np.zeros((S, 2, S)), np.zeros((S, 2))
    for s in range(n - 1):
        left, right = max(s - 1, 0), s + 1
        P[s, 0, left] += 1 - slip
        P[s, 0, right] += slip
        P[s, 1, right] += 1 - slip
        P[s, 1, left] += slip
    P[n - 1, :, n] = 1.0
    R[n - 1, :] = 1.0
    P[n, :, n] = 1.0
    return P, R


def returns_solution(rewards, gamma, dones):
    G, running = np.zeros(len(rewards)), 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * (1.0 - dones[t]) * running
        G[t] = running
    return G


def returns_lfilter(rewards, gamma, dones):
    """Episode by episode with scipy.signal.lfilter on the reversed rewards."""
    import scipy.signal

    G, start = np.zeros(len(rewards)), 0
    for end in [*(np.flatnonzero(dones) + 1), len(rewards)]:
        if end > start:
            G[start:end] = scipy.signal.lfilter([1.0], [1.0, -gamma], rewards[start:end][::-1])[
                ::-1
            ]
        start = end
    return G


def evaluation_solution(P, R, pi, gamma):
    P_pi = np.einsum("sa,sat->st", pi, P)
    R_pi = (pi * R).sum(axis=1)
    V = np.linalg.solve(np.eye(len(R)) - gamma * P_pi, R_pi)
    return V, R + gamma * P @ V


def value_iteration_solution(P, R, gamma, tol):
    V, n_sweeps = np.zeros(len(R)), 0
    while True:
        V_new = (R + gamma * P @ V).max(axis=1)
        n_sweeps += 1
        converged = np.max(np.abs(V_new - V)) < tol
        V = V_new
        if converged:
            break
    return V, (R + gamma * P @ V).argmax(axis=1), n_sweeps


def policy_iteration_solution(P, R, gamma):
    S, A = R.shape
    policy, n_iters = np.zeros(S, dtype=int), 0
    while True:
        P_pi, R_pi = P[np.arange(S), policy], R[np.arange(S), policy]
        V = np.linalg.solve(np.eye(S) - gamma * P_pi, R_pi)
        n_iters += 1
        Q = R + gamma * P @ V
        best = Q.argmax(axis=1)
        better = Q[np.arange(S), best] > Q[np.arange(S), policy] + 1e-10
        if not better.any():
            return V, policy, n_iters
        policy = np.where(better, best, policy)


def q_batch_solution(Q, states, actions, rewards, next_states, dones, alpha, gamma):
    Q = Q.copy()
    for s, a, r, s2, done in zip(states, actions, rewards, next_states, dones):
        target = r if done else r + gamma * Q[s2].max()
        Q[s, a] += alpha * (target - Q[s, a])
    return Q


def bandit_solution(means, policy, param, steps, seed):
    rng = np.random.default_rng(seed)
    runs, k = means.shape
    rows = np.arange(runs)
    Q, N = np.zeros((runs, k)), np.zeros((runs, k))
    actions, rewards = np.zeros((runs, steps), dtype=int), np.zeros((runs, steps))
    for t in range(steps):
        if policy == "eps_greedy":
            explore = rng.random(runs) < param
            a = np.where(explore, rng.integers(0, k, size=runs), Q.argmax(axis=1))
        elif t < k:
            a = np.full(runs, t)
        else:
            a = (Q + param * np.sqrt(np.log(t + 1) / N)).argmax(axis=1)
        r = means[rows, a] + rng.standard_normal(runs)
        N[rows, a] += 1
        Q[rows, a] += (r - Q[rows, a]) / N[rows, a]
        actions[:, t], rewards[:, t] = a, r
    return actions, rewards


def bandit_random_ties(means, policy, param, steps, seed):
    """Sutton and Barto's variant: ties for the greedy arm broken at random; UCB's first
    round in a random order (infinite bonus for untried arms, random among them)."""
    rng = np.random.default_rng(seed)
    runs, k = means.shape
    rows = np.arange(runs)
    Q, N = np.zeros((runs, k)), np.zeros((runs, k))
    actions, rewards = np.zeros((runs, steps), dtype=int), np.zeros((runs, steps))
    for t in range(steps):
        if policy == "eps_greedy":
            scores = Q
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                scores = np.where(N > 0, Q + param * np.sqrt(np.log(t + 1) / N), np.inf)
        top = scores == scores.max(axis=1, keepdims=True)
        greedy = np.argmax(top * rng.random((runs, k)), axis=1)
        if policy == "eps_greedy":
            explore = rng.random(runs) < param
            greedy = np.where(explore, rng.integers(0, k, size=runs), greedy)
        r = means[rows, greedy] + rng.normal(0.0, 1.0, size=runs)
        N[rows, greedy] += 1
        Q[rows, greedy] += (r - Q[rows, greedy]) / N[rows, greedy]
        actions[:, t], rewards[:, t] = greedy, r
    return actions, rewards


def _softmax_rows(theta):
    z = np.exp(theta - theta.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def reinforce_solution(states, actions, rewards, theta, gamma, baseline):
    pi = _softmax_rows(theta)
    grad, G = np.zeros_like(theta), 0.0
    for t in reversed(range(len(rewards))):
        G = rewards[t] + gamma * G
        s, a = states[t], actions[t]
        score = -pi[s]
        score[a] += 1.0
        grad[s] += gamma**t * (G - baseline[s]) * score
    return grad


def gaussian_solution(a, mu, log_std):
    var = np.exp(2 * log_std)
    return (a - mu) / var, (a - mu) ** 2 / var - 1


def gae_solution(rewards, values, next_values, dones, gamma, lam):
    advantages, running = np.zeros(len(rewards)), 0.0
    for t in reversed(range(len(rewards))):
        alive = 1.0 - dones[t]
        delta = rewards[t] + gamma * alive * next_values[t] - values[t]
        running = delta + gamma * lam * alive * running
        advantages[t] = running
    return advantages


def off_policy_solution(states, actions, rewards, pi, b, gamma):
    rho = np.cumprod(pi[states, actions] / b[states, actions], axis=1)
    discounts = gamma ** np.arange(rewards.shape[1])
    G = rewards @ discounts
    w = rho[:, -1]
    return {
        "ordinary": float(np.mean(w * G)),
        "weighted": float(np.sum(w * G) / np.sum(w)),
        "per_decision": float(np.mean((rho * rewards) @ discounts)),
    }


def actor_critic_solution(P, R, terminal, start, gamma, episodes, seed, discount_actor=True):
    rng = np.random.default_rng(seed)
    S, A = R.shape
    theta, V = np.zeros((S, A)), np.zeros(S)
    for _ in range(episodes):
        s, discount = start, 1.0
        for _ in range(100):
            pi = np.exp(theta[s] - theta[s].max())
            pi /= pi.sum()
            a = rng.choice(A, p=pi)
            s2 = rng.choice(S, p=P[s, a])
            done = terminal[s2]
            delta = R[s, a] + (0.0 if done else gamma * V[s2]) - V[s]
            V[s] += 0.5 * delta
            score = -pi
            score[a] += 1.0
            theta[s] += 1.0 * (discount if discount_actor else 1.0) * delta * score
            discount *= gamma
            if done:
                break
            s = s2
    return theta


def actor_critic_without_discount(P, R, terminal, start, gamma, episodes, seed):
    """The common practice of dropping I = gamma^t from the actor's step."""
    return actor_critic_solution(P, R, terminal, start, gamma, episodes, seed, discount_actor=False)


ALTERNATIVES = [
    ("corridor_mdp", corridor_solution),
    ("discounted_returns", returns_solution),
    ("discounted_returns", returns_lfilter),
    ("policy_evaluation", evaluation_solution),
    ("value_iteration", value_iteration_solution),
    ("policy_iteration", policy_iteration_solution),
    ("q_learning_batch", q_batch_solution),
    ("run_bandit", bandit_solution),
    ("run_bandit", bandit_random_ties),
    ("reinforce_gradient", reinforce_solution),
    ("gaussian_policy_score", gaussian_solution),
    ("gae", gae_solution),
    ("off_policy_estimates", off_policy_solution),
    ("train_actor_critic", actor_critic_solution),
    ("train_actor_critic", actor_critic_without_discount),
]


# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a message naming the mistake
# ---------------------------------------------------------------------------


def corridor_not_absorbing(n, slip):
    P, R = corridor_solution(n, slip)
    P[n] = 0.0
    return P, R


def corridor_no_wall(n, slip):
    P, R = corridor_solution(n, slip)
    P[0, 0, 0] -= 1 - slip  # the move left from cell 0 goes nowhere
    return P, R


def corridor_transposed(n, slip):
    P, R = corridor_solution(n, slip)
    return np.transpose(P, (2, 1, 0)).copy(), R


def corridor_goal_slips(n, slip):
    P, R = corridor_solution(n, slip)
    P[n - 1, :, n] = 1 - slip
    P[n - 1, :, n - 2] = slip
    return P, R


def corridor_slip_stays(n, slip):
    P, R = corridor_solution(n, 0.0)
    for s in range(n - 1):
        P[s, :, :] *= 1 - slip
        P[s, :, s] += slip
    return P, R


def corridor_reward_on_entry(n, slip):
    P, _ = corridor_solution(n, slip)
    R = P[:, :, n - 1].copy()
    R[n - 1] = 0.0
    return P, R


def corridor_dk(n, slip):
    mdp = rl.corridor(n, slip)
    return mdp.P.copy(), mdp.R.copy()


def returns_through_dones(rewards, gamma, dones):
    return returns_solution(rewards, gamma, np.zeros(len(rewards), dtype=bool))


def returns_exponent_plus_one(rewards, gamma, dones):
    return gamma * returns_solution(rewards, gamma, dones)


def returns_exponent_minus_one(rewards, gamma, dones):
    G = np.zeros(len(rewards))
    for t in range(len(rewards)):
        G[t] = rewards[t]
        for k in range(t + 1, len(rewards)):
            G[t] += gamma ** (k - t - 1) * rewards[k]
            if dones[k]:
                break
        if dones[t]:
            G[t] = rewards[t]
    return G


def returns_global_power(rewards, gamma, dones):
    return gamma ** np.arange(len(rewards)) * returns_solution(rewards, gamma, dones)


def returns_forwards(rewards, gamma, dones):
    G, running = np.zeros(len(rewards)), 0.0
    for t in range(len(rewards)):
        running = rewards[t] + gamma * running
        G[t] = running
        if dones[t]:
            running = 0.0
    return G


def returns_next_done(rewards, gamma, dones):
    G, running = np.zeros(len(rewards)), 0.0
    for t in reversed(range(len(rewards))):
        nxt = dones[t + 1] if t + 1 < len(rewards) else False
        running = rewards[t] + gamma * (1.0 - nxt) * running
        G[t] = running
    return G


def returns_dk(rewards, gamma, dones):
    return rl.discounted_returns(rewards, gamma, dones)


def evaluation_transposed(P, R, pi, gamma):
    P_pi = np.einsum("sa,sat->ts", pi, P)
    V = np.linalg.solve(np.eye(len(R)) - gamma * P_pi, (pi * R).sum(axis=1))
    return V, R + gamma * P @ V


def evaluation_gamma_on_reward(P, R, pi, gamma):
    P_pi = np.einsum("sa,sat->st", pi, P)
    V = np.linalg.solve(np.eye(len(R)) - gamma * P_pi, gamma * (pi * R).sum(axis=1))
    return V, R + gamma * P @ V


def evaluation_mean_over_actions(P, R, pi, gamma):
    V = np.linalg.solve(np.eye(len(R)) - gamma * P.mean(axis=1), R.mean(axis=1))
    return V, R + gamma * P @ V


def evaluation_q_undiscounted(P, R, pi, gamma):
    V, _ = evaluation_solution(P, R, pi, gamma)
    return V, R + P @ V


def evaluation_dk(P, R, pi, gamma):
    return rl.policy_evaluation(P, R, pi, gamma)


def vi_stop_on_policy(P, R, gamma, tol):
    V, policy, n_sweeps = np.zeros(len(R)), None, 0
    while True:
        V = (R + gamma * P @ V).max(axis=1)
        n_sweeps += 1
        new_policy = (R + gamma * P @ V).argmax(axis=1)
        if policy is not None and np.array_equal(new_policy, policy):
            return V, new_policy, n_sweeps
        policy = new_policy


def vi_returns_q(P, R, gamma, tol):
    V, policy, n = value_iteration_solution(P, R, gamma, tol)
    return R + gamma * P @ V, policy, n


def vi_one_sweep(P, R, gamma, tol):
    V = R.max(axis=1)
    return V, (R + gamma * P @ V).argmax(axis=1), 1


def vi_gauss_seidel(P, R, gamma, tol):
    V, n_sweeps = np.zeros(len(R)), 0
    while True:
        old = V.copy()
        for s in range(len(R)):
            V[s] = (R[s] + gamma * P[s] @ V).max()
        n_sweeps += 1
        if np.max(np.abs(V - old)) < tol:
            return V, (R + gamma * P @ V).argmax(axis=1), n_sweeps


def vi_count_from_zero(P, R, gamma, tol):
    V, policy, n = value_iteration_solution(P, R, gamma, tol)
    return V, policy, n - 1


def vi_max_over_next_states(P, R, gamma, tol):
    V, n_sweeps = np.zeros(len(R)), 0
    while True:
        V_new = (R[:, :, None] + gamma * P * V[None, None, :]).max(axis=2).max(axis=1)
        n_sweeps += 1
        if np.max(np.abs(V_new - V)) < tol:
            return V_new, R.argmax(axis=1), n_sweeps
        V = V_new


def vi_dk(P, R, gamma, tol):
    return rl.value_iteration(P, R, gamma, tol)


def _evaluate_exactly(P, R, policy, gamma):
    S = len(R)
    return np.linalg.solve(np.eye(S) - gamma * P[np.arange(S), policy], R[np.arange(S), policy])


def pi_without_reevaluation(P, R, gamma):
    S = len(R)
    policy = np.zeros(S, dtype=int)
    V = _evaluate_exactly(P, R, policy, gamma)
    for n_iters in range(1, 100):
        new_policy = (R + gamma * P @ V).argmax(axis=1)
        if np.array_equal(new_policy, policy):
            return V, policy, n_iters
        policy = new_policy
    return V, policy, n_iters


def pi_truncated_evaluation(P, R, gamma):
    S = len(R)
    policy, V = np.zeros(S, dtype=int), np.zeros(S)
    for n_iters in range(1, 100):
        for _ in range(50):  # iterative evaluation, cut short
            V = R[np.arange(S), policy] + gamma * P[np.arange(S), policy] @ V
        Q = R + gamma * P @ V
        best = Q.argmax(axis=1)
        better = Q[np.arange(S), best] > Q[np.arange(S), policy] + 1e-10
        if not better.any():
            return V, policy, n_iters
        policy = np.where(better, best, policy)
    return V, policy, n_iters


def pi_count_improvements(P, R, gamma):
    V, policy, n = policy_iteration_solution(P, R, gamma)
    return V, policy, n - 1


def pi_dk(P, R, gamma):
    return rl.policy_iteration(P, R, gamma)


def q_terminal_bootstrap(Q, states, actions, rewards, next_states, dones, alpha, gamma):
    return q_batch_solution(
        Q, states, actions, rewards, next_states, np.zeros_like(dones), alpha, gamma
    )


def q_fancy_index(Q, states, actions, rewards, next_states, dones, alpha, gamma):
    Q = Q.copy()
    target = rewards + gamma * (1.0 - dones) * Q[next_states].max(axis=1)
    Q[states, actions] += alpha * (target - Q[states, actions])
    return Q


def q_add_at(Q, states, actions, rewards, next_states, dones, alpha, gamma):
    Q = Q.copy()
    target = rewards + gamma * (1.0 - dones) * Q[next_states].max(axis=1)
    np.add.at(Q, (states, actions), alpha * (target - Q[states, actions]))
    return Q


def q_next_action(Q, states, actions, rewards, next_states, dones, alpha, gamma):
    Q = Q.copy()
    for s, a, r, s2, done in zip(states, actions, rewards, next_states, dones):
        target = r if done else r + gamma * Q[s2, a]
        Q[s, a] += alpha * (target - Q[s, a])
    return Q


def q_in_place(Q, states, actions, rewards, next_states, dones, alpha, gamma):
    for s, a, r, s2, done in zip(states, actions, rewards, next_states, dones):
        target = r if done else r + gamma * Q[s2].max()
        Q[s, a] += alpha * (target - Q[s, a])
    return Q


def q_dk(Q, states, actions, rewards, next_states, dones, alpha, gamma):
    return rl.q_learning_batch(Q, states, actions, rewards, next_states, dones, alpha, gamma)


def _bandit(
    means,
    policy,
    param,
    steps,
    seed,
    *,
    explore="all",
    flip=False,
    plus_one=False,
    ucb="pinned",
    noise="normal",
    fixed_seed=False,
):
    """bandit_solution with switches for the classic mistakes."""
    rng = np.random.default_rng(0 if fixed_seed else seed)
    runs, k = means.shape
    rows = np.arange(runs)
    Q, N = np.zeros((runs, k)), np.zeros((runs, k))
    if ucb == "counts_from_one" and policy == "ucb":
        N += 1
    actions, rewards = np.zeros((runs, steps), dtype=int), np.zeros((runs, steps))
    for t in range(steps):
        if policy == "eps_greedy":
            greedy = Q.argmax(axis=1)
            u = rng.random(runs)
            explores = u > param if flip else u < param
            if explore == "never":
                explores[:] = False
            if explore == "others":  # a uniformly random arm other than the greedy one
                random_arm = (greedy + rng.integers(1, k, size=runs)) % k if k > 1 else greedy
            else:
                random_arm = rng.integers(0, k, size=runs)
            a = np.where(explores, random_arm, greedy)
        elif t < k and ucb != "counts_from_one":
            a = np.full(runs, t)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                if ucb == "log_t":
                    bonus = param * np.sqrt(np.log(t) / N)
                elif ucb == "c_inside":
                    bonus = np.sqrt(param * np.log(t + 1) / N)
                else:
                    bonus = param * np.sqrt(np.log(t + 1) / N)
            a = (Q + bonus).argmax(axis=1)
        if noise == "uniform":
            r = means[rows, a] + rng.random(runs) - 0.5
        else:
            r = means[rows, a] + rng.standard_normal(runs)
        N[rows, a] += 1
        Q[rows, a] += (r - Q[rows, a]) / (N[rows, a] + (1 if plus_one else 0))
        actions[:, t], rewards[:, t] = a, r
    return actions, rewards


def bandit_explores_others_only(means, policy, param, steps, seed):
    return _bandit(means, policy, param, steps, seed, explore="others")


def bandit_exploits_with_eps(means, policy, param, steps, seed):
    return _bandit(means, policy, param, steps, seed, flip=True)


def bandit_never_explores(means, policy, param, steps, seed):
    return _bandit(means, policy, param, steps, seed, explore="never")


def bandit_mean_plus_one(means, policy, param, steps, seed):
    return _bandit(means, policy, param, steps, seed, plus_one=True)


def bandit_ucb_log_t(means, policy, param, steps, seed):
    return _bandit(means, policy, param, steps, seed, ucb="log_t")


def bandit_ucb_c_inside(means, policy, param, steps, seed):
    return _bandit(means, policy, param, steps, seed, ucb="c_inside")


def bandit_ucb_counts_from_one(means, policy, param, steps, seed):
    return _bandit(means, policy, param, steps, seed, ucb="counts_from_one")


def bandit_uniform_noise(means, policy, param, steps, seed):
    return _bandit(means, policy, param, steps, seed, noise="uniform")


def bandit_fixed_seed(means, policy, param, steps, seed):
    return _bandit(means, policy, param, steps, seed, fixed_seed=True)


def bandit_dk(means, policy, param, steps, seed):
    return rl.run_bandit(means, policy, param, steps, seed)


def _reinforce(
    states,
    actions,
    rewards,
    theta,
    gamma,
    baseline,
    *,
    total=False,
    power=True,
    sign=1.0,
    use_baseline=True,
    axis=1,
):
    z = np.exp(theta - theta.max(axis=axis, keepdims=True))
    pi = z / z.sum(axis=axis, keepdims=True)
    G = np.zeros(len(rewards))
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        G[t] = running
    grad = np.zeros_like(theta)
    for t, (s, a) in enumerate(zip(states, actions)):
        ret = G[0] if total else G[t]
        weight = (gamma**t if power else 1.0) * (ret - (baseline[s] if use_baseline else 0.0))
        grad[s] += sign * weight * (np.eye(theta.shape[1])[a] - pi[s])
    return grad


def reinforce_total_return(states, actions, rewards, theta, gamma, baseline):
    return _reinforce(states, actions, rewards, theta, gamma, baseline, total=True)


def reinforce_no_discount_power(states, actions, rewards, theta, gamma, baseline):
    return _reinforce(states, actions, rewards, theta, gamma, baseline, power=False)


def reinforce_descent(states, actions, rewards, theta, gamma, baseline):
    return _reinforce(states, actions, rewards, theta, gamma, baseline, sign=-1.0)


def reinforce_no_baseline(states, actions, rewards, theta, gamma, baseline):
    return _reinforce(states, actions, rewards, theta, gamma, baseline, use_baseline=False)


def reinforce_softmax_over_states(states, actions, rewards, theta, gamma, baseline):
    return _reinforce(states, actions, rewards, theta, gamma, baseline, axis=0)


def reinforce_dk(states, actions, rewards, theta, gamma, baseline):
    return rl.reinforce_gradient(states, actions, rewards, theta, gamma, baseline)


def gaussian_wrt_sigma(a, mu, log_std):
    sigma = np.exp(log_std)
    return (a - mu) / sigma**2, (a - mu) ** 2 / sigma**3 - 1 / sigma


def gaussian_without_minus_one(a, mu, log_std):
    var = np.exp(2 * log_std)
    return (a - mu) / var, (a - mu) ** 2 / var


def gaussian_without_square(a, mu, log_std):
    sigma = np.exp(log_std)
    return (a - mu) / sigma**2, np.abs(a - mu) / sigma - 1


def gaussian_divides_by_sigma(a, mu, log_std):
    sigma = np.exp(log_std)
    return (a - mu) / sigma, (a - mu) ** 2 / sigma**2 - 1


def gaussian_dk(a, mu, log_std):
    return rl.gaussian_policy_score(a, mu, log_std)


def _gae(
    rewards, values, next_values, dones, gamma, lam, *, reset=True, mask_delta=True, decay=None
):
    advantages, running = np.zeros(len(rewards)), 0.0
    for t in reversed(range(len(rewards))):
        alive = 1.0 - dones[t]
        delta = rewards[t] + gamma * (alive if mask_delta else 1.0) * next_values[t] - values[t]
        factor = gamma * lam if decay is None else decay
        running = delta + factor * (alive if reset else 1.0) * running
        advantages[t] = running
    return advantages


def gae_across_episodes(rewards, values, next_values, dones, gamma, lam):
    return _gae(rewards, values, next_values, dones, gamma, lam, reset=False)


def gae_bootstraps_terminal(rewards, values, next_values, dones, gamma, lam):
    return _gae(rewards, values, next_values, dones, gamma, lam, mask_delta=False)


def gae_lambda_only(rewards, values, next_values, dones, gamma, lam):
    return _gae(rewards, values, next_values, dones, gamma, lam, decay=lam)


def gae_current_value(rewards, values, next_values, dones, gamma, lam):
    return _gae(rewards, values, values, dones, gamma, lam)


def gae_dk(rewards, values, next_values, dones, gamma, lam):
    return rl.gae(rewards, values, next_values, dones, gamma, lam)


def off_policy_flipped(states, actions, rewards, pi, b, gamma):
    return off_policy_solution(states, actions, rewards, b, pi, gamma)


def off_policy_full_product(states, actions, rewards, pi, b, gamma):
    result = off_policy_solution(states, actions, rewards, pi, b, gamma)
    result["per_decision"] = result["ordinary"]
    return result


def off_policy_weighted_by_n(states, actions, rewards, pi, b, gamma):
    result = off_policy_solution(states, actions, rewards, pi, b, gamma)
    result["weighted"] = result["ordinary"]
    return result


def off_policy_undiscounted(states, actions, rewards, pi, b, gamma):
    return off_policy_solution(states, actions, rewards, pi, b, 1.0)


def off_policy_single_ratio(states, actions, rewards, pi, b, gamma):
    result = off_policy_solution(states, actions, rewards, pi, b, gamma)
    ratio = pi[states, actions] / b[states, actions]
    result["per_decision"] = float(
        np.mean((ratio * rewards) @ gamma ** np.arange(rewards.shape[1]))
    )
    return result


def off_policy_tuple(states, actions, rewards, pi, b, gamma):
    return tuple(off_policy_solution(states, actions, rewards, pi, b, gamma).values())


def off_policy_dk(states, actions, rewards, pi, b, gamma):
    return rl.off_policy_estimates(states, actions, rewards, pi, b, gamma)


def actor_critic_descends(P, R, terminal, start, gamma, episodes, seed):
    return -actor_critic_solution(P, R, terminal, start, gamma, episodes, seed)


def actor_critic_probabilities(P, R, terminal, start, gamma, episodes, seed):
    return _softmax_rows(actor_critic_solution(P, R, terminal, start, gamma, episodes, seed))


def actor_critic_untrained(P, R, terminal, start, gamma, episodes, seed):
    return np.zeros(R.shape)


def actor_critic_transposed(P, R, terminal, start, gamma, episodes, seed):
    return actor_critic_solution(P, R, terminal, start, gamma, episodes, seed).T


def actor_critic_fixed_seed(P, R, terminal, start, gamma, episodes, seed):
    return actor_critic_solution(P, R, terminal, start, gamma, episodes, 0)


def actor_critic_dk(P, R, terminal, start, gamma, episodes, seed):
    mdp = rl.MDP(P, R, terminal, start)
    return rl.actor_critic(mdp, episodes, gamma, 1.0, 0.5, seed=seed, max_steps=100)[0]


DK = "your answer calls dlkit.rl"

MUTANTS = [
    ("corridor_mdp_basic", corridor_not_absorbing, "must be absorbing"),
    ("corridor_mdp_basic", corridor_no_wall, "bumps into the wall"),
    ("corridor_mdp_basic", corridor_transposed, "your array is P[s2, a, s]"),
    ("corridor_mdp_basic", corridor_goal_slips, "the goal's exit does not slip"),
    ("corridor_mdp_basic", corridor_slip_stays, "OPPOSITE way"),
    ("corridor_mdp_basic", corridor_reward_on_entry, "exit from the goal cell"),
    ("corridor_mdp_hidden", corridor_dk, DK),
    ("discounted_returns_basic", returns_through_dones, "runs through the end of an episode"),
    ("discounted_returns_basic", returns_exponent_plus_one, "off-by-one in the discount exponent"),
    ("discounted_returns_basic", returns_exponent_minus_one, "off-by-one in the discount exponent"),
    ("discounted_returns_basic", returns_global_power, "not gamma^k from the start"),
    ("discounted_returns_basic", returns_forwards, "your loop runs forwards"),
    ("discounted_returns_hidden", returns_next_done, "not done[t + 1]"),
    ("discounted_returns_hidden", returns_dk, DK),
    ("policy_evaluation_basic", evaluation_transposed, "P_pi is transposed"),
    ("policy_evaluation_basic", evaluation_gamma_on_reward, "gamma multiplies only the future"),
    ("policy_evaluation_basic", evaluation_mean_over_actions, "probabilities are missing"),
    ("policy_evaluation_hidden", evaluation_q_undiscounted, "the discount gamma is missing"),
    ("policy_evaluation_hidden", evaluation_dk, DK),
    ("value_iteration_basic", vi_stop_on_policy, "stops when the greedy policy stops changing"),
    ("value_iteration_hidden", vi_stop_on_policy, "stops when the greedy policy stops changing"),
    ("value_iteration_basic", vi_returns_q, "not Q (S, A)"),
    ("value_iteration_basic", vi_one_sweep, "one sweep from V = 0"),
    ("value_iteration_basic", vi_gauss_seidel, "update V in place (Gauss-Seidel)"),
    (
        "value_iteration_basic",
        vi_count_from_zero,
        "the last one (which met the tolerance) included",
    ),
    ("value_iteration_basic", vi_max_over_next_states, "not over next states"),
    ("value_iteration_hidden", vi_dk, DK),
    ("policy_iteration_basic", pi_without_reevaluation, "value of the first policy"),
    ("policy_iteration_basic", pi_truncated_evaluation, "evaluate each policy exactly"),
    (
        "policy_iteration_basic",
        pi_count_improvements,
        "the last one (which finds the policy stable)",
    ),
    ("policy_iteration_hidden", pi_dk, DK),
    ("q_learning_batch_basic", q_terminal_bootstrap, "bootstraps from a terminal state"),
    ("q_learning_batch_basic", q_fancy_index, "keeps only the last update"),
    ("q_learning_batch_hidden", q_add_at, "every update reads the old Q"),
    ("q_learning_batch_basic", q_next_action, "max_b Q[s2, b]"),
    ("q_learning_batch_basic", q_in_place, "modified its argument 1 in place"),
    ("q_learning_batch_hidden", q_dk, DK),
    ("run_bandit_basic", bandit_explores_others_only, "among ALL k arms"),
    ("run_bandit_basic", bandit_exploits_with_eps, "not the other way round"),
    ("run_bandit_basic", bandit_never_explores, "never explores"),
    ("run_bandit_basic", bandit_mean_plus_one, "divides by the count after the increment"),
    ("run_bandit_basic", bandit_ucb_log_t, "log(t + 1)"),
    ("run_bandit_basic", bandit_ucb_c_inside, "c multiplies the square root"),
    ("run_bandit_basic", bandit_ucb_counts_from_one, "pull every arm once first"),
    ("run_bandit_basic", bandit_uniform_noise, "N(0, 1) noise"),
    ("run_bandit_hidden", bandit_fixed_seed, "pass the seed"),
    ("run_bandit_hidden", bandit_dk, DK),
    ("reinforce_gradient_basic", reinforce_total_return, "total return G_0"),
    ("reinforce_gradient_basic", reinforce_no_discount_power, "gamma^t is missing"),
    ("reinforce_gradient_basic", reinforce_descent, "the sign is flipped"),
    ("reinforce_gradient_basic", reinforce_no_baseline, "baseline is not subtracted"),
    ("reinforce_gradient_basic", reinforce_softmax_over_states, "over the ACTIONS"),
    ("reinforce_gradient_hidden", reinforce_dk, DK),
    ("gaussian_policy_score_basic", gaussian_wrt_sigma, "with respect to sigma"),
    ("gaussian_policy_score_basic", gaussian_without_minus_one, "the -1 from the -log sigma"),
    ("gaussian_policy_score_basic", gaussian_without_square, "the square is missing"),
    ("gaussian_policy_score_basic", gaussian_divides_by_sigma, "not by sigma"),
    ("gaussian_policy_score_hidden", gaussian_dk, DK),
    ("gae_basic", gae_across_episodes, "across an episode boundary"),
    ("gae_basic", gae_bootstraps_terminal, "bootstraps from a terminal state"),
    ("gae_basic", gae_lambda_only, "gamma * lam, not lam alone"),
    ("gae_basic", gae_current_value, "NEXT state's value"),
    ("gae_hidden", gae_dk, DK),
    ("off_policy_estimates_basic", off_policy_flipped, "pi / b"),
    ("off_policy_estimates_basic", off_policy_full_product, "not by the product over the whole"),
    ("off_policy_estimates_basic", off_policy_weighted_by_n, "divides by the sum of the weights"),
    ("off_policy_estimates_basic", off_policy_undiscounted, "the discount is missing"),
    ("off_policy_estimates_basic", off_policy_single_ratio, "running product"),
    ("off_policy_estimates_basic", off_policy_tuple, "expected a dict"),
    ("off_policy_estimates_hidden", off_policy_dk, DK),
    ("train_actor_critic_basic", actor_critic_descends, "worse than choosing uniformly"),
    ("train_actor_critic_basic", actor_critic_probabilities, "not the probabilities"),
    ("train_actor_critic_basic", actor_critic_untrained, "below 0.7 of the optimal"),
    ("train_actor_critic_basic", actor_critic_transposed, "did you transpose it"),
    ("train_actor_critic_hidden", actor_critic_fixed_seed, "pass the seed"),
    ("train_actor_critic_hidden", actor_critic_dk, DK),
]
