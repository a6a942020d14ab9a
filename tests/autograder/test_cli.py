"""The command line's own decisions: how many workers ``grade`` starts, and what it says on
stderr when the kernels cannot run in the sandbox."""

import subprocess
from collections import namedtuple

import pytest

import autograder.sandbox
from autograder import cli
from autograder.sandbox.command import Mode
from tests import ROOT
from tests.autograder.helpers import solution
from tests.autograder.tasks.test_check import run_check

GiB = 2**30
Memory = namedtuple("Memory", "total")


@pytest.mark.parametrize(
    ("cores", "memory", "per_kernel", "expected"),
    [
        (16, 128 * GiB, 4 * GiB, 16),
        (16, 24 * GiB, 4 * GiB, 6),
        (2, 2 * GiB, 4 * GiB, 1),
        (8, 8 * GiB, 0, 8),
    ],
    ids=["cores", "memory", "at-least-one", "no-memory-cap"],
)
def test_jobs_default_to_the_cores_capped_by_memory(
    monkeypatch, cores, memory, per_kernel, expected
):
    monkeypatch.setattr(cli.os, "sched_getaffinity", lambda pid: set(range(cores)))
    monkeypatch.setattr("psutil.virtual_memory", lambda: Memory(memory))
    assert cli.default_jobs(per_kernel) == expected


def test_check_says_in_one_line_when_kernels_cannot_be_sandboxed(course, capsys, monkeypatch):
    monkeypatch.setattr(autograder.sandbox, "resolve_mode", lambda level: Mode("none"))
    monkeypatch.setattr(cli.shutil, "which", lambda name: None)
    code, _, err = run_check(capsys, solution(course, "00_getting_started"))
    assert code == 0
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: bubblewrap (bwrap) is not installed, so kernels run without file or network "
        "isolation; install it (make install, or apt-get install bubblewrap)"
    ]


def test_make_install_installs_the_sandbox_tools():
    planned = subprocess.run(
        ["make", "-n", "-W", "pyproject.toml", "install"], cwd=ROOT, capture_output=True, text=True
    )
    assert "bubblewrap" in planned.stdout, planned.stdout + planned.stderr
