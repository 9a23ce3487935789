"""Question → answer: understand, find the evidence, answer, find wordings, draft, export.

The layout follows one question through (imports run the same way, top to bottom)::

    qa/cli/, qa/ui/        the command line and the app's handlers
    qa/answers/            the answerer of each intent, the router, Answer records, sources
    qa/wording/            every way an indicator is worded, in clusters
    qa/drafting/           a proposed indicator table from comparable projects
    qa/export.py           every 绩效目标表 workbook and CSV
    qa/retrieve.py         question-aware retrieval (evidence first, then search hits)
    qa/evidence/           the records a question is about
    qa/context.py          what answering derives once per loaded index
    qa/engine.py           the loaded index, encoder, searcher and lexicon
    qa/question/           reading a question: intent, regions, years, levels, topic, lexicon

The public API is imported lazily (loading it pulls in the index and the model):

>>> from qa import Engine, answer_question  # doctest: +SKIP
>>> answer_question(Engine.open(load_settings()), "西青抚恤金多少").text  # doctest: +SKIP
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Answer": "qa.answers",
    "Engine": "qa.engine",
    "answer_question": "qa.answers",
    "retrieve": "qa.retrieve",
    "find_wording": "qa.wording",
    "draft_targets": "qa.drafting",
    "export_draft": "qa.export",
    "export_wording": "qa.export",
    "BudgetQAError": "qa.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'qa' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
