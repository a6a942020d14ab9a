"""A small convolutional network in torch, and a residual block, from a frozen config.

    model = dk.models.CNN(dk.models.CNNConfig(channels=(16, 32)))   # 8 x 8 digits, 10 classes

Each stage is ``Conv(k x k, 'same' padding) -> [BatchNorm] -> ReLU -> [ResidualBlock]
-> MaxPool(pool)``; the head flattens the last feature maps (or averages them over
space, ``global_pool=True``) and applies ``[Dropout] -> Linear`` to class scores.
Images are NCHW; rows of ``image_size**2`` pixels are reshaped to
``(n, in_channels, image_size, image_size)`` first, so the model takes the digits as
``dk.data.digits`` returns them.
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

NORMS = (None, "batch")


@dataclass(frozen=True)
class CNNConfig:
    """Shape and details of a :class:`CNN`.

    in_channels: channels of the input images; channels: output channels of each stage
    (one stage per entry); kernel: the odd kernel size k of every convolution ('same'
    padding k // 2); pool: the max-pool window and stride after each stage (1 for none);
    n_classes: number of outputs; image_size: side of the square input images;
    residual: add a :class:`ResidualBlock` to each stage; norm: None or ``"batch"``
    (BatchNorm2d after each convolution, whose bias it then replaces); dropout: drop
    probability before the last layer (0 for none); global_pool: average each feature
    map over space before the last layer instead of flattening it.
    """

    in_channels: int = 1
    channels: tuple[int, ...] = (16, 32)
    kernel: int = 3
    pool: int = 2
    n_classes: int = 10
    image_size: int = 8
    residual: bool = False
    norm: str | None = None
    dropout: float = 0.0
    global_pool: bool = False

    def __post_init__(self):
        widths = (self.in_channels, *self.channels, self.n_classes)
        if not self.channels or not all(isinstance(w, int) and w >= 1 for w in widths):
            raise ValueError(
                f"CNNConfig: in_channels, every entry of channels and n_classes must be ints "
                f">= 1 (and channels not empty), got {widths}"
            )
        if not (isinstance(self.kernel, int) and self.kernel >= 1 and self.kernel % 2 == 1):
            raise ValueError(f"CNNConfig: kernel must be an odd int >= 1, got {self.kernel!r}")
        if not (isinstance(self.pool, int) and self.pool >= 1):
            raise ValueError(f"CNNConfig: pool must be an int >= 1, got {self.pool!r}")
        if self.norm not in NORMS:
            raise ValueError(f"CNNConfig: unknown norm {self.norm!r}; choose one of {NORMS}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"CNNConfig: dropout must be in [0, 1), got {self.dropout}")
        if self.feature_size() < 1:
            raise ValueError(
                f"CNNConfig: {len(self.channels)} poolings by {self.pool} shrink a "
                f"{self.image_size} x {self.image_size} image to nothing; use fewer stages, "
                "a smaller pool or larger images"
            )

    def feature_size(self) -> int:
        """Side of the last feature maps: the image side floor-divided by pool per stage."""
        side = self.image_size
        for _ in self.channels:
            side //= self.pool
        return side


def _conv(c_in, c_out, kernel, norm):
    """A 'same' convolution, without bias when a batch norm follows (its shift replaces it)."""
    return nn.Conv2d(c_in, c_out, kernel, padding=kernel // 2, bias=norm is None)


def _norm(channels, norm):
    return nn.BatchNorm2d(channels) if norm == "batch" else nn.Identity()


class ResidualBlock(nn.Module):
    """``y = relu(x + F(x))`` with ``F = Conv -> [BN] -> ReLU -> Conv -> [BN]``, shapes kept.

    The skip path is the identity, so ``dy/dx = diag(relu') (I + dF/dx)``: the gradient
    reaches x even when ``dF/dx`` is small. x and y have shape (n, channels, H, W).
    """

    def __init__(self, channels, kernel=3, norm=None):
        super().__init__()
        if norm not in NORMS:
            raise ValueError(f"ResidualBlock: unknown norm {norm!r}; choose one of {NORMS}")
        self.body = nn.Sequential(
            _conv(channels, channels, kernel, norm),
            _norm(channels, norm),
            nn.ReLU(),
            _conv(channels, channels, kernel, norm),
            _norm(channels, norm),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x + self.body(x))


class CNN(nn.Module):
    """Convolutional classifier for small images; returns scores (logits) (n, n_classes).

    ``CNN(CNNConfig(channels=(16, 32)))`` or, equivalently, ``CNN(channels=(16, 32))``.
    Inputs: (n, C, H, W) images or (n, C * H * W) rows (reshaped to images).
    """

    def __init__(self, config=None, **overrides):
        super().__init__()
        if config is None:
            config = CNNConfig(**overrides)
        elif overrides:
            raise ValueError("CNN: pass either a config or keyword overrides, not both")
        self.config = config
        stages, c_in = [], config.in_channels
        for c_out in config.channels:
            layers = [_conv(c_in, c_out, config.kernel, config.norm), _norm(c_out, config.norm)]
            layers.append(nn.ReLU())
            if config.residual:
                layers.append(ResidualBlock(c_out, config.kernel, config.norm))
            if config.pool > 1:
                layers.append(nn.MaxPool2d(config.pool))
            stages.append(nn.Sequential(*layers))
            c_in = c_out
        self.features = nn.Sequential(*stages)
        side = 1 if config.global_pool else config.feature_size()
        head = [nn.Flatten()]
        if config.dropout > 0:
            head.append(nn.Dropout(config.dropout))
        head.append(nn.Linear(c_in * side * side, config.n_classes))
        self.head = nn.Sequential(*head)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c, side = self.config.in_channels, self.config.image_size
        if x.dim() == 2:
            x = x.reshape(len(x), c, side, side)  # (n, C H W) -> (n, C, H, W)
        features = self.features(x)  # (n, C_last, h, w)
        if self.config.global_pool:
            features = features.mean(dim=(2, 3), keepdim=True)  # (n, C_last, 1, 1)
        return self.head(features)

    def to_numpy_params(self) -> dict[str, np.ndarray]:
        """Every parameter and buffer as a float64 numpy array, keyed by its torch name
        (``features.0.0.weight`` of shape (C_out, C_in, k, k), ``head.1.bias``, ...)."""
        state = self.state_dict()
        return {
            name: value.detach().cpu().double().numpy().copy()
            for name, value in state.items()
            if value.is_floating_point()
        }


__all__ = ["CNN", "CNNConfig", "ResidualBlock"]
