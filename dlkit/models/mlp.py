"""A multilayer perceptron in torch: ``Linear -> activation -> ... -> Linear``."""

from dataclasses import dataclass

import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
    "swish": nn.SiLU,
}
INITS = ("he", "xavier", "torch")
NORMS = {"batch": nn.BatchNorm1d, "layer": nn.LayerNorm}  # applied after each hidden Linear


@dataclass(frozen=True)
class MLPConfig:
    """Shape and details of an :class:`MLP`.

    in_features: width of a (flattened) input; hidden: widths of the hidden layers;
    out_features: number of outputs (classes for a classifier); activation: one of
    ``relu, leaky_relu, tanh, sigmoid, gelu, swish``; dropout: probability applied
    after every hidden activation (0 for none); init: ``"he"`` (Kaiming normal, for
    ReLU-like activations), ``"xavier"`` (Glorot normal, for tanh/sigmoid) or
    ``"torch"`` (torch's default); biases start at zero for ``he`` and ``xavier``;
    norm: None (the default), ``"batch"`` (``BatchNorm1d``) or ``"layer"`` (``LayerNorm``)
    between every hidden Linear and its activation; residual: if True, every hidden layer
    after the first adds its input to its output, ``h + f(h W + b)`` (a skip connection:
    the gradient reaches the first layers through the identity), which needs equal
    hidden widths; the K residual branches start with their weights scaled by
    ``1 / sqrt(K)``, so that adding them up does not blow the signal up with depth.
    """

    in_features: int = 64
    hidden: tuple[int, ...] = (64,)
    out_features: int = 10
    activation: str = "relu"
    dropout: float = 0.0
    init: str = "he"
    norm: str | None = None
    residual: bool = False

    def __post_init__(self):
        widths = (self.in_features, *self.hidden, self.out_features)
        if not all(isinstance(w, int) and w >= 1 for w in widths):
            raise ValueError(f"MLPConfig: every width must be an int >= 1, got {widths}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"MLPConfig: unknown activation {self.activation!r}; "
                f"choose one of {sorted(ACTIVATIONS)}"
            )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"MLPConfig: dropout must be in [0, 1), got {self.dropout}")
        if self.init not in INITS:
            raise ValueError(f"MLPConfig: unknown init {self.init!r}; choose one of {INITS}")
        if self.norm is not None and self.norm not in NORMS:
            raise ValueError(
                f"MLPConfig: unknown norm {self.norm!r}; choose None or one of {sorted(NORMS)}"
            )
        if self.residual and len(set(self.hidden)) > 1:
            raise ValueError(
                f"MLPConfig: residual=True adds each hidden layer's input to its output, so "
                f"the hidden widths must be equal, got {self.hidden}"
            )


class MLP(nn.Module):
    """Fully connected network; inputs of shape (n, ...) are flattened to (n, in_features).

    ``MLP(MLPConfig(in_features=64, hidden=(32,), out_features=10))`` or, equivalently,
    ``MLP(in_features=64, hidden=(32,), out_features=10)``. Returns scores (logits) of
    shape (n, out_features): the last layer has no activation.
    """

    def __init__(self, config=None, **overrides):
        super().__init__()
        if config is None:
            config = MLPConfig(**overrides)
        elif overrides:
            raise ValueError("MLP: pass either a config or keyword overrides, not both")
        self.config = config
        widths = (config.in_features, *config.hidden, config.out_features)
        layers = []
        for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
            layers.append(nn.Linear(n_in, n_out))
            if i < len(widths) - 2:
                if config.norm is not None:
                    layers.append(NORMS[config.norm](n_out))
                layers.append(ACTIVATIONS[config.activation]())
                if config.dropout > 0:
                    layers.append(nn.Dropout(config.dropout))
        self.net = nn.Sequential(*layers)
        self._initialise(config.init)
        if config.residual:
            self.net = nn.Sequential(*_residual_blocks(list(self.net)))

    def _initialise(self, init):
        if init == "torch":
            return
        for layer in self.net:
            if isinstance(layer, nn.Linear):
                if init == "he":  # Var(W) = 2 / fan_in
                    nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
                else:  # Var(W) = 2 / (fan_in + fan_out)
                    nn.init.xavier_normal_(layer.weight)
                nn.init.zeros_(layer.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.flatten(start_dim=1))  # (n, ...) -> (n, in_features) -> (n, out)


class Residual(nn.Module):
    """``x + block(x)``: a skip connection around a block that keeps the width."""

    def __init__(self, *layers):
        super().__init__()
        self.block = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x)


def _residual_blocks(layers):
    """The flat ``Linear, [norm], activation, [dropout], Linear, ...`` list with every hidden
    layer after the first (a Linear and the modules up to the next Linear) wrapped in a
    :class:`Residual`; the first and the output layer stay as they are."""
    starts = [i for i, layer in enumerate(layers) if isinstance(layer, nn.Linear)]
    blocks = [layers[a:b] for a, b in zip(starts, starts[1:] + [len(layers)])]
    middle = [Residual(*block) for block in blocks[1:-1]]
    with torch.no_grad():  # K branches of variance v / K each: the sum grows like (1 + 1/K)^K <= e
        for residual in middle:
            residual.block[0].weight.mul_(len(middle) ** -0.5)
    return [*blocks[0], *middle, *blocks[-1]]
