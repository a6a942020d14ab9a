"""Neural networks in numpy: activations, layers with forward and backward, losses, init.

Reference code for module 08 and the modules after it, one file per family
(``activations``, ``losses``, ``init``, ``layers``, ``training``; later modules add
theirs, such as normalisation or recurrent layers). This package re-exports every name,
so notebooks write ``dk.nn.Linear`` and ``dk.nn.relu``.

Arrays are float64 and batches are rows: a layer maps ``x`` of shape ``(n, n_in)`` to
``(n, n_out)``. Every backward pass takes the gradient of the loss with respect to the
layer's output and returns the gradient with respect to its input, storing the
parameter gradients on the layer. Losses return the pair
``(loss, gradient with respect to the predictions)`` so a training step is

    loss, grad = softmax_cross_entropy_and_grad(model.forward(x), y)
    model.backward(grad)
    sgd_step(model, lr)
"""

from dlkit.nn.activations import (
    ACTIVATIONS,
    gelu,
    gelu_grad,
    get_activation,
    identity,
    identity_grad,
    leaky_relu,
    leaky_relu_grad,
    normal_cdf,
    normal_pdf,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    swish,
    swish_grad,
    tanh,
    tanh_grad,
)
from dlkit.nn.init import (
    INITIALISERS,
    he_normal,
    init_weights,
    xavier_normal,
    xavier_uniform,
)
from dlkit.nn.layers import (
    Activation,
    Linear,
    Sequential,
    mlp,
)
from dlkit.nn.losses import (
    binary_cross_entropy_with_logits_and_grad,
    hinge_and_grad,
    mse_and_grad,
    softmax_cross_entropy_and_grad,
)
from dlkit.nn.training import (
    predict,
    sgd_step,
    train_classifier,
)

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "INITIALISERS",
    "Linear",
    "Sequential",
    "binary_cross_entropy_with_logits_and_grad",
    "gelu",
    "gelu_grad",
    "get_activation",
    "he_normal",
    "hinge_and_grad",
    "identity",
    "identity_grad",
    "init_weights",
    "leaky_relu",
    "leaky_relu_grad",
    "mlp",
    "mse_and_grad",
    "normal_cdf",
    "normal_pdf",
    "predict",
    "relu",
    "relu_grad",
    "sgd_step",
    "sigmoid",
    "sigmoid_grad",
    "softmax_cross_entropy_and_grad",
    "swish",
    "swish_grad",
    "tanh",
    "tanh_grad",
    "train_classifier",
    "xavier_normal",
    "xavier_uniform",
]
