"""Fixtures the whole suite shares: the real course, and one torch thread for tiny models."""

import pytest

from autograder.course import Course
from tests import ROOT


@pytest.fixture(scope="session")
def course() -> Course:
    """The course of this checkout (``solutions/``, ``notebooks/``, nbgrader_config.py)."""
    return Course(ROOT)


@pytest.fixture(scope="module")
def one_thread():
    """Tiny torch models: one thread avoids oversubscribing a shared 2-core CI machine.

    Use it with ``pytestmark = pytest.mark.usefixtures("one_thread")`` in a test module.
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
