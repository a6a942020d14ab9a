"""Convolutional layers with forward and backward passes, on top of ``dlkit.conv``.

``Conv2D``, ``MaxPool2D``, ``AvgPool2D``, ``Flatten`` and ``Unflatten`` follow the
interface of ``Linear``: ``forward(x)`` stores what the backward pass needs,
``backward(grad_out)`` returns dL/dx and keeps the parameter gradients, ``parameters()``
lists ``(param, grad)`` pairs. So they chain in a ``Sequential`` with ``Activation`` and
``Linear``, and ``train_classifier`` trains the whole network on rows of pixels:

    cnn = Sequential(Unflatten((1, 8, 8)), Conv2D(1, 8, 3, rng, padding=1),
                     Activation("relu"), MaxPool2D(2), Flatten(), Linear(8 * 4 * 4, 10, rng))
"""

import numpy as np

from dlkit.conv import (
    avgpool2d,
    avgpool2d_backward,
    conv2d_backward,
    conv2d_im2col,
    maxpool2d,
    maxpool2d_backward,
)
from dlkit.nn.init import init_weights


def _images(x, channels, name):
    x = np.asarray(x, dtype=float)
    if x.ndim != 4 or (channels is not None and x.shape[1] != channels):
        want = f"(N, {channels}, H, W)" if channels is not None else "(N, C, H, W)"
        raise ValueError(f"{name}: expected images of shape {want}, got {x.shape}")
    return x


class Conv2D:
    """Cross-correlation layer ``y = conv2d(x, W) + b``: x (N, c_in, H, W) -> (N, c_out, H', W').

    W (c_out, c_in, k, k) is drawn like a Linear layer's with fan-in ``c_in k^2``
    (He by default), b (c_out,) starts at zero. Backward: :func:`dlkit.conv.conv2d_backward`.
    """

    def __init__(self, c_in, c_out, k, rng, stride=1, padding=0, dilation=1, init="he"):
        fan_in = c_in * k * k
        # a (fan_in, c_out) matrix with the scheme's variance, one column per filter
        self.W = init_weights(init, fan_in, c_out, rng).T.reshape(c_out, c_in, k, k)
        self.b = np.zeros(c_out)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.stride, self.padding, self.dilation = stride, padding, dilation
        self._x = None

    def forward(self, x):
        self._x = _images(x, self.W.shape[1], "Conv2D.forward")
        return conv2d_im2col(self._x, self.W, self.b, self.stride, self.padding, self.dilation)

    def backward(self, grad_out):
        if self._x is None:
            raise ValueError("Conv2D.backward: call forward first; it stores the input")
        dx, self.dW, self.db = conv2d_backward(
            grad_out, self._x, self.W, self.stride, self.padding, self.dilation
        )
        return dx

    def parameters(self):
        """``[(W, dW), (b, db)]``: each parameter with the gradient of the last backward."""
        return [(self.W, self.dW), (self.b, self.db)]


class MaxPool2D:
    """k x k max pooling (stride k by default); backward routes each gradient to its maximum."""

    def __init__(self, k, stride=None, padding=0):
        self.k, self.stride, self.padding = k, stride, padding
        self._argmax = self._shape = None

    def forward(self, x):
        x = _images(x, None, "MaxPool2D.forward")
        out, self._argmax = maxpool2d(x, self.k, self.stride, self.padding)
        self._shape = x.shape
        return out

    def backward(self, grad_out):
        if self._argmax is None:
            raise ValueError("MaxPool2D.backward: call forward first; it stores the argmax")
        return maxpool2d_backward(grad_out, self._argmax, self._shape)

    def parameters(self):
        return []


class AvgPool2D:
    """k x k average pooling (stride k by default); backward spreads ``grad / k^2``."""

    def __init__(self, k, stride=None, padding=0):
        self.k, self.stride, self.padding = k, stride, padding
        self._shape = None

    def forward(self, x):
        x = _images(x, None, "AvgPool2D.forward")
        self._shape = x.shape
        return avgpool2d(x, self.k, self.stride, self.padding)

    def backward(self, grad_out):
        if self._shape is None:
            raise ValueError("AvgPool2D.backward: call forward first; it stores the shape")
        return avgpool2d_backward(grad_out, self._shape, self.k, self.stride, self.padding)

    def parameters(self):
        return []


class Flatten:
    """(N, C, H, W) (or any (N, ...)) -> (N, C H W), row-major; backward reshapes back."""

    def __init__(self):
        self._shape = None

    def forward(self, x):
        x = np.asarray(x, dtype=float)
        if x.ndim < 2:
            raise ValueError(f"Flatten.forward: expected a batch (N, ...), got shape {x.shape}")
        self._shape = x.shape
        return x.reshape(len(x), -1)  # (N, C H W)

    def backward(self, grad_out):
        if self._shape is None:
            raise ValueError("Flatten.backward: call forward first; it stores the shape")
        return np.asarray(grad_out, dtype=float).reshape(self._shape)

    def parameters(self):
        return []


class Unflatten:
    """Rows (N, prod(shape)) -> (N, *shape), e.g. 64 pixels -> (1, 8, 8); backward flattens."""

    def __init__(self, shape):
        self.shape = tuple(int(s) for s in shape)

    def forward(self, x):
        x = np.asarray(x, dtype=float)
        size = int(np.prod(self.shape))
        if x.ndim != 2 or x.shape[1] != size:
            raise ValueError(f"Unflatten.forward: expected rows of {size} values, got {x.shape}")
        return x.reshape(len(x), *self.shape)  # (N, *shape)

    def backward(self, grad_out):
        grad_out = np.asarray(grad_out, dtype=float)
        return grad_out.reshape(len(grad_out), -1)

    def parameters(self):
        return []
