"""Errors of the ``qa`` package: one base class, and what the user-facing boundaries catch.

Each subpackage raises subclasses of :class:`BudgetQAError` from its own ``errors.py``
(``qa.question.errors``, ``qa.drafting.errors``, ``qa.ui.errors`` …); messages are Chinese,
name the bad value (and file and line) and say what to do.
"""

from __future__ import annotations

from index.errors import BudgetIndexError


class BudgetQAError(Exception):
    """Base class of every error raised by the ``qa`` package."""


class EvalFileError(BudgetQAError):
    """An evaluation file is missing or malformed (the message names the file and line)."""


class ExportFormatError(BudgetQAError):
    """An export path has an extension that cannot be written (use .xlsx or .csv)."""


# What the CLI prints as ``Error: …`` and the app shows as ``gr.Error``: every error the
# library raises on purpose. Anything else is a bug and is logged with its traceback.
USER_ERRORS = (BudgetIndexError, BudgetQAError)
