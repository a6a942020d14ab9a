"""Linear factor models in numpy (module 15): PCA, PPCA, factor analysis, ICA, sparse coding.

Data are rows: X (n, d), n samples of d features, float64. One file per method, all
re-exported here (``dk.factor.pca_svd``, ``dk.factor.fastica``, ...):

- ``pca``: PCA by the SVD and by the eigendecomposition (variances with n - 1, as
  scikit-learn), explained-variance ratios, choosing k, reconstructions;
- ``ppca``: probabilistic PCA, closed-form maximum likelihood (covariance with 1/n),
  log-likelihood by Woodbury, the posterior of the latents, EM, sampling;
- ``fa``: factor analysis (diagonal noise) by EM, its log-likelihood and posterior;
- ``ica``: PCA whitening, symmetric FastICA, the Amari index, two-source mixtures;
- ``sparse``: ISTA sparse coding and dictionary learning with atoms as columns.
"""

from dlkit.factor.fa import (
    fa_covariance,
    fa_init,
    fa_loglik,
    fa_posterior,
    factor_analysis_em,
)
from dlkit.factor.ica import (
    SOURCE_KINDS,
    amari_index,
    fastica,
    match_sources,
    mixed_sources,
    whiten,
)
from dlkit.factor.pca import (
    choose_k,
    explained_variance_ratio,
    pca_eig,
    pca_reconstruct,
    pca_svd,
    reconstruction_errors,
)
from dlkit.factor.ppca import (
    ppca_covariance,
    ppca_em,
    ppca_loglik,
    ppca_mle,
    ppca_posterior,
    ppca_sample,
)
from dlkit.factor.sparse import (
    dictionary_init,
    dictionary_learning,
    ista,
    learn_dictionary,
    lipschitz,
    sparse_objective,
    update_atoms,
)

__all__ = [
    "SOURCE_KINDS",
    "amari_index",
    "choose_k",
    "dictionary_init",
    "dictionary_learning",
    "explained_variance_ratio",
    "fa_covariance",
    "fa_init",
    "fa_loglik",
    "fa_posterior",
    "factor_analysis_em",
    "fastica",
    "ista",
    "learn_dictionary",
    "lipschitz",
    "match_sources",
    "mixed_sources",
    "pca_eig",
    "pca_reconstruct",
    "pca_svd",
    "ppca_covariance",
    "ppca_em",
    "ppca_loglik",
    "ppca_mle",
    "ppca_posterior",
    "ppca_sample",
    "reconstruction_errors",
    "sparse_objective",
    "update_atoms",
    "whiten",
]
