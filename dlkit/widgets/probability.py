"""Widget drawings for module 02, probability."""

import numpy as np

from dlkit import prob
from dlkit.plot import new_figure

DISTRIBUTIONS = ("bernoulli", "binomial", "gaussian", "laplace", "exponential")
CLT_SOURCES = {
    # name: (distribution, population mean, population standard deviation)
    "exponential": (prob.Exponential(1.0), 1.0, 1.0),
    "uniform": (None, 0.5, np.sqrt(1.0 / 12.0)),
    "bernoulli(0.2)": (prob.Bernoulli(0.2), 0.2, 0.4),
}


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
    if name == "exponential":
        return prob.Exponential(1.0 / scale), f"Exponential(rate 1/{scale:.2f})"
    raise ValueError(
        f"draw_distribution: unknown distribution {name!r}; choose one of {DISTRIBUTIONS}"
    )


def draw_distribution(name, location=0.0, scale=1.0, p=0.3, n_trials=10):
    """Density (or pmf) and CDF of one distribution, with its mean ± one standard deviation.

    ``location`` and ``scale`` set the Gaussian's mu and sigma and the Laplace's mu and b;
    the exponential uses rate 1 / scale. ``p`` and ``n_trials`` set Bernoulli and binomial.
    """
    dist, label = _distribution(name, location, scale, p, n_trials)
    mean, std = dist.mean(), np.sqrt(dist.var())
    fig, (left, right) = new_figure(ncols=2, width=4.0, height=3.2, top=0.8, bottom=0.16)
    if name in ("bernoulli", "binomial"):
        k = np.arange(0, (1 if name == "bernoulli" else n_trials) + 1)  # the support
        left.vlines(k, 0.0, dist.pmf(k), color="C0", lw=3, label="P(X = k)")
        left.set_ylabel("probability P(X = k)")
        x = np.linspace(-1.0, k[-1] + 1.0, 400)
        right.plot(x, dist.cdf(x), color="C1", drawstyle="steps-post")
        left.set_xlabel("value k (count)")
        right.set_xlabel("value x (count)")
    else:
        if name == "exponential":
            x = np.linspace(-0.5 * scale, 8.0 * scale, 400)
        else:
            x = np.linspace(location - 6.0 * scale, location + 6.0 * scale, 400)
        left.plot(x, dist.pdf(x), color="C0", label="density p(x)")
        left.set_ylabel("density p(x) (1 / unit of x)")
        right.plot(x, dist.cdf(x), color="C1")
        left.set_xlabel("value x (units of x)")
        right.set_xlabel("value x (units of x)")
    left.axvspan(mean - std, mean + std, color="C2", alpha=0.15, label="mean ± std")
    left.axvline(mean, color="C2", lw=1.5)
    left.legend(loc="upper right", fontsize=8)
    left.set_title("pmf" if name in ("bernoulli", "binomial") else "pdf")
    right.set_ylim(-0.02, 1.02)
    right.set_ylabel("P(X ≤ x)")
    right.set_title("cdf")
    fig.suptitle(f"{label}: mean {mean:.3g}, variance {dist.var():.3g}")
    return fig


def clt_statistics(n, source="exponential", trials=2000, seed=0):
    """``trials`` standardised means ``sqrt(n) (mean - mu) / sigma`` of n draws from ``source``."""
    if source not in CLT_SOURCES:
        raise ValueError(
            f"clt_statistics: unknown source {source!r}; choose one of {list(CLT_SOURCES)}"
        )
    if not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"clt_statistics: n must be a positive integer, got {n!r}")
    dist, mu, sigma = CLT_SOURCES[source]
    rng = np.random.default_rng(seed)
    if dist is None:
        draws = rng.random((trials, n))  # (trials, n) uniform on [0, 1)
    else:
        draws = dist.sample(rng, trials * n).reshape(trials, n)  # (trials, n)
    return prob.standardized_means(draws, mu, sigma)


def draw_clt(n, source="exponential", trials=2000, seed=0):
    """Histogram of standardised sample means of size n against the N(0, 1) density."""
    z = clt_statistics(n, source, trials, seed)
    fig, ax = new_figure(width=5.5, height=3.6, top=0.86, bottom=0.15)
    bins = np.linspace(-4.0, 4.0, 41)
    heights = np.histogram(z, bins=bins)[0] / (z.size * np.diff(bins))  # density per bin
    ax.stairs(heights, bins, fill=True, color="C0", alpha=0.6, label=f"{trials} simulated means")
    grid = np.linspace(-4.0, 4.0, 200)
    ax.plot(grid, prob.Gaussian(0.0, 1.0).pdf(grid), color="C3", lw=2, label="N(0, 1) density")
    ax.set_xlabel("standardised mean √n (x̄ − μ) / σ (standard deviations)")
    ax.set_ylabel("density (1 / standard deviation)")
    ax.set_title(f"CLT: means of n = {n} {source} draws; sample skewness {prob.skewness(z):.2f}")
    ax.legend(loc="upper left", fontsize=8)
    return fig


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


def draw_bayes_update(heads, flips, prior_a=1.0, prior_b=1.0):
    """Prior, likelihood and posterior of a coin's bias after ``heads`` in ``flips`` tosses."""
    theta, prior, likelihood, posterior = beta_binomial_posterior(heads, flips, prior_a, prior_b)
    mean = float(np.sum(theta * posterior) / np.sum(posterior))
    fig, ax = new_figure(width=5.5, height=3.6, top=0.86, bottom=0.15)
    ax.plot(theta, prior, color="0.5", ls="--", label=f"prior Beta({prior_a:g}, {prior_b:g})")
    scaled = likelihood * posterior.max()  # drawn to the posterior's height for comparison
    ax.plot(theta, scaled, color="C1", ls=":", label="likelihood (scaled)")
    ax.plot(theta, posterior, color="C0", lw=2, label="posterior")
    ax.axvline(mean, color="C0", lw=0.8)
    ax.set_xlabel("coin bias θ = P(heads) (probability)")
    ax.set_ylabel("density (1 / unit of θ)")
    ax.set_title(f"{heads} heads in {flips} flips: posterior mean {mean:.3f}")
    ax.legend(loc="upper left", fontsize=8)
    return fig
