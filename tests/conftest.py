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


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Under ``pytest -n N --dist loadgroup`` (``make test``), the tests of one file run on
    one worker, so a module-scoped fixture (a graded batch, a shared kernel) is built once;
    files marked ``pytestmark = pytest.mark.spread`` (independent tests, such as one
    verify per assignment) are spread over the workers test by test."""
    for item in items:
        if item.get_closest_marker("spread") is None:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
