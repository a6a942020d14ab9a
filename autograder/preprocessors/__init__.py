"""nbgrader preprocessors added by the course, one per file (as nbgrader does).

- :class:`SlicedExecute`: nbgrader's Execute with its kernel in the sandbox, robust to a
  lost wake-up after widget cells;
- :class:`TrustedExecute`: test cells judged in the grader, limits enforced, events recorded;
- :class:`ShortenTracebacks`: a test cell's error reduced to its one-line message;
- :class:`TagCellsThatMayRaise`: answer and test cells tagged so that Run All goes on.

Named in ``nbgrader_config.py``. May import: :mod:`autograder.kernel`,
:mod:`autograder.sandbox`, :mod:`autograder.results`.
"""

from autograder.preprocessors.execute import SlicedExecute
from autograder.preprocessors.may_raise import TagCellsThatMayRaise
from autograder.preprocessors.shorten_tracebacks import ShortenTracebacks
from autograder.preprocessors.trusted_execute import TrustedExecute

__all__ = ["ShortenTracebacks", "SlicedExecute", "TagCellsThatMayRaise", "TrustedExecute"]
