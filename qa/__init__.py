"""Question → answer: understand, retrieve, aggregate, compose, draft, evaluate.

The public API is imported lazily (loading it pulls in the index and the model):

>>> from qa import Engine, answer_question  # doctest: +SKIP
>>> answer_question(Engine.open(load_settings()), "西青抚恤金多少").text  # doctest: +SKIP
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Answer": "qa.schema",
    "Engine": "qa.engine",
    "answer_question": "qa.answer",
    "retrieve": "qa.retrieve",
    "find_wording": "qa.wording",
    "draft_targets": "qa.draft",
    "export_draft": "qa.export",
    "BudgetQAError": "qa.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'qa' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
