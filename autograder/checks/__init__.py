"""Check functions called by the notebooks' test cells, one file per module.

Each check raises :class:`~autograder.checks.harness.CheckFailed` with a message
for the learner (what was called, what came back, what was expected, a hint).
"""
