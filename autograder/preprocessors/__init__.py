"""nbgrader preprocessors added by the course, one per file (as nbgrader does)."""

from autograder.preprocessors.execute import SlicedExecute
from autograder.preprocessors.shorten_tracebacks import ShortenTracebacks
from autograder.preprocessors.trusted_execute import TrustedExecute

__all__ = ["ShortenTracebacks", "SlicedExecute", "TrustedExecute"]
