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


#: Files whose tests are independent and costly (one verify per assignment, the
#: checks' contract): ``make test`` spreads them over its workers test by test.
SPREAD = ("tests/autograder/tasks/test_verify.py", "tests/autograder/checks/test_contract.py")


def pytest_xdist_make_scheduler(config, log):
    """Under ``pytest -n N`` (``make test``), the tests of one file run on one worker, so a
    module-scoped fixture (a graded batch, a shared kernel) is built once; the tests of
    the files in :data:`SPREAD` are scheduled one by one."""
    from xdist.scheduler import LoadScopeScheduling

    class ByFile(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            path = nodeid.split("::", 1)[0]
            return nodeid if path in SPREAD else path

    return ByFile(config, log)
