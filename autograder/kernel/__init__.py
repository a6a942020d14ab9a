"""The trust boundary between the grader and the learner's kernel.

Test cells run in the grader (:mod:`~autograder.kernel.outside`); the learner's names
are looked up and called in the kernel (:mod:`~autograder.kernel.inside`); only plain
data crosses (:mod:`~autograder.kernel.plaindata`), so nothing the learner's code does
in the kernel can reach a verdict.

``inside`` runs in the untrusted kernel: it and ``plaindata`` import nothing else of
``autograder`` (the sandbox makes the package importable there). May import:
nothing of ``autograder`` outside this package.
"""
