"""Fixtures the whole suite shares: the real course, one torch thread for tiny models, and a
PostgreSQL server."""

import pytest

from autograder.course import Course
from tests import ROOT


@pytest.fixture(scope="session")
def course() -> Course:
    """The course of this checkout (``solutions/``, ``notebooks/``, nbgrader_config.py)."""
    return Course(ROOT)


@pytest.fixture(scope="session")
def postgres_url():
    """The URL of a real PostgreSQL server's ``postgres`` database, one per test session
    (see tests/postgres.py); the test is skipped, with the reason, where none can run."""
    from tests import postgres

    with postgres.start() as (url, why):
        if url is None:
            pytest.skip(why)
        yield url


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


class _ByFileScheduling:
    """Under ``pytest -n N`` (``make test``), the tests of one file run on one worker, so a
    module-scoped fixture (a graded batch, a shared kernel) is built once; the tests of
    the files in :data:`SPREAD` are scheduled one by one."""

    @staticmethod
    def pytest_xdist_make_scheduler(config, log):
        from xdist.scheduler import LoadScopeScheduling

        class ByFile(LoadScopeScheduling):
            def _split_scope(self, nodeid):
                path = nodeid.split("::", 1)[0]
                return nodeid if path in SPREAD else path

        return ByFile(config, log)


def pytest_configure(config):
    """Register the scheduler only where xdist is loaded (``-p no:xdist`` stays usable)."""
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_ByFileScheduling(), "by-file-scheduling")
