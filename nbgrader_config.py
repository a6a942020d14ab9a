"""nbgrader configuration for the course (read by nbgrader's own tools and by `autograder`).

Folder names follow the project layout: the instructor's source notebooks (with
solutions and hidden tests) live in solutions/, the generated student notebooks
in notebooks/. `autograder` grades in throwaway course directories and reuses the
settings below (timeouts, output limits, feedback) from this file.
"""

import os

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

from autograder.preprocessors import ShortenTracebacks, TagCellsThatMayRaise, TrustedExecute

c = get_config()  # noqa: F821  (injected by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "dl-math-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"

# Student versions: the stub that replaces each solution region; answer and test cells
# tagged so that Run All goes past an unanswered exercise (still showing its failure).
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.GenerateAssignment.preprocessors = [
    *GenerateAssignment.class_traits()["preprocessors"].default(),
    TagCellsThatMayRaise,
]

# A local exchange for a single-user `make lab` (Formgrader's release and collect, the
# Assignment List's fetch and submit): under .exchange/ (git ignores it), fetched
# assignments in fetched/. `make lab` creates both; grading uses a private one.
COURSE_FOLDER = os.path.dirname(os.path.abspath(__file__))
c.Exchange.root = os.path.join(COURSE_FOLDER, ".exchange")
c.Exchange.assignment_dir = os.path.join(COURSE_FOLDER, "fetched")

# Executing a submission: seconds per cell, and for the kernel to start.
c.Execute.timeout = 30
c.Execute.startup_timeout = 120
# Kernels log nothing below ERROR (ipykernel's transport notice would reach every learner).
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]

# A test cell that prints a Python warning to stderr keeps its points
# (nbgrader otherwise counts any stderr output as a failure).
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"\w+Warning: "

# The kernel's sandbox (autograder/sandbox/): "auto" takes the strongest level that
# works here ("sandbox": bubblewrap, no network, private files, own uid; "rlimits";
# "none"), with a memory cap (an allocation beyond it fails inside the kernel) and a
# cap on processes and threads. `autograder grade/check --sandbox ...` overrides. The
# kernel sees dlkit and its own half of the grading boundary, never the checks
# (c.SandboxConfig.packages, see autograder/sandbox/config.py).
c.SandboxConfig.level = "auto"
c.SandboxConfig.memory_bytes = 4 * 2**30
c.SandboxConfig.nproc = 256
# One BLAS/OpenMP thread per kernel: submissions graded side by side (--jobs N) would
# otherwise fight over the cores, and every thread counts against nproc.
c.SandboxConfig.extra_env = {"OMP_NUM_THREADS": "1"}

# Limits on one notebook: wall-clock seconds, and output bytes kept per cell and in all.
c.TrustedExecute.notebook_timeout = 600
c.TrustedExecute.cell_output_bytes = 1_000_000
c.TrustedExecute.notebook_output_bytes = 5_000_000
# What the kernel may send the grader: a test's reply (the result of a learner's function)
# at most 64 MB, refused in the kernel beyond it, naming the limit; every message frame a
# little above it (zmq drops the connection before a larger one is in memory).
c.TrustedExecute.reply_bytes = 64 * 2**20

# Answer cells run in the kernel; test cells run in the grader (TrustedExecute), so
# the learner's code cannot change a verdict; test cells report only the check's
# one-line message (a traceback would quote hidden test lines); feedback never
# shows hidden tests.
c.Autograde.autograde_preprocessors = [
    TrustedExecute,
    ShortenTracebacks,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
