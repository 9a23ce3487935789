"""Errors raised while reading a question (or any text a user types): Chinese messages."""

from __future__ import annotations

from ..errors import BudgetQAError


class QuestionError(BudgetQAError):
    """Base class of the errors raised by ``qa.question``."""


class EmptyQuestionError(QuestionError):
    """The question (or project name) is empty or has no searchable content."""


class InputTooLongError(QuestionError):
    """A question, project name or description is longer than the limit (the message says which)."""


class UnknownLevelError(QuestionError):
    """A level filter names no 一级/二级指标 (the message names the value and the known ones)."""


class LexiconFileError(QuestionError):
    """A lexicon file is missing, unreadable or has a malformed line (the message names it)."""
