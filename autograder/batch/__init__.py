"""Bulk grading for instructors: a folder of submissions in, grades, feedback and a report out.

- :mod:`~autograder.batch.runner`: finds the submissions, runs a worker per submission,
  collects the results (``grade_batch``);
- :mod:`~autograder.batch.worker`: grades one submission in a process of its own;
- :mod:`~autograder.batch.cluster`: the same, as tasks on a Dask cluster (``--scheduler``);
- :mod:`~autograder.batch.gradebook`: the one nbgrader gradebook, written by the parent only
  (SQLite or PostgreSQL), and what graders give by hand in the formgrader;
- :mod:`~autograder.batch.report`: grades.csv, exercises.csv, results.json and report.html
  (where a class struggles), with its figures and failures.csv.

May import: :mod:`autograder.course`, :mod:`autograder.results`, :mod:`autograder.grading`.
"""
