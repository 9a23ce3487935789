"""Question-aware retrieval: the records the question is about, then hybrid search hits.

Understanding the question (region, topic, lexicon, level) finds the right records far more
often than similarity alone. The records come from the evidence finders of each intent
(:data:`EVIDENCE`: ranked projects and rows, projects about a topic, matching wordings,
comparable projects), never from an answerer: searching does not compose answers or draft
tables. The hits keep one entry per project first so that a list of ten reaches ten projects.
"""

from __future__ import annotations

from collections.abc import Callable

from index.search import Filters, Hit, filter_mask

from .context import QAContext
from .drafting import draft_topics, find_comparables, parse_request
from .evidence import (
    funding_lines,
    named_figures,
    projects_about,
    rank_indicators,
    rank_projects,
    topic_projects,
)
from .question import EmptyQuestionError, Understanding, check_text
from .wording import search_wording, wording_query

SEARCHED = 50
LOOKUP_PROJECTS, LOOKUP_ROWS = 4, 5


def retrieve(engine, question: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
    """The k best hits for a question: its records first (one per project), then search hits.

    An empty question has no hits; one over :data:`~qa.question.MAX_QUESTION_CHARS` raises
    :class:`~qa.question.InputTooLongError`.
    """
    try:
        text = check_text(question)
    except EmptyQuestionError:
        return []
    ctx = QAContext.of(engine)
    u = ctx.understand(text)
    ids = [] if ctx.outside(u) else EVIDENCE.get(u.intent, _none)(ctx, u)
    allowed = filter_mask(engine.store, filters)
    searched = [hit.id for hit in engine.searcher.search(text, k=max(k, SEARCHED), filters=filters)]
    # records one per project, then search hits from projects not yet shown, then the rest
    ordered = _one_per_project(ctx, ids + searched) + ids + searched
    hits: list[Hit] = []
    seen: set[str] = set()
    for record_id in ordered:
        row = engine.store.chunk_row(record_id)
        if row is None or record_id in seen or (allowed is not None and not allowed[row]):
            continue
        seen.add(record_id)
        hits.append(engine.searcher.hit_for(row, rank=len(hits) + 1, score=1.0 / (len(hits) + 1)))
        if len(hits) == k:
            break
    return hits


def _lookup(ctx: QAContext, u: Understanding) -> list[str]:
    """The best projects and rows; rows first when a value is asked for."""
    vector = ctx.searcher.query_vector(u.question)
    projects = [s.record.id for s in rank_projects(ctx, u, vector)[:LOOKUP_PROJECTS]]
    rows = [s.record.id for s in rank_indicators(ctx, u, vector)[:LOOKUP_ROWS]]
    return rows + projects if u.intent == "indicator_value" else projects + rows


def _which_regions(ctx: QAContext, u: Understanding) -> list[str]:
    """Projects about the topic (direct ones first, larger first), then their rows."""
    found = sorted(
        projects_about(ctx, u),
        key=lambda m: (m.match != "primary", -(m.project.amount_wan or 0), m.project.id),
    )
    return [m.project.id for m in found] + [r.id for m in found for r in m.rows]


def _aggregate(ctx: QAContext, u: Understanding) -> list[str]:
    """The projects an aggregate sums (none when it is a department figure)."""
    if u.funding_label:
        return list(dict.fromkeys(p.id for p, _ in funding_lines(ctx, u)))
    if u.fact_labels and u.operation in ("sum", None) and named_figures(ctx, u):
        return []
    projects = [p for p in topic_projects(ctx, u) if p.amount_wan is not None]
    return [p.id for p in sorted(projects, key=lambda p: (-p.amount_wan, p.id))]


def _wording(ctx: QAContext, u: Understanding) -> list[str]:
    """The rows worded like the question's indicator."""
    try:
        result = search_wording(ctx, wording_query(u, u.region, u.year))
    except EmptyQuestionError:
        return []
    return [w.row.id for w in result.rows]


def _drafting(ctx: QAContext, u: Understanding) -> list[str]:
    """The projects comparable to the one to be drafted (nothing is drafted)."""
    name, description, _ = parse_request(u.question)
    topics, context = draft_topics(name, ctx.lexicon, ctx.regions)
    context = "、".join(x for x in (context, description) if x)
    return [c.project.id for c in find_comparables(ctx.engine, topics, context or None)]


def _none(ctx: QAContext, u: Understanding) -> list[str]:
    return []


# intent -> the ids of the records the question is about
EVIDENCE: dict[str, Callable[[QAContext, Understanding], list[str]]] = {
    "amount_lookup": _lookup,
    "indicator_value": _lookup,
    "which_regions_fund": _which_regions,
    "aggregate": _aggregate,
    "indicator_wording": _wording,
    "drafting": _drafting,
    "search": _none,
}


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
