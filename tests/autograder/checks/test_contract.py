"""The contract every module's checks keep, run over the tables of every module.

For each assignment ``NN_topic`` of the course, ``autograder/checks/<topic>.py`` holds
the checks and ``tests/autograder/checks/test_<topic>.py`` their table:

- ``REFERENCES``: exercise name -> the reference answer (a function, or a tuple of
  functions for checks that take several); both parts, ``<name>_basic`` and
  ``<name>_hidden``, must accept it;
- ``VALUES`` (optional): exercise name -> the tuple of correct values, for checks of
  values the learner assigns rather than functions;
- ``ALTERNATIVES`` (optional): ``(name, answer)`` rows of other correct answers (a loop
  instead of a vectorised expression, another convention the prompt allows), which
  must pass both parts too;
- ``MUTANTS``: ``(check, wrong answer, words)`` rows: the check (``<name>_basic`` or
  ``<name>_hidden``) must reject the wrong answer (a function, or a tuple of arguments)
  with a message containing ``words``, the name of the mistake.

Here every check accepts its reference and its alternatives, rejects an answer not
written yet with the hint to write it, rejects each mutant by name; every check is
exercised and every exercise has at least one mutant; each exercise's block opens with
its banner, in the notebook's order; and no check leans on dlkit.
"""

import importlib
import json
import re
from pathlib import Path

import pytest

from autograder.checks.harness import CheckFailed
from autograder.course import Course
from tests import ROOT

PARTS = ("basic", "hidden")
TOPICS = [assignment.split("_", 1)[1] for assignment in Course(ROOT).assignments()]
CHECKS_DIR = ROOT / "autograder" / "checks"


def _checks(topic):
    return importlib.import_module(f"autograder.checks.{topic}")


def _table(topic):
    return importlib.import_module(f"tests.autograder.checks.test_{topic}")


def _as_args(answer):
    return answer if isinstance(answer, tuple) else (answer,)


def _label(answer):
    return "+".join(getattr(a, "__name__", type(a).__name__) for a in _as_args(answer))


def _answers(topic):
    """Every correct answer of a topic: (name, answer, is a function)."""
    table = _table(topic)
    rows = [(name, answer, True) for name, answer in table.REFERENCES.items()]
    rows += [(name, answer, False) for name, answer in getattr(table, "VALUES", {}).items()]
    return rows + [(name, answer, True) for name, answer in getattr(table, "ALTERNATIVES", [])]


ACCEPTED = [
    pytest.param(topic, name, part, answer, id=f"{topic}.{name}_{part}.{_label(answer)}")
    for topic in TOPICS
    for name, answer, _ in _answers(topic)
    for part in PARTS
]
FUNCTION_CHECKS = [
    pytest.param(topic, name, part, len(_as_args(answer)), id=f"{topic}.{name}_{part}")
    for topic in TOPICS
    for name, answer in _table(topic).REFERENCES.items()
    for part in PARTS
]
MUTANTS = [
    pytest.param(topic, check, wrong, words, id=f"{topic}.{check}.{_label(wrong)}")
    for topic in TOPICS
    for check, wrong, words in _table(topic).MUTANTS
]


@pytest.mark.parametrize(("topic", "name", "part", "answer"), ACCEPTED)
def test_check_accepts_a_correct_answer(topic, name, part, answer):
    getattr(_checks(topic), f"{name}_{part}")(*_as_args(answer))


def _blank(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize(("topic", "name", "part", "count"), FUNCTION_CHECKS)
def test_check_rejects_an_answer_not_written_yet(topic, name, part, count):
    with pytest.raises(CheckFailed, match="raised NotImplementedError; hint: replace"):
        getattr(_checks(topic), f"{name}_{part}")(*[_blank] * count)


@pytest.mark.parametrize(("topic", "check", "wrong", "words"), MUTANTS)
def test_check_rejects_the_mutant_by_name(topic, check, wrong, words):
    with pytest.raises(CheckFailed) as failure:
        getattr(_checks(topic), check)(*_as_args(wrong))
    message = str(failure.value)
    assert words in message, f"the message does not name the mistake ({words!r}): {message}"
    assert "hint:" in message, f"the message gives no hint: {message}"


@pytest.mark.parametrize("topic", TOPICS)
def test_every_check_is_exercised_and_every_exercise_has_a_mutant(topic):
    module, table = _checks(topic), _table(topic)
    defined = {f for f in dir(module) if f.endswith(PARTS) and not f.startswith("_")}
    names = set(table.REFERENCES) | set(getattr(table, "VALUES", {}))
    assert defined == {f"{name}_{part}" for name in names for part in PARTS}
    mutated = {check.rsplit("_", 1)[0] for check, _, _ in table.MUTANTS}
    assert names <= mutated, f"exercises without a mutant: {sorted(names - mutated)}"
    assert {check for check, _, _ in table.MUTANTS} <= defined


@pytest.mark.parametrize("path", sorted(CHECKS_DIR.glob("*.py")), ids=lambda p: p.name)
def test_checks_harness_and_oracles_never_use_dlkit(path: Path):
    source = path.read_text(encoding="utf-8")
    assert "import dlkit" not in source and "from dlkit" not in source


@pytest.mark.parametrize("topic", TOPICS)
def test_every_module_has_its_checks_and_table(topic):
    assert (CHECKS_DIR / f"{topic}.py").is_file()
    assert (ROOT / "tests" / "autograder" / "checks" / f"test_{topic}.py").is_file()


BANNER = re.compile(r"^# Exercise (\d+) · ([\w-]+) · reference: (.+)$", re.M)


def _answer_ids(topic):
    """grade_ids of the auto-graded answer cells of the module's notebooks, in order."""
    (assignment,) = [a for a in Course(ROOT).assignments() if a.split("_", 1)[1] == topic]
    ids = []
    for path in Course(ROOT).source_notebooks(assignment):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if cell["cell_type"] == "code" and meta.get("solution") and not meta.get("grade"):
                ids.append(meta["grade_id"])
    return ids


@pytest.mark.parametrize("topic", TOPICS)
def test_each_exercise_has_one_banner_in_notebook_order(topic):
    """`# Exercise N · <grade_id> · reference: ...`, N counting the answer cells."""
    banners = BANNER.findall((CHECKS_DIR / f"{topic}.py").read_text(encoding="utf-8"))
    numbered = sorted((int(number), grade_id) for number, grade_id, _ in banners)
    assert numbered == list(enumerate(_answer_ids(topic), start=1))
