"""Errors raised by the ``index.store`` package (besides the index-wide ones it re-raises)."""

from __future__ import annotations

from ..errors import BudgetIndexError


class StoreError(BudgetIndexError):
    """Base class of the errors raised by the ``index.store`` package."""


class StoreUnavailableError(StoreError):
    """The configured store cannot be used: unknown kind, bad URL, or server unreachable."""
