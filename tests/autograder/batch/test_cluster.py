"""Grading on a Dask cluster gives what ``--jobs 1`` gives: on a LocalCluster of two worker
processes, on a scheduler and two workers started as separate processes on loopback
addresses (as an instructor would), and when a worker is killed mid-task (its submission
is graded again, and recorded once). A worker whose checkout differs from the grader's refuses."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import dask
import pytest
from distributed import Client, LocalCluster
from nbgrader.api import Gradebook

from autograder.batch import cluster
from autograder.batch.runner import grade_batch
from autograder.cli import main
from tests.autograder.batch.tiny import RIGHT, SLOW, WRONG, submit, tiny_course

ASSIGNMENT = "98_tiny"
ANSWERS = {"ann": RIGHT, "ben": WRONG, "dan": SLOW}
OUTPUTS = ("grades.csv", "exercises.csv", "results.json", "failures.csv")


@pytest.fixture(scope="module")
def setup(course, tmp_path_factory):
    root = tmp_path_factory.mktemp("cluster")
    tiny = tiny_course(course, root / "course")
    for student, answer in ANSWERS.items():
        submit(tiny, root / "submissions", student, ASSIGNMENT, answer)
    reference = root / "jobs-1"
    grade_batch(tiny, root / "submissions", reference, jobs=1, timeout=120)
    return tiny, root, reference


@pytest.fixture(scope="module")
def local_cluster():
    """Two worker processes of one thread, with the settings the README gives workers (not
    daemonic, so grading processes start from the fork server)."""
    with (
        dask.config.set(cluster.worker_config()),
        LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        ) as local,
    ):
        yield local


def same_outputs(first: Path, second: Path) -> None:
    for name in OUTPUTS:
        assert (first / name).read_text() == (second / name).read_text(), name


def test_the_reference_batch_grades_each_answer_as_expected(setup):
    _, _, reference = setup
    rows = (reference / "grades.csv").read_text().splitlines()[1:]
    scores = {row.split(",")[0]: row.split(",")[2] for row in rows}
    assert scores == {"ann": "1", "ben": "0", "dan": "1"}
    assert "subtracts instead of adding" in (reference / "exercises.csv").read_text()


def kill_the_worker_grading(student: str, address: str, killed: dict) -> None:
    """Wait until a worker runs ``student``'s task, then kill that worker's process (its
    nanny starts a new one), with the submission's grading process and kernel inside."""
    with Client(address) as client:
        pids = client.run(os.getpid)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            for worker, keys in client.processing().items():
                if any(f"grade-{student}/" in str(key) for key in keys):
                    time.sleep(1)  # its grading process and kernel are running
                    os.kill(pids[worker], signal.SIGKILL)
                    killed["worker"] = worker
                    return
            time.sleep(0.1)


def test_a_local_cluster_of_two_workers_grades_as_jobs_1_and_a_rerun_grades_nothing(
    setup, local_cluster, capsys
):
    tiny, root, reference = setup
    out = root / "local-cluster"
    address = local_cluster.scheduler_address
    results = grade_batch(tiny, root / "submissions", out, scheduler=address)
    assert len(results) == len(ANSWERS)
    same_outputs(reference, out)
    assert sorted(p.parent.name for p in out.glob("feedback/*/98_tiny")) == sorted(ANSWERS)
    capsys.readouterr()
    again = grade_batch(tiny, root / "submissions", out, scheduler=address)
    assert "grading 0 submissions; 3 already graded by an earlier run" in capsys.readouterr().err
    assert [r.score for r in again] == [r.score for r in results]
    same_outputs(reference, out)


def test_a_scheduler_and_two_workers_in_processes_of_their_own_one_killed_mid_task(
    setup, tmp_path, capsys
):
    """As an instructor starts them: ``dask scheduler`` and ``dask worker`` (one with the
    README's setting, one without: its tasks start grading processes afresh). The worker
    that takes dan's submission is killed while grading it: the scheduler runs the task
    again (on the other worker or the one its nanny restarts) and it is recorded once."""
    tiny, root, reference = setup
    dask_cli = str(Path(sys.executable).parent / "dask")
    scheduler_file = tmp_path / "scheduler.json"
    common = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": tmp_path}
    scheduler = subprocess.Popen(
        [dask_cli, "scheduler", "--host", "127.0.0.1", "--port", "0",
         "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(scheduler_file)],
        **common,
    )  # fmt: skip
    workers = [
        subprocess.Popen(
            [
                dask_cli,
                "worker",
                "--scheduler-file",
                str(scheduler_file),
                "--nthreads",
                "1",
                "--host",
                "127.0.0.1",
                "--no-dashboard",
            ],
            env={**os.environ, **extra},
            **common,
        )  # fmt: skip
        for extra in ({"DASK_CONFIG": str(cluster.WORKER_CONFIG)}, {})
    ]
    out, killed = tmp_path / "out", {}
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        with Client(scheduler_file=str(scheduler_file)) as client:
            client.wait_for_workers(2, timeout=60)
            address = client.scheduler.address
            watcher = threading.Thread(
                target=kill_the_worker_grading, args=("dan", address, killed)
            )
            watcher.start()
            command = [
                "grade",
                str(root / "submissions"),
                "--out",
                str(out),
                "--scheduler",
                address,
            ]
            assert main(["--course", str(tiny.root), *command]) == 0
            watcher.join()
    finally:
        for process in [*workers, scheduler]:
            process.send_signal(signal.SIGINT)
        for process in [*workers, scheduler]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    assert killed, "the worker grading dan was never seen"
    same_outputs(reference, out)
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", "dl-math-course") as gradebook:
        rows = [s.student.id for s in gradebook.find_assignment(ASSIGNMENT).submissions]
    assert sorted(rows) == sorted(ANSWERS)
    err = capsys.readouterr().err
    assert f"grading on the Dask cluster at {address}" in err
    assert "Dask dashboard: http://127.0.0.1:" in err


def test_the_workers_settings_name_dask_settings_that_exist():
    """Dask ignores a key it does not know: each one the file sets must be one of Dask's."""
    settings = cluster.worker_config()
    assert settings["distributed.worker.daemon"] is False
    for key in settings:
        assert dask.config.get(key, default=KeyError) is not KeyError, key


def test_a_worker_with_another_version_of_the_course_grades_nothing(setup):
    tiny, root, _ = setup
    path = root / "submissions" / "ann" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    task = {"course_root": str(tiny.root), "assignment": ASSIGNMENT, "student": "ann",
            "notebooks": {ASSIGNMENT: str(path)}, "limits": None}  # fmt: skip
    fingerprints = {ASSIGNMENT: {**cluster.fingerprint(tiny, ASSIGNMENT), "code": "0" * 64}}
    data = cluster.grade_remote(cluster.remote_task(task, tiny, fingerprints), timeout=60)
    assert data["result"]["status"] == "error"
    assert "has other code than the grader" in data["result"]["message"]
    assert "git pull" in data["result"]["message"]
