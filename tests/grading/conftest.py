"""Shared set-up for the grading tests: the real course."""

from pathlib import Path

import pytest

from autograder.course import Course

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def course() -> Course:
    return Course(ROOT)
