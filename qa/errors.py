"""Errors raised by the ``qa`` package."""

from __future__ import annotations


class BudgetQAError(Exception):
    """Base class of every error raised by the ``qa`` package."""


class EmptyQuestionError(BudgetQAError):
    """The question is empty or has no searchable content."""


class EvalFileError(BudgetQAError):
    """An evaluation file is missing or malformed (the message names the file and line)."""


class InputTooLongError(BudgetQAError):
    """A question, project name or description is longer than the limit (the message says which)."""


class ExportFormatError(BudgetQAError):
    """An export path has an extension that cannot be written (use .xlsx or .csv)."""


class InvalidAmountError(BudgetQAError):
    """An amount given for a draft is negative or not a number (the message names the value)."""


class UnknownLevelError(BudgetQAError):
    """A level filter names no 一级/二级指标 (the message names the value and the known ones)."""
