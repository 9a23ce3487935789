"""Question → answer: understand once, pick the answerer of the intent, or say 未找到.

An answerer is a plain function ``(ctx, u) -> Answer | None``: the retrieval context
(:class:`~qa.context.QAContext`) and the question's :class:`~qa.question.Understanding` in,
an :class:`~qa.answers.Answer` out, or None to pass. :data:`ANSWERERS` maps each intent to
its answerer; when it passes, the answerers of :data:`FALLBACKS` are tried in order, and when
every one passes the answer is 未找到 with the nearest matches. Adding an answerer is a new
module and one line here.

No language model: figures come from the records, and below the evidence threshold the
answer says 未找到.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from index.search import Filters

from ..context import QAContext
from ..evidence.fits import one_question
from ..question import Understanding, check_text
from ..question.asks import asks_of
from ..sources import Sources
from .aggregate import answer_aggregate
from .compute import (
    answer_computed,
    answer_computed_after,
    answer_execution,
    answer_previous_year,
    answer_projects_compared,
)
from .drafting import answer_drafting
from .extreme import answer_extreme
from .general import answer_checked_lookup, answer_general, not_found_general
from .schema import Answer
from .scope import (
    answer_outside_scope,
    for_place_not_held,
    outside_corpus,
    scoped,
    with_other_years,
)
from .tables import answer_actual, answer_structure, answer_sublines
from .which_regions import answer_which_regions
from .wording import answer_wording

logger = logging.getLogger(__name__)

Answerer = Callable[[QAContext, Understanding], Answer | None]

# intent -> the answerer that knows it
ANSWERERS: dict[str, Answerer] = {
    "drafting": answer_drafting,
    "indicator_wording": answer_wording,
    "aggregate": answer_aggregate,
    "which_regions_fund": answer_which_regions,
    "indicator_value": answer_checked_lookup,
    "amount_lookup": answer_checked_lookup,
    "search": answer_general,
}
# tried first: what the corpus does not hold (a year, a region, a department) is 未找到 before
# any answerer reads another one's figure; last year's figure is computed from this year's
SCOPE_ANSWERERS: list[Answerer] = [answer_previous_year, outside_corpus, answer_outside_scope]
# tried before the intent's answerer: each passes unless the question asks for its form
ASK_ANSWERERS: list[Answerer] = [
    answer_sublines,
    answer_structure,
    answer_execution,
    answer_actual,
    answer_projects_compared,
    answer_extreme,
    answer_computed,
]
# tried in order when the intent's answerer passes
FALLBACKS: list[Answerer] = [answer_computed_after, answer_general]
NEAREST = 5


def answer_question(engine, question: str) -> Answer:
    """Answer one question from the engine's index.

    Raises :class:`~qa.question.EmptyQuestionError` for an empty or blank question and
    :class:`~qa.question.InputTooLongError` for one over
    :data:`~qa.question.MAX_QUESTION_CHARS`.
    """
    text = check_text(question)
    ctx = QAContext.of(engine)
    answer = _answer_one(ctx, text)
    if len(_each_asked(text)) < 2 or answer.intent not in _ONE_FIGURE or "actual" in asks_of(text):
        return answer  # one figure asked; 计划多少，实际多少 asks one row's target and actual
    asked = _each_asked(text, ctx.understand(text).region_words)  # read again only here
    # 西青抚恤金多少，社区矫正经费多少: each clause asking a figure, answered in the scope the
    # question sets, from one document; the whole question's answer when they are no more
    parts: list[Answer] = []
    seen: set = set()
    for clause in asked:
        part = _answer_one(ctx, clause)
        if not part.found or part.intent not in _ONE_FIGURE:
            continue
        if parts and not _docs(part) & _docs(parts[0]):
            continue
        records = _records(part)
        if records and records[0] in seen:
            continue
        seen.update(records)
        parts.append(part)
    return _joined(text, parts) if len(parts) >= 2 else answer


def _answer_one(ctx: QAContext, text: str) -> Answer:
    u = scoped(ctx, ctx.understand(text))
    with one_question():
        for answerer in (*SCOPE_ANSWERERS, *ASK_ANSWERERS, ANSWERERS[u.intent], *FALLBACKS):
            answer = answerer(ctx, u)
            if answer is not None:
                return for_place_not_held(ctx, u, with_other_years(ctx, u, answer))
        return not_found_general(ctx, u)


# one figure asked per clause: 西青抚恤金多少，社区矫正经费多少 (not 各多少, 一共, lists)
_ONE_FIGURE = ("amount_lookup", "indicator_value", "lookup", "search")
_CLAUSE_MARK = re.compile(r"[，,；;？?。！!]+")
_ASKS_FIGURE = re.compile(r"多少|几|多大|多高|多长|啥|什么")
_LISTS_OR_SUMS = re.compile(r"哪些|哪几|各|分别|一共|合计|加起来|总共|比|差")


def _each_asked(question: str, places: tuple[str, ...] = ()) -> list[str]:
    """The clauses of a question that each ask one figure, each with the clauses before the
    first of them that set its scope (秀山社工经费，聘多少名，单价多少 → 秀山社工经费，聘多少名;
    秀山社工经费，单价多少) and the places the question names when the clause names none
    (西青抚恤金多少，社区矫正经费多少 → 西青社区矫正经费多少); a clause naming no subject of its
    own (社区的呢) is not one."""
    clauses = [c.strip() for c in _CLAUSE_MARK.split(question) if c.strip()]
    if _LISTS_OR_SUMS.search(question):
        return []
    asking = [i for i, c in enumerate(clauses) if _ASKS_FIGURE.search(c) and len(c) >= 4]
    if len(asking) < 2:
        return []
    scope = "，".join(clauses[: asking[0]])
    out = []
    for i in asking:
        clause = clauses[i]
        if places and not any(p in scope or p in clause for p in places):
            clause = "".join(places) + clause
        out.append(f"{scope}，{clause}" if scope else clause)
    return out


def _records(answer: Answer) -> list[tuple]:
    """The records an answer states, as (doc, line) or (doc, project)."""
    found = [(i.doc, i.line) for i in answer.indicators]
    found += [(p.doc, p.project) for p in answer.projects]
    return found or [("text", answer.text)]


def _docs(answer: Answer) -> set:
    return (
        {i.doc for i in answer.indicators}
        | {p.doc for p in answer.projects}
        | {s.doc for s in answer.sources}
    )


def _joined(question: str, parts: list[Answer]) -> Answer:
    """Each clause's answer, in the question's order, as one answer."""
    text = "\n".join(f"{n}. {p.text}" for n, p in enumerate(parts, 1))
    return Answer(
        question=question,
        intent=parts[0].intent,
        text=text,
        projects=tuple(dict.fromkeys(x for p in parts for x in p.projects)),
        indicators=tuple(dict.fromkeys(x for p in parts for x in p.indicators)),
        facts=tuple(dict.fromkeys(x for p in parts for x in p.facts)),
        sources=tuple(dict.fromkeys(x for p in parts for x in p.sources)),
        value=parts[0].value,
        unit=parts[0].unit,
        extra={"asked": len(parts)},
    )


def not_found(ctx: QAContext, u: Understanding) -> Answer:
    """未找到, with the nearest matches of a plain search (each with its source)."""
    region = u.regions[0] if len(u.regions) == 1 else None
    hits = ctx.searcher.search(u.question, k=NEAREST, filters=Filters(region=region))
    sources = Sources.of(ctx.store)
    nearest = [f"{h.text[:60]}（{sources.cite(h.doc, h.line)}）" for h in hits]
    text = "未找到与问题直接对应的记录。"
    if nearest:
        text += "最接近的有：\n" + "\n".join(f"- {n}" for n in nearest)
    return Answer(
        question=u.question, intent=u.intent, text=text, found=False, nearest=tuple(nearest)
    )
