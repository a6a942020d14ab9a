"""The test suite; its folders mirror the code (``tests/dlkit``, ``tests/autograder/<package>``)."""

from pathlib import Path

#: The repository root: the course the tests grade.
ROOT = Path(__file__).resolve().parents[1]
