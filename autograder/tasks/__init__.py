"""What the commands do, one file each: ``release``, ``verify`` and ``check``
(``grade`` is :mod:`autograder.batch`).

May import: :mod:`autograder.course`, :mod:`autograder.results`, :mod:`autograder.grading`.
"""
