"""Measuring models honestly (module 14): metrics, intervals, splits, search.

One file per family, re-exported here (notebooks write ``dk.metrics.roc_auc(...)``):

- ``classification``: confusion matrix, precision, recall, F1 (macro, micro), ROC and PR
  curves with tied scores handled as scikit-learn does, AUC, average precision,
  reliability curve and expected calibration error, balanced class weights;
- ``regression``: MSE, RMSE, MAE, R^2, Huber;
- ``sequence``: perplexity from token log-probabilities, sentence BLEU;
- ``intervals``: Wilson and Wald intervals, the percentile bootstrap (paired resampling)
  and its coverage by simulation;
- ``evaluation``: train-only standardisation, stratified k-fold, random and grid search
  (log scales), a domain classifier for covariate shift, the majority baseline.
"""

from dlkit.metrics.classification import (
    auc,
    average_precision,
    binary_metrics,
    class_weights,
    confusion_matrix,
    expected_calibration_error,
    f1_scores,
    per_class_prf,
    pr_curve,
    reliability_curve,
    roc_auc,
    roc_curve,
)
from dlkit.metrics.evaluation import (
    domain_classifier_auc,
    grid_points,
    grid_search,
    majority_baseline,
    random_search,
    shift_features,
    standardize,
    stratified_kfold,
)
from dlkit.metrics.intervals import (
    bootstrap_ci,
    bootstrap_coverage,
    bootstrap_indices,
    wald_interval,
    wilson_interval,
)
from dlkit.metrics.regression import huber, r2_score, regression_metrics
from dlkit.metrics.sequence import bleu, ngrams, perplexity, token_log_probs

__all__ = [
    "auc",
    "average_precision",
    "binary_metrics",
    "bleu",
    "bootstrap_ci",
    "bootstrap_coverage",
    "bootstrap_indices",
    "class_weights",
    "confusion_matrix",
    "domain_classifier_auc",
    "expected_calibration_error",
    "f1_scores",
    "grid_points",
    "grid_search",
    "huber",
    "majority_baseline",
    "ngrams",
    "per_class_prf",
    "perplexity",
    "pr_curve",
    "r2_score",
    "random_search",
    "regression_metrics",
    "reliability_curve",
    "roc_auc",
    "roc_curve",
    "shift_features",
    "standardize",
    "stratified_kfold",
    "token_log_probs",
    "wald_interval",
    "wilson_interval",
]
