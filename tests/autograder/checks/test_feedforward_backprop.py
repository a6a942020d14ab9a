"""The module-08 checks accept the reference solutions and reject realistic mistakes."""

import numpy as np
import pytest
import torch

import dlkit as dk
from autograder.checks import feedforward_backprop as chk
from autograder.checks.harness import CheckFailed
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


def rejects(check, *functions, match):
    with pytest.raises(CheckFailed, match=match):
        check(*functions)


# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a helpful message
# ---------------------------------------------------------------------------


def test_leaky_relu_mutants():
    rejects(
        chk.leaky_relu_basic,
        lambda x, slope: np.maximum(x, 0.0),
        nn.leaky_relu_grad,
        match="plain ReLU",
    )
    rejects(
        chk.leaky_relu_hidden,
        nn.leaky_relu,
        lambda x, slope: np.where(np.asarray(x) >= 0, 1.0, slope),
        match=r"at x = 0 use slope, not 1",
    )

    def in_place(x, slope):
        x[x < 0] *= slope
        return x

    rejects(chk.leaky_relu_basic, in_place, nn.leaky_relu_grad, match="modified its argument 1")


def test_sigmoid_tanh_mutants():
    def naive_sigmoid_grad(x):
        s = np.exp(x) / (1.0 + np.exp(x))  # inf / inf = nan for large x
        return s * (1.0 - s)

    chk.sigmoid_tanh_grad_basic(naive_sigmoid_grad, nn.tanh_grad)  # fine for small |x| ...
    rejects(
        chk.sigmoid_tanh_grad_hidden, naive_sigmoid_grad, nn.tanh_grad, match="stably"
    )  # not here
    rejects(
        chk.sigmoid_tanh_grad_basic,
        nn.sigmoid_grad,
        lambda x: 1.0 - np.tanh(x),
        match="square the tanh",
    )
    rejects(chk.sigmoid_tanh_grad_basic, nn.sigmoid, nn.tanh_grad, match="sigma\\(x\\) itself")


def test_gelu_swish_mutants():
    rejects(chk.gelu_swish_grad_basic, nn.normal_cdf, nn.swish_grad, match="product rule")
    rejects(
        chk.gelu_swish_grad_hidden,
        nn.gelu_grad,
        lambda x, beta: nn.sigmoid(beta * x) * (1 + x * (1 - nn.sigmoid(beta * x))),
        match="chain rule brings a factor beta",
    )


def test_mlp_forward_mutants():
    rejects(
        chk.mlp_forward_basic,
        lambda X, W1, b1, W2, b2: nn.relu(mlp_forward_ref(X, W1, b1, W2, b2)),
        match="no ReLU",
    )
    rejects(
        chk.mlp_forward_basic,
        lambda X, W1, b1, W2, b2: nn.relu(X @ W1) @ W2,
        match="add the biases",
    )
    rejects(
        chk.mlp_forward_hidden,
        lambda X, W1, b1, W2, b2: nn.relu(X @ W1 + b1) @ W2 + b2 if len(X) > 1 else X[0],
        match=r"returned shape \(5,\), expected shape \(1, 4\)",
    )


def test_softmax_cross_entropy_mutants():
    def no_mean_grad(logits, labels):
        loss, grad = nn.softmax_cross_entropy_and_grad(logits, labels)
        return loss, grad * len(labels)

    def naive(logits, labels):
        logits = np.asarray(logits, dtype=float)
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        n = len(labels)
        loss = -np.mean(np.log(p[np.arange(n), labels]))
        grad = p.copy()
        grad[np.arange(n), labels] -= 1
        return loss, grad / n

    rejects(chk.softmax_cross_entropy_basic, no_mean_grad, match="divide the gradient by n")
    rejects(chk.softmax_cross_entropy_hidden, naive, match="subtract the row maximum")
    rejects(chk.softmax_cross_entropy_basic, lambda z, y: 1.0, match="expected a tuple of 2")


def test_mlp_backward_mutants():
    def no_mask(X, y, W1, b1, W2, b2):
        z1 = X @ W1 + b1
        h = nn.relu(z1)
        _, dz2 = nn.softmax_cross_entropy_and_grad(h @ W2 + b2, y)
        dz1 = dz2 @ W2.T  # ReLU derivative forgotten
        return X.T @ dz1, dz1.sum(axis=0), h.T @ dz2, dz2.sum(axis=0)

    def mean_biases(X, y, W1, b1, W2, b2):
        dW1, db1, dW2, db2 = mlp_backward_ref(X, y, W1, b1, W2, b2)
        return dW1, db1 / len(y), dW2, db2 / len(y)

    rejects(chk.mlp_backward_basic, no_mask, match="multiply by the ReLU derivative")
    rejects(chk.mlp_backward_basic, mean_biases, match="sums dz1 over the batch")
    rejects(chk.mlp_backward_basic, lambda *args: [0, 0], match="tuple of 4")


def test_init_mutants():
    def std_is_variance(n_in, n_out, seed):
        return np.random.default_rng(seed).normal(0, 2 / (n_in + n_out), (n_in, n_out))

    def he_fan_out(n_in, n_out, seed):
        return np.random.default_rng(seed).normal(0, np.sqrt(2 / n_out), (n_in, n_out))

    def global_state(n_in, n_out, seed):
        return np.random.normal(0, np.sqrt(2 / n_in), (n_in, n_out))

    rejects(chk.init_basic, std_is_variance, he_init_ref, match="standard deviation")
    rejects(chk.init_hidden, xavier_init_ref, he_fan_out, match="He uses the fan-in")
    rejects(chk.init_hidden, xavier_init_ref, global_state, match="np.random's global state")
    rejects(
        chk.init_basic,
        xavier_init_ref,
        lambda n_in, n_out, seed: he_init_ref(n_out, n_in, seed),
        match=r"returned shape \(300, 400\), expected \(400, 300\)",
    )


def test_depth_variances_mutants():
    def records_h(*args):
        return depth_variances_ref(*args, record="h")

    def std_is_variance(*args):
        return depth_variances_ref(*args, std=lambda init, w: (2.0 if init == "he" else 1.0) / w)

    rejects(chk.depth_variances_basic, records_h, match="pre-activation z")
    rejects(chk.depth_variances_basic, std_is_variance, match="signal dies out")
    rejects(
        chk.depth_variances_hidden,
        lambda init, *args: depth_variances_ref("he", *args),
        match=r"expected about",
    )


def test_train_mlp_mutants():
    def zero_init(X, y, hidden, epochs, lr, batch_size, seed):
        params = train_mlp_ref(X, y, hidden, 0, lr, batch_size, seed)
        return {key: np.zeros_like(value) for key, value in params.items()}

    def sum_not_mean(X, y, hidden, epochs, lr, batch_size, seed):
        return train_mlp_ref(X, y, hidden, epochs, lr * batch_size, batch_size, seed)

    def unseeded(X, y, hidden, epochs, lr, batch_size, seed):
        return train_mlp_ref(X, y, hidden, epochs, lr, batch_size, np.random.randint(1 << 30))

    rejects(chk.train_mlp_basic, zero_init, match=r"classifies 1\d\.\d% .* at least 85%")
    rejects(chk.train_mlp_basic, sum_not_mean, match="inf or nan|at least 85%")
    rejects(chk.train_mlp_hidden, unseeded, match="returned different weights")
    rejects(
        chk.train_mlp_basic,
        lambda *args, **kwargs: (1, 2),
        match="expected a dict with keys W1, b1, W2, b2",
    )


def test_torch_digits_mutants():
    def untrained(X_train, y_train, X_test, seed):
        torch.manual_seed(seed)
        model = dk.models.MLP(in_features=64, hidden=(64,), out_features=10)
        return dk.train.predict(model, X_test.astype(np.float32)).argmax(dim=1).numpy()

    def scores_not_labels(X_train, y_train, X_test, seed):
        return np.zeros((len(X_test), 10))

    rejects(chk.torch_digits_basic, untrained, match="expected at least 90%")
    rejects(chk.torch_digits_basic, scores_not_labels, match="argmax")
