"""Answers: the answerer of each intent, the router, and the Answer records.

>>> from qa.answers import answer_question  # doctest: +SKIP
>>> answer_question(engine, "西青抚恤金多少").text  # doctest: +SKIP
'天津市西青区“抚恤金”2024年度资金为18.47万元，见天津市西青区 · …'

Each answerer is ``(ctx, u) -> Answer | None`` (see :mod:`qa.answers.router`).
"""

from .aggregate import answer_aggregate
from .drafting import answer_drafting, draft_answer, draft_text
from .facts import answer_department_facts
from .format import project_amount, scope_text, wan
from .lookup import answer_lookup
from .router import ANSWERERS, FALLBACKS, Answerer, answer_question, not_found, outside_corpus
from .schema import INTENTS, Answer, FactItem, IndicatorItem, ProjectItem
from .search import answer_search
from .which_regions import answer_which_regions
from .wording import answer_wording, wording_answer, wording_text

__all__ = [
    "ANSWERERS",
    "FALLBACKS",
    "INTENTS",
    "Answer",
    "Answerer",
    "FactItem",
    "IndicatorItem",
    "ProjectItem",
    "answer_aggregate",
    "answer_department_facts",
    "answer_drafting",
    "answer_lookup",
    "answer_question",
    "answer_search",
    "answer_which_regions",
    "answer_wording",
    "draft_answer",
    "draft_text",
    "not_found",
    "outside_corpus",
    "project_amount",
    "scope_text",
    "wan",
    "wording_answer",
    "wording_text",
]
