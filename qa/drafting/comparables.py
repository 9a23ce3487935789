"""Comparable projects: the existing projects most like a new one, with how alike they are.

A new project is described by one or more topics (``抚恤金``, ``职工医保``). Each topic is
split into term groups (see :mod:`qa.question.terms`). A project holds a group when one of its
variants occurs in the project's name, goal, overview or indicator rows; a group held only
through its wider lexicon concept (枫桥式司法所 → 规范化建设司法所) earns
:data:`PARTIAL_CREDIT`. Groups are weighted by rarity over the projects (a word no project
uses weighs most; generic words such as 经费 or 建设 weigh little), and the weighted share of
the topic a project holds is its ``coverage``. A project is comparable when its coverage is at
least :data:`MIN_COVERAGE`; comparable projects are ranked by coverage, then by the embedding
similarity of the topic and the project.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from index.schema import Project

from ..context import QAContext
from ..question import (
    GENERIC_WORDS,
    FoldedTexts,
    Lexicon,
    TermGroup,
    occurs_in_key,
    occurs_key,
    term_groups,
    term_key,
    wider_variants,
)

PARTIAL_CREDIT = 0.5
MIN_COVERAGE = 0.35
RELATIVE_COVERAGE = 0.6
MAX_COMPARABLES = 6
GENERIC_WEIGHT = 0.3


@dataclass(frozen=True)
class Comparable:
    """An existing project like the new one.

    Attributes
    ----------
    project : Project
    topics : tuple of str
        The topics of the new project it is comparable for.
    coverage : float
        Weighted share (0–1) of the topic's terms the project holds.
    similarity : float
        Cosine similarity of the topic and the project's text embedding.
    terms : tuple of str
        The topic's terms the project holds.
    neighbour : bool
        A project near the topic in meaning that lends only the kinds of row the comparable
        projects lack (see :mod:`qa.drafting.topup`).
    """

    project: Project
    topics: tuple[str, ...]
    coverage: float
    similarity: float
    terms: tuple[str, ...]
    neighbour: bool = False

    @property
    def note(self) -> str:
        """``可比项目：覆盖 100%，相似度 0.91；共同词：枫桥式司法所、创建`` (a neighbouring
        project that only lends the kinds the comparables lack says so)."""
        if self.neighbour:
            return f"相近项目（补充可比项目缺少的指标类别），相似度 {self.similarity:.2f}"
        shared = "、".join(self.terms)
        return f"可比项目：覆盖 {self.coverage:.0%}，相似度 {self.similarity:.2f}；共同词：{shared}"


def find_comparables(
    engine, topics: list[str], context: str | None = None, limit: int = MAX_COMPARABLES
) -> list[Comparable]:
    """The projects comparable to a new project with these topics, best first.

    Parameters
    ----------
    engine : qa.engine.Engine
    topics : list of str
        From :func:`~qa.drafting.request.draft_topics`.
    context : str, optional
        More description (used for the embedding similarity only).
    limit : int, default :data:`MAX_COMPARABLES`
        At most this many projects; each topic gets its share.
    """
    ctx = QAContext.of(engine)
    texts = ctx.kept(_Pieces)
    projects = texts.projects
    if not topics or not projects:
        return []
    queries = np.stack([engine.searcher.query_vector(topic_query(t, context)) for t in topics])
    similarities = engine.store.similarities([p.id for p in projects], queries)
    share = max(2, limit // len(topics))
    chosen: dict[str, Comparable] = {}
    firsts: list[str] = []
    for column, topic in enumerate(topics):
        similarity = similarities[:, column]
        ranked = _rank_topic(topic, projects, texts, similarity, ctx.lexicon)
        firsts.extend(c.project.id for c in ranked[:1] if c.project.id not in firsts)
        for item in ranked[:share]:
            known = chosen.get(item.project.id)
            if known is not None:
                item = replace(
                    max(known, item, key=lambda c: c.coverage), topics=(*known.topics, topic)
                )
            chosen[item.project.id] = item
    ordered = sorted(chosen.values(), key=lambda c: (-c.coverage, -c.similarity, c.project.id))
    keep = [chosen[i] for i in firsts]
    keep.extend(c for c in ordered if c.project.id not in firsts)
    keep = keep[: max(limit, len(firsts))]
    return sorted(keep, key=lambda c: (-c.coverage, -c.similarity, c.project.id))


def topic_query(topic: str, context: str | None = None) -> str:
    """The text embedded for a topic: the topic, then the context in brackets."""
    return topic + (f"（{context}）" if context else "")


def _rank_topic(
    topic: str,
    projects: list[Project],
    texts: _Pieces,
    similarity: np.ndarray,
    lexicon: Lexicon,
) -> list[Comparable]:
    groups = list(term_groups(topic, lexicon))
    if not groups:
        return []
    credits = [_credits(group, texts, lexicon) for group in groups]
    weights = [_weight(g, c, len(projects)) for g, c in zip(groups, credits, strict=True)]
    total = sum(weights)
    found = []
    # a project holding no group covers nothing (below MIN_COVERAGE): only the others are read
    for index in sorted(set().union(*credits)):
        project = projects[index]
        held = [c.get(index, 0.0) for c in credits]
        coverage = sum(w * c for w, c in zip(weights, held, strict=True)) / total
        if coverage >= MIN_COVERAGE:
            names = tuple(g.label for g, c in zip(groups, held, strict=True) if c > 0)
            found.append(
                Comparable(
                    project, (topic,), round(coverage, 4), round(float(similarity[index]), 4), names
                )
            )
    if not found:
        return []
    best = max(c.coverage for c in found)
    found = [c for c in found if c.coverage >= RELATIVE_COVERAGE * best]
    return sorted(found, key=lambda c: (-c.coverage, -c.similarity, c.project.id))


def _credits(group: TermGroup, texts: _Pieces, lexicon: Lexicon) -> dict[int, float]:
    """The projects holding the group: 1 when a variant occurs in one, PARTIAL_CREDIT when only
    the wider concept does (the others hold it not at all). Only projects printing a variant
    are tested."""
    out: dict[int, float] = {}
    for credit, variants in (
        (1.0, group.variants),
        (PARTIAL_CREDIT, wider_variants(group, lexicon)),
    ):
        for index in sorted(texts.folded.holding_any(variants) - out.keys()):
            folded = texts.folded.texts(index)  # occurs(piece, v) on the piece as folded
            if any(
                occurs_in_key(p, v, lexicon.tokenizer) for p in folded for v in variants if v in p
            ):
                out[index] = credit
    return out


def _weight(group: TermGroup, credits: dict[int, float], projects: int) -> float:
    """Rarity of a group over the projects (``credits``: of those holding it, of ``projects``
    in all; generic words weigh :data:`GENERIC_WEIGHT` as much)."""
    count = sum(1 for c in credits.values() if c >= 1.0)
    weight = math.log((projects + 1) / (count + 0.5))
    return weight * (GENERIC_WEIGHT if is_generic(group.label) else 1.0)


def is_generic(word: str) -> bool:
    """True for words every project uses (经费, 建设, 服务费 …)."""
    return word in GENERIC_WORDS or word.endswith(("费", "资金"))


class _Pieces:
    """The projects that can lend rows (those with indicator rows), in id order, with their
    pieces (:func:`_project_texts`), folded once per index (``ctx.kept(_Pieces)``) to find the
    projects printing a term."""

    def __init__(self, ctx: QAContext):
        self.projects = [p for p in ctx.sorted_projects if p.indicators]
        self.folded = FoldedTexts((_project_texts(p) for p in self.projects), occurs_key)


def _project_texts(project: Project) -> list[str]:
    """The pieces of a project that may hold a topic's terms."""
    pieces = [project.name, project.goal or ""]
    pieces.extend(text for kind, text in project.details if kind == "detail")
    pieces.extend(row.level3 for row in project.indicators)
    return [term_key(p) for p in pieces if p]
