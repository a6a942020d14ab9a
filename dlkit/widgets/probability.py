"""Widget drawings for module 02, probability."""

import numpy as np
from matplotlib.ticker import MaxNLocator

from dlkit import prob
from dlkit.plot import LiveFigure, new_figure, nice_ceil

DISTRIBUTIONS = ("bernoulli", "binomial", "gaussian", "laplace", "exponential")
CLT_SOURCES = {
    # name: (distribution, population mean, population standard deviation)
    "exponential": (prob.Exponential(1.0), 1.0, 1.0),
    "uniform": (None, 0.5, np.sqrt(1.0 / 12.0)),
    "bernoulli(0.2)": (prob.Bernoulli(0.2), 0.2, 0.4),
}


def _check_distribution(name):
    """Raise the ValueError of ``draw_distribution`` for a name it does not know."""
    if name not in DISTRIBUTIONS:
        raise ValueError(
            f"draw_distribution: unknown distribution {name!r}; choose one of {DISTRIBUTIONS}"
        )


def _distribution(name, location, scale, p, n_trials):
    """The dlkit.prob distribution that ``draw_distribution`` shows, and its formula."""
    if name == "bernoulli":
        return prob.Bernoulli(p), f"Bernoulli(p={p:.2f})"
    if name == "binomial":
        return prob.Binomial(n_trials, p), f"Binomial(n={n_trials}, p={p:.2f})"
    if name == "gaussian":
        return prob.Gaussian(location, scale), f"N(μ={location:.2f}, σ={scale:.2f})"
    if name == "laplace":
        return prob.Laplace(location, scale), f"Laplace(μ={location:.2f}, b={scale:.2f})"
    return prob.Exponential(1.0 / scale), f"Exponential(rate 1/{scale:.2f})"


def _density_top(peak):
    """A y-axis top for curves whose highest value is ``peak``: ``1.1 peak`` rounded up to
    a 1-2-5 step, so that it changes only when the peak crosses a step (the peak fills at
    least 36 % of the frame)."""
    return nice_ceil(1.1 * peak)


class DistributionExplorer(LiveFigure):
    """Module 02's distribution explorer, redrawn in place (see :func:`draw_distribution`):
    the panels, labels and legend are fixed per distribution; the pmf or pdf, the cdf,
    the mean ± std band and line and the title move with the parameters.

    The limits change in steps, so that a slider moves the curves against steady axes
    (the location slider slides a density along a still x axis): a density's x range is
    ``+-X`` with ``X`` the 1-2-5 step at or above ``|location| + 4 scale`` (the
    exponential's ``-X / 20 .. X`` with ``X`` at or above ``5 scale``, its 99.3 %
    quantile); a count's is ``-1 .. X`` with ``X`` the step of 1, 1.5, 2, 3, 4, 5, 6, 8
    at or above ``n_trials + 1`` (Bernoulli: ``-1 .. 2``). The curves are drawn across
    the whole window. The y range of the pdf or pmf runs up to ``1.1`` times its peak rounded
    up to a 1-2-5 step (a pmf's at most ``1.1``); the cdf's is fixed. The two parameters
    a distribution does not use draw nothing, and moving them repaints the same picture.
    """

    def __init__(self, name):
        _check_distribution(name)
        self.name = name
        self.discrete = name in ("bernoulli", "binomial")
        fig, (left, right) = new_figure(ncols=2, width=4.0, height=3.2, top=0.8, bottom=0.16)
        if self.discrete:
            self.mass = left.vlines([], 0.0, [], color="C0", lw=3, label="P(X = k)")
            left.set_ylabel("probability P(X = k)")
            (self.cumulative,) = right.plot([], [], color="C1", drawstyle="steps-post")
            left.set_xlabel("value k (count)")
            right.set_xlabel("value x (count)")
            for ax in (left, right):
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # ticks on counts
        else:
            (self.mass,) = left.plot([], [], color="C0", label="density p(x)")
            left.set_ylabel("density p(x) (1 / unit of x)")
            (self.cumulative,) = right.plot([], [], color="C1")
            left.set_xlabel("value x (units of x)")
            right.set_xlabel("value x (units of x)")
        self.spread = left.axvspan(0.0, 0.0, color="C2", alpha=0.15, label="mean ± std")
        self.mean_line = left.axvline(0.0, color="C2", lw=1.5)
        left.legend(loc="upper right", fontsize=8)
        left.set_title("pmf" if self.discrete else "pdf")
        right.set_ylim(-0.02, 1.02)
        right.set_ylabel("P(X ≤ x)")
        right.set_title("cdf")
        self.title = fig.suptitle("")
        self.left, self.right = left, right
        moving = [self.mass, self.cumulative, self.spread, self.mean_line, self.title]
        super().__init__(fig, moving)

    def update(self, location=0.0, scale=1.0, p=0.3, n_trials=10):
        dist, label = _distribution(self.name, location, scale, p, n_trials)
        mean, std = dist.mean(), np.sqrt(dist.var())
        low, high = self._x_range(location, scale, n_trials)
        x = np.linspace(low, high, 600)  # (600,) across the whole window
        if self.discrete:
            k = np.arange(0, (1 if self.name == "bernoulli" else n_trials) + 1)  # the support
            pmf = dist.pmf(k)
            bars = np.zeros((k.size, 2, 2))  # (bar, bottom and top, x and y)
            bars[:, :, 0] = k[:, None]
            bars[:, 1, 1] = pmf
            self.mass.set_segments(bars)
            top = min(_density_top(pmf.max()), 1.1)  # a probability is at most 1
        else:
            density = dist.pdf(x)
            self.mass.set_data(x, density)
            top = _density_top(density.max())
        self.cumulative.set_data(x, dist.cdf(x))
        self.spread.set_x(mean - std)
        self.spread.set_width(2.0 * std)
        self.mean_line.set_xdata([mean, mean])
        self.title.set_text(f"{label}: mean {mean:.3g}, variance {dist.var():.3g}")
        for ax in (self.left, self.right):
            ax.set_xlim(low, high)
        self.left.set_ylim(-0.03 * top, top)
        return self

    def _x_range(self, location, scale, n_trials):
        """The steady x window of both panels (see the class docstring)."""
        if self.discrete:
            support_end = 1 if self.name == "bernoulli" else n_trials
            return -1.0, nice_ceil(support_end + 1, steps=(1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0))
        if self.name == "exponential":
            reach = nice_ceil(5.0 * scale)
            return -0.05 * reach, reach
        reach = nice_ceil(abs(location) + 4.0 * scale)
        return -reach, reach


def draw_distribution(name, location=0.0, scale=1.0, p=0.3, n_trials=10):
    """Density (or pmf) and CDF of one distribution, with its mean ± one standard deviation.

    ``location`` and ``scale`` set the Gaussian's mu and sigma and the Laplace's mu and b;
    the exponential uses rate 1 / scale. ``p`` and ``n_trials`` set Bernoulli and binomial.
    """
    return DistributionExplorer(name).update(location, scale, p, n_trials).figure


def _clt_source(source):
    """The (distribution, mean, standard deviation) of a CLT source by name."""
    if source not in CLT_SOURCES:
        raise ValueError(
            f"clt_statistics: unknown source {source!r}; choose one of {list(CLT_SOURCES)}"
        )
    return CLT_SOURCES[source]


def clt_statistics(n, source="exponential", trials=2000, seed=0):
    """``trials`` standardised means ``sqrt(n) (mean - mu) / sigma`` of n draws from ``source``."""
    dist, mu, sigma = _clt_source(source)
    if not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"clt_statistics: n must be a positive integer, got {n!r}")
    rng = np.random.default_rng(seed)
    if dist is None:
        draws = rng.random((trials, n))  # (trials, n) uniform on [0, 1)
    else:
        draws = dist.sample(rng, trials * n).reshape(trials, n)  # (trials, n)
    return prob.standardized_means(draws, mu, sigma)


class CentralLimit(LiveFigure):
    """Module 02's CLT sample-size slider, redrawn in place (see :func:`draw_clt`): the
    bins, the N(0, 1) density and the labels are fixed per source; the histogram, the
    title (n, skewness) and the legend (its entry counts the trials) move with n, trials
    and seed. The density is repainted too, to stay on top of the histogram.

    The x range is the bins' -4 .. 4; the y range runs up to ``0.6 * 2**j``, the smallest
    at or above ``1.05`` times the tallest bar: 0.6 (the N(0, 1) peak 0.4 with room for
    the bars' noise) once the means are near normal, so that n, trials and seed move the
    histogram against a still frame; taller, in doublings, for the skewed small n."""

    def __init__(self, source="exponential"):
        _clt_source(source)
        self.source = source
        fig, ax = new_figure(width=5.5, height=3.6, top=0.86, bottom=0.15)
        self.bins = np.linspace(-4.0, 4.0, 41)
        self.histogram = ax.stairs(
            np.zeros(self.bins.size - 1),
            self.bins,
            fill=True,
            color="C0",
            alpha=0.6,
            label="simulated means",
        )
        grid = np.linspace(-4.0, 4.0, 200)
        (normal,) = ax.plot(
            grid, prob.Gaussian(0.0, 1.0).pdf(grid), color="C3", lw=2, label="N(0, 1) density"
        )
        ax.set_xlabel("standardised mean √n (x̄ − μ) / σ (standard deviations)")
        ax.set_ylabel("density (1 / standard deviation)")
        ax.set_xlim(self.bins[0], self.bins[-1])
        ax.set_xticks(np.arange(-4, 5))
        self.legend = ax.legend(loc="upper left", fontsize=8)
        self.ax = ax
        super().__init__(fig, [self.histogram, normal, ax.title, self.legend])

    def update(self, n, trials=2000, seed=0):
        z = clt_statistics(n, self.source, trials, seed)
        heights = np.histogram(z, bins=self.bins)[0] / (z.size * np.diff(self.bins))  # density
        self.histogram.set_data(heights)
        label = f"{trials} simulated means"
        self.histogram.set_label(label)
        self.legend.get_texts()[0].set_text(label)
        self.ax.set_title(
            f"CLT: means of n = {n} {self.source} draws; sample skewness {prob.skewness(z):.2f}"
        )
        doublings = max(0, int(np.ceil(np.log2(1.05 * heights.max() / 0.6))))
        self.ax.set_ylim(0.0, 0.6 * 2.0**doublings)
        return self


def draw_clt(n, source="exponential", trials=2000, seed=0):
    """Histogram of standardised sample means of size n against the N(0, 1) density."""
    return CentralLimit(source).update(n, trials, seed).figure


def beta_binomial_posterior(heads, flips, prior_a=1.0, prior_b=1.0, grid_size=501):
    """Grid posterior of a coin's bias theta after ``heads`` in ``flips`` tosses.

    Prior ``Beta(a, b)`` evaluated on the grid, likelihood ``theta^h (1 - theta)^(f - h)``,
    posterior by :func:`dlkit.prob.bayes_posterior`. Returns ``(theta, prior, likelihood,
    posterior)`` with prior and posterior as densities (they integrate to 1 on [0, 1]).
    """
    if not 0 <= heads <= flips:
        raise ValueError(
            f"beta_binomial_posterior: need 0 <= heads <= flips, got heads={heads}, flips={flips}"
        )
    if not (prior_a > 0 and prior_b > 0):
        raise ValueError(
            f"beta_binomial_posterior: the Beta prior needs a > 0 and b > 0, got "
            f"a={prior_a}, b={prior_b}"
        )
    theta = (np.arange(grid_size) + 0.5) / grid_size  # (grid,) cell midpoints in (0, 1)
    width = 1.0 / grid_size
    log_prior = (prior_a - 1) * np.log(theta) + (prior_b - 1) * np.log1p(-theta)
    prior = np.exp(log_prior - log_prior.max())
    prior /= prior.sum()
    log_lik = heads * np.log(theta) + (flips - heads) * np.log1p(-theta)
    likelihood = np.exp(log_lik - log_lik.max())  # scaled so that its maximum is 1
    posterior = prob.bayes_posterior(prior, likelihood)
    return theta, prior / width, likelihood, posterior / width


class BayesUpdate(LiveFigure):
    """Module 02's Bayes updater for a coin, redrawn in place (see
    :func:`draw_bayes_update`): the axes and their labels are fixed; the prior, the scaled
    likelihood, the posterior and its mean, the title and the legend (its entry names the
    prior) move with heads, flips and the prior's a and b.

    The x range is the coin's bias, 0 .. 1; the y range runs up to ``1.1`` times the
    tallest density (prior or posterior) rounded up to a 1-2-5 step, so it changes only
    when a peak crosses a step: a slider moves the curves against a still frame."""

    def __init__(self):
        fig, ax = new_figure(width=5.5, height=3.6, top=0.86, bottom=0.15)
        (self.prior,) = ax.plot([], [], color="0.5", ls="--", label="prior")
        (self.likelihood,) = ax.plot([], [], color="C1", ls=":", label="likelihood (scaled)")
        (self.posterior,) = ax.plot([], [], color="C0", lw=2, label="posterior")
        self.mean_line = ax.axvline(0.5, color="C0", lw=0.8)
        ax.set_xlabel("coin bias θ = P(heads) (probability)")
        ax.set_ylabel("density (1 / unit of θ)")
        ax.set_xlim(0.0, 1.0)
        self.legend = ax.legend(loc="upper left", fontsize=8)
        self.ax = ax
        lines = [self.prior, self.likelihood, self.posterior, self.mean_line]
        super().__init__(fig, [*lines, ax.title, self.legend])

    def update(self, heads, flips, prior_a=1.0, prior_b=1.0):
        theta, prior, likelihood, posterior = beta_binomial_posterior(
            heads, flips, prior_a, prior_b
        )
        mean = float(np.sum(theta * posterior) / np.sum(posterior))
        label = f"prior Beta({prior_a:g}, {prior_b:g})"
        self.prior.set_data(theta, prior)
        self.prior.set_label(label)
        self.legend.get_texts()[0].set_text(label)
        scaled = likelihood * posterior.max()  # drawn to the posterior's height for comparison
        self.likelihood.set_data(theta, scaled)
        self.posterior.set_data(theta, posterior)
        self.mean_line.set_xdata([mean, mean])
        self.ax.set_title(f"{heads} heads in {flips} flips: posterior mean {mean:.3f}")
        top = _density_top(max(prior.max(), posterior.max()))
        self.ax.set_ylim(-0.03 * top, top)
        return self


def draw_bayes_update(heads, flips, prior_a=1.0, prior_b=1.0):
    """Prior, likelihood and posterior of a coin's bias after ``heads`` in ``flips`` tosses."""
    return BayesUpdate().update(heads, flips, prior_a, prior_b).figure
