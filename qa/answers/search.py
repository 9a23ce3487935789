"""Answer a question with no recognised intent: the best matching rows, if any is close."""

from __future__ import annotations

from ..context import QAContext
from ..evidence import rank_indicators, rank_projects
from ..question import Understanding
from ..sources import Sources
from .lookup import amount_answer, indicator_answer
from .schema import Answer

MIN_DENSE_FOR_SEARCH = 0.80
SHOWN_HITS = 8


def answer_search(ctx: QAContext, u: Understanding) -> Answer | None:
    """The hits of a plain search (led by the figure of the best project or row), or None
    when nothing in the question is printed in the corpus or no hit is close in meaning."""
    if not u.phrases and not u.regions:
        return None  # nothing in the question is printed anywhere in the corpus
    vector = ctx.searcher.query_vector(u.question)
    hits = ctx.searcher.search(u.question, k=SHOWN_HITS)
    if not hits or max(ctx.similarities(vector, [h.id for h in hits])) < MIN_DENSE_FOR_SEARCH:
        return None
    best = None
    if any(h.kind == "project" for h in hits[:3]):
        best = amount_answer(ctx, u, rank_projects(ctx, u, vector))
    if best is None:
        best = indicator_answer(ctx, u, rank_indicators(ctx, u, vector))
    sources = Sources.of(ctx.store)
    lines = [f"- {h.text[:80]}（{sources.cite(h.doc, h.line)}）" for h in hits]
    text = "检索到以下相关内容：\n" + "\n".join(lines)
    if best is None:
        return Answer(question=u.question, intent="search", text=text)
    return Answer(
        question=u.question,
        intent="search",
        text=best.text + "\n" + text,
        projects=best.projects,
        indicators=best.indicators,
        value=best.value,
        unit=best.unit,
    )
