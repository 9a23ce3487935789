"""Errors raised by the ``qa`` package."""

from __future__ import annotations


class BudgetQAError(Exception):
    """Base class of every error raised by the ``qa`` package."""


class EmptyQuestionError(BudgetQAError):
    """The question is empty or has no searchable content."""


class EvalFileError(BudgetQAError):
    """An evaluation file is missing or malformed (the message names the file and line)."""
