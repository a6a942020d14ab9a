"""Tag the cells an unanswered exercise makes raise, so that Run All goes past them.

A learner who runs all cells of a fresh notebook should reach the widgets and plots
below the first exercise, and still see each exercise fail. JupyterLab, Notebook 7 and
nbclient keep running after a cell tagged ``raises-exception`` (its error still shows),
so generating the student version tags every answer cell (``raise NotImplementedError()``
until answered) and every test cell. The tag is outside nbgrader's checksums, so
Validate and grading see the cells as generated.
"""

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

#: The cell tag with which Jupyter keeps running after a cell that raises.
MAY_RAISE = "raises-exception"


class TagCellsThatMayRaise(NbGraderPreprocessor):
    """Add :data:`MAY_RAISE` to the tags of each answer and test code cell."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and (utils.is_solution(cell) or utils.is_grade(cell)):
            tags = cell.metadata.setdefault("tags", [])
            if MAY_RAISE not in tags:
                tags.append(MAY_RAISE)
        return cell, resources
