"""The module-10 checks: the references and realistic mistakes.

The table is run by tests/autograder/checks/test_contract.py.
"""

import numpy as np
import pytest
import torch

import dlkit as dk
from dlkit import curvature, gradient_noise, nn

pytestmark = pytest.mark.usefixtures("one_thread")


# ---------------------------------------------------------------------------
# Reference solutions (signatures as in the notebook, built on dlkit)
# ---------------------------------------------------------------------------

QUARTIC_POINTS = {"(0, 0)": "saddle", "(1, 0)": "minimum", "(-1, 0)": "minimum"}


def gd_path_ref(x0, lr, steps, noise_std, seed):
    return gradient_noise.noisy_gradient_descent(
        curvature.quartic_grad, x0, lr, steps, noise_std, seed
    )


def train_deep_mlp_ref(X, y, epochs, seed, warmup=True, clip=1.0, transpose=True, torch_seed=True):
    """The prompt's recipe; the keyword arguments switch its parts off for the mutants."""
    if torch_seed:
        torch.manual_seed(seed)
    model = dk.models.MLP(dk.models.MLPConfig(in_features=64, hidden=(64,) * 8, out_features=10))
    total = epochs * int(np.ceil(len(X) / 128))
    schedule = None
    if warmup:
        warm = total // 4

        def schedule(opt):
            return dk.train.lambda_lr(opt, lambda t: dk.optim.warmup_cosine(t, 0.2, warm, total))

    dk.train.fit(
        model,
        (X.astype(np.float32), y),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.2, momentum=0.9),
        scheduler=schedule,
        scheduler_interval="step",
        clip_grad_norm=clip,
        epochs=epochs,
        batch_size=128,
        seed=seed,
        progress=False,
    )
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    weights = [m.weight.detach().cpu().numpy() for m in linears]
    if transpose:
        weights = [W.T for W in weights]
    return weights, [m.bias.detach().cpu().numpy() for m in linears]


REFERENCES = {
    "per_example_gradients": gradient_noise.logistic_per_example_gradients,
    "minibatch_noise": gradient_noise.minibatch_noise,
    "accumulate_gradients": gradient_noise.accumulate_gradients,
    "layer_grad_norms": nn.layer_grad_norms,
    "dead_unit_fraction": nn.dead_unit_fraction,
    "critical_points": (curvature.classify_critical_point, QUARTIC_POINTS),
    "gd_path": gd_path_ref,
    "logistic_hvp": curvature.logistic_hvp,
    "top_eigenvalue": curvature.top_hessian_eigenvalue,
    "natural_gradient_step": curvature.natural_gradient_step,
    "train_deep_mlp": train_deep_mlp_ref,
}


# ---------------------------------------------------------------------------
# Other correct answers
# ---------------------------------------------------------------------------


def minibatch_noise_sample_variance(G, batch_size):
    """(1 - B/N) tr(S) / B with the unbiased S: the same number, the textbook form."""
    n = len(G)
    return (1 - batch_size / n) * np.var(G, axis=0, ddof=1).sum() / batch_size


def gd_path_step_by_step(x0, lr, steps, noise_std, seed):
    """One rng.normal(size=2) per step from one generator draws the same numbers."""
    rng = np.random.default_rng(seed)
    p = np.array(x0, dtype=float)
    path = [p]
    for _ in range(steps):
        grad = np.array([4 * p[0] ** 3 - 4 * p[0], 2 * p[1]])
        p = p - lr * (grad + rng.normal(0.0, noise_std, size=2))
        path.append(p)
    return np.array(path)


def natural_gradient_by_inverse(X, y, w, lr, damping):
    """np.linalg.inv instead of solve: slower and less accurate, but correct here."""
    p = 1 / (1 + np.exp(-X @ w))
    F = (X * (p * (1 - p))[:, None]).T @ X / len(X) + damping * np.eye(X.shape[1])
    return w - lr * np.linalg.inv(F) @ (X.T @ (p - y) / len(X))


ALTERNATIVES = [
    ("minibatch_noise", minibatch_noise_sample_variance),
    ("gd_path", gd_path_step_by_step),
    ("natural_gradient_step", natural_gradient_by_inverse),
]


# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a message naming the mistake
# ---------------------------------------------------------------------------


def per_example_divided_by_n(X, y, w, b):
    Gw, Gb = gradient_noise.logistic_per_example_gradients(X, y, w, b)
    return Gw / len(X), Gb / len(X)


def per_example_wrong_sign(X, y, w, b):
    Gw, Gb = gradient_noise.logistic_per_example_gradients(X, y, w, b)
    return -Gw, -Gb


def per_example_summed(X, y, w, b):
    Gw, Gb = gradient_noise.logistic_per_example_gradients(X, y, w, b)
    return Gw.sum(axis=0), Gb.sum()


def per_example_one_array(X, y, w, b):
    return gradient_noise.logistic_per_example_gradients(X, y, w, b)[0]


def noise_without_correction(G, batch_size):
    return np.var(G, axis=0).sum() / batch_size


def noise_of_summed_gradient(G, batch_size):
    return batch_size * gradient_noise.minibatch_noise(G, batch_size)


def noise_double_ddof(G, batch_size):
    n = len(G)
    return (n - batch_size) / (batch_size * (n - 1)) * np.var(G, axis=0, ddof=1).sum()


def noise_population_correction(G, batch_size):
    n = len(G)
    return (n - batch_size) / (batch_size * n) * np.var(G, axis=0).sum()


def accumulate_unweighted(batch_mean_grads, batch_sizes):
    return np.mean(batch_mean_grads, axis=0)


def accumulate_sum(batch_mean_grads, batch_sizes):
    return np.sum(batch_mean_grads, axis=0)


def accumulate_by_batches(batch_mean_grads, batch_sizes):
    weighted = sum(n * np.asarray(g) for g, n in zip(batch_mean_grads, batch_sizes))
    return weighted / len(batch_sizes)


def grad_norms_reversed(weights, biases, X, y, activation):
    return nn.layer_grad_norms(weights, biases, X, y, activation)[::-1]


def grad_norms_without_derivative(weights, biases, X, y, activation):
    """Backward through the weights only: f' forgotten, so nothing vanishes."""
    f, _ = nn.get_activation(activation)
    h, inputs = np.asarray(X, dtype=float), []
    for W, b in zip(weights[:-1], biases[:-1]):
        inputs.append(h)
        h = f(h @ W + b)
    inputs.append(h)
    _, dz = nn.softmax_cross_entropy_and_grad(h @ weights[-1] + biases[-1], y)
    norms = []
    for layer in range(len(weights) - 1, -1, -1):
        norms.append(np.linalg.norm(inputs[layer].T @ dz))
        dz = dz @ weights[layer].T
    return np.array(norms[::-1])


def grad_norms_of_activations(weights, biases, X, y, activation):
    f, _ = nn.get_activation(activation)
    h, norms = np.asarray(X, dtype=float), []
    for layer, (W, b) in enumerate(zip(weights, biases)):
        h = h @ W + b
        if layer < len(weights) - 1:
            h = f(h)
        norms.append(np.linalg.norm(h))
    return np.array(norms)


def grad_norms_summed_loss(weights, biases, X, y, activation):
    return len(y) * nn.layer_grad_norms(weights, biases, X, y, activation)


def dead_zero_entries(weights, biases, X):
    return [float(np.mean(h == 0)) for h in nn.hidden_activations(weights, biases, X)]


def dead_on_any_row(weights, biases, X):
    return [
        float(np.mean(np.any(h == 0, axis=0))) for h in nn.hidden_activations(weights, biases, X)
    ]


def dead_with_output_layer(weights, biases, X):
    hidden = nn.hidden_activations(weights, biases, X)
    logits = hidden[-1] @ weights[-1] + biases[-1]
    return [*nn.dead_unit_fraction(weights, biases, X), float(np.mean(np.all(logits <= 0, axis=0)))]


def classify_by_determinant(H, tol=1e-9):
    H = np.asarray(H, dtype=float)
    det = np.linalg.det(H)
    if abs(det) <= tol:
        return "degenerate"
    return "minimum" if det > 0 else "saddle"


def classify_unsymmetrised(H, tol=1e-9):
    eigenvalues = np.real(np.linalg.eigvals(np.asarray(H, dtype=float)))
    if eigenvalues.min() < -tol and eigenvalues.max() > tol:
        return "saddle"
    if np.any(np.abs(eigenvalues) <= tol):
        return "degenerate"
    return "minimum" if eigenvalues.min() > 0 else "maximum"


def classify_ignoring_tol(H, tol=1e-9):
    return curvature.classify_critical_point(H, tol=0.0)


def classify_returns_a_number(H, tol=1e-9):
    return -1


BOOK_POINTS = {"(0, 0)": "minimum", "(1, 0)": "saddle", "(-1, 0)": "saddle"}
TUPLE_KEYS = {(0, 0): "saddle", (1, 0): "minimum", (-1, 0): "minimum"}


def path_reseeded_every_step(x0, lr, steps, noise_std, seed):
    p = np.array(x0, dtype=float)
    path = [p]
    for _ in range(steps):
        noise = np.random.default_rng(seed).normal(0.0, noise_std, size=2)
        p = p - lr * (curvature.quartic_grad(p) + noise)
        path.append(p)
    return np.array(path)


def path_noise_on_iterate(x0, lr, steps, noise_std, seed):
    noise = np.random.default_rng(seed).normal(0.0, noise_std, size=(steps, 2))
    p = np.array(x0, dtype=float)
    path = [p]
    for k in range(steps):
        p = p - lr * curvature.quartic_grad(p) + noise[k]
        path.append(p)
    return np.array(path)


def path_with_derivative(dx):
    def path(x0, lr, steps, noise_std, seed):
        def grad(p):
            return np.array([dx(p[0]), 2.0 * p[1]])

        return gradient_noise.noisy_gradient_descent(grad, x0, lr, steps, noise_std, seed)

    return path


path_x_squared = path_with_derivative(lambda x: 4 * x**2 - 4 * x)
path_x_squared.__name__ = "path_x_squared"
path_plus_sign = path_with_derivative(lambda x: 4 * x**3 + 4 * x)
path_plus_sign.__name__ = "path_plus_sign"


def path_without_start(x0, lr, steps, noise_std, seed):
    return gd_path_ref(x0, lr, steps, noise_std, seed)[1:]


def hvp_with_p(X, y, w, lam, v):
    p = 1 / (1 + np.exp(-X @ w))
    return X.T @ (p * (X @ v)) / len(X) + lam * v


def hvp_without_mean(X, y, w, lam, v):
    return len(X) * (curvature.logistic_hvp(X, y, w, 0.0, v)) + lam * v


def hvp_without_ridge(X, y, w, lam, v):
    return curvature.logistic_hvp(X, y, w, 0.0, v)


def power_without_normalisation(X, y, w, lam, iters, seed):
    v = np.random.default_rng(seed).normal(size=X.shape[1])
    v /= np.linalg.norm(v)
    for _ in range(iters):
        v = curvature.logistic_hvp(X, y, w, lam, v)
    return float(v @ curvature.logistic_hvp(X, y, w, lam, v)), v


def power_norm_not_rayleigh(X, y, w, lam, iters, seed):
    _, v = curvature.top_hessian_eigenvalue(X, y, w, lam, iters, seed)
    return float(np.linalg.norm(curvature.logistic_hvp(X, y, w, lam, v))), v


def power_unit_vector_forgotten(X, y, w, lam, iters, seed):
    value, v = curvature.top_hessian_eigenvalue(X, y, w, lam, iters, seed)
    return value, 3.0 * v


def power_off_by_one(X, y, w, lam, iters, seed):
    return curvature.top_hessian_eigenvalue(X, y, w, lam, iters + 1, seed)


def natural_fisher_with_p(X, y, w, lr, damping):
    p = 1 / (1 + np.exp(-X @ w))
    F = (X * p[:, None]).T @ X / len(X) + damping * np.eye(X.shape[1])
    return w - lr * np.linalg.solve(F, X.T @ (p - y) / len(X))


def natural_summed_gradient(X, y, w, lr, damping):
    return curvature.natural_gradient_step(X, y, w, lr * len(X), damping)


def natural_without_damping(X, y, w, lr, damping):
    return curvature.natural_gradient_step(X, y, w, lr, 0.0)


def natural_plain_gradient(X, y, w, lr, damping):
    return w - lr * curvature.logistic_gradient(X, y, w)


def train_naive(X, y, epochs, seed):
    return train_deep_mlp_ref(X, y, epochs, seed, warmup=False, clip=None)


def train_without_clipping(X, y, epochs, seed):
    return train_deep_mlp_ref(X, y, epochs, seed, clip=None)


def train_untransposed(X, y, epochs, seed):
    return train_deep_mlp_ref(X, y, epochs, seed, transpose=False)


def train_unseeded(X, y, epochs, seed):
    return train_deep_mlp_ref(X, y, epochs, seed, torch_seed=False)


def train_returns_predictions(X, y, epochs, seed):
    return np.zeros(len(X), dtype=int)


MUTANTS = [
    ("per_example_gradients_basic", per_example_divided_by_n, "no 1/n"),
    ("per_example_gradients_basic", per_example_wrong_sign, "the sign"),
    ("per_example_gradients_basic", per_example_summed, "one row per example"),
    ("per_example_gradients_basic", per_example_one_array, "expected 2 values (Gw, Gb)"),
    ("minibatch_noise_basic", noise_without_correction, "finite-population correction"),
    ("minibatch_noise_hidden", noise_without_correction, "finite-population correction"),
    ("minibatch_noise_basic", noise_of_summed_gradient, "not their sum"),
    ("minibatch_noise_basic", noise_double_ddof, "ddof"),
    ("minibatch_noise_hidden", noise_population_correction, "not (N - B) / N"),
    ("accumulate_gradients_basic", accumulate_unweighted, "unweighted mean"),
    ("accumulate_gradients_basic", accumulate_sum, "divide by the number of examples"),
    ("accumulate_gradients_hidden", accumulate_by_batches, "not the number of batches"),
    ("layer_grad_norms_basic", grad_norms_reversed, "the order is reversed"),
    ("layer_grad_norms_basic", grad_norms_without_derivative, "activation's derivative"),
    ("layer_grad_norms_hidden", grad_norms_without_derivative, "activation's derivative"),
    ("layer_grad_norms_basic", grad_norms_of_activations, "norms of the layers' activations"),
    ("layer_grad_norms_basic", grad_norms_summed_loss, "carries a 1/n"),
    ("dead_unit_fraction_basic", dead_zero_entries, "fraction of zero entries"),
    ("dead_unit_fraction_basic", dead_on_any_row, "np.all, not np.any"),
    ("dead_unit_fraction_basic", dead_with_output_layer, "the output layer has no ReLU"),
    ("critical_points_basic", (classify_by_determinant, QUARTIC_POINTS), "det(-I) = 1"),
    ("critical_points_hidden", (classify_unsymmetrised, QUARTIC_POINTS), "symmetrise first"),
    ("critical_points_hidden", (classify_ignoring_tol, QUARTIC_POINTS), "expected 'degenerate'"),
    ("critical_points_basic", (classify_returns_a_number, QUARTIC_POINTS), "one of the strings"),
    (
        "critical_points_basic",
        (curvature.classify_critical_point, BOOK_POINTS),
        "the seed book's labels",
    ),
    ("critical_points_basic", (curvature.classify_critical_point, TUPLE_KEYS), "expected a dict"),
    ("gd_path_basic", path_reseeded_every_step, "the same noise at every step"),
    ("gd_path_basic", path_noise_on_iterate, "not added to the iterate"),
    ("gd_path_basic", path_x_squared, "4 x^3, not 4 x^2"),
    ("gd_path_basic", path_plus_sign, "-4 x"),
    ("gd_path_basic", path_without_start, "include the starting point"),
    ("logistic_hvp_basic", hvp_with_p, "p (1 - p)"),
    ("logistic_hvp_basic", hvp_without_mean, "divide X^T (...) by N"),
    ("logistic_hvp_basic", hvp_without_ridge, "adds lam * v"),
    ("top_eigenvalue_hidden", power_without_normalisation, "normalise v"),
    ("top_eigenvalue_hidden", power_norm_not_rayleigh, "Rayleigh quotient v @ (H v)"),
    ("top_eigenvalue_basic", power_unit_vector_forgotten, "expected a unit vector"),
    ("top_eigenvalue_hidden", power_off_by_one, "exactly iters products"),
    ("natural_gradient_step_basic", natural_fisher_with_p, "p (1 - p), not p"),
    ("natural_gradient_step_basic", natural_summed_gradient, "N times too long"),
    ("natural_gradient_step_hidden", natural_without_damping, "damping"),
    ("natural_gradient_step_basic", natural_plain_gradient, "g = X^T (p - y) / N"),
    ("train_deep_mlp_basic", train_naive, "no warm-up and no gradient clipping"),
    ("train_deep_mlp_basic", train_without_clipping, "clip_grad_norm=1.0"),
    ("train_deep_mlp_basic", train_untransposed, "transpose it (.T)"),
    ("train_deep_mlp_hidden", train_unseeded, "torch.manual_seed(seed)"),
    ("train_deep_mlp_basic", train_returns_predictions, "expected the pair (weights, biases)"),
]
