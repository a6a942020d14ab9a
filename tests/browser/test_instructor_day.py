"""An instructor grading a written answer by hand in nbgrader's Formgrader, in a real
browser: headless Chromium against the JupyterLab that ``make lab GRADING=out`` starts
(the server in the output folder of ``autograder grade``, the course on
JUPYTER_CONFIG_PATH).

A tiny batch is graded (ann answers the written question, ben leaves it as handed out);
in the Formgrader the instructor goes Manual Grading → 98_tiny → its notebook → ann,
finds her written answer with the rubric under it, types a score and a comment (Tab
leaves each input, and the Formgrader saves it through its REST API), and ``autograder
export`` then puts both into grades.csv and exercises.csv. A screenshot of each step
goes to the folder printed at the start. Skipped, with the reason, where Chromium or its
driver is not installed; ``pytest -m browser`` runs it with the others.
"""

import pytest

from autograder.batch.runner import export
from tests.autograder.batch.tiny import ANN_WRITES, RUBRIC, read_csv, written_batch
from tests.browser.lab import Lab, chromium, jupyter_lab, missing_browser, screenshot_folder

pytestmark = pytest.mark.browser

ASSIGNMENT, WRITTEN = "98_tiny", "98-why"
SCORE = "1.5"
COMMENT = "Right, but say why the order of terms does not matter."


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    """The tiny batch graded; its root folder, course and output folder."""
    why = missing_browser()
    if why is not None:
        pytest.skip(f"no browser test: {why}")
    root = tmp_path_factory.mktemp("instructor")
    tiny, out = written_batch(course, root)
    return root, tiny, out


@pytest.fixture(scope="module")
def formgrader(graded, request):
    """The Formgrader's start page, in JupyterLab started on the output folder."""
    root, tiny, out = graded
    for folder in (".exchange", "fetched"):  # as `make lab` makes them
        (tiny.root / folder).mkdir(exist_ok=True)
    shots = screenshot_folder(root, request)
    with jupyter_lab(tiny.root, root, grading=out) as (base, token), chromium() as driver:
        lab = Lab(driver, base, token, shots)
        lab.get("/formgrader")
        lab.until(lambda: ASSIGNMENT in page_text(lab), 60, "the Formgrader")
        lab.screenshot("formgrader")
        yield lab


@pytest.fixture(scope="module")
def anns_submission(formgrader):
    """ann's submission open for grading, reached through Manual Grading's links."""
    lab = formgrader
    follow(lab, "Manual Grading")
    follow(lab, ASSIGNMENT, within="table")  # the assignment
    follow(lab, ASSIGNMENT, within="table")  # its notebook
    lab.until(lambda: visible(lab, "Submission #2", "table"), 30, "the submissions")
    follow(lab, "Show All Names")  # once listed: it shows the names of the rows there
    lab.screenshot("submissions")
    follow(lab, "ann", within="table")
    lab.until(lambda: grading_inputs_ready(lab), 60, "ann's submission")
    lab.screenshot("ann")
    return lab


def test_the_written_answer_shows_with_the_rubric_under_it(anns_submission):
    lab = anns_submission
    cell = written_answer(lab)
    lab.driver.execute_script("arguments[0].scrollIntoView()", cell)
    lab.screenshot("written-answer")
    assert ANN_WRITES in cell.text
    shown = page_text(lab)
    rubric = " ".join(RUBRIC.replace("*", "").split())
    assert rubric in shown, shown
    assert shown.index(ANN_WRITES) < shown.index(rubric)


def test_a_score_typed_in_the_formgrader_reaches_grades_csv(anns_submission, graded):
    from selenium.webdriver.common.keys import Keys

    lab, (_, tiny, out) = anns_submission, graded
    cell = written_answer(lab)
    for input_id, text in ((WRITTEN, SCORE), (f"{WRITTEN}-comment", COMMENT)):
        box = cell.find_element("id", input_id)
        box.click()
        box.send_keys(text, Keys.TAB)  # leaving the input saves it (its change event)
    lab.until(lambda: saved(lab) == (float(SCORE), COMMENT), 30, "the grade's saving")
    lab.screenshot("graded")

    results = {r.student: r for r in export(tiny, out)}
    assert results["ann"].score == 2.5 and results["ann"].open_points == 0
    grades = read_csv(out / "grades.csv")
    columns = ("score", "auto_score", "manual_score", "open_points")
    assert [grades["ann", None][k] for k in columns] == ["2.5", "1", SCORE, "0"]
    written = read_csv(out / "exercises.csv")["ann", WRITTEN]
    assert (written["status"], written["score"], written["message"]) == (
        "graded-by-hand",
        SCORE,
        COMMENT,
    )


def page_text(lab) -> str:
    return lab.script("return document.body.innerText")


def visible(lab, text: str, within: str = "body"):
    """The visible link or button saying ``text`` (None while the page does not show it)."""
    return lab.script(
        "return Array.from(document.querySelectorAll(arguments[0])).find(e =>"
        " e.offsetParent !== null && e.textContent.trim() === arguments[1]) || null",
        f"{within} a, {within} button",
        text,
    )


def follow(lab, text: str, within: str = "body", timeout: float = 30) -> None:
    """Click the link or button saying ``text`` once the page shows it; after a link, wait
    until the browser has left the page."""
    lab.until(lambda: visible(lab, text, within), timeout, f"a link {text!r}")
    before, target = lab.driver.current_url, visible(lab, text, within)
    is_link = target.tag_name == "a"
    target.click()
    if is_link:
        lab.until(lambda: lab.driver.current_url != before, timeout, f"the page of {text!r}")


def grading_inputs_ready(lab) -> bool:
    """The Formgrader has loaded the submission's grades and comments into its inputs.
    (Not ``formgrader.loaded``: offline, MathJax from its CDN fails to load and the rest
    of the page's set-up, its keyboard shortcuts, stops there; the inputs work.)"""
    return lab.script(
        "return typeof formgrader !== 'undefined' && !!formgrader.grades"
        " && !!formgrader.grades.loaded && !!formgrader.comments && !!formgrader.comments.loaded"
    )


def written_answer(lab):
    """The panel of the written answer: the student's text, its score and comment inputs."""
    score = lab.driver.find_element("id", WRITTEN)  # its score input
    return score.find_element("xpath", "./ancestor::div[contains(@class, 'nbgrader_cell')]")


def saved(lab) -> tuple[float | None, str | None]:
    """The written answer's manual score and comment as the Formgrader's REST API returns
    them now (read back, not the page's own copy)."""
    return tuple(
        lab.driver.execute_async_script(
            "const done = arguments[arguments.length - 1], id = arguments[0];"
            "const get = what => $.getJSON(base_url + '/api/' + what,"
            " {submission_id: submission_id});"
            "$.when(get('grades'), get('comments')).then((grades, comments) => done(["
            "grades[0].find(g => g.name === id).manual_score,"
            "comments[0].find(c => c.name === id).manual_comment]), () => done([null, null]));",
            WRITTEN,
        )
    )
