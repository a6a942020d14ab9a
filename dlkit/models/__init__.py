"""Torch models used across the course, each with a small configuration dataclass.

One file per family (``mlp``, later ``cnn``, ``rnn``, ...); this package re-exports the
model classes and their configs, so notebooks write ``dk.models.MLP(dk.models.MLPConfig(...))``.
Importing it imports torch, which is why ``import dlkit`` loads it only on first use.
"""

from dlkit.models.mlp import MLP, MLPConfig

__all__ = [
    "MLP",
    "MLPConfig",
]
