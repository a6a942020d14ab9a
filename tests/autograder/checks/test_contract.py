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

Alternatives and mutants are checked as the grader checks a notebook: the test cell's
namespace holds the notebook's sources (``harness.NOTEBOOK_CELLS``), here the table's own
source, so a check's :class:`~autograder.checks.harness.Forbidden` reads the answer's
code (a mutant that calls ``np.linalg.det`` is rejected by name). The rule for
prompts: every name a prompt forbids ("Do not use `np.cov`", "no `np.linalg.norm`") is
declared in a ``Forbidden`` of that exercise, every declared name exists, and every
``Forbidden`` is exercised by a mutant.
"""

import importlib
import inspect
import json
import re
from pathlib import Path

import pytest

from autograder.checks import harness
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


def _as_graded(topic, check, answer):
    """Run ``check(*answer)`` from a test cell's namespace holding the table's source as the
    notebook's cells (what the grader hands a test cell), so source checks apply."""
    source = inspect.getsource(_table(topic))
    cell = {harness.NOTEBOOK_CELLS: (source,), "check": check, "args": _as_args(answer)}
    exec("check(*args)", cell)


@pytest.mark.parametrize(("topic", "name", "part", "answer"), ACCEPTED)
def test_check_accepts_a_correct_answer(topic, name, part, answer):
    check = getattr(_checks(topic), f"{name}_{part}")
    if answer is _table(topic).REFERENCES.get(name):
        check(*_as_args(answer))  # dlkit's own: its source is not the table's
    else:
        _as_graded(topic, check, answer)


def _blank(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize(("topic", "name", "part", "count"), FUNCTION_CHECKS)
def test_check_rejects_an_answer_not_written_yet(topic, name, part, count):
    with pytest.raises(CheckFailed, match="raised NotImplementedError; hint: replace"):
        getattr(_checks(topic), f"{name}_{part}")(*[_blank] * count)


@pytest.mark.parametrize(("topic", "check", "wrong", "words"), MUTANTS)
def test_check_rejects_the_mutant_by_name(topic, check, wrong, words):
    with pytest.raises(CheckFailed) as failure:
        _as_graded(topic, getattr(_checks(topic), check), wrong)
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


def _forbidden(topic):
    """The ``Forbidden`` declarations of a topic's checks, by exercise."""
    found = {}
    for value in vars(_checks(topic)).values():
        if isinstance(value, harness.Forbidden):
            found.setdefault(value.exercise, []).append(value)
    return found


def _importable(name: str) -> bool:
    """Whether a dotted name exists: a module, or an attribute chain below one."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            if not hasattr(found, part):
                return False
            found = getattr(found, part)
        return True
    return False


OPERATORS = ("@", "** 0.5", "loop")


@pytest.mark.parametrize("topic", TOPICS)
def test_every_forbidden_name_exists_and_every_forbidden_has_a_mutant(topic):
    table = _table(topic)
    mutated = {
        check.rsplit("_", 1)[0] for check, _, words in table.MUTANTS if "your answer" in words
    }
    for exercise, declared in _forbidden(topic).items():
        for forbidden in declared:
            missing = [
                n
                for n in forbidden.names
                if n not in OPERATORS
                and not n.startswith(".")
                and n != "jax"
                and n != "autograd"
                and not _importable(n)
            ]
            assert missing == [], f"{topic}.{exercise} forbids names that do not exist: {missing}"
        assert exercise in mutated, (
            f"{topic}.{exercise} declares a Forbidden but no mutant uses a forbidden name "
            "(a row whose words start with 'your answer calls')"
        )


#: "Do not use `np.var` or `np.std`", "no `np.cov`", "not `np.linalg.matrix_rank`": the
#: backticked names of a prompt's sentence that forbids something.
FORBIDDING = re.compile(
    r"(?:[Dd]o not use|[Dd]on't use|\bno|\bbut not|\*\*without\*\*|\bwithout)\s+"
    r"(`.*?)(?:\.\s|\.$|;|$)"
)
MODULES = {
    "np": "numpy",
    "numpy": "numpy",
    "dk": "dlkit",
    "scipy": "scipy",
    "torch": "torch",
    "math": "math",
}


def _prompt_forbids(topic):
    """exercise function name -> dotted names its prompt forbids (``np.`` read as numpy)."""
    (assignment,) = [a for a in Course(ROOT).assignments() if a.split("_", 1)[1] == topic]
    found = {}
    for path in Course(ROOT).source_notebooks(assignment):
        prompt = []
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            source = "".join(cell["source"])
            if cell["cell_type"] == "markdown" and not meta:
                prompt.append(source)
            elif cell["cell_type"] == "code" and meta.get("solution") and not meta.get("grade"):
                names = set()
                for sentence in FORBIDDING.findall(" ".join(" ".join(prompt).split())):
                    if " needed" in sentence:  # "no `np.diag` needed": advice, not a rule
                        continue
                    for name in re.findall(r"`([\w.]+)`", sentence):
                        head, _, rest = name.partition(".")
                        if rest and head in MODULES:
                            names.add(f"{MODULES[head]}.{rest}")
                        elif name in ("@",):
                            names.add(name)
                for function in re.findall(r"^def (\w+)\(", source, re.M):
                    found[function] = names
                prompt = []
            elif meta.get("grade"):
                prompt = []
    return found


@pytest.mark.parametrize("topic", TOPICS)
def test_every_name_a_prompt_forbids_is_declared_forbidden(topic):
    """The rule for every exercise, old and new: a prompt that says "do not use `X`" has a
    ``harness.Forbidden`` next to its check that names ``X`` (or a package above it)."""
    declared = {}
    for forbiddens in _forbidden(topic).values():
        for forbidden in forbiddens:
            declared.setdefault(forbidden.exercise, set()).update(forbidden.names)
    undeclared = {}
    for function, names in _prompt_forbids(topic).items():
        mine = set().union(
            *(v for k, v in declared.items() if function.startswith(k) or k == function)
        )
        covered = {n for n in names if any(n == d or n.startswith(d + ".") for d in mine)}
        if names - covered:
            undeclared[function] = sorted(names - covered)
    assert undeclared == {}, (
        f"prompts of {topic} forbid names its checks do not: {undeclared}; declare "
        "harness.Forbidden(exercise, names, why) next to the check and call its check(fn)"
    )
