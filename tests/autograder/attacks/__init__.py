"""The attack corpus: one submission per attack or malformed input, graded in one batch."""
