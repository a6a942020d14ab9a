"""The check harness: safe calls, readable messages, and no trust in returned values."""

import numpy as np
import pytest

from autograder.checks import harness
from autograder.checks.harness import CheckFailed


def test_call_returns_the_result_and_a_readable_call():
    result, text = harness.call(lambda x, k=1: x * k, "scale", np.array([1.0, 2.0]), k=3)
    assert np.array_equal(result, [3.0, 6.0])
    assert text == "scale([1., 2.], k=3)"


def test_call_reports_not_callable_not_implemented_and_errors_with_hints():
    with pytest.raises(CheckFailed, match=r"f should be a function, but it is a int"):
        harness.call(3, "f")

    def blank(x):
        raise NotImplementedError()

    with pytest.raises(CheckFailed, match=r"f\(1\) raised NotImplementedError; hint: replace"):
        harness.call(blank, "f", 1)
    with pytest.raises(CheckFailed, match=r"raised ZeroDivisionError: .*; hint: avoid zero"):
        harness.call(lambda x: x / 0, "f", 1, hint="avoid zero")


def test_call_detects_inputs_modified_in_place_and_silences_warnings(recwarn):
    def centre(x):
        x -= x.mean()
        return x

    with pytest.raises(CheckFailed, match=r"modified its argument 1 in place"):
        harness.call(centre, "centre", np.array([1.0, 3.0]))
    result, _ = harness.call(np.log, "log", np.array([0.0]))
    assert result[0] == -np.inf and len(recwarn) == 0


def test_return_values_are_converted_before_comparison():
    with pytest.raises(CheckFailed, match=r"returned None; hint: did you forget the `return`"):
        harness.expect_close(None, 1.0, "f()", "h")
    with pytest.raises(CheckFailed, match=r"returned a str, which is not a number"):
        harness.expect_close("abc", 1.0, "f()", "h")
    with pytest.raises(CheckFailed, match=r"returned shape \(2, 1\), expected shape \(2,\)"):
        harness.expect_close(np.ones((2, 1)), np.ones(2), "f()", "h")
    with pytest.raises(CheckFailed, match=r"f\(\) returned \[1\., 2\.\], expected \[1\., 3\.\]"):
        harness.expect_close([1, 2], [1, 3], "f()", "h")
    with pytest.raises(CheckFailed, match=r"returned wrong values: 1 of 100 values differ"):
        harness.expect_close(np.r_[np.zeros(99), 1.0], np.zeros(100), "f()", "h")
    harness.expect_close([1.0, 2.0 + 1e-12], [1, 2], "f()", "h")


def test_expect_equal_checks_type_and_value():
    harness.expect_equal(np.int64(3), 3, "n()", "h")
    with pytest.raises(CheckFailed, match=r"returned a float \(3\), expected a int \(3\)"):
        harness.expect_equal(3.0, 3, "n()", "h")
    with pytest.raises(CheckFailed, match=r"returned 4, expected 3; hint: h"):
        harness.expect_equal(4, 3, "n()", "h")


def test_expect_raises():
    def solve(a):
        if a == 0:
            raise ZeroDivisionError("singular")
        return 1 / a

    harness.expect_raises(solve, "solve", (0,), ZeroDivisionError, "h")
    with pytest.raises(CheckFailed, match=r"solve\(2\) returned 0.5, expected it to raise"):
        harness.expect_raises(solve, "solve", (2,), ZeroDivisionError, "raise for 0")
    with pytest.raises(CheckFailed, match=r"raised ZeroDivisionError: singular, expected"):
        harness.expect_raises(solve, "solve", (0,), ValueError, "h")


def test_diagnose_names_a_known_mistake():
    mistakes = [([2.0, 2.0], "you used the wrong axis"), ([0.0, 0.0], "you forgot to scale")]
    assert harness.diagnose([0.0, 0.0], "generic", mistakes) == "you forgot to scale"
    assert harness.diagnose([9.0, 9.0], "generic", mistakes) == "generic"


def test_show_keeps_messages_short():
    assert harness.show(np.zeros((5, 5))) == "<array of shape (5, 5)>"
    assert harness.show(np.float64(0.5)) == "0.5"
    assert harness.show(np.array(2.0)) == "2"
    assert len(harness.show("x" * 500)) == 80


def test_as_number_takes_one_number_in_any_wrapping_and_refuses_arrays():
    assert harness.as_number(np.array([[2.5]]), "f()") == 2.5
    assert type(harness.as_number(np.float32(1.0), "f()")) is float
    with pytest.raises(
        CheckFailed,
        match=r"f\(\) returned an array of shape \(2,\), expected a "
        r"single number; hint: return the sum",
    ):
        harness.as_number([1.0, 2.0], "f()", hint="return the sum")
    with pytest.raises(CheckFailed, match="returned None"):
        harness.as_number(None, "f()")


def test_unpack_names_the_values_expected():
    assert harness.unpack([1, 2], "f()", ("w", "b")) == (1, 2)
    with pytest.raises(
        CheckFailed,
        match=r"f\(\) returned 3, expected 2 values \(w, b\); hint: end the function with "
        r"`return w, b`",
    ):
        harness.unpack(3, "f()", ("w", "b"))
    with pytest.raises(CheckFailed, match=r"expected 3 values \(mean, var, n\)"):
        harness.unpack((1, 2), "f()", ("mean", "var", "n"))


def test_expect_close_names_the_mistake_the_answer_reproduces():
    expected = np.array([1.0, 2.0, 3.0])
    mistakes = [
        (lambda: expected[::-1], "you reversed the order"),
        (expected * 2, "you doubled it"),
        (lambda: 1 / 0, "never named: computing this mistake fails"),
    ]
    with pytest.raises(CheckFailed, match="hint: you doubled it"):
        harness.expect_close([2, 4, 6], expected, "f()", "generic", mistakes=mistakes)
    with pytest.raises(CheckFailed, match="hint: generic"):
        harness.expect_close([0, 0, 0], expected, "f()", "generic", mistakes=mistakes)
    with pytest.raises(CheckFailed, match=r"expected shape \(3,\); hint: generic"):
        harness.expect_close([1, 2], expected, "f()", "generic", mistakes=mistakes)
    got = harness.expect_close([1, 2, 3], expected, "f()", "generic", mistakes=mistakes)
    assert isinstance(got, np.ndarray) and got.dtype == float


def test_a_mistake_that_is_right_on_this_input_is_never_named():
    symmetric = np.array([2.0, 2.0])  # the reversed answer equals the right one here
    mistakes = [(symmetric[::-1], "you reversed the order")]
    with pytest.raises(CheckFailed, match="hint: generic"):
        harness.expect_close([2.0, 2.0 + 1e-3], symmetric, "f()", "generic", mistakes=mistakes)
    assert harness.diagnose([2.0, 2.0], "generic", mistakes, expected=symmetric) == "generic"


def test_expect_close_compares_complex_values_and_nans():
    harness.expect_close([1 + 2j, 3j], np.array([1 + 2j, 3j]), "dft()", "h")
    with pytest.raises(CheckFailed, match=r"returned \[1\.\+2\.j, 0\.\+3\.j\], expected"):
        harness.expect_close([1 + 2j, 3j], np.array([1 - 2j, 3j]), "dft()", "h")
    with pytest.raises(CheckFailed, match="not a number or an array of complex numbers"):
        harness.expect_close("abc", np.array([1j]), "dft()", "h")
    harness.expect_close([np.nan, 1.0], [np.nan, 1.0], "f()", "h")
    with pytest.raises(CheckFailed, match=r"returned \[nan,  1\.\], expected \[0\., 1\.\]"):
        harness.expect_close([np.nan, 1.0], [0.0, 1.0], "f()", "h")


def test_expect_close_locates_the_largest_difference_without_warnings(recwarn):
    expected = np.zeros((4, 5))
    got = expected.copy()
    got[2, 3], got[0, 1] = 5.0, 1.0
    with pytest.raises(
        CheckFailed,
        match=r"2 of 20 values differ; the largest difference is "
        r"at index \[2, 3\]: got 5, expected 0",
    ):
        harness.expect_close(got, expected, "f()", "h")
    with pytest.raises(CheckFailed, match="returned 1, expected inf"):
        harness.expect_close(1.0, np.inf, "f()", "h")
    assert len(recwarn) == 0


def test_expect_number_and_expect_returns():
    assert harness.expect_number(np.array([2.0]), 2, "f()", "h") == 2.0
    with pytest.raises(CheckFailed, match="returned 3, expected 2; hint: off by one"):
        harness.expect_number(3, 2, "f()", "h", mistakes=[(3, "off by one")])
    got = harness.expect_returns(np.square, "square", (np.array([1.0, 2.0]),), [1.0, 4.0], "h")
    assert np.array_equal(got, [1.0, 4.0])
    with pytest.raises(
        CheckFailed,
        match=r"square\(\[1\., 2\.\]\) returned \[2\., 4\.\], "
        r"expected \[1\., 4\.\]; hint: you doubled",
    ):
        harness.expect_returns(
            lambda x: 2 * x,
            "square",
            (np.array([1.0, 2.0]),),
            [1.0, 4.0],
            "h",
            mistakes=[(lambda: [2.0, 4.0], "you doubled")],
        )


def seeded_normal(n, seed):
    return np.random.default_rng(seed).standard_normal(n)


def fixed_seed_normal(n, seed):
    return np.random.default_rng(0).standard_normal(n)


def global_state_normal(n, seed):
    return np.random.standard_normal(n)


def test_expect_reproducible_catches_fixed_seeds_and_global_state():
    first, text = harness.expect_reproducible(seeded_normal, "draw", (3,), 5)
    assert text == "draw(3, 5)" and np.array_equal(first, seeded_normal(3, 5))
    with pytest.raises(CheckFailed, match="returned the same numbers as with seed=5"):
        harness.expect_reproducible(fixed_seed_normal, "draw", (3,), 5)
    with pytest.raises(CheckFailed, match="different numbers when called twice"):
        harness.expect_reproducible(global_state_normal, "draw", (3,), 5)

    def pair(n, seed):
        return {"x": seeded_normal(n, seed), "y": (seeded_normal(1, seed), 2)}

    harness.expect_reproducible(pair, "draw", (2,), 1)


SHAPES = {"W1": (3, 2), "b1": (2,)}


def weights(seed):
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(size=(3, 2)), "b1": rng.normal(size=2), "step": 7}


def test_weight_dict_reads_the_weights_and_names_what_is_wrong():
    read = harness.weight_dict(weights(0), "train(0)", SHAPES, "return the weights")
    assert set(read) == {"W1", "b1"} and read["W1"].dtype == float  # extra keys ignored
    with pytest.raises(CheckFailed, match=r"keys W1, b1 \(missing: b1\); hint: return the w"):
        harness.weight_dict({"W1": np.ones((3, 2))}, "train(0)", SHAPES, "return the weights")
    with pytest.raises(CheckFailed, match=r"expected a dict of weights.*hint: return the w"):
        harness.weight_dict(np.ones(3), "train(0)", SHAPES, "return the weights")
    torch_layout = {**weights(0), "W1": np.ones((2, 3))}
    with pytest.raises(CheckFailed, match=r"\['W1'\] has shape \(2, 3\).*\(out, in\): transpose"):
        harness.weight_dict(torch_layout, "train(0)", SHAPES, "h")
    with pytest.raises(CheckFailed, match=r"\['b1'\] has shape \(3,\), expected \(2,\); hint: h"):
        harness.weight_dict({**weights(0), "b1": np.ones(3)}, "train(0)", SHAPES, "h")
    with pytest.raises(CheckFailed, match=r"\['W1'\] holds inf or nan; hint: training diverged"):
        harness.weight_dict({**weights(0), "W1": np.full((3, 2), np.nan)}, "train(0)", SHAPES, "h")


def test_expect_seeded_weights_catches_unseeded_and_fixed_seed_training():
    def read(result, text):
        return harness.weight_dict(result, text, SHAPES, "h")

    harness.expect_seeded_weights(weights, "train", (), (3, 4), read, "seed it")
    draws = iter(range(100))
    with pytest.raises(
        CheckFailed, match=r"two calls train\(3\) returned different weights; hint: seed it"
    ):
        harness.expect_seeded_weights(
            lambda seed: weights(next(draws)), "train", (), (3, 4), read, "seed it"
        )
    with pytest.raises(
        CheckFailed, match=r"train\(4\) returned the same weights as seed 3; hint: use the seed"
    ):
        harness.expect_seeded_weights(lambda seed: weights(0), "train", (), (3, 4), read, "seed it")
    with pytest.raises(CheckFailed, match=r"missing: W1, b1"):
        harness.expect_seeded_weights(lambda seed: {}, "train", (), (3, 4), read, "seed it")


def test_expect_within_standard_errors():
    harness.expect_within(0.1, 0.0, 0.02, "mean()", "sample mean", "h")
    with pytest.raises(
        CheckFailed,
        match=r"mean\(\): the sample mean is 0.2, expected 0 ± 0.12 "
        r"\(6 standard errors\); hint: h",
    ):
        harness.expect_within(0.2, 0.0, 0.02, "mean()", "sample mean", "h")
    with pytest.raises(CheckFailed, match="is nan"):
        harness.expect_within(np.nan, 0.0, 0.02, "mean()", "sample mean", "h")


def test_call_detects_lists_and_dicts_modified_in_place():
    def append_zero(values):
        values.append(0.0)
        return sum(values)

    def rescale(params):
        params["w"] *= 2
        return params["w"]

    with pytest.raises(CheckFailed, match="append_zero modified its argument 1 in place"):
        harness.call(append_zero, "append_zero", [1.0, 2.0])
    with pytest.raises(CheckFailed, match="rescale modified its argument 1 in place"):
        harness.call(rescale, "rescale", {"w": np.array([1.0]), "b": 0.0})
    with pytest.raises(CheckFailed, match="modified its argument values in place"):
        harness.call(append_zero, "append_zero", values=[np.nan])
    assert harness.call(sum, "sum", [np.nan, 1.0])[1] == "sum([nan,  1.])"  # NaN: unchanged


def test_tiny_values_name_their_mistake_with_the_comparisons_tolerance():
    eps = np.finfo(float).eps
    mistakes = [(eps / 2, "you halved once too often")]
    with pytest.raises(CheckFailed, match="hint: you halved once too often"):
        harness.expect_number(
            eps / 2, eps, "machine_epsilon()", "h", rtol=0, atol=0, mistakes=mistakes
        )


def test_complex_entries_show_as_numbers():
    assert harness.show(np.complex128(1 - 2j)) == "1-2j"
    with pytest.raises(CheckFailed, match=r"got -0-1j, expected 0\+1j"):
        harness.expect_close(np.r_[np.zeros(13), -1j], np.r_[np.zeros(13), 1j], "f()", "h")


# --------------------------------------------------------------------------- forbidden shortcuts

IMPORTS = (
    "import numpy as np\nimport dlkit as dk\nfrom sklearn.linear_model import LinearRegression"
)


@pytest.mark.parametrize(
    ("cells", "name", "found"),
    [
        ([IMPORTS, "def det(A):\n    return np.linalg.det(A)"], "det", ("np.linalg.det", True)),
        (
            [IMPORTS, "def fit(X, y):\n    m = LinearRegression().fit(X, y)\n    return m.coef_"],
            "fit",
            ("sklearn.linear_model.LinearRegression", True),
        ),
        (
            ["import numpy.linalg as la\ndef det(A):\n    return la.det(A)"],
            "det",
            ("numpy.linalg.det", True),
        ),
        (
            [IMPORTS, "shortcut = np.linalg.det", "def det(A):\n    return shortcut(A)"],
            "det",
            ("numpy.linalg.det", True),
        ),
        (
            [
                IMPORTS,
                "def helper(A):\n    f = dk.linalg.det\n    return f(A)",
                "def det(A):\n    return helper(A)",
            ],
            "det",
            ("dk.linalg.det", False),
        ),
        ([IMPORTS, "det = dk.linalg.det"], "det", ("dk.linalg.det", False)),
        (
            [
                IMPORTS,
                "%matplotlib inline\n"
                "def det(A):\n    import scipy.linalg\n    return scipy.linalg.det(A)",
            ],
            "det",
            ("scipy.linalg.det", True),
        ),
    ],
    ids=["np-alias", "from-import", "module-alias", "plain-alias", "helper", "assigned", "magic"],
)
def test_forbidden_use_resolves_imports_aliases_and_helpers(cells, name, found):
    forbidden = ("numpy.linalg.det", "sklearn", "dlkit.linalg.det", "scipy.linalg")
    assert harness.forbidden_use(cells, name, forbidden) == found


def test_forbidden_use_reads_only_the_definition_in_force_and_its_own_helpers():
    cells = [
        IMPORTS,
        "def det(A):\n    return np.linalg.det(A)",  # replaced below
        "print(np.linalg.det(np.eye(2)))",  # a cell of the learner's, not the answer
        "def other(A):\n    return np.linalg.det(A)",  # another function, never called
        "def det(A):\n    return float(np.prod(np.diag(np.linalg.qr(A)[1])))",
        "def broken(:\n",
    ]
    assert harness.forbidden_use(cells, "det", ("numpy.linalg.det",)) is None
    assert harness.forbidden_use(cells, "absent", ("numpy.linalg.det",)) is None
    assert harness.forbidden_use(cells, "det", ("numpy.linalg",)) == ("np.linalg.qr", True)


FORBID_DET = harness.Forbidden("det", ("numpy.linalg.det",), "compute it by elimination yourself")


def test_forbidden_check_reads_the_cells_the_grader_passes_or_ipythons_history():
    def det(A):
        return 1.0

    call = "FORBID_DET.check(det)"
    cheat = [IMPORTS, "def det(A):\n    return np.linalg.det(A)"]
    grader = {harness.NOTEBOOK_CELLS: tuple(cheat), "FORBID_DET": FORBID_DET, "det": det}
    with pytest.raises(CheckFailed) as failure:
        exec(call, grader)
    assert str(failure.value) == (
        "your answer calls np.linalg.det; hint: compute it by elimination yourself"
    )
    kernel = {"_ih": ["", *cheat, call], "get_ipython": None, "FORBID_DET": FORBID_DET, "det": det}
    with pytest.raises(CheckFailed, match="your answer calls np.linalg.det"):
        exec(call, kernel)
    exec(call, {"FORBID_DET": FORBID_DET, "det": det})  # no source to read: nothing to say
    exec(call, {**grader, harness.NOTEBOOK_CELLS: (IMPORTS, "def det(A):\n    return 1.0")})


def test_show_describes_a_networks_layers_by_their_shapes():
    layers = [np.zeros((64, 32)), np.zeros(32), np.zeros((32, 10))]
    assert harness.show(layers) == "<3 arrays of shapes (64, 32), (32,), (32, 10)>"
    result, text = harness.call(len, "count", layers)
    assert result == 3 and text.startswith("count(<3 arrays of shapes")


def test_answer_calls_says_whether_a_later_answer_reuses_an_earlier_one():
    def mlp_backward():
        pass

    cells = (
        "def softmax_cross_entropy(z, y):\n    return 0, z",
        "def mlp_backward(X):\n    return softmax_cross_entropy(X, 0)[1]",
    )
    namespace = {harness.NOTEBOOK_CELLS: cells, "fn": mlp_backward, "harness": harness}
    exec("found = harness.answer_calls(fn, 'softmax_cross_entropy')", namespace)
    assert namespace["found"] is True
    namespace[harness.NOTEBOOK_CELLS] = (cells[0], "def mlp_backward(X):\n    return X")
    exec("found = harness.answer_calls(fn, 'softmax_cross_entropy')", namespace)
    assert namespace["found"] is False
    assert harness.answer_calls(mlp_backward, "softmax_cross_entropy") is None


def test_a_functions_own_variables_shadow_the_notebooks_names():
    """A worked example's top-level ``h = dk.info.entropy(...)`` says nothing of the local
    ``h`` of an answer, nor does a helper assigned rather than defined."""
    cells = [
        IMPORTS,
        "h = dk.info.entropy(p, base=2)\nlog_p = dk.info.entropy",
        "def entropy_kl_cross(p, q):\n    h = -np.sum(p * np.log2(p))\n    log_p = h\n"
        "    return h, log_p",
    ]
    assert harness.forbidden_use(cells, "entropy_kl_cross", ("dlkit.info",)) is None
    cells.append("def other(p):\n    return log_p(p)")
    assert harness.forbidden_use(cells, "other", ("dlkit.info",)) == ("dlkit.info.entropy", True)


def test_a_failed_check_shows_in_ipython_as_its_message_alone(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    assert CheckFailed("f(1) returned 2, expected 3")._render_traceback_() == [
        "\x1b[0;31mCheckFailed\x1b[0m: f(1) returned 2, expected 3"
    ]
    shell = InteractiveShell.instance(colors="nocolor")
    try:
        shell.run_cell(
            "from autograder.checks.harness import CheckFailed\n"
            "def check():\n    raise CheckFailed('f(1) returned 2, expected 3')\ncheck()"
        )
    finally:
        InteractiveShell.clear_instance()
    shown = capsys.readouterr().out
    assert "CheckFailed" in shown and "f(1) returned 2, expected 3" in shown
    assert "Traceback" not in shown and "def check" not in shown
