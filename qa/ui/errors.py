"""Errors raised by the app's handlers (``qa.ui``).

Each carries an English message (``str(exc)``, for logs and the CLI) and a
Chinese one (``exc.zh``) that the app shows to the user as ``gr.Error``.
"""

from __future__ import annotations

from ..errors import BudgetQAError


class UIError(BudgetQAError):
    """Base class of the errors a handler turns into a message for the user."""

    def __init__(self, message: str, zh: str):
        super().__init__(message)
        self.zh = zh


class UploadRejectedError(UIError):
    """An uploaded file was refused (too large, wrong type, unreadable, duplicate, no tables)."""


class BadRequestError(UIError):
    """A handler's input is empty or malformed (no question, bad source reference …)."""
