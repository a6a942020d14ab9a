"""Drawings behind the notebooks' interactive widgets.

Each ``draw_*`` function takes plain numbers (and arrays) and returns a new
``matplotlib.figure.Figure`` built with the object API (no pyplot state), so a
notebook can wrap it in ``ipywidgets.interact`` and redraw without leaking figures.
Building a figure takes well under 100 ms on a 2-core CPU (matplotlib's rendering comes
on top; keep figures small and free of heavy artists).

One file per module; this package re-exports every drawing, so notebooks call
``dk.widgets.draw_x(...)``.
"""

from dlkit.widgets.approximate_inference import (
    BeliefPropagation,
    MeanFieldFit,
    draw_bp_messages,
    draw_vi_fit,
)
from dlkit.widgets.attention_transformers import (
    AttentionHeatmap,
    PositionalEncoding,
    SoftmaxSaturation,
    draw_attention_heatmap,
    draw_positional_encoding,
    draw_softmax_temperature,
)
from dlkit.widgets.autoencoders_representation import (
    BetaTradeoff,
    Denoising,
    LatentSpace,
    draw_beta_tradeoff,
    draw_denoising,
    draw_latent_space,
)
from dlkit.widgets.calculus_autodiff import (
    FiniteDifferenceSteps,
    Taylor,
    draw_fd_error,
    draw_taylor,
)
from dlkit.widgets.classical_ml import (
    BiasVariance,
    DecisionBoundary,
    draw_bias_variance,
    draw_decision_boundary,
)
from dlkit.widgets.convolutional_networks import (
    ConvArithmetic,
    FeatureMaps,
    ReceptiveField,
    draw_conv_arithmetic,
    draw_feature_maps,
    draw_receptive_field,
)
from dlkit.widgets.feedforward_backprop import (
    Activation,
    UniversalApproximation,
    draw_activation,
    draw_universal_approximation,
)
from dlkit.widgets.generative_models import (
    DiffusionProcess,
    FlowDensity,
    SamplingSteps,
    draw_diffusion,
    draw_flow_density,
    draw_sampling_steps,
)
from dlkit.widgets.getting_started import SineWave, draw_sine_wave
from dlkit.widgets.information_theory import (
    BernoulliEntropy,
    GaussianKL,
    draw_bernoulli_entropy,
    draw_gaussian_kl,
)
from dlkit.widgets.linear_algebra import (
    MatrixOnCircle,
    SVDRank,
    draw_matrix_on_circle,
    draw_svd_rank,
)
from dlkit.widgets.linear_factor_models import (
    ICAMixing,
    PCAReconstruction,
    SparseCode,
    draw_ica_mixing,
    draw_pca_reconstruction,
    draw_sparse_code,
)
from dlkit.widgets.monte_carlo_graphical_models import (
    HMCTrajectory,
    ImportanceWeights,
    MCMCChain,
    draw_hmc_trajectory,
    draw_importance_weights,
    draw_mcmc_chain,
)
from dlkit.widgets.numerical_computation import (
    IntegrationRules,
    PrecisionLoss,
    draw_integration_error,
    draw_precision_loss,
)
from dlkit.widgets.optimization import (
    LRSchedules,
    OptimizerPaths,
    QuadraticDescent,
    draw_lr_schedules,
    draw_optimizer_paths,
    draw_quadratic_descent,
)
from dlkit.widgets.practical_methodology import (
    DecisionThreshold,
    Reliability,
    SearchBudget,
    draw_reliability,
    draw_search_budget,
    draw_threshold,
)
from dlkit.widgets.probability import (
    BayesUpdate,
    CentralLimit,
    DistributionExplorer,
    draw_bayes_update,
    draw_clt,
    draw_distribution,
)
from dlkit.widgets.recurrent_networks import (
    HiddenTrajectory,
    LstmGates,
    draw_hidden_trajectory,
    draw_lstm_gates,
)
from dlkit.widgets.regularization import (
    BatchNormNoise,
    PenaltyGeometry,
    RegularizationCurves,
    draw_bn_noise,
    draw_penalty_geometry,
    draw_regularization_curves,
)
from dlkit.widgets.reinforcement_learning import (
    BanditRegret,
    PolicyGradientVariance,
    ValueIteration,
    draw_bandit_regret,
    draw_pg_variance,
    draw_value_iteration,
)
from dlkit.widgets.training_deep_models import (
    BatchNoise,
    GradNorms,
    SaddleLandscape,
    draw_batch_noise,
    draw_grad_norms,
    draw_saddle_landscape,
)

__all__ = [
    "Activation",
    "AttentionHeatmap",
    "BanditRegret",
    "BatchNoise",
    "BatchNormNoise",
    "BayesUpdate",
    "BeliefPropagation",
    "BernoulliEntropy",
    "BetaTradeoff",
    "BiasVariance",
    "CentralLimit",
    "ConvArithmetic",
    "DecisionBoundary",
    "DecisionThreshold",
    "Denoising",
    "DiffusionProcess",
    "DistributionExplorer",
    "FeatureMaps",
    "FiniteDifferenceSteps",
    "FlowDensity",
    "GaussianKL",
    "GradNorms",
    "HMCTrajectory",
    "HiddenTrajectory",
    "ICAMixing",
    "ImportanceWeights",
    "IntegrationRules",
    "LRSchedules",
    "LatentSpace",
    "LstmGates",
    "MCMCChain",
    "MatrixOnCircle",
    "MeanFieldFit",
    "OptimizerPaths",
    "PCAReconstruction",
    "PenaltyGeometry",
    "PolicyGradientVariance",
    "PositionalEncoding",
    "PrecisionLoss",
    "QuadraticDescent",
    "ReceptiveField",
    "RegularizationCurves",
    "Reliability",
    "SVDRank",
    "SaddleLandscape",
    "SamplingSteps",
    "SearchBudget",
    "SineWave",
    "SoftmaxSaturation",
    "SparseCode",
    "Taylor",
    "UniversalApproximation",
    "ValueIteration",
    "draw_activation",
    "draw_attention_heatmap",
    "draw_bandit_regret",
    "draw_batch_noise",
    "draw_bayes_update",
    "draw_beta_tradeoff",
    "draw_bernoulli_entropy",
    "draw_bias_variance",
    "draw_bn_noise",
    "draw_bp_messages",
    "draw_clt",
    "draw_conv_arithmetic",
    "draw_decision_boundary",
    "draw_denoising",
    "draw_diffusion",
    "draw_distribution",
    "draw_fd_error",
    "draw_feature_maps",
    "draw_flow_density",
    "draw_gaussian_kl",
    "draw_grad_norms",
    "draw_hidden_trajectory",
    "draw_hmc_trajectory",
    "draw_ica_mixing",
    "draw_importance_weights",
    "draw_integration_error",
    "draw_latent_space",
    "draw_lr_schedules",
    "draw_lstm_gates",
    "draw_matrix_on_circle",
    "draw_mcmc_chain",
    "draw_optimizer_paths",
    "draw_pca_reconstruction",
    "draw_penalty_geometry",
    "draw_pg_variance",
    "draw_positional_encoding",
    "draw_precision_loss",
    "draw_quadratic_descent",
    "draw_receptive_field",
    "draw_regularization_curves",
    "draw_reliability",
    "draw_saddle_landscape",
    "draw_sampling_steps",
    "draw_search_budget",
    "draw_sine_wave",
    "draw_softmax_temperature",
    "draw_sparse_code",
    "draw_svd_rank",
    "draw_taylor",
    "draw_threshold",
    "draw_universal_approximation",
    "draw_value_iteration",
    "draw_vi_fit",
]
