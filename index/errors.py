"""Errors raised by the ``index`` package. Each names the file (and line) and says what to do."""

from __future__ import annotations


class BudgetIndexError(Exception):
    """Base class of every error raised by the ``index`` package."""


class UnreadableDocumentError(BudgetIndexError):
    """A document could not be read at all (empty, binary, corrupt, encrypted, too large)."""

    def __init__(self, path: str, reason: str, line: int | None = None):
        self.path = str(path)
        self.reason = reason
        self.line = line
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {reason}")


class UnsupportedFormatError(UnreadableDocumentError):
    """The file's format is known but not readable here (e.g. legacy .doc)."""


class IndexNotBuiltError(BudgetIndexError):
    """No index exists where one was expected."""


class IndexMismatchError(BudgetIndexError):
    """The stored index was built with another model or code version."""
