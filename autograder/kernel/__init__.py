"""The trust boundary between the grader and the learner's kernel.

Test cells run in the grader (:mod:`~autograder.kernel.outside`); the learner's names
are looked up and called in the kernel (:mod:`~autograder.kernel.inside`); only plain
data crosses (:mod:`~autograder.kernel.plaindata`), so nothing the learner's code does
in the kernel can reach a verdict.

``inside`` runs in the untrusted kernel: it and ``plaindata`` import nothing else of
``autograder``, and they (with this file and ``autograder/__init__.py``) are all of
``autograder`` the sandbox lets the kernel see (``SandboxConfig.packages``). Both are
bounded: the kernel refuses to send a result over the grader's limit, and the grader
reads what comes back as raw frames, checked before they are parsed. May import:
nothing of ``autograder`` outside this package.
"""
