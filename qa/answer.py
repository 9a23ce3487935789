"""Question → answer: understand, route by intent, compose with citations.

No language model: figures come from the records, and below the evidence
threshold the answer says 未找到 and shows the nearest matches.
"""

from __future__ import annotations

import logging

from index.search import Filters

from .aggregate import aggregate_answer
from .context import QAContext
from .errors import EmptyQuestionError
from .format import source
from .fund import which_regions_answer
from .lookup import amount_answer, indicator_answer, lookup_answer
from .schema import Answer
from .understand import Understanding

logger = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 500
MIN_DENSE_FOR_SEARCH = 0.80


def answer_question(engine, question: str) -> Answer:
    """Answer one question from the engine's index.

    Raises :class:`EmptyQuestionError` for an empty or blank question.
    """
    text = (question or "").strip()
    if not text:
        raise EmptyQuestionError("问题为空：请输入要查询的内容，例如“西青区法律援助经费是多少”。")
    text = text[:MAX_QUESTION_CHARS]
    ctx = QAContext.of(engine)
    u = ctx.understand(text)
    missing = _outside_corpus(ctx, u)
    if missing is not None:
        return missing
    answer = _route(engine, ctx, u)
    return answer if answer is not None else _not_found(ctx, u)


def _route(engine, ctx: QAContext, u: Understanding) -> Answer | None:
    vector = ctx.searcher.query_vector(u.question)
    if u.intent == "drafting":
        try:
            from .draft import drafting_answer
        except ImportError:
            return None
        return drafting_answer(engine, u.question)
    if u.intent == "indicator_wording":
        try:
            from .wording import wording_answer
        except ImportError:
            return None
        return wording_answer(engine, u.question, u)
    if u.intent == "aggregate":
        return aggregate_answer(ctx, u)
    if u.intent == "which_regions_fund":
        return which_regions_answer(ctx, u)
    if u.intent in ("indicator_value", "amount_lookup"):
        return lookup_answer(ctx, u, vector)
    return _search_answer(ctx, u)


def _outside_corpus(ctx: QAContext, u: Understanding) -> Answer | None:
    """Say so when the question names a region or year the corpus does not hold."""
    known = "、".join(ctx.regions.regions)
    if u.unknown_places and not u.regions:
        return Answer(
            question=u.question,
            intent=u.intent,
            found=False,
            text=f"未找到：语料中没有{'、'.join(u.unknown_places)}的文件。现有地区：{known}。",
            extra={"unknown_places": list(u.unknown_places)},
        )
    if u.years:
        years = {p.year for p in ctx.store.projects.values()} | {
            d.document.year for d in ctx.store.documents.values()
        }
        in_names = any(f"{y}年" in p.name for y in u.years for p in ctx.store.projects.values())
        if not any(y in years for y in u.years) and not in_names:
            listed = "、".join(str(y) for y in sorted(y for y in years if y))
            return Answer(
                question=u.question,
                intent=u.intent,
                found=False,
                text=f"未找到：语料中没有{'、'.join(map(str, u.years))}年度的文件。现有年度：{listed}。",
            )
    return None


def _nearest(ctx: QAContext, u: Understanding, k: int = 5) -> list[str]:
    region = u.regions[0] if len(u.regions) == 1 else None
    hits = ctx.searcher.search(u.question, k=k, filters=Filters(region=region))
    return [f"{h.text[:60]}（{source(h.doc, h.line, h.page, h.sheet)}）" for h in hits]


def _not_found(ctx: QAContext, u: Understanding) -> Answer:
    nearest = _nearest(ctx, u)
    text = "未找到与问题直接对应的记录。"
    if nearest:
        text += "最接近的有：\n" + "\n".join(f"- {n}" for n in nearest)
    return Answer(
        question=u.question, intent=u.intent, text=text, found=False, nearest=tuple(nearest)
    )


def _search_answer(ctx: QAContext, u: Understanding) -> Answer | None:
    """Plain search: the best matching rows, or 未找到 when nothing is close."""
    if not u.phrases and not u.regions:
        return None  # nothing in the question is printed anywhere in the corpus
    vector = ctx.searcher.query_vector(u.question)
    hits = ctx.searcher.search(u.question, k=8)
    if not hits or max(ctx.similarity(vector, h.id) for h in hits) < MIN_DENSE_FOR_SEARCH:
        return None
    best = amount_answer(ctx, u, vector) if any(h.kind == "project" for h in hits[:3]) else None
    if best is None:
        best = indicator_answer(ctx, u, vector)
    lines = [f"- {h.text[:80]}（{source(h.doc, h.line, h.page, h.sheet)}）" for h in hits]
    text = "检索到以下相关内容：\n" + "\n".join(lines)
    if best is not None:
        return Answer(
            question=u.question,
            intent="search",
            text=best.text + "\n" + text,
            projects=best.projects,
            indicators=best.indicators,
            value=best.value,
            unit=best.unit,
        )
    return Answer(question=u.question, intent="search", text=text)
