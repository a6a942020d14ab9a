"""autograder: the course's grading tools on top of nbgrader.

- ``autograder release``  regenerates the student notebooks from the solutions;
- ``autograder check``    lets a learner grade their own copy against the hidden tests;
- ``autograder grade``    grades a folder of submissions in bulk (CSV, feedback, plot);
- ``autograder verify``   proves the course is consistent (release, full marks, zero marks).

``autograder.checks`` holds the functions that the notebooks' test cells call.
"""
