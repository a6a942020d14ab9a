"""Inference on probabilistic models: exact, variational, by message passing.

One file per method (``exact``: enumeration and variable elimination on Bayesian networks
and MRFs; ``variational``: the ELBO, coordinate-ascent and black-box VI;
``belief_propagation``: sum-product on chains and loopy graphs;
``expectation_propagation``: tilted moments), written for modules 17 and 18; this package
re-exports what notebooks use, so they write ``dk.inference.<name>``.
"""

__all__: list[str] = []
