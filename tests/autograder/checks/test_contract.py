"""The contract every module's checks keep: each accepts the reference solution, rejects
an answer that is not written yet with the hint to write it, every check is exercised,
and no check leans on dlkit (the oracles are independent of the reference library).

Each ``tests/checks/test_<topic>.py`` provides ``REFERENCES`` (check name -> reference
function, or a tuple of them for checks that take several) and, where a check takes
values rather than functions, ``VALUE_CHECKS`` (names tested in that file).
"""

import importlib
from pathlib import Path

import pytest

from autograder.checks.harness import CheckFailed

TOPICS = [
    "linear_algebra",
    "probability",
    "information_theory",
    "calculus_autodiff",
    "numerical_computation",
    "optimization",
    "classical_ml",
    "feedforward_backprop",
]
PARTS = ("basic", "hidden")


def _checks(topic):
    return importlib.import_module(f"autograder.checks.{topic}")


def _tests(topic):
    return importlib.import_module(f"tests.autograder.checks.test_{topic}")


def _references(topic, name):
    found = _tests(topic).REFERENCES[name]
    return found if isinstance(found, tuple) else (found,)


CASES = [
    pytest.param(topic, name, part, id=f"{topic}.{name}_{part}")
    for topic in TOPICS
    for name in _tests(topic).REFERENCES
    for part in PARTS
]


def _blank(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize(("topic", "name", "part"), CASES)
def test_check_accepts_the_reference(topic, name, part):
    getattr(_checks(topic), f"{name}_{part}")(*_references(topic, name))


@pytest.mark.parametrize(("topic", "name", "part"), CASES)
def test_check_rejects_an_answer_not_written_yet(topic, name, part):
    blanks = [_blank] * len(_references(topic, name))
    with pytest.raises(CheckFailed, match="raised NotImplementedError; hint: replace"):
        getattr(_checks(topic), f"{name}_{part}")(*blanks)


@pytest.mark.parametrize("topic", TOPICS)
def test_every_check_is_exercised(topic):
    module = _checks(topic)
    defined = {f for f in dir(module) if f.endswith(PARTS) and not f.startswith("_")}
    names = set(_tests(topic).REFERENCES) | getattr(_tests(topic), "VALUE_CHECKS", set())
    assert defined == {f"{name}_{part}" for name in names for part in PARTS}


@pytest.mark.parametrize("topic", ["getting_started", *TOPICS])
def test_checks_never_use_dlkit(topic):
    source = Path(_checks(topic).__file__).read_text(encoding="utf-8")
    assert "import dlkit" not in source and "from dlkit" not in source
