"""Errors raised by the ``index`` package. Each names the file (and line) and says what to do."""

from __future__ import annotations

from pathlib import PurePath


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


class DocumentTooLargeError(UnreadableDocumentError):
    """Reading the document would pass a limit of :class:`index.readers.limits.ReadLimits`.

    Raised before the work is done (a zip bomb, a cell at the sheet's far corner, a
    PDF of 10,000 pages). ``limit`` names the setting that was exceeded; ``reason``
    is a Chinese message naming the file, the limit and what to do.
    """

    def __init__(self, path: str, reason: str, limit: str):
        self.limit = limit
        super().__init__(path, reason)

    def renamed(self, name: str) -> str:
        """The reason naming the file ``name`` (an upload's own name, not its staged copy's)."""
        return self.reason.replace(PurePath(self.path).name, name)


class IndexNotBuiltError(BudgetIndexError):
    """No index exists where one was expected."""


class IndexMismatchError(BudgetIndexError):
    """The stored index was built with another model or code version."""
