"""Torch models used across the course, each with a small configuration dataclass.

One file per family (``mlp``, later ``cnn``, ``rnn``, ...); this package re-exports the
model classes and their configs, so notebooks write ``dk.models.MLP(dk.models.MLPConfig(...))``.
Importing it imports torch, which is why ``import dlkit`` loads it only on first use.
"""

from dlkit.models.autoencoder import AE, AEConfig
from dlkit.models.cnn import CNN, CNNConfig, ResidualBlock
from dlkit.models.diffusion import DDPM, DiffusionConfig
from dlkit.models.flow import AffineCoupling, FlowConfig, RealNVP
from dlkit.models.gan import GAN, GANConfig
from dlkit.models.mlp import MLP, MLPConfig
from dlkit.models.rnn import (
    RNNConfig,
    Seq2Seq,
    Seq2SeqConfig,
    SequenceModel,
    course_to_lstm,
    lstm_to_course,
    shift_right,
    teacher_forcing_loss,
)
from dlkit.models.transformer import (
    MultiHeadAttention,
    TinyTransformer,
    TransformerBlock,
    TransformerConfig,
)
from dlkit.models.vae import VAE, VAEConfig

__all__ = [
    "AE",
    "AEConfig",
    "AffineCoupling",
    "CNN",
    "CNNConfig",
    "DDPM",
    "DiffusionConfig",
    "FlowConfig",
    "GAN",
    "GANConfig",
    "MLP",
    "MLPConfig",
    "MultiHeadAttention",
    "RealNVP",
    "RNNConfig",
    "ResidualBlock",
    "Seq2Seq",
    "Seq2SeqConfig",
    "SequenceModel",
    "TinyTransformer",
    "TransformerBlock",
    "TransformerConfig",
    "VAE",
    "VAEConfig",
    "course_to_lstm",
    "lstm_to_course",
    "shift_right",
    "teacher_forcing_loss",
]
