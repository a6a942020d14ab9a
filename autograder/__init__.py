"""autograder: the course's grading tools on top of nbgrader.

- ``autograder release``  regenerates the student notebooks from the solutions;
- ``autograder check``    lets a learner grade their own copy against the hidden tests;
- ``autograder grade``    grades a folder of submissions in bulk (CSV, feedback, plot);
- ``autograder verify``   proves the course is consistent (release, full marks, zero marks).

Packages, from the commands down (each may import only those below it):

- :mod:`autograder.cli`: the command line;
- :mod:`autograder.tasks`: release, verify, check;  :mod:`autograder.batch`: grade;
- :mod:`autograder.grading`: one submission through nbgrader;
- :mod:`autograder.preprocessors`: how nbgrader executes it (named in nbgrader_config.py);
- :mod:`autograder.kernel`: the trust boundary (plain data only);
  :mod:`autograder.sandbox`: the kernel's confinement;
- :mod:`autograder.course`, :mod:`autograder.results`: the course on disk, what grading produces;
- :mod:`autograder.checks`: the functions test cells call, independent of everything above.
"""
