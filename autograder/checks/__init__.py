"""Check functions called by the notebooks' test cells, one file per module.

Each check raises :class:`~autograder.checks.harness.CheckFailed` with a message
for the learner (what was called, what came back, what was expected, a hint).
:mod:`~autograder.checks.harness` holds what every check shares (calling learner
code on copies, comparing, naming known mistakes); :mod:`~autograder.checks.oracles`
the independent references several modules share (random test matrices, torch
autograd, imported lazily).

Checks run in the grader and, when a learner runs a test cell, in the learner's
kernel. May import: numpy, scipy, scikit-learn and each other; torch only through
``oracles``; never :mod:`dlkit` (the oracles must be independent of the reference
library) and nothing else of ``autograder``.

In a learner's kernel, importing the checks also makes a visible test cell that passes
say so (:mod:`~autograder.checks.passed`).
"""

from autograder.checks import passed

passed.install()
