"""Module-03 widget drawings, headless: right content, labelled axes, no pyplot leaks."""

import numpy as np
import pytest
import scipy.integrate
import scipy.stats

from dlkit import widgets
from dlkit.testing import assert_close
from tests.dlkit.widgets.figures import (
    assert_labelled,
    assert_redraws_in_place,
    background_renders,
    sweep,
)

KL_DEFAULTS = {"mu1": 0.0, "sigma1": 1.0, "mu2": 1.0, "sigma2": 0.6}
KL_SLIDERS = {  # module 03's notebook: (min, max, step) of each slider
    "mu1": (-3.0, 3.0, 0.1),
    "sigma1": (0.2, 3.0, 0.1),
    "mu2": (-3.0, 3.0, 0.1),
    "sigma2": (0.2, 3.0, 0.1),
}


def line(ax, label):
    (found,) = [ln for ln in ax.get_lines() if ln.get_label().startswith(label)]
    return found.get_data()


def test_bernoulli_entropy_curve_in_bits():
    fig = widgets.draw_bernoulli_entropy(0.25, base=2)
    assert_labelled(fig)
    (ax,) = fig.axes
    assert "(bits)" in ax.get_ylabel()
    p, h = line(ax, "H(p)")
    expected = scipy.stats.entropy(np.stack([p, 1 - p]), base=2, axis=0)
    assert_close(h, expected, atol=1e-12)
    _, heads = line(ax, "heads")
    _, tails = line(ax, "tails")
    assert_close(heads + tails, h, atol=1e-12)
    assert f"{scipy.stats.entropy([0.25, 0.75], base=2):.3f} bits" in ax.get_title()


def test_bernoulli_entropy_in_nats_and_at_the_ends():
    fig = widgets.draw_bernoulli_entropy(1.0, base=np.e)
    (ax,) = fig.axes
    assert "(nats)" in ax.get_ylabel() and "= 0.000 nats" in ax.get_title()
    _, h = line(ax, "H(p)")
    assert_close(h.max(), np.log(2))


@pytest.mark.parametrize(("p", "base"), [(1.5, 2.0), (0.5, 10.0)])
def test_bernoulli_entropy_rejects_bad_input(p, base):
    with pytest.raises(ValueError, match="draw_bernoulli_entropy"):
        widgets.draw_bernoulli_entropy(p, base)


def test_gaussian_kl_integrands_integrate_to_the_closed_form():
    mu1, s1, mu2, s2 = 0.0, 1.0, 1.5, 0.6
    fig = widgets.draw_gaussian_kl(mu1, s1, mu2, s2)
    assert_labelled(fig)
    left, right = fig.axes
    x, p = line(left, "p =")
    assert_close(p, scipy.stats.norm(mu1, s1).pdf(x))
    x, integrand_pq = line(right, "p log")
    _, integrand_qp = line(right, "q log")
    kl_pq = np.log(s2 / s1) + (s1**2 + (mu1 - mu2) ** 2) / (2 * s2**2) - 0.5
    kl_qp = np.log(s1 / s2) + (s2**2 + (mu1 - mu2) ** 2) / (2 * s1**2) - 0.5
    assert_close(scipy.integrate.trapezoid(integrand_pq, x), kl_pq, rtol=1e-3)
    assert_close(scipy.integrate.trapezoid(integrand_qp, x), kl_qp, rtol=1e-3)
    assert f"KL(p || q) = {kl_pq:.3f}" in fig.get_suptitle()
    assert f"KL(q || p) = {kl_qp:.3f}" in fig.get_suptitle()


def test_gaussian_kl_of_equal_gaussians_is_zero():
    fig = widgets.draw_gaussian_kl(0.5, 2.0, 0.5, 2.0)
    assert "KL(p || q) = 0.000" in fig.get_suptitle()


def test_gaussian_kl_rejects_nonpositive_sigma():
    with pytest.raises(ValueError, match="standard deviations"):
        widgets.draw_gaussian_kl(0.0, 0.0, 0.0, 1.0)


@pytest.mark.parametrize("base", [2.0, float(np.e)])
def test_bernoulli_entropy_redraws_in_place(base):
    updates = [{"p": p} for p in (0.3, 0.0, 1.0, 0.5, 0.01)]
    assert_redraws_in_place(widgets.BernoulliEntropy, {"base": base}, updates)


def test_gaussian_kl_redraws_in_place():
    updates = [  # the defaults; a step keeping the limits, steps crossing one (the
        # integrands' top from 3 to 1, the x range from 5 to 10); p = q: flat zero
        # integrands at the floor; the sliders' extremes
        {"mu1": 0.0, "sigma1": 1.0, "mu2": 1.0, "sigma2": 0.6},
        {"mu1": 0.1, "sigma1": 1.0, "mu2": 1.0, "sigma2": 0.6},
        {"mu1": 0.3, "sigma1": 1.0, "mu2": 1.0, "sigma2": 0.6},
        {"mu1": -1.0, "sigma1": 1.0, "mu2": 1.0, "sigma2": 0.6},
        {"mu1": 0.5, "sigma1": 2.0, "mu2": 0.5, "sigma2": 2.0},
        {"mu1": -3.0, "sigma1": 0.2, "mu2": 3.0, "sigma2": 3.0},
        {"mu1": 3.0, "sigma1": 3.0, "mu2": -3.0, "sigma2": 0.2},
    ]
    assert_redraws_in_place(widgets.GaussianKL, {}, updates)


# measured: mu1 7 and mu2 6 of 60 moves, sigma1 4 and sigma2 6 of 28: the integrands'
# heights span three decades over the sliders, so their top takes a few half-decade steps
@pytest.mark.parametrize(("name", "bound"), [("mu1", 9), ("sigma1", 6), ("mu2", 9), ("sigma2", 8)])
def test_gaussian_kl_sliders_keep_the_axes(name, bound):
    assert (
        background_renders(widgets.GaussianKL(), sweep(KL_DEFAULTS, name, KL_SLIDERS[name]))
        <= bound
    )


def test_gaussian_kl_limits_at_the_defaults():
    left, right = widgets.draw_gaussian_kl(**KL_DEFAULTS).axes
    assert left.get_xlim() == right.get_xlim() == (-5.0, 5.0)
    assert_close(np.array(left.get_ylim()), np.array([-0.05, 1.0]))
    assert right.get_ylim() == (-0.5, 3.0)


@pytest.mark.parametrize("name", KL_SLIDERS)
@pytest.mark.parametrize("end", ["low", "high"])
def test_gaussian_kl_limits_hold_the_curves(name, end):
    params = sweep(KL_DEFAULTS, name, KL_SLIDERS[name])[0 if end == "low" else -1]
    left, right = widgets.draw_gaussian_kl(**params).axes
    for ax, least_fill in ((left, 0.4), (right, 0.25)):  # the peak fills a step of the ladder
        (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
        curves = [line for line in ax.get_lines() if line.get_label()[0] != "_"]
        x = np.concatenate([line.get_xdata() for line in curves])
        y = np.concatenate([line.get_ydata() for line in curves])
        assert x_low <= x.min() and x.max() <= x_high, f"{params}: a curve leaves the x range"
        assert y_low < y.min() and y.max() < y_high, f"{params}: a curve leaves the y range"
        assert y.max() >= least_fill * y_high, f"{params}: the curves are lost in the frame"
    assert max(-x.min(), x.max()) >= 0.5 * x_high  # the x range is no wider than a step
    (zero,) = [line for line in right.get_lines() if line.get_label()[0] == "_"]
    assert set(zero.get_ydata()) == {0.0}  # the zero line, under the integrands
