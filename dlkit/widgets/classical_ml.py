"""Widget drawings for module 07, classical machine learning.

Both drawings precompute what does not depend on the sliders (data, evaluation grid,
bias-variance curves) once, remember fits per slider value, and redraw in place
(:class:`dlkit.plot.LiveFigure`), so that a slider move repaints only what it moves.
"""

from functools import cache

import contourpy
import numpy as np
from matplotlib.ticker import MaxNLocator

from dlkit.ml import (
    bias_variance_exact,
    kernel_decision_function,
    polynomial_fits,
)
from dlkit.plot import LiveFigure, new_figure

TITLE_Y = 1.02  # a fixed title height skips matplotlib's title auto-placement on every redraw

GRID_SIZE = 60  # decision-boundary grid: 60 x 60 evaluation points
MOONS_NOISE = 0.3
BV_NOISE_SD = 0.3  # noise standard deviation in the bias-variance example
BV_N_TRAIN = 15
BV_MAX_DEGREE = 12
BV_SHOWN_FITS = 20
BV_ERROR_CAP = 0.8  # upper limit of the error axis
REGION_COLOURS = ["#f4c7a1", "#a9c8e8"]  # predicted class -1 (f < 0), class +1 (f >= 0)


@cache
def moons_data():
    """Two interleaving half-moons (scikit-learn's generator, seeded): train and test halves.

    Returns ``(X_train (100, 2), y_train (100,), X_test (100, 2), y_test (100,))`` with
    labels -1 and +1.
    """
    from sklearn.datasets import make_moons  # imported lazily: sklearn is slow to load

    X, y = make_moons(n_samples=200, noise=MOONS_NOISE, random_state=0)
    y = 2 * y - 1  # labels in {-1, +1}
    return X[:100], y[:100], X[100:], y[100:]


@cache
def _grid():
    """The evaluation grid around the moons: axes (60,), (60,) and points (3600, 2)."""
    x1 = np.linspace(-1.8, 2.8, GRID_SIZE)
    x2 = np.linspace(-1.4, 1.9, GRID_SIZE)
    g1, g2 = np.meshgrid(x1, x2)  # (60, 60) each
    return x1, x2, np.column_stack([g1.ravel(), g2.ravel()])  # (3600, 2)


@cache
def _svm_fit(C, gamma):
    """An RBF SVM on the training moons, remembered per (C, gamma): support vectors, a_i, b."""
    from sklearn.svm import SVC

    X, y, _, _ = moons_data()
    model = SVC(kernel="rbf", C=C, gamma=gamma).fit(X, y)
    return model.support_vectors_, model.dual_coef_[0], float(model.intercept_[0])


def level_sets(x1, x2, F, levels):
    """The curves ``{x : f(x) = c}`` for each ``c`` in ``levels``, as one polyline broken by NaNs.

    ``F`` (len(x2), len(x1)) samples f on the grid ``x1 x x2``; contourpy's marching squares
    interpolates each level linearly between grid points, as ``Axes.contour`` does.
    Returns the x and y coordinates, shape (m,) each (empty where no level is crossed).
    """
    generator = contourpy.contour_generator(
        x1, x2, F, line_type=contourpy.LineType.ChunkCombinedNan
    )
    gap = np.full((1, 2), np.nan)
    pieces = []
    for level in levels:
        (points,) = generator.lines(level)[0]  # one chunk: (k, 2) or None
        if points is not None:
            pieces += [points, gap]
    if not pieces:
        return np.empty(0), np.empty(0)
    return np.concatenate(pieces[:-1]).T  # (2, m)


class DecisionBoundary(LiveFigure):
    """Module 07's SVM widget, redrawn in place (see :func:`draw_decision_boundary`): the
    axes, the evaluation grid and the training moons are fixed; the decision regions, the
    boundary f = 0, the margins f = +-1, the support vectors and the title move with C and
    gamma. The regions (a filled contour set, replaced on each update: faster to build and
    draw than an image of f resampled to the axes) lie under everything in the axes, so the
    points, the legend and the frame are repainted over them."""

    def __init__(self):
        X, y, _, _ = moons_data()
        self.x1, self.x2, self.points = _grid()
        x1, x2 = self.x1, self.x2
        fig, ax = new_figure(width=5.5, height=4.5, top=0.86)
        self.ax = ax
        self.regions = self._fill_regions(np.zeros((len(x2), len(x1))))
        (self.margins,) = ax.plot([], [], color="k", ls=":")
        (self.boundary,) = ax.plot([], [], color="k", ls="-")
        points = [
            ax.scatter(*X[y == label].T, c=colour, marker=marker, s=18, label=f"class {label:+d}")
            for label, colour, marker in [(-1, "C1", "s"), (1, "C0", "o")]
        ]
        self.support = ax.scatter(
            [], [], s=60, facecolors="none", edgecolors="k", lw=0.8, label="support vectors"
        )
        ax.set_xlim(x1[0], x1[-1])
        ax.set_ylim(x2[0], x2[-1])
        ax.set_xlabel("feature x₁ (a.u.)")
        ax.set_ylabel("feature x₂ (a.u.)")
        legend = ax.legend(loc="lower left", fontsize=7)
        ax.grid(False)
        ax.xaxis.set_major_locator(MaxNLocator(5))  # fewer ticks: cheaper redraws
        ax.yaxis.set_major_locator(MaxNLocator(5))
        moving = [self.regions, self.margins, self.boundary, *points, self.support, legend]
        super().__init__(fig, [*moving, *ax.spines.values(), ax.title])

    def update(self, log10_C, gamma):
        if not gamma > 0:
            raise ValueError(f"draw_decision_boundary: gamma must be > 0, got {gamma!r}")
        C = float(10.0**log10_C)
        X, y, X_test, y_test = moons_data()
        support, dual, intercept = _svm_fit(C, float(gamma))
        f = kernel_decision_function(self.points, support, dual, intercept, gamma)  # (3600,)
        F = f.reshape(len(self.x2), len(self.x1))  # (60, 60): rows follow x2
        train_f = kernel_decision_function(X, support, dual, intercept, gamma)
        train_acc = np.mean(np.sign(train_f) == y)
        test_f = kernel_decision_function(X_test, support, dual, intercept, gamma)
        test_acc = np.mean(np.sign(test_f) == y_test)

        self.regions.remove()
        self.moving.remove(self.regions)
        self.regions = self._fill_regions(F)
        self.moving.append(self.regions)
        self.margins.set_data(*level_sets(self.x1, self.x2, F, [-1.0, 1.0]))
        self.boundary.set_data(*level_sets(self.x1, self.x2, F, [0.0]))
        self.support.set_offsets(support)
        self.ax.set_title(
            f"RBF SVM, C = {C:.3g}, γ = {gamma:.3g}\n"
            f"train acc {train_acc:.2f}, test acc {test_acc:.2f}, {len(support)} support vectors",
            y=TITLE_Y,
        )
        return self

    def _fill_regions(self, F):
        """The predicted classes, sign(f), as a filled contour set under the points."""
        return self.ax.contourf(
            self.x1,
            self.x2,
            F,
            levels=[-1e9, 0.0, 1e9],
            colors=REGION_COLOURS,
            alpha=0.7,
            zorder=0.5,
        )


def draw_decision_boundary(log10_C, gamma):
    """RBF-kernel SVM on two moons: decision regions, boundary f = 0 and margins f = ±1.

    ``C = 10**log10_C`` is the inverse regularisation (large C: fewer margin
    violations, wigglier boundary); ``gamma`` is the inverse squared kernel width
    (large gamma: narrow bumps around each support vector). The dual solution comes
    from scikit-learn's ``SVC``; ``f(x) = sum_i a_i exp(-gamma ||s_i - x||^2) + b`` is
    evaluated with :func:`dlkit.ml.kernel_decision_function`. The title reports the
    training and test accuracy and the number of support vectors.
    """
    return DecisionBoundary().update(log10_C, gamma).figure


def bias_variance_truth(x):
    """The true regression function of the bias-variance example, ``sin(2 pi x)``."""
    return np.sin(2 * np.pi * np.asarray(x, dtype=float))


@cache
def _bias_variance_setup():
    """Fixed design, dense test grid and the exact bias^2/variance for degrees 0..12."""
    x_train = np.linspace(0.0, 1.0, BV_N_TRAIN)
    x_test = np.linspace(0.0, 1.0, 101)
    degrees = np.arange(BV_MAX_DEGREE + 1)
    curves = np.array(
        [
            bias_variance_exact(bias_variance_truth, int(p), x_train, x_test, BV_NOISE_SD)
            for p in degrees
        ]
    )  # (13, 2): bias^2, variance
    return x_train, x_test, degrees, curves


@cache
def _sample_fits(degree):
    """``BV_SHOWN_FITS`` simulated fits at one degree, remembered per degree: (20, 101)."""
    x_train, x_test, _, _ = _bias_variance_setup()
    return polynomial_fits(
        bias_variance_truth, degree, x_train, x_test, BV_NOISE_SD, BV_SHOWN_FITS, seed=degree
    )


class BiasVariance(LiveFigure):
    """Module 07's bias-variance widget, redrawn in place (see :func:`draw_bias_variance`):
    the exact error curves and the true function are fixed; the marked degree, the 20
    fits, their mean and the right title move with ``degree``. The legend ("best"
    place, away from the marked degree) and the true function, drawn over the fits,
    are repainted with them."""

    def __init__(self):
        _, self.x_test, degrees, self.curves = _bias_variance_setup()
        bias_sq, variance = self.curves[:, 0], self.curves[:, 1]
        noise = BV_NOISE_SD**2

        fig, (left, right) = new_figure(ncols=2, width=4.6, height=3.6, top=0.86, bottom=0.14)
        left.plot(degrees, bias_sq, "o-", ms=3, label="bias²")
        left.plot(degrees, variance, "s-", ms=3, label="variance")
        left.plot(degrees, bias_sq + variance + noise, "k-", lw=2, label="test error")
        left.axhline(noise, color="0.5", ls="--", lw=1, label="noise σ²")
        self.marked = left.axvline(0, color="C3", lw=1)
        left.set_ylim(0.0, BV_ERROR_CAP)  # a linear scale (cheap); high degrees run off the top
        left.set_xlabel("polynomial degree")
        left.set_ylabel("mean squared error (y units²)")
        left.set_title("error decomposition (exact)", y=TITLE_Y)
        legend = left.legend(fontsize=7)
        for ax in (left, right):  # fewer ticks: tick objects and their labels dominate a redraw
            ax.xaxis.set_major_locator(MaxNLocator(4, integer=ax is left))
            ax.yaxis.set_major_locator(MaxNLocator(4))

        # all fits as one line broken by NaNs: one artist instead of 20
        (self.fits,) = right.plot([], [], color="C0", alpha=0.25, lw=0.8, label="single fits")
        (self.mean_fit,) = right.plot([], [], color="C0", lw=2, label="mean of the fits")
        (truth,) = right.plot(
            self.x_test, bias_variance_truth(self.x_test), "k--", lw=1.5, label="true f(x)"
        )
        right.set_ylim(-2.0, 2.0)
        right.set_xlabel("input x")
        right.set_ylabel("prediction y")
        self.right = right
        moving = [self.marked, legend, self.fits, self.mean_fit, truth, right.title]
        super().__init__(fig, moving)

    def update(self, degree):
        if not (isinstance(degree, int | np.integer) and 0 <= degree <= BV_MAX_DEGREE):
            raise ValueError(
                f"draw_bias_variance: degree must be an integer in 0..{BV_MAX_DEGREE}, "
                f"got {degree!r}"
            )
        k = int(degree)
        fits = _sample_fits(k)  # (20, 101)
        broken = np.column_stack([fits, np.full(len(fits), np.nan)]).ravel()  # (20 * 102,)
        x_broken = np.tile(np.append(self.x_test, np.nan), len(fits))  # (20 * 102,)
        self.marked.set_xdata([k, k])
        self.fits.set_data(x_broken, broken)
        self.mean_fit.set_data(self.x_test, fits.mean(axis=0))
        bias_sq, variance = self.curves[k]
        self.right.set_title(
            f"degree {k}: bias² {bias_sq:.2g}, variance {variance:.2g}\n"
            f"{BV_SHOWN_FITS} fits (blue), their mean, true f (dashed)",
            y=TITLE_Y,
            fontsize=9,
        )
        return self


def draw_bias_variance(degree):
    """Bias^2, variance and expected test error of polynomial least squares versus degree.

    Left: the exact curves for ``y = sin(2 pi x) + 0.3 eps`` on 15 equally spaced
    training points (fixed design), averaged over [0, 1]; the expected squared error
    at a new point is ``bias^2 + variance + noise^2``. Right: 20 fits of the chosen
    degree, each on a fresh noisy training set, around the true function.
    """
    return BiasVariance().update(degree).figure
