"""Training a numpy network: a plain SGD step, predictions, a mini-batch loop."""

import numpy as np

from dlkit.nn.losses import softmax_cross_entropy_and_grad


def sgd_step(model, lr):
    """Plain gradient descent, in place: ``theta <- theta - lr * dL/dtheta`` for every parameter."""
    for param, grad in model.parameters():
        param -= lr * grad


def predict(model, x):
    """Class predictions ``argmax_k`` of the model's scores for x (n, d) -> (n,) ints."""
    return np.argmax(model.forward(x), axis=1)


def train_classifier(model, x, y, rng, epochs=10, lr=0.1, batch_size=32):
    """Mini-batch SGD on the softmax cross-entropy; returns ``{"loss": [mean loss per epoch]}``.

    Each epoch visits the n rows of x (n, d) once in a random order drawn from ``rng``.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y)
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise ValueError(f"train_classifier: need x (n, d) and y (n,), got {x.shape} and {y.shape}")
    history = {"loss": []}
    for _ in range(epochs):
        order = rng.permutation(len(x))
        total = 0.0
        for start in range(0, len(x), batch_size):
            rows = order[start : start + batch_size]
            loss, grad = softmax_cross_entropy_and_grad(model.forward(x[rows]), y[rows])
            model.backward(grad)
            sgd_step(model, lr)
            total += loss * len(rows)
        history["loss"].append(total / len(x))
    return history
