"""Question-aware retrieval: the records the answer pipeline chose, then hybrid hits.

Understanding the question (region, topic, lexicon, level) finds the right
projects far more often than similarity alone; the hits keep one entry per
project first so that a list of ten reaches ten projects.
"""

from __future__ import annotations

from index.search import Filters, Hit, filter_mask

from .answer import answer_question
from .context import QAContext
from .errors import EmptyQuestionError
from .schema import Answer

RECORD_FIRST = ("indicator_value", "indicator_wording", "drafting")


def retrieve(engine, question: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
    """The k best hits for a question: answer records first (one per project), then search hits."""
    try:
        answer = answer_question(engine, question)
    except EmptyQuestionError:
        return []
    ctx = QAContext.of(engine)
    allowed = filter_mask(engine.store, filters)
    ids = _answer_ids(answer)
    searched = [hit.id for hit in engine.searcher.search(question, k=max(k, 50), filters=filters)]
    # answer records one per project, then search hits from projects not yet shown, then the rest
    ordered = _one_per_project(ctx, ids + searched) + ids + searched
    hits: list[Hit] = []
    seen: set[str] = set()
    for record_id in ordered:
        row = ctx.rows.get(record_id)
        if row is None or record_id in seen or (allowed is not None and not allowed[row]):
            continue
        seen.add(record_id)
        hits.append(engine.searcher.hit_for(row, rank=len(hits) + 1, score=1.0 / (len(hits) + 1)))
        if len(hits) == k:
            break
    return hits


def _answer_ids(answer: Answer) -> list[str]:
    projects = [p.project_id for p in answer.projects if p.project_id]
    indicators = [f"{i.doc}#i{i.line}" for i in answer.indicators if i.doc and i.line]
    return indicators + projects if answer.intent in RECORD_FIRST else projects + indicators


def _one_per_project(ctx: QAContext, ids: list[str]) -> list[str]:
    firsts: list[str] = []
    seen: set[str] = set()
    for record_id in ids:
        project = (
            record_id
            if record_id in ctx.store.projects
            else getattr(ctx.store.indicators.get(record_id), "project_id", None)
        )
        if project and project not in seen:
            seen.add(project)
            firsts.append(record_id)
    return firsts
