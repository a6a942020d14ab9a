"""Grading one submission with nbgrader, shared by ``check``, ``verify`` and the batch.

- :mod:`~autograder.grading.coursedir`: a private nbgrader course directory (settings, API,
  the assignment generated in it);
- :mod:`~autograder.grading.normalize`: the submission's graded cells put back as the
  assignment made them, tampering reported;
- :mod:`~autograder.grading.submission`: autograde, score from the gradebook, flag;
- :mod:`~autograder.grading.messages`: the reasons a learner or an instructor reads;
- :mod:`~autograder.grading.speedup`: nbgrader's one slow question answered in-process;
- :mod:`~autograder.grading.fingerprint`: what must be the same for two gradings to agree.

How a notebook is executed (trusted test cells, the sandbox) is configured in
``nbgrader_config.py`` through :mod:`autograder.preprocessors`, never imported here.

May import: :mod:`autograder.course`, :mod:`autograder.results`.
"""
