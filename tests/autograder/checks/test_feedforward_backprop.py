"""The module-08 checks: the references and realistic mistakes.

The table is run by tests/autograder/checks/test_contract.py.
"""

import numpy as np
import pytest
import torch

import dlkit as dk
from dlkit import nn

pytestmark = pytest.mark.usefixtures("one_thread")


# ---------------------------------------------------------------------------
# Reference solutions (signatures as in the notebook, built on dlkit.nn)
# ---------------------------------------------------------------------------


def mlp_forward_ref(X, W1, b1, W2, b2):
    return nn.relu(np.asarray(X, dtype=float) @ W1 + b1) @ W2 + b2


def _layers(W1, b1, W2, b2):
    rng = np.random.default_rng(0)
    first, second = nn.Linear(*W1.shape, rng), nn.Linear(*W2.shape, rng)
    first.W, first.b, second.W, second.b = W1, b1, W2, b2
    return nn.Sequential(first, nn.Activation("relu"), second)


def mlp_backward_ref(X, y, W1, b1, W2, b2):
    model = _layers(W1, b1, W2, b2)
    _, grad = nn.softmax_cross_entropy_and_grad(model.forward(X), y)
    model.backward(grad)
    (_, dW1), (_, db1), (_, dW2), (_, db2) = model.parameters()
    return dW1, db1, dW2, db2


def xavier_init_ref(n_in, n_out, seed):
    return nn.xavier_normal(n_in, n_out, np.random.default_rng(seed))


def he_init_ref(n_in, n_out, seed):
    return nn.he_normal(n_in, n_out, np.random.default_rng(seed))


def depth_variances_ref(init, activation, depth, width, n, seed, record="z", std=None):
    rng = np.random.default_rng(seed)
    f, _ = nn.get_activation("identity" if activation == "linear" else activation)
    h = rng.normal(size=(n, width))
    variances = []
    for _ in range(depth):
        W = nn.init_weights(init, width, width, rng)
        if std is not None:  # a mutant's scale
            W = rng.normal(0, std(init, width), (width, width))
        z = h @ W
        h = f(z)
        variances.append((z if record == "z" else h).var())
    return np.array(variances)


def train_mlp_ref(X, y, hidden, epochs, lr, batch_size, seed):
    rng = np.random.default_rng(seed)
    model = nn.mlp([X.shape[1], hidden, int(np.max(y)) + 1], rng)
    nn.train_classifier(model, X, y, rng, epochs=epochs, lr=lr, batch_size=batch_size)
    first, _, second = model.layers
    return {"W1": first.W, "b1": first.b, "W2": second.W, "b2": second.b}


def torch_digits_ref(X_train, y_train, X_test, seed):
    torch.manual_seed(seed)
    return _fit_and_predict(X_train, y_train, X_test, seed)


def _fit_and_predict(X_train, y_train, X_test, seed):
    """Train a dk.models.MLP with dk.train.fit (shuffling seeded by ``seed``), predict X_test."""
    model = dk.models.MLP(dk.models.MLPConfig(in_features=64, hidden=(64,), out_features=10))
    dk.train.fit(
        model,
        (X_train.astype(np.float32), y_train),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9),
        epochs=10,
        batch_size=32,
        seed=seed,
        progress=False,
    )
    return dk.train.predict(model, X_test.astype(np.float32)).argmax(dim=1).numpy()


REFERENCES = {
    "leaky_relu": (nn.leaky_relu, nn.leaky_relu_grad),
    "sigmoid_tanh_grad": (nn.sigmoid_grad, nn.tanh_grad),
    "gelu_swish_grad": (nn.gelu_grad, nn.swish_grad),
    "mlp_forward": (mlp_forward_ref,),
    "softmax_cross_entropy": (nn.softmax_cross_entropy_and_grad,),
    "mlp_backward": (mlp_backward_ref,),
    "init": (xavier_init_ref, he_init_ref),
    "depth_variances": (depth_variances_ref,),
    "train_mlp": (train_mlp_ref,),
    "torch_digits": (torch_digits_ref,),
}


# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a message naming the mistake
# ---------------------------------------------------------------------------


def plain_relu(x, slope):
    return np.maximum(x, 0.0)


def leaky_relu_in_place(x, slope):
    x[x < 0] *= slope
    return x


def leaky_grad_one_at_kink(x, slope):
    return np.where(np.asarray(x) >= 0, 1.0, slope)


def leaky_grad_zero_for_negatives(x, slope):
    return np.where(np.asarray(x) > 0, 1.0, 0.0)


def naive_sigmoid_grad(x):
    s = np.exp(x) / (1.0 + np.exp(x))  # inf / inf = nan for large x
    return s * (1.0 - s)


def sigmoid_grad_with_plus(x):
    s = nn.sigmoid(x)
    return s * (1.0 + s)


def tanh_grad_unsquared(x):
    return 1.0 - np.tanh(x)


def tanh_grad_of_x(x):
    return 1.0 - np.asarray(x) ** 2


def gelu_grad_density_without_half(x):
    return nn.normal_cdf(x) + x * np.exp(-(x**2)) / np.sqrt(2 * np.pi)


def swish_grad_without_beta(x, beta):
    s = nn.sigmoid(beta * x)
    return s * (1 + x * (1 - s))


def forward_with_output_relu(X, W1, b1, W2, b2):
    return nn.relu(mlp_forward_ref(X, W1, b1, W2, b2))


def forward_without_biases(X, W1, b1, W2, b2):
    return nn.relu(X @ W1) @ W2


def forward_without_hidden_relu(X, W1, b1, W2, b2):
    return (X @ W1 + b1) @ W2 + b2


def forward_squeezes_one_row(X, W1, b1, W2, b2):
    return mlp_forward_ref(X, W1, b1, W2, b2) if len(X) > 1 else X[0]


def ce_gradient_not_averaged(logits, labels):
    loss, grad = nn.softmax_cross_entropy_and_grad(logits, labels)
    return loss, grad * len(labels)


def ce_summed_loss(logits, labels):
    loss, grad = nn.softmax_cross_entropy_and_grad(logits, labels)
    return loss * len(labels), grad


def ce_gradient_reversed(logits, labels):
    loss, grad = nn.softmax_cross_entropy_and_grad(logits, labels)
    return loss, -grad


def ce_naive(logits, labels):
    logits = np.asarray(logits, dtype=float)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    n = len(labels)
    loss = -np.mean(np.log(p[np.arange(n), labels]))
    grad = p.copy()
    grad[np.arange(n), labels] -= 1
    return loss, grad / n


def ce_returns_a_number(logits, labels):
    return 1.0


def backward_without_mask(X, y, W1, b1, W2, b2):
    h = nn.relu(X @ W1 + b1)
    _, dz2 = nn.softmax_cross_entropy_and_grad(h @ W2 + b2, y)
    dz1 = dz2 @ W2.T  # ReLU derivative forgotten
    return X.T @ dz1, dz1.sum(axis=0), h.T @ dz2, dz2.sum(axis=0)


def backward_mean_biases(X, y, W1, b1, W2, b2):
    dW1, db1, dW2, db2 = mlp_backward_ref(X, y, W1, b1, W2, b2)
    return dW1, db1 / len(y), dW2, db2 / len(y)


def backward_summed_loss(X, y, W1, b1, W2, b2):
    return tuple(len(y) * g for g in mlp_backward_ref(X, y, W1, b1, W2, b2))


def backward_dW2_from_X(X, y, W1, b1, W2, b2):
    dW1, db1, _, db2 = mlp_backward_ref(X, y, W1, b1, W2, b2)
    _, dz2 = nn.softmax_cross_entropy_and_grad(mlp_forward_ref(X, W1, b1, W2, b2), y)
    return dW1, db1, X.T @ dz2, db2


def backward_returns_two(X, y, W1, b1, W2, b2):
    return [0, 0]


def xavier_std_is_variance(n_in, n_out, seed):
    return np.random.default_rng(seed).normal(0, 2 / (n_in + n_out), (n_in, n_out))


def xavier_lecun(n_in, n_out, seed):
    return np.random.default_rng(seed).normal(0, np.sqrt(1 / n_in), (n_in, n_out))


def he_fan_out(n_in, n_out, seed):
    return np.random.default_rng(seed).normal(0, np.sqrt(2 / n_out), (n_in, n_out))


def he_without_factor_two(n_in, n_out, seed):
    return np.random.default_rng(seed).normal(0, np.sqrt(1 / n_in), (n_in, n_out))


def he_global_state(n_in, n_out, seed):
    return np.random.normal(0, np.sqrt(2 / n_in), (n_in, n_out))


def he_fixed_seed(n_in, n_out, seed):
    return he_init_ref(n_in, n_out, 0)


def he_transposed(n_in, n_out, seed):
    return he_init_ref(n_out, n_in, seed)


def depth_records_h(*args):
    return depth_variances_ref(*args, record="h")


def depth_std_is_variance(*args):
    return depth_variances_ref(*args, std=lambda init, w: (2.0 if init == "he" else 1.0) / w)


def depth_std_without_width(*args):
    return depth_variances_ref(*args, std=lambda init, w: np.sqrt(2.0 if init == "he" else 1.0))


def depth_always_he(init, *args):
    return depth_variances_ref("he", *args)


def train_zero_init(X, y, hidden, epochs, lr, batch_size, seed):
    params = train_mlp_ref(X, y, hidden, 0, lr, batch_size, seed)
    return {key: np.zeros_like(value) for key, value in params.items()}


def train_summed_gradient(X, y, hidden, epochs, lr, batch_size, seed):
    return train_mlp_ref(X, y, hidden, epochs, lr * batch_size, batch_size, seed)


def train_unseeded(X, y, hidden, epochs, lr, batch_size, seed):
    return train_mlp_ref(X, y, hidden, epochs, lr, batch_size, np.random.randint(1 << 30))


def train_transposed_W1(X, y, hidden, epochs, lr, batch_size, seed):
    params = train_mlp_ref(X, y, hidden, epochs, lr, batch_size, seed)
    return {**params, "W1": params["W1"].T}


def train_returns_a_pair(*args, **kwargs):
    return (1, 2)


def torch_untrained(X_train, y_train, X_test, seed):
    torch.manual_seed(seed)
    model = dk.models.MLP(in_features=64, hidden=(64,), out_features=10)
    return dk.train.predict(model, X_test.astype(np.float32)).argmax(dim=1).numpy()


def torch_scores_not_labels(X_train, y_train, X_test, seed):
    return np.zeros((len(X_test), 10))


def torch_unseeded(X_train, y_train, X_test, seed):
    return _fit_and_predict(X_train, y_train, X_test, seed)  # no torch.manual_seed


MUTANTS = [
    ("leaky_relu_basic", (plain_relu, nn.leaky_relu_grad), "plain ReLU"),
    ("leaky_relu_basic", (leaky_relu_in_place, nn.leaky_relu_grad), "modified its argument 1"),
    ("leaky_relu_hidden", (nn.leaky_relu, leaky_grad_one_at_kink), "at x = 0 use slope, not 1"),
    (
        "leaky_relu_basic",
        (nn.leaky_relu, leaky_grad_zero_for_negatives),
        "negative inputs have derivative slope, not 0",
    ),
    ("sigmoid_tanh_grad_hidden", (naive_sigmoid_grad, nn.tanh_grad), "stably"),
    ("sigmoid_tanh_grad_basic", (nn.sigmoid, nn.tanh_grad), "sigma(x) itself"),
    ("sigmoid_tanh_grad_basic", (sigmoid_grad_with_plus, nn.tanh_grad), "with a minus sign"),
    ("sigmoid_tanh_grad_basic", (nn.sigmoid_grad, tanh_grad_unsquared), "square the tanh"),
    ("sigmoid_tanh_grad_basic", (nn.sigmoid_grad, tanh_grad_of_x), "square tanh(x), not x"),
    ("gelu_swish_grad_basic", (nn.normal_cdf, nn.swish_grad), "product rule"),
    (
        "gelu_swish_grad_basic",
        (gelu_grad_density_without_half, nn.swish_grad),
        "mind the 1/2",
    ),
    (
        "gelu_swish_grad_hidden",
        (nn.gelu_grad, swish_grad_without_beta),
        "chain rule brings a factor beta",
    ),
    ("mlp_forward_basic", forward_with_output_relu, "no ReLU"),
    ("mlp_forward_basic", forward_without_biases, "add the biases"),
    ("mlp_forward_basic", forward_without_hidden_relu, "apply the ReLU to the hidden layer"),
    (
        "mlp_forward_hidden",
        forward_squeezes_one_row,
        "returned shape (5,), expected shape (1, 4)",
    ),
    ("softmax_cross_entropy_basic", ce_gradient_not_averaged, "divide the gradient by n"),
    ("softmax_cross_entropy_basic", ce_summed_loss, "divide the summed loss by n"),
    ("softmax_cross_entropy_basic", ce_gradient_reversed, "not the reverse"),
    ("softmax_cross_entropy_hidden", ce_naive, "subtract the row maximum"),
    ("softmax_cross_entropy_basic", ce_returns_a_number, "expected 2 values (loss, grad)"),
    ("mlp_backward_basic", backward_without_mask, "multiply by the ReLU derivative"),
    ("mlp_backward_basic", backward_mean_biases, "sums dz1 over the batch"),
    ("mlp_backward_basic", backward_summed_loss, "your dZ2 is n times too large"),
    ("mlp_backward_basic", backward_dW2_from_X, "(h, not X)"),
    ("mlp_backward_basic", backward_returns_two, "expected 4 values (dW1, db1, dW2, db2)"),
    ("init_basic", (xavier_std_is_variance, he_init_ref), "standard deviation"),
    ("init_basic", (xavier_lecun, he_init_ref), "that is LeCun's 1 / n_in"),
    ("init_basic", (xavier_init_ref, he_without_factor_two), "the factor 2 compensates"),
    ("init_hidden", (xavier_init_ref, he_fan_out), "He uses the fan-in"),
    ("init_hidden", (xavier_init_ref, he_global_state), "called twice with the same seed"),
    ("init_hidden", (xavier_init_ref, he_fixed_seed), "instead of using a fixed seed"),
    (
        "init_basic",
        (xavier_init_ref, he_transposed),
        "returned shape (300, 400), expected (400, 300)",
    ),
    ("depth_variances_basic", depth_records_h, "pre-activation z"),
    ("depth_variances_basic", depth_std_is_variance, "signal dies out"),
    ("depth_variances_basic", depth_std_without_width, "signal explodes"),
    ("depth_variances_hidden", depth_always_he, "these are the variances of the he scheme"),
    ("train_mlp_basic", train_zero_init, "every hidden unit has the same weights"),
    ("train_mlp_basic", train_summed_gradient, "dead ReLUs"),
    ("train_mlp_hidden", train_unseeded, "called twice with the same seed"),
    ("train_mlp_basic", train_transposed_W1, "has shape (32, 64), expected (64, 32)"),
    ("train_mlp_basic", train_returns_a_pair, "expected a dict with keys W1, b1, W2, b2"),
    ("torch_digits_basic", torch_untrained, "expected at least 90%"),
    ("torch_digits_basic", torch_scores_not_labels, "argmax"),
    ("torch_digits_hidden", torch_unseeded, "torch.manual_seed"),
]


# ---------------------------------------------------------------------------
# Shortcuts the prompts forbid: right answers, rejected by the name they use
# ---------------------------------------------------------------------------


def leaky_relu_through_leaky_relu(*args, **kwargs):
    """The reference, using dlkit.nn.leaky_relu: the exercise forbids it."""
    import dlkit

    dlkit.nn.leaky_relu  # noqa: B018
    return nn.leaky_relu(*args, **kwargs)


def leaky_relu_part_2(*args, **kwargs):
    return nn.leaky_relu_grad(*args, **kwargs)


def sigmoid_tanh_grad_through_sigmoid_grad(*args, **kwargs):
    """The reference, using dlkit.nn.sigmoid_grad: the exercise forbids it."""
    import dlkit

    dlkit.nn.sigmoid_grad  # noqa: B018
    return nn.sigmoid_grad(*args, **kwargs)


def sigmoid_tanh_grad_part_2(*args, **kwargs):
    return nn.tanh_grad(*args, **kwargs)


def gelu_swish_grad_through_gelu_grad(*args, **kwargs):
    """The reference, using dlkit.nn.gelu_grad: the exercise forbids it."""
    import dlkit

    dlkit.nn.gelu_grad  # noqa: B018
    return nn.gelu_grad(*args, **kwargs)


def gelu_swish_grad_part_2(*args, **kwargs):
    return nn.swish_grad(*args, **kwargs)


def mlp_forward_through_mlp(*args, **kwargs):
    """The reference, using dlkit.nn.mlp: the exercise forbids it."""
    import dlkit

    dlkit.nn.mlp  # noqa: B018
    return mlp_forward_ref(*args, **kwargs)


def softmax_cross_entropy_through_softmax_cross_entropy_and_grad(*args, **kwargs):
    """The reference, using dlkit.nn.softmax_cross_entropy_and_grad: the exercise forbids it."""
    import dlkit

    dlkit.nn.softmax_cross_entropy_and_grad  # noqa: B018
    return nn.softmax_cross_entropy_and_grad(*args, **kwargs)


def mlp_backward_through_mlp(*args, **kwargs):
    """The reference, using dlkit.nn.mlp: the exercise forbids it."""
    import dlkit

    dlkit.nn.mlp  # noqa: B018
    return mlp_backward_ref(*args, **kwargs)


def init_through_xavier_normal(*args, **kwargs):
    """The reference, using dlkit.nn.xavier_normal: the exercise forbids it."""
    import dlkit

    dlkit.nn.xavier_normal  # noqa: B018
    return xavier_init_ref(*args, **kwargs)


def init_part_2(*args, **kwargs):
    return he_init_ref(*args, **kwargs)


def depth_variances_through_init_weights(*args, **kwargs):
    """The reference, using dlkit.nn.init_weights: the exercise forbids it."""
    import dlkit

    dlkit.nn.init_weights  # noqa: B018
    return depth_variances_ref(*args, **kwargs)


def train_mlp_through_train_classifier(*args, **kwargs):
    """The reference, using dlkit.nn.train_classifier: the exercise forbids it."""
    import dlkit

    dlkit.nn.train_classifier  # noqa: B018
    return train_mlp_ref(*args, **kwargs)


MUTANTS += [
    (
        "leaky_relu_hidden",
        (leaky_relu_through_leaky_relu, leaky_relu_part_2),
        "your answer uses dlkit.nn.leaky_relu",
    ),
    (
        "sigmoid_tanh_grad_hidden",
        (sigmoid_tanh_grad_through_sigmoid_grad, sigmoid_tanh_grad_part_2),
        "your answer uses dlkit.nn.sigmoid_grad",
    ),
    (
        "gelu_swish_grad_hidden",
        (gelu_swish_grad_through_gelu_grad, gelu_swish_grad_part_2),
        "your answer uses dlkit.nn.gelu_grad",
    ),
    ("mlp_forward_hidden", mlp_forward_through_mlp, "your answer uses dlkit.nn.mlp"),
    (
        "softmax_cross_entropy_hidden",
        softmax_cross_entropy_through_softmax_cross_entropy_and_grad,
        "your answer uses dlkit.nn.softmax_cross_entropy_and_grad",
    ),
    ("mlp_backward_hidden", mlp_backward_through_mlp, "your answer uses dlkit.nn.mlp"),
    (
        "init_hidden",
        (init_through_xavier_normal, init_part_2),
        "your answer uses dlkit.nn.xavier_normal",
    ),
    (
        "depth_variances_hidden",
        depth_variances_through_init_weights,
        "your answer uses dlkit.nn.init_weights",
    ),
    (
        "train_mlp_hidden",
        train_mlp_through_train_classifier,
        "your answer uses dlkit.nn.train_classifier",
    ),
]


def softmax_cross_entropy(logits, y):
    """A learner's Exercise 5 that forgets the mean's 1/n in the gradient."""
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    n = len(y)
    return float(-log_p[np.arange(n), y].mean()), np.exp(log_p) - np.eye(logits.shape[1])[y]


def mlp_backward_reusing_exercise_5(X, y, W1, b1, W2, b2):
    """The prompt's advice: dZ2 from softmax_cross_entropy, which inherits its mistake."""
    z1 = X @ W1 + b1
    hidden = np.maximum(z1, 0.0)
    _, dz2 = softmax_cross_entropy(hidden @ W2 + b2, y)
    dz1 = (dz2 @ W2.T) * (z1 > 0)
    return X.T @ dz1, dz1.sum(axis=0), hidden.T @ dz2, dz2.sum(axis=0)


MUTANTS += [
    (
        "mlp_backward_basic",
        mlp_backward_reusing_exercise_5,
        "your dZ2 is n times too large (n = 3), and so is every gradient; hint: does your "
        "softmax_cross_entropy (Exercise 5) divide by n?",
    ),
    ("softmax_cross_entropy_basic", (softmax_cross_entropy,), "divide the gradient by n"),
]


def mlp_forward_row_by_row(X, W1, b1, W2, b2):
    """Right values, but the prompt says: no loops, the whole batch at once."""
    rows = [np.maximum(x @ W1 + b1, 0.0) @ W2 + b2 for x in np.asarray(X, dtype=float)]
    return np.array(rows).reshape(len(X), W2.shape[1])


MUTANTS += [
    ("mlp_forward_basic", (mlp_forward_row_by_row,), "your answer uses a Python loop"),
]
