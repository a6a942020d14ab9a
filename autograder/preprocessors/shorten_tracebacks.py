"""Reduce each error in a test cell to its one-line message.

An IPython traceback quotes the source lines around the failure, and in a test
cell those lines can include the hidden tests. The check functions already put
everything the learner needs into the exception message, so feedback keeps just
``ExceptionName: message``.
"""

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor


class ShortenTracebacks(NbGraderPreprocessor):
    """Replace the traceback of every error output of a grade cell by ``ename: evalue``."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell):
            for output in cell.outputs:
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
