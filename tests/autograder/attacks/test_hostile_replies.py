"""Replies that would swamp the grader cost it little: a learner's function returning a
480 MB array, and a kernel whose code forges its replies (a result nested 200,000 deep,
an ``.npy`` header claiming 4e8 elements of a zero-size dtype, 600 MB sent past the
kernel's own check). Each fails its exercise with a message that says why, the other
exercise keeps its point, and the grading process's peak resident memory stays under
1 GiB (the kernel, which has its own 4 GiB cap, is not counted).

The submissions are checked one after the other by one fresh grading process (what
``autograder check`` runs). Its peak is read exactly at its end from ``VmHWM`` in
``/proc/self/status``: the high-water mark of its own address space, kept by the
kernel, which a loaded machine cannot make it miss. (Not ``getrusage``'s ``ru_maxrss``:
Linux carries the parent's high-water mark into a child's at ``exec``, so a grader
started from a pytest worker that has grown to 1 GiB would read 1 GiB before grading
anything.) psutil samples its resident memory meanwhile, as a second reading (which
can only under-estimate, never fail spuriously).
"""

import json
import subprocess
import sys
import threading

import psutil
import pytest

from autograder.tasks.release import release
from tests import ROOT
from tests.autograder.attacks import corpus
from tests.autograder.helpers import make_course

GiB = 2**30

GRADER = r"""
import json, re, sys
from pathlib import Path
from autograder.course import Course
from autograder.tasks.check import check_notebook

course = Course(Path(sys.argv[1]))
results = {}
for notebook in sys.argv[2:]:
    result = check_notebook(course, Path(notebook))
    exercises = result.exercises
    results[Path(notebook).parent.name] = [(e.grade_id, e.score, e.message) for e in exercises]
status = Path("/proc/self/status").read_text()
peak = int(re.search(r"^VmHWM:\s+(\d+) kB$", status, re.M).group(1)) * 1024
print(json.dumps({"peak": peak, "results": results}))
"""


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-course")
    hostile_course = make_course(course, root, corpus.ASSIGNMENT, corpus.source_cells())
    (released,) = release(hostile_course, [corpus.ASSIGNMENT])
    release_path = next(released.glob("*.ipynb"))
    cases = {"honest": (corpus.honest, None), **corpus.hostile_replies()}
    notebooks = []
    for name, (build, _) in cases.items():
        corpus.write_submission(build, release_path, root / "submissions" / name)
        notebooks.append(str(root / "submissions" / name / release_path.name))
    process = psutil.Popen(
        [sys.executable, "-c", GRADER, str(root), *notebooks],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sampled = [0]

    def sample():
        while process.poll() is None:
            try:
                sampled[0] = max(sampled[0], process.memory_info().rss)
            except psutil.Error:
                return
            threading.Event().wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate(timeout=600)
    sampler.join()
    assert process.returncode == 0, err[-3000:]
    report = json.loads(out.strip().splitlines()[-1])
    return report["results"], report["peak"], sampled[0], cases


def test_the_grading_process_stays_under_1_gib(graded):
    _, peak, sampled, _ = graded
    assert peak < GiB, f"peak resident memory {peak / 2**20:.0f} MiB"
    assert sampled < GiB, f"sampled resident memory {sampled / 2**20:.0f} MiB"


def test_each_hostile_reply_fails_its_exercise_with_its_reason_and_the_other_keeps_its_point(
    graded,
):
    results, _, _, cases = graded
    assert [score for _, score, _ in results["honest"]] == [1, 2, 1]
    for name, (_, words) in cases.items():
        if name == "honest":
            continue
        scores = {grade_id: (score, message) for grade_id, score, message in results[name]}
        assert scores["at-count-basic"] == (1, ""), name
        for grade_id in ("at-centre-basic", "at-centre-hidden"):
            score, message = scores[grade_id]
            assert score == 0 and words in message, (name, grade_id, message)
