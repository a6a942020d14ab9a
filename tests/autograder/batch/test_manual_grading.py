"""Written answers graded by hand: grading leaves their points open (``needs-manual-grade``),
the formgrader's course directory (the output folder's nbgrader_config.py) shows them with
the rubric beside them, and a score and comment a grader gives there (written here through
nbgrader's own API, as the formgrader's handlers write it) is what ``autograder export``
and a re-run of ``grade`` put into grades.csv. (The formgrader's pages themselves are
driven in a browser by tests/browser/test_instructor_day.py.)"""

import nbformat
import pytest
from nbconvert.exporters import HTMLExporter
from nbgrader.api import Gradebook
from nbgrader.apps import NbGrader, NbGraderAPI
from nbgrader.coursedir import CourseDirectory

from autograder.batch.runner import export
from autograder.cli import main
from tests.autograder.batch.tiny import ANN_WRITES, RUBRIC, read_csv, written_batch

ASSIGNMENT = "98_tiny"
WRITTEN = "98-why"
COURSE_ID = "dl-math-course"


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    root = tmp_path_factory.mktemp("manual")
    tiny, out = written_batch(course, root)
    return tiny, root, out


def test_grading_leaves_the_written_answers_points_open(graded):
    _, _, out = graded
    grades = read_csv(out / "grades.csv")
    ann, ben = grades["ann", None], grades["ben", None]
    assert (ann["score"], ann["max_score"], ann["auto_score"], ann["open_points"]) == (
        "1",
        "3",
        "1",
        "2",
    )
    exercises = read_csv(out / "exercises.csv")
    assert exercises["ann", WRITTEN]["status"] == "needs-manual-grade"
    assert exercises["ann", WRITTEN]["score"] == "0"
    # a written answer left as handed out scores 0 without a grader (nbgrader's rule)
    assert (ben["score"], ben["open_points"], ben["manual_score"]) == ("0", "0", "0")
    assert exercises["ben", WRITTEN]["status"] == "failed", exercises["ben", WRITTEN]


def formgrader_config(course_root, out, monkeypatch):
    """The settings nbgrader's formgrader reads under ``make lab GRADING=out``: the server
    runs in ``out`` with the course's folder on JUPYTER_CONFIG_PATH."""
    monkeypatch.chdir(out)
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(course_root))
    app = NbGrader()
    try:
        app.load_config_file()
        return app.config
    finally:
        NbGrader.clear_instance()


def test_the_formgrader_sees_the_submissions_and_the_rubric_beside_the_answer(graded, monkeypatch):
    tiny, _, out = graded
    config = formgrader_config(tiny.root, out, monkeypatch)
    assert config.CourseDirectory.root == str(out)
    assert config.CourseDirectory.db_url == f"sqlite:///{out / 'gradebook.db'}"
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    submissions = {s["student"]: s for s in api.get_submissions(ASSIGNMENT)}
    assert set(submissions) == {"ann", "ben"}
    assert submissions["ann"]["needs_manual_grade"] and not submissions["ben"]["needs_manual_grade"]
    autograded = out / "autograded" / "ann" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    cells = nbformat.read(autograded, as_version=4).cells
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in cells]
    rubric = cells[ids.index(WRITTEN) + 1]
    assert RUBRIC in rubric.source and rubric.metadata["autograder"] == {"rubric": WRITTEN}
    assert ANN_WRITES in cells[ids.index(WRITTEN)].source
    page, _ = HTMLExporter(config=config).from_filename(str(autograded))  # as the formgrader
    assert "One point for naming the sum" in page  # the rubric's tag removes it from feedback only
    feedback = (out / "feedback" / "ann" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert ANN_WRITES in feedback
    assert "Rubric" not in feedback and "One point for naming the sum" not in feedback


def test_feedback_generated_in_the_formgrader_leaves_out_the_rubric(graded, monkeypatch):
    tiny, _, out = graded
    config = formgrader_config(tiny.root, out, monkeypatch)
    config.CourseDirectory.feedback_directory = "formgrader-feedback"
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    assert api.generate_feedback(ASSIGNMENT, "ann")["success"]
    page = (out / "formgrader-feedback" / "ann" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert ANN_WRITES in page
    assert "Rubric" not in page and "One point for naming the sum" not in page


def test_a_score_given_in_the_formgrader_reaches_grades_csv(graded):
    tiny, root, out = graded
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", COURSE_ID) as gradebook:
        grade = gradebook.find_grade(WRITTEN, ASSIGNMENT, ASSIGNMENT, "ann")
        grade.manual_score = 1.5
        comment = gradebook.find_comment(WRITTEN, ASSIGNMENT, ASSIGNMENT, "ann")
        comment.manual_comment = "Right, but say why the order of terms does not matter."
        gradebook.db.commit()
    results = {r.student: r for r in export(tiny, out)}
    assert results["ann"].score == 2.5 and results["ann"].open_points == 0
    grades = read_csv(out / "grades.csv")
    columns = ("score", "auto_score", "manual_score", "open_points")
    assert [grades["ann", None][k] for k in columns] == ["2.5", "1", "1.5", "0"]
    assert grades["ben", None]["score"] == "0"
    written = read_csv(out / "exercises.csv")["ann", WRITTEN]
    assert (written["status"], written["score"]) == ("graded-by-hand", "1.5")
    assert written["message"] == "Right, but say why the order of terms does not matter."

    # grading again keeps the grader's score: nothing is graded twice, the outputs carry it
    command = ["--course", str(tiny.root), "grade", str(root / "submissions"), "--out", str(out)]
    assert main(command) == 0
    assert read_csv(out / "grades.csv")["ann", None]["score"] == "2.5"


def test_export_without_a_graded_batch_says_what_to_do(graded, tmp_path, capsys):
    tiny, _, _ = graded
    assert main(["--course", str(tiny.root), "export", "--out", str(tmp_path)]) == 2
    assert "no results.json); run grade first" in capsys.readouterr().err
