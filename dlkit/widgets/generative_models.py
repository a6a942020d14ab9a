"""Widget drawings for module 19, generative models.

All are numpy-only at redraw time and redraw in place (:class:`dlkit.plot.LiveFigure`):
the diffusion slider reads a precomputed reverse trajectory (``DDPM.sample(...,
return_path=True)``) and noises the data in closed form, the flow density is computed for
every layer count of a trained RealNVP once (``numpy_log_prob`` on ``to_numpy_params()``
weights), and the sampling-steps figure reads samples computed once per step count.
"""

import numpy as np
import scipy.spatial

from dlkit.plot import LiveFigure, new_figure

GRID = 100  # points per side of the flow-density grid


def _square(ax, limit):
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$ (standardised)")
    ax.set_ylabel("$x_2$ (standardised)")


class DiffusionProcess(LiveFigure):
    """Module 19's diffusion slider, redrawn in place (see :func:`draw_diffusion`): the
    data, the reverse trajectory, the fixed noise ``eps`` (drawn once from ``seed``), the
    schedule's ``abar`` and both panels are fixed; the forward sample
    ``sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps``, the reverse chain's state ``path[T - t]``
    and both titles move with ``t``.

    Limits: both panels ``[-limit, limit]^2``, fixed (the noised data ends near N(0, I))."""

    def __init__(self, X, path, betas, seed=0, limit=3.5):
        self.X = np.asarray(X, dtype=float)
        betas = np.asarray(betas, dtype=float)
        self.T = len(betas)
        if len(path) != self.T + 1:
            raise ValueError(
                f"path must hold T + 1 = {self.T + 1} states (x_T first), got {len(path)}"
            )
        self.path = path
        from dlkit.models.diffusion import ddpm_schedule  # imports torch: on first use

        _, self.alpha_bars = ddpm_schedule(betas)
        self.eps = np.random.default_rng(seed).standard_normal(self.X.shape)
        fig, (left, right) = new_figure(ncols=2, width=3.6, height=3.6, top=0.86)
        empty = np.empty((0, 2))
        self.forward = left.scatter(empty[:, 0], empty[:, 1], s=2, alpha=0.5, color="C0")
        self.reverse = right.scatter(empty[:, 0], empty[:, 1], s=2, alpha=0.5, color="C1")
        for ax in (left, right):
            _square(ax, limit)
            ax.set_title(" \n ", fontsize=10)
        self.left, self.right = left, right
        super().__init__(fig, [self.forward, self.reverse, left.title, right.title])

    def update(self, t):
        T = self.T
        if isinstance(t, bool) or not isinstance(t, int | np.integer) or not 0 <= t <= T:
            raise ValueError(f"t must be an integer in 0..{T}, got {t!r}")
        from dlkit.models.diffusion import q_sample

        noised = self.X if t == 0 else q_sample(self.X, t - 1, self.eps, self.alpha_bars)
        abar = 1.0 if t == 0 else self.alpha_bars[t - 1]
        self.forward.set_offsets(noised)
        self.reverse.set_offsets(np.asarray(self.path[T - t], dtype=float))
        self.left.set_title(f"forward: data after {t} steps\nabar_t = {abar:.3f}", fontsize=10)
        self.right.set_title(
            f"reverse: samples at step {t}\n({T - t} of {T} denoising steps)", fontsize=10
        )
        return self


def draw_diffusion(X, path, t, betas, seed=0, limit=3.5):
    """The forward and the learned reverse process at step t.

    X (n, 2): data; path: the reverse trajectory of a trained DDPM, a list of T + 1 arrays
    (m, 2), ``path[0]`` the noise x_T and ``path[T - s]`` the state after step s (so the
    last entry is the generated sample); t in 0..T: the number of forward steps applied
    (t = 0 is the data); betas (T,) the schedule. Left: X noised by ``q(x_t | x_0)`` with
    fixed noise (``abar_t`` in the title); right: the reverse chain's samples at the same
    noise level.
    """
    return DiffusionProcess(X, path, betas, seed, limit).update(t).figure


class FlowDensity(LiveFigure):
    """Module 19's flow-density slider, redrawn in place (see :func:`draw_flow_density`):
    the grid, the density ``p(x)`` after every layer count 0..K and the data's mean
    log-density (all computed once per model) and the axes are fixed; the image, its
    colour range, the data drawn over it, the spines and the title move with
    ``n_layers``.

    Limits: ``[-limit, limit]^2``, fixed (the grid's extent). Colours: ``min .. max`` of
    the shown density (no colour bar: the picture shows its shape; the title its fit)."""

    def __init__(self, params, X=None, limit=3.0):
        self.K = len(params)
        grid = np.linspace(-limit, limit, GRID)
        xx, yy = np.meshgrid(grid, grid)
        points = np.stack([xx.ravel(), yy.ravel()], axis=1)  # (GRID^2, 2)
        from dlkit.models.flow import numpy_log_prob  # imports torch: on first use

        layers = range(self.K + 1)
        self.densities = [  # (K + 1) of (GRID, GRID)
            np.exp(numpy_log_prob(params, points, n)).reshape(GRID, GRID) for n in layers
        ]
        fig, ax = new_figure(width=4.2, height=4.0, top=0.86)
        self.image = ax.imshow(
            self.densities[0], origin="lower", extent=(-limit, limit, -limit, limit), cmap="viridis"
        )
        moving = [self.image]
        self.fits = None
        if X is not None:
            X = np.asarray(X, dtype=float)
            self.fits = [numpy_log_prob(params, X, n).mean() for n in layers]
            moving.append(ax.scatter(X[:, 0], X[:, 1], s=1, color="white", alpha=0.25))
        ax.set_title(" \n ", fontsize=10)
        ax.grid(False)
        _square(ax, limit)
        self.ax = ax
        # the spines too, so that they stay over the image, as savefig draws them
        super().__init__(fig, [*moving, *ax.spines.values(), ax.title])

    def update(self, n_layers):
        K = self.K
        if isinstance(n_layers, bool) or not isinstance(n_layers, int | np.integer):
            raise ValueError(f"n_layers must be an integer in 0..{K}, got {n_layers!r}")
        if not 0 <= n_layers <= K:
            raise ValueError(f"n_layers must be an integer in 0..{K}, got {n_layers}")
        density = self.densities[n_layers]
        self.image.set_data(density)
        self.image.set_clim(density.min(), density.max())
        title = f"flow density after {n_layers} of {K} couplings"
        if self.fits is not None:
            title += f"\nmean log p(data) = {self.fits[n_layers]:.2f} nats"
        self.ax.set_title(title, fontsize=10)
        return self


def draw_flow_density(params, n_layers, X=None, limit=3.0):
    """The density of a trained RealNVP after its first ``n_layers`` couplings.

    params: ``RealNVP.to_numpy_params()`` (one dict per layer); n_layers in 0..K (0 is the
    standard normal base density); X (n, 2): optional data drawn on top. Shows
    ``p(x)`` on a 100 x 100 grid with the numpy forward pass, and the mean log-density of
    X when given.
    """
    return FlowDensity(params, X, limit).update(n_layers).figure


class SamplingSteps(LiveFigure):
    """Module 19's sampling-steps slider, redrawn in place (see :func:`draw_sampling_steps`):
    the data, the distance curve (one nearest-neighbour distance per step count, computed
    once), the GAN / flow line and the axes are fixed; the samples, the left legend over
    them, the marker on the chosen count and the left title move with ``n_steps``.

    Limits: left ``[-limit, limit]^2``; right, those of the curve (autoscaled once) with a
    quarter of its range added on top for the legend, fixed."""

    def __init__(self, samples_by_steps, X, limit=3.5):
        self.samples_by_steps = samples_by_steps
        X = np.asarray(X, dtype=float)
        self.steps = sorted(samples_by_steps)
        tree = scipy.spatial.cKDTree(X)
        self.distances = [_nn_distance(samples_by_steps[k], tree) for k in self.steps]

        fig, (left, right) = new_figure(ncols=2, width=3.6, height=3.6, top=0.86, left=0.14)
        left.scatter(X[:, 0], X[:, 1], s=1, color="0.7", label="data")
        empty = np.empty((0, 2))
        self.samples = left.scatter(
            empty[:, 0], empty[:, 1], s=2, color="C1", alpha=0.6, label="samples"
        )
        left.set_title(" ", fontsize=10)
        legend = left.legend(loc="lower right", fontsize=8)
        _square(left, limit)
        right.plot(self.steps, self.distances, "o-", color="C0")
        (self.marker,) = right.plot([], [], "o", color="C1", markersize=10)
        right.axvline(1, color="0.5", linestyle="--", label="GAN / flow: 1 evaluation")
        right.set_xscale("log")
        right.set_xlabel("sampling steps (network evaluations per sample)")
        right.set_ylabel("mean distance to the nearest data point")
        right.set_title("quality against sampling cost", fontsize=10)
        right.legend(loc="upper right", fontsize=8)
        right.set_xlim(right.get_xlim())  # the curve's, autoscaled once
        low, high = right.get_ylim()
        right.set_ylim(low, high + 0.25 * (high - low))  # headroom: the legend over the curve
        self.left = left
        super().__init__(fig, [self.samples, legend, self.marker, left.title])

    def update(self, n_steps):
        if n_steps not in self.samples_by_steps:
            raise ValueError(
                f"n_steps must be one of {sorted(self.samples_by_steps)}, got {n_steps!r}"
            )
        self.samples.set_offsets(np.asarray(self.samples_by_steps[n_steps], dtype=float))
        self.marker.set_data([n_steps], [self.distances[self.steps.index(n_steps)]])
        self.left.set_title(f"{n_steps} network evaluations per sample", fontsize=10)
        return self


def draw_sampling_steps(samples_by_steps, n_steps, X, limit=3.5):
    """Sample quality against the number of network evaluations per sample.

    samples_by_steps: ``{k: (m, 2) samples made with k sampling steps}`` (for example
    ``DDPM.sample(m, n_steps=k)``); n_steps: one of its keys, shown on the left; X (n, 2):
    the data. Right: the mean distance from a sample to its nearest data point for every
    k, the chosen one marked, against the single evaluation of a GAN or a flow.
    """
    if n_steps not in samples_by_steps:
        raise ValueError(f"n_steps must be one of {sorted(samples_by_steps)}, got {n_steps!r}")
    return SamplingSteps(samples_by_steps, X, limit).update(n_steps).figure


def _nn_distance(samples, tree):
    """Mean distance from each sample (m, 2) to its nearest data point (a k-d tree of X)."""
    return float(tree.query(np.asarray(samples, dtype=float))[0].mean())


__all__ = [
    "DiffusionProcess",
    "FlowDensity",
    "SamplingSteps",
    "draw_diffusion",
    "draw_flow_density",
    "draw_sampling_steps",
]
