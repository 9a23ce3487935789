"""Errors raised while drafting a table: Chinese messages naming the bad value."""

from __future__ import annotations

from ..errors import BudgetQAError


class DraftingError(BudgetQAError):
    """Base class of the errors raised by ``qa.drafting``."""


class InvalidAmountError(DraftingError):
    """An amount given for a draft is negative or not a number (the message names the value)."""
