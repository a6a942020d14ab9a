"""Bulk grading for instructors: a folder of submissions in, grades, feedback and a plot out.

- :mod:`~autograder.batch.runner`: finds the submissions, runs a worker per submission,
  collects the results (``grade_batch``);
- :mod:`~autograder.batch.worker`: grades one submission in a process of its own;
- :mod:`~autograder.batch.gradebook`: the one nbgrader gradebook, written by the parent only;
- :mod:`~autograder.batch.report`: grades.csv, exercises.csv and scores.png.

May import: :mod:`autograder.course`, :mod:`autograder.results`, :mod:`autograder.grading`.
"""
