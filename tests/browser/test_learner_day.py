"""A learner's and an instructor's day in a real browser: headless Chromium against the
JupyterLab that ``make lab`` starts (its options, on a copy of the course).

The landing page is notebooks/; Run All on module 01's student notebook reaches the last
cell while the unanswered exercises show their failure; the matrix widget renders and a
slider moved by keyboard redraws the figure; a correct answer prints the success line and
a wrong one only the check's message; Validate reports; the Formgrader lists the
assignments; the Assignment List reads the local exchange without an error. A screenshot
of each step goes to the folder printed at the start. Skipped, with the reason, where
Chromium or its driver is not installed; ``pytest -m browser`` runs it alone.
"""

import pytest

from tests.browser.lab import (
    Lab,
    chromium,
    copy_course,
    jupyter_lab,
    missing_browser,
    output_text,
    screenshot_folder,
)

pytestmark = pytest.mark.browser

MODULE_01 = "notebooks/01_linear_algebra/01_linear_algebra.ipynb"
MODULE_00 = "notebooks/00_getting_started/00_getting_started.ipynb"


@pytest.fixture(scope="module")
def lab(tmp_path_factory, request):
    """The learner's page on a JupyterLab over a copy of the course."""
    why = missing_browser()
    if why is not None:
        pytest.skip(f"no browser test: {why}")
    root = tmp_path_factory.mktemp("browser")
    shots = screenshot_folder(root, request)
    course = copy_course(root / "course")
    with jupyter_lab(course, root) as (base, token), chromium() as driver:
        yield Lab(driver, base, token, shots)


@pytest.fixture(scope="module")
def ran_all(lab):
    """Module 01's student notebook opened and run with Run All; its code cells after."""
    lab.home()
    lab.open_notebook(MODULE_01)
    lab.command("notebook:run-all-cells")
    lab.until(lambda: lab.state()["counts"][-1] is not None, 180, "Run All")
    lab.wait_idle(180)
    lab.screenshot("run-all")
    return lab.code_cells()


def test_the_landing_page_is_the_student_notebooks(lab):
    lab.get("/")
    assert lab.driver.current_url.split("?")[0].endswith("/lab/tree/notebooks")
    lab.until(lambda: _breadcrumbs(lab) == "/notebooks/", 30, "the file browser")
    listed = lab.script(
        "return Array.from(document.querySelectorAll('.jp-DirListing-itemText'))"
        ".map(e => e.textContent)"
    )
    lab.screenshot("landing")
    assert "00_getting_started" in listed and "solutions" not in listed


def test_run_all_reaches_the_last_cell_and_unanswered_exercises_fail(ran_all):
    assert all(cell["count"] is not None for cell in ran_all), "Run All stopped early"
    visible = [c for c in ran_all if "chk." in c["source"] and "raises-exception" in c["tags"]]
    failed = [output_text(c) for c in visible if "(" in c["source"].split("chk.", 1)[1]]
    assert failed and all(text.startswith("CheckFailed: ") for text in failed), failed[:2]
    assert all("NotImplementedError" in text for text in failed)


def test_the_matrix_widget_redraws_when_its_slider_moves_by_keyboard(lab, ran_all):
    from selenium.webdriver.common.keys import Keys

    index = lab.index_of(lambda source: "dk.widgets.MatrixOnCircle" in source)
    node = lab.show_cell(index)
    lab.until(lambda: _image(node) and node.find_elements("css selector", ".noUi-handle"), 60)
    before = _image(node)
    lab.screenshot("widget-before")
    handle = node.find_elements("css selector", ".noUi-handle")[0]
    handle.click()
    handle.send_keys(Keys.ARROW_RIGHT)
    lab.until(lambda: _image(node) not in (None, before), 30, "the redrawn figure")
    lab.screenshot("widget-after")


def test_a_right_answer_says_passed_and_a_wrong_one_only_the_checks_message(lab, ran_all):
    answer = lab.index_of(lambda source: source.startswith("def matmul_loops("))
    test = lab.index_of(lambda source: "chk.matmul_loops_basic(" in source)
    right = (
        "def matmul_loops(A, B):\n"
        "    return [[sum(a * b for a, b in zip(row, col)) for col in zip(*B)] for row in A]\n"
    )
    lab.run_cell(answer, right)
    lab.run_cell(test)
    assert output_text(lab.code_cells()[_code_index(lab, test)]) == "passed: 1 point\n"
    lab.screenshot("passed")

    lab.run_cell(answer, "def matmul_loops(A, B):\n    return A\n")
    lab.run_cell(test)
    shown = lab.code_cells()[_code_index(lab, test)]["outputs"]
    lab.screenshot("failed")
    assert [output["output_type"] for output in shown] == ["error"]
    assert shown[0]["traceback"] == [f"\x1b[0;31mCheckFailed\x1b[0m: {shown[0]['evalue']}"]
    assert shown[0]["evalue"].startswith("matmul_loops(")


def test_validate_reports_the_failing_exercises(lab):
    lab.home()
    lab.open_notebook(MODULE_00)
    panel = lab.script("return window.jupyterapp.shell.currentWidget.node")
    panel.find_element("css selector", ".validate-button button, .validate-button").click()
    lab.until(lambda: "Validat" in _dialog(lab) and "Validating" not in _dialog(lab), 120)
    report = _dialog(lab)
    lab.screenshot("validate")
    assert "failed" in report.lower() and "NotImplementedError" in report, report


def test_the_assignment_list_reads_the_local_exchange(lab):
    lab.home()
    lab.command("nbgrader:open-assignment-list")
    panel = "return (document.querySelector('#nbgrader-assignment-list') || {}).innerText || ''"
    lab.until(lambda: "Released assignments" in lab.script(panel), 60, "the Assignment List")
    lab.until(lambda: "loading" not in lab.script(panel).lower(), 30, "the Assignment List")
    text = lab.script(panel)
    lab.screenshot("assignment-list")
    assert "Error" not in text and "does not exist" not in text, text


def test_the_formgrader_lists_the_assignments(lab):
    """Last: it leaves JupyterLab's page."""
    lab.get("/formgrader")
    lab.until(lambda: "01_linear_algebra" in lab.script("return document.body.innerText"), 60)
    lab.screenshot("formgrader")


def _breadcrumbs(lab) -> str:
    return lab.script("return (document.querySelector('.jp-BreadCrumbs') || {}).textContent")


def _image(node) -> str | None:
    """The figure's data URL, read in one script: the redraw replaces the ``img`` element,
    so finding it and then reading it could meet a detached (stale) element."""
    return node.parent.execute_script(
        "const img = arguments[0].querySelector('.jp-OutputArea-output img');"
        "return img ? img.src : null;",
        node,
    )


def _dialog(lab) -> str:
    return lab.script("return (document.querySelector('.jp-Dialog') || {}).innerText || ''")


def _code_index(lab, index: int) -> int:
    """The position among code cells of the cell at ``index`` among all cells."""
    types = lab.script(
        "return window.jupyterapp.shell.currentWidget.content.widgets.map(c => c.model.type)"
    )
    return types[:index].count("code")
