"""Widget drawings for module 19, generative models.

All are numpy-only at redraw time: the diffusion slider reads a precomputed reverse
trajectory (``DDPM.sample(..., return_path=True)``), the flow density runs the numpy
forward pass of a trained RealNVP (``numpy_log_prob`` on ``to_numpy_params()`` weights),
and the sampling-steps figure reads samples computed once per step count.
"""

import numpy as np
import scipy.spatial

from dlkit.plot import new_figure

GRID = 100  # points per side of the flow-density grid


def _square(ax, limit):
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$ (standardised)")
    ax.set_ylabel("$x_2$ (standardised)")


def draw_diffusion(X, path, t, betas, seed=0, limit=3.5):
    """The forward and the learned reverse process at step t.

    X (n, 2): data; path: the reverse trajectory of a trained DDPM, a list of T + 1 arrays
    (m, 2), ``path[0]`` the noise x_T and ``path[T - s]`` the state after step s (so the
    last entry is the generated sample); t in 0..T: the number of forward steps applied
    (t = 0 is the data); betas (T,) the schedule. Left: X noised by ``q(x_t | x_0)`` with
    fixed noise (``abar_t`` in the title); right: the reverse chain's samples at the same
    noise level.
    """
    X = np.asarray(X, dtype=float)
    betas = np.asarray(betas, dtype=float)
    T = len(betas)
    if len(path) != T + 1:
        raise ValueError(f"path must hold T + 1 = {T + 1} states (x_T first), got {len(path)}")
    if isinstance(t, bool) or not isinstance(t, int | np.integer) or not 0 <= t <= T:
        raise ValueError(f"t must be an integer in 0..{T}, got {t!r}")
    from dlkit.models.diffusion import ddpm_schedule, q_sample  # imports torch: on first use

    _, alpha_bars = ddpm_schedule(betas)
    eps = np.random.default_rng(seed).standard_normal(X.shape)
    noised = X if t == 0 else q_sample(X, t - 1, eps, alpha_bars)
    abar = 1.0 if t == 0 else alpha_bars[t - 1]
    reverse = np.asarray(path[T - t], dtype=float)

    fig, (left, right) = new_figure(ncols=2, width=3.6, height=3.6, top=0.86)
    left.scatter(noised[:, 0], noised[:, 1], s=2, alpha=0.5, color="C0")
    left.set_title(f"forward: data after {t} steps\nabar_t = {abar:.3f}", fontsize=10)
    right.scatter(reverse[:, 0], reverse[:, 1], s=2, alpha=0.5, color="C1")
    right.set_title(f"reverse: samples at step {t}\n({T - t} of {T} denoising steps)", fontsize=10)
    for ax in (left, right):
        _square(ax, limit)
    return fig


def draw_flow_density(params, n_layers, X=None, limit=3.0):
    """The density of a trained RealNVP after its first ``n_layers`` couplings.

    params: ``RealNVP.to_numpy_params()`` (one dict per layer); n_layers in 0..K (0 is the
    standard normal base density); X (n, 2): optional data drawn on top. Shows
    ``p(x)`` on a 100 x 100 grid with the numpy forward pass, and the mean log-density of
    X when given.
    """
    K = len(params)
    if isinstance(n_layers, bool) or not isinstance(n_layers, int | np.integer):
        raise ValueError(f"n_layers must be an integer in 0..{K}, got {n_layers!r}")
    if not 0 <= n_layers <= K:
        raise ValueError(f"n_layers must be an integer in 0..{K}, got {n_layers}")
    grid = np.linspace(-limit, limit, GRID)
    xx, yy = np.meshgrid(grid, grid)
    points = np.stack([xx.ravel(), yy.ravel()], axis=1)  # (GRID^2, 2)
    from dlkit.models.flow import numpy_log_prob  # imports torch: on first use

    density = np.exp(numpy_log_prob(params, points, n_layers)).reshape(GRID, GRID)

    fig, ax = new_figure(width=4.2, height=4.0, top=0.86)
    ax.imshow(density, origin="lower", extent=(-limit, limit, -limit, limit), cmap="viridis")
    title = f"flow density after {n_layers} of {K} couplings"
    if X is not None:
        X = np.asarray(X, dtype=float)
        ax.scatter(X[:, 0], X[:, 1], s=1, color="white", alpha=0.25)
        title += f"\nmean log p(data) = {numpy_log_prob(params, X, n_layers).mean():.2f} nats"
    ax.set_title(title, fontsize=10)
    ax.grid(False)
    _square(ax, limit)
    return fig


def draw_sampling_steps(samples_by_steps, n_steps, X, limit=3.5):
    """Sample quality against the number of network evaluations per sample.

    samples_by_steps: ``{k: (m, 2) samples made with k sampling steps}`` (for example
    ``DDPM.sample(m, n_steps=k)``); n_steps: one of its keys, shown on the left; X (n, 2):
    the data. Right: the mean distance from a sample to its nearest data point for every
    k, the chosen one marked, against the single evaluation of a GAN or a flow.
    """
    if n_steps not in samples_by_steps:
        raise ValueError(f"n_steps must be one of {sorted(samples_by_steps)}, got {n_steps!r}")
    X = np.asarray(X, dtype=float)
    steps = sorted(samples_by_steps)
    tree = scipy.spatial.cKDTree(X)
    distances = [_nn_distance(samples_by_steps[k], tree) for k in steps]
    shown = np.asarray(samples_by_steps[n_steps], dtype=float)

    fig, (left, right) = new_figure(ncols=2, width=3.6, height=3.6, top=0.86, left=0.14)
    left.scatter(X[:, 0], X[:, 1], s=1, color="0.7", label="data")
    left.scatter(shown[:, 0], shown[:, 1], s=2, color="C1", alpha=0.6, label="samples")
    left.set_title(f"{n_steps} network evaluations per sample", fontsize=10)
    left.legend(loc="lower right", fontsize=8)
    _square(left, limit)
    right.plot(steps, distances, "o-", color="C0")
    right.plot([n_steps], [distances[steps.index(n_steps)]], "o", color="C1", markersize=10)
    right.axvline(1, color="0.5", linestyle="--", label="GAN / flow: 1 evaluation")
    right.set_xscale("log")
    right.set_xlabel("sampling steps (network evaluations per sample)")
    right.set_ylabel("mean distance to the nearest data point")
    right.set_title("quality against sampling cost", fontsize=10)
    right.legend(fontsize=8)
    return fig


def _nn_distance(samples, tree):
    """Mean distance from each sample (m, 2) to its nearest data point (a k-d tree of X)."""
    return float(tree.query(np.asarray(samples, dtype=float))[0].mean())


__all__ = ["draw_diffusion", "draw_flow_density", "draw_sampling_steps"]
