"""The submissions of the attack corpus, built from a two-exercise assignment.

The assignment (``ASSIGNMENT``) has two exercises from module 00: ``centre_columns``
(tests worth 1 + 2 points) and ``count_in_interval`` (1 point). Every attack below
starts from a submission whose ``count_in_interval`` is right and whose
``centre_columns`` is wrong, so its honest content earns exactly 1 point; an attack
that raised the score above 1 would have beaten the grader. Honest submissions
(right answers plus noise a grader must tolerate) earn all 4.

Each entry: name -> (how to build the submission, expected points, expected status).
Dangerous attacks are bounded: the fork bomb stops at a few hundred processes, the
network attempt goes only to a loopback port the test opens (``PORT``), and
memory and time attacks stay within the assignment's lowered limits.
"""

import copy
import json

import nbformat

ASSIGNMENT = "90_attacks"
MARKER = "autograder-attack-marker"

CENTRE = """def centre_columns(X):
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=float)
    return X - X.mean(axis=0)
    ### END SOLUTION
"""
COUNT = """def count_in_interval(x, low, high):
    ### BEGIN SOLUTION
    x = np.asarray(x)
    return int(np.count_nonzero((x >= low) & (x < high)))
    ### END SOLUTION
"""
WRONG_CENTRE = "def centre_columns(X):\n    return np.asarray(X, dtype=float)\n"
TESTS = {
    "at-centre-basic": (1, "chk.centre_columns_basic(centre_columns)"),
    "at-centre-hidden": (2, "chk.centre_columns_hidden(centre_columns)"),
    "at-count-basic": (1, "chk.count_in_interval_basic(count_in_interval)"),
}
IMPORT_CHECKS = "from autograder.checks import getting_started as chk\n"


def source_cells():
    """The assignment's cells: imports, two answers, three test cells (one hidden)."""
    from tests.autograder.helpers import code_cell

    def tests(grade_id):
        points, line = TESTS[grade_id]
        body = (
            line if "basic" in grade_id else f"### BEGIN HIDDEN TESTS\n{line}\n### END HIDDEN TESTS"
        )
        return code_cell("tests", IMPORT_CHECKS + body, grade_id, points)

    return [
        nbformat.v4.new_code_cell("import numpy as np"),
        code_cell("answer", CENTRE, "at-centre"),
        tests("at-centre-basic"),
        tests("at-centre-hidden"),
        code_cell("answer", COUNT, "at-count"),
        tests("at-count-basic"),
    ]


# -- building submissions from the released student notebook


def _answer(nb, grade_id, source):
    _cell(nb, grade_id).source = source


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _index(nb, grade_id):
    return nb.cells.index(_cell(nb, grade_id))


def _solved(source):
    """An answer as a learner writes it: the solution without nbgrader's markers."""
    return "".join(line for line in source.splitlines(True) if "### " not in line)


def honest(nb):
    _answer(nb, "at-centre", _solved(CENTRE))
    _answer(nb, "at-count", _solved(COUNT))
    return nb


def one_point(nb):
    """Honest content worth exactly 1 point: count is right, centre is wrong."""
    honest(nb)
    _answer(nb, "at-centre", WRONG_CENTRE)
    return nb


def with_cell(base, source, after=None):
    """``base`` plus code of the learner's: by default at the end of the first answer cell,
    so that it runs before every test (the grader puts each answer's test cells right
    after it, so a cell of the learner's after the answer would run after its tests);
    with ``after``, in a code cell of its own right after the cell ``after``."""

    def build(nb):
        base(nb)
        if after is None:
            answer = _cell(nb, "at-centre")
            answer.source = answer.source.rstrip("\n") + "\n\n" + source
        else:
            nb.cells.insert(_index(nb, after) + 1, nbformat.v4.new_code_cell(source))
        return nb

    return build


def tampered_tests(nb):
    one_point(nb)
    for grade_id in TESTS:
        _cell(nb, grade_id).source = "pass"
    return nb


def deleted_tests(nb):
    one_point(nb)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") not in TESTS]
    return nb


def duplicated_and_repointed(nb):
    one_point(nb)
    count_test = _cell(nb, "at-count-basic")
    count_test.metadata["nbgrader"]["points"] = 100
    nb.cells.append(copy.deepcopy(count_test))
    _cell(nb, "at-centre-basic").metadata["nbgrader"]["grade_id"] = "at-count-basic-2"
    return nb


def retyped_tests(nb):
    one_point(nb)
    for grade_id in ("at-centre-basic", "at-centre-hidden"):
        index = _index(nb, grade_id)
        cell = nb.cells[index]
        nb.cells[index] = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)
    return nb


def fake_graded_cell(nb):
    one_point(nb)
    fake = nbformat.v4.new_code_cell("pass")
    fake.metadata["nbgrader"] = {
        "grade": True,
        "solution": False,
        "locked": True,
        "grade_id": "bonus",
        "points": 50,
        "schema_version": 3,
        "task": False,
    }
    nb.cells.append(fake)
    return nb


LYING_RESULT = """
class Anything(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __array__(self, dtype=None, copy=None):
        import numpy
        return numpy.zeros((3, 2))
    def __float__(self): return 0.0
def centre_columns(X):
    return Anything(0.0)
"""
PATCH_NUMPY = """
import numpy as np, builtins
np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), dtype=bool)
np.testing.assert_allclose = lambda *a, **k: None
np.array_equal = lambda *a, **k: True
builtins.abs = lambda x: 0
"""
PATCH_CHECKS = """
import autograder.checks.getting_started as g, autograder.checks.harness as h
for name in dir(g):
    if name.endswith(('_basic', '_hidden')):
        setattr(g, name, lambda *a, **k: None)
h.CheckFailed = type('CheckFailed', (Exception,), {})
h.expect_close = lambda *a, **k: None
import sys
sys.modules['autograder.checks.getting_started'] = type(sys)('fake')
"""
PATCH_DLKIT = """
import dlkit
dlkit.testing.assert_close = lambda *a, **k: None
dlkit.testing.describe_mismatch = lambda *a, **k: None
"""
INPUT_TRANSFORMER = """
ip = get_ipython()
ip.input_transformers_post.append(
    lambda lines: ['pass\\n'] if any('chk.' in line for line in lines) else lines
)
"""
PATCH_RUN_CELL = """
ip = get_ipython()
ip.showtraceback = lambda *a, **k: None
original_run_cell = ip.run_cell
def run_cell(*args, **kwargs):
    result = original_run_cell(*args, **kwargs)
    result.error_in_exec = None
    return result
ip.run_cell = run_cell
ip.events.register('post_run_cell', lambda result: setattr(result, 'error_in_exec', None))
"""
SYS_HOOKS = """
import sys
sys.excepthook = lambda *a: None
sys.settrace(lambda *a: None)
sys.displayhook = lambda value: None
"""
READ_SOLUTIONS = """
import glob, os
places = ['/work', '/tmp', os.path.expanduser('~')]
if os.path.abspath('../../..') != '/':
    places.append(os.path.abspath('../../..'))
found = []
for place in places:
    for pattern in ['**/solutions/**/*.ipynb', '**/source/**/*.ipynb', '**/gradebook.db']:
        found += glob.glob(os.path.join(place, pattern), recursive=True)[:50]
for path in found:
    try:
        text = open(path, encoding='utf-8', errors='replace').read()
    except OSError:
        continue
    if 'centre_columns_hidden' in text or 'BEGIN SOLUTION' in text:
        def centre_columns(X):
            X = np.asarray(X, dtype=float)
            return X - X.mean(axis=0)
"""
LATE_WRITER = f"""
import subprocess, sys
code = '''
import glob, os, time
time.sleep(3)
top = os.path.abspath('../../..')
for name in ['*.ipynb', 'grades.csv', 'gradebook.db']:
    for path in glob.glob(os.path.join(top, '**', name), recursive=True)[:200]:
        try:
            with open(path, 'a') as f:
                f.write('{MARKER}')
        except OSError:
            pass
time.sleep(600)  # {MARKER}
'''
subprocess.Popen([sys.executable, '-c', code], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
"""
ENDLESS_LOOP = """
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
"""
EXIT_KERNEL = "import os\nos._exit(1)\n"
MEMORY_HOG = """
try:
    hog = bytearray(8 * 2**30)
except MemoryError:
    print('no memory for that, fine')
"""
FORK_BOMB = """
import os
children = []
for _ in range(300):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        import time
        time.sleep(30)
        os._exit(0)
    children.append(pid)
print(len(children), 'children')
"""
FLOOD = "print('x' * 20_000_000)\n"
NETWORK = """
import socket
try:
    socket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'leak')
except OSError as error:
    print('no network:', error)
"""
NOISY_HONEST = """
import sys, warnings
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
warnings.warn('a harmless warning')
print('to stderr', file=sys.stderr)
print('ünïcødé ✓ 数学')
plt.plot([0, 1], [1, 0]); plt.title('a plot'); plt.show()
"""
SLOW_HONEST = "import time\ntime.sleep(2)\n"
READ_CHECKS = """
import glob, inspect, os
leaked = ''
try:
    import autograder.checks.getting_started as g
    leaked = inspect.getsource(g)
except Exception as error:
    print('no checks:', type(error).__name__)
import autograder
for path in glob.glob(os.path.join(os.path.dirname(autograder.__file__), '**', '*.py'),
                      recursive=True):
    leaked += open(path).read()
if 'centre_columns_hidden' in leaked:
    def centre_columns(X):
        X = np.asarray(X, dtype=float)
        return X - X.mean(axis=0)
"""


def attacks(port: int) -> dict:
    """name -> (build, expected points, expected status)."""
    return {
        "honest": (honest, 4, "graded"),
        "honest-noisy": (with_cell(honest, NOISY_HONEST), 4, "graded"),
        "honest-slow": (with_cell(honest, SLOW_HONEST), 4, "graded"),
        "wrong": (one_point, 1, "graded"),
        "edited-tests": (tampered_tests, 1, "tampered"),
        "deleted-tests": (deleted_tests, 1, "tampered"),
        "duplicated-repointed": (duplicated_and_repointed, 1, "tampered"),
        "retyped-tests": (retyped_tests, 1, "tampered"),
        "fake-graded-cell": (fake_graded_cell, 1, "tampered"),
        "lying-result": (with_cell(one_point, LYING_RESULT), 1, "graded"),
        "patched-numpy": (with_cell(one_point, PATCH_NUMPY), 1, "graded"),
        "patched-checks": (with_cell(one_point, PATCH_CHECKS), 1, "graded"),
        "patched-dlkit": (with_cell(one_point, PATCH_DLKIT), 1, "graded"),
        "input-transformer": (with_cell(one_point, INPUT_TRANSFORMER), 1, "graded"),
        "patched-run-cell": (with_cell(one_point, PATCH_RUN_CELL), 1, "graded"),
        "sys-hooks": (with_cell(one_point, SYS_HOOKS), 1, "graded"),
        "read-solutions": (with_cell(one_point, READ_SOLUTIONS), 1, "graded"),
        "read-checks": (with_cell(one_point, READ_CHECKS), 1, "graded"),
        "late-writer": (with_cell(one_point, LATE_WRITER), 1, "graded"),
        "endless-loop": (
            with_cell(honest, ENDLESS_LOOP, after="at-centre-hidden"),
            3,
            "kernel-died+cell-timeout",
        ),
        "exit-kernel": (with_cell(honest, EXIT_KERNEL, after="at-centre-hidden"), 3, "kernel-died"),
        "memory-hog": (with_cell(honest, MEMORY_HOG), 4, "graded"),
        "fork-bomb": (with_cell(honest, FORK_BOMB), 4, "graded"),
        "output-flood": (with_cell(honest, FLOOD), 4, "output-capped"),
        "network": (with_cell(honest, NETWORK.format(port=port)), 4, "graded"),
    }


def write_submission(build, release_path, folder, name=None):
    nb = build(nbformat.read(release_path, as_version=4))
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / (name or release_path.name))


def malformed(folder, release_path) -> dict:
    """Broken inputs written into ``folder``: name -> (expected points, expected status)."""

    def sub(name):
        path = folder / name / ASSIGNMENT
        path.mkdir(parents=True)
        return path

    (sub("bad-json") / f"{ASSIGNMENT}.ipynb").write_text('{"cells": [')
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []}
    (sub("nbformat-3") / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(v3))
    write_submission(honest, release_path, sub("renamed"), name="my work (final).ipynb")
    (sub("missing") / "notes.txt").write_text("I forgot the notebook")
    extra = sub("extra-files")
    write_submission(honest, release_path, extra)
    (extra / "data.csv").write_text("1,2,3\n")
    with open(extra / "huge.bin", "wb") as huge:  # 100 MB, sparse: cheap to make
        huge.truncate(100 * 2**20)
    with open(sub("huge-notebook") / f"{ASSIGNMENT}.ipynb", "wb") as huge:
        huge.truncate(100 * 2**20)
    odd = folder / "caf\udcffe"  # the bytes b"caf\xffe": not UTF-8
    write_submission(honest, release_path, odd / ASSIGNMENT)
    return {
        "bad-json": (0, "invalid-notebook"),
        "nbformat-3": (0, "invalid-notebook"),
        "renamed": (4, "graded"),
        "missing": (0, "missing-notebook"),
        "extra-files": (4, "graded"),
        "huge-notebook": (0, "invalid-notebook"),
        "caf\\xffe": (0, "invalid-notebook"),
    }


# -- replies that would swamp the grader (graded one by one, memory measured)

FORGE_REPLY = """
import autograder.kernel.inside as inside
_serve = inside.serve
def _forged(name, request, *rest):
    if name == 'centre_columns' and request is not None:
        return inside.Reply(FORGED())
    return _serve(name, request, *rest)
inside.serve = _forged
"""
HUGE_RESULT = """
def centre_columns(X):
    return np.zeros(60_000_000)  # 480 MB
"""
DEEP_REPLY = """
def FORGED():  # a result nested 200,000 lists deep
    return ('{"dict": [["result", ' + '{"list": [' * 200_000 + ']}' * 200_000
            + '], ["args", {"list": []}], ["kwargs", {"dict": []}]]}')
"""
ZERO_SIZE_REPLY = """
def FORGED():  # an .npy header claiming 4e8 elements of a zero-size dtype, and no data
    import base64, json
    header = "{'descr': '|S0', 'fortran_order': False, 'shape': (400000000,), }"
    header = header + ' ' * (117 - len(header)) + '\\n'
    raw = b'\\x93NUMPY\\x01\\x00' + len(header).to_bytes(2, 'little') + header.encode()
    array = {'ndarray': base64.b64encode(raw).decode()}
    return json.dumps({'dict': [['result', array], ['args', {'list': []}],
                                ['kwargs', {'dict': []}]]})
"""
HUGE_REPLY = """
def FORGED():  # 600 MB sent past the kernel's own check
    return 'x' * 600_000_000
"""


def hostile_replies() -> dict:
    """name -> (build, words the centre_columns tests' messages contain). Each keeps the
    honest 1 point of count_in_interval; the grader's memory is what is measured."""
    return {
        "huge-result": (
            with_cell(one_point, HUGE_RESULT),
            "the result was 610 MB (a float64 array of shape (60000000,)); results are "
            "limited to 64 MB: return the array the exercise asks for",
        ),
        "deep-reply": (
            with_cell(one_point, DEEP_REPLY + FORGE_REPLY),
            "the kernel's reply could not be read (maximum recursion depth exceeded",
        ),
        "zero-size-array": (
            with_cell(one_point, ZERO_SIZE_REPLY + FORGE_REPLY),
            "the kernel's reply could not be read (an array of dtype |S0 (not a plain dtype))",
        ),
        "huge-reply": (
            with_cell(one_point, HUGE_REPLY + FORGE_REPLY),
            "the kernel sent a message over the 64 MB limit of a reply",
        ),
    }
