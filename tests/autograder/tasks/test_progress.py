"""``autograder progress``: a learner's notebooks checked, module by module, with the next
exercise to try; a second run over unchanged notebooks checks nothing (the cache)."""

import nbformat
import pytest

from autograder.cli import main
from autograder.tasks import progress as progress_task
from tests.autograder.batch.tiny import RIGHT, WRONG, submit, tiny_course

ASSIGNMENTS = ("96_first", "97_second")


@pytest.fixture
def learner(course, tmp_path):
    tiny = tiny_course(course, tmp_path / "course", ASSIGNMENTS)
    work = tmp_path / "work"
    submit(tiny, work, "me", ASSIGNMENTS[0], RIGHT)
    return tiny, work


def test_progress_prints_each_module_and_the_next_exercise(learner, capsys):
    tiny, work = learner
    assert main(["--course", str(tiny.root), "progress", str(work)]) == 0
    out = capsys.readouterr().out
    assert "96_first: 1 / 1 points, 1 of 1 tests passed" in out
    assert "97_second: not started" in out
    assert "next: 97-add-basic in 97_second" in out
    assert (work / "progress.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_second_run_checks_only_the_notebook_that_changed(learner, monkeypatch):
    tiny, work = learner
    first = progress_task.progress(tiny, work, figure="none")
    assert first.next_exercise == ("97_second", "97-add-basic")
    checked = []
    real_check = progress_task.check_notebook

    def counting_check(course, path, limits=None):
        checked.append(path.name)
        return real_check(course, path, limits)

    monkeypatch.setattr(progress_task, "check_notebook", counting_check)
    again = progress_task.progress(tiny, work, figure="none")
    assert checked == [] and again.text == first.text

    path = work / "me" / ASSIGNMENTS[0] / f"{ASSIGNMENTS[0]}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = WRONG
    nbformat.write(nb, path)
    changed = progress_task.progress(tiny, work, figure="none")
    assert checked == [path.name]
    assert changed.next_exercise == ("96_first", "96-add-basic")
    assert "96-add-basic: failed: " in changed.text
    assert "hint: subtracts instead of adding" in changed.text


def test_the_course_solutions_do_not_count_as_the_learners_work(learner):
    tiny, _ = learner
    found = progress_task.find_notebooks(tiny, tiny.root)
    assert found == {}
