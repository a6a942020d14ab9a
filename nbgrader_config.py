"""nbgrader configuration for the course (read by nbgrader's own tools and by `autograder`).

Folder names follow the project layout: the instructor's source notebooks (with
solutions and hidden tests) live in solutions/, the generated student notebooks
in notebooks/. `autograder` grades in throwaway course directories and reuses the
settings below (timeouts, output limits, feedback) from this file.
"""

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

from autograder.preprocessors import ShortenTracebacks, SlicedExecute

c = get_config()  # noqa: F821  (injected by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "dl-math-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"

# Student versions: the stub that replaces each solution region.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Executing a submission: seconds per cell, and for the kernel to start.
c.Execute.timeout = 30
c.Execute.startup_timeout = 120
# Kernels log nothing below ERROR (ipykernel's transport notice would reach every learner).
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]

# A test cell that prints a Python warning to stderr keeps its points
# (nbgrader otherwise counts any stderr output as a failure).
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"\w+Warning: "

# Cells run under SlicedExecute (nbgrader's Execute without nbclient's occasional
# stall after widget cells); test cells report only the check's one-line message
# (a traceback would quote hidden test lines); feedback never shows hidden tests.
c.Autograde.autograde_preprocessors = [
    SlicedExecute,
    ShortenTracebacks,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
