"""What the commands do, one file each: ``release``, ``verify``, ``check`` and ``progress``
(``grade`` and ``export`` are :mod:`autograder.batch`).

May import: :mod:`autograder.course`, :mod:`autograder.results`, :mod:`autograder.grading`.
"""
