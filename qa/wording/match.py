"""Comparable indicator wording: every way the documents write an indicator, grouped.

``find_wording(engine, "调解成功率有哪些写法")`` reads the question once (its indicator
phrases, levels, region and year; see :mod:`qa.question`), finds the indicator rows of every
document (project and department rows) that match it, ranks them by embedding similarity, and
groups them into clusters of equivalent indicators (see :mod:`qa.wording.cluster`) with a
representative wording and the spread of target values.

A row is ``core`` when every term group of a phrase occurs in its level3. It is ``related``
when the terms occur only with the help of its project's name, when at least half of them
occur, or when its level3 is a near-synonym of the phrase (embedding similarity at least
:data:`SYNONYM_SIMILARITY`); related rows must also be within :data:`RELATED_MARGIN` of the
best core row and are capped so that they never outnumber half the core rows.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from index.schema import IndicatorRow

from ..context import QAContext, region_matches
from ..question import (
    EmptyQuestionError,
    Phrase,
    Understanding,
    UnknownLevelError,
    check_text,
    group_occurs,
    kinds_of_word,
    level2_kind,
)
from ..question.levels import SATISFACTION_KIND
from .cluster import (
    ValueSpread,
    corpus_clusters,
    level3_similarity,
    representative,
    value_spread,
)
from .phrases import RATE, ReadyPhrase, RowBounds, RowTexts, ready_phrases, row_holds

logger = logging.getLogger(__name__)

# Measured on the seed corpus (bench/bench_wording.py): level3 texts that are the same
# indicator written another way score ≥ 0.92 against the phrase; unrelated ones rarely do.
SYNONYM_SIMILARITY = 0.92
RELATED_MARGIN = 0.04
RELATED_WITHOUT_CORE = 10
MATCH_NAMES = {"core": "核心", "related": "相关"}
_ORDER = {"core": 0, "near": 1, "related": 2}
_KIND_WORDS = {SATISFACTION_KIND: "满意度", "成本指标": "成本", "时效指标": "及时"}
EMPTY_HINT = "请写出要查找的指标，例如“调解成功率有哪些写法”"
LEVEL_NAMES = "产出、效益、满意度、数量、质量、时效、成本、经济效益、社会效益、生态效益、可持续影响"


@dataclass(frozen=True)
class WordingQuery:
    """What a wording search looks for: indicator phrases, levels, region and year."""

    question: str
    phrases: tuple[Phrase, ...]
    kinds: tuple[str, ...] = ()
    region: str | None = None
    year: int | None = None

    @property
    def text(self) -> str:
        return "、".join(p.text for p in self.phrases)


@dataclass(frozen=True)
class WordingRow:
    """One matching indicator row: ``match`` is ``core`` or ``related``."""

    row: IndicatorRow
    match: str
    similarity: float
    phrase: str | None
    cluster: int


@dataclass(frozen=True)
class WordingCluster:
    """Equivalent indicators among the matching rows, with their representative wording."""

    number: int
    representative: str
    rows: tuple[WordingRow, ...]
    wordings: tuple[str, ...]
    spread: ValueSpread

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.row.region or "" for r in self.rows))


@dataclass(frozen=True)
class WordingResult:
    """The rows matching a wording question (core first), and their clusters; ``subject`` is
    what was looked for, as the words the rows must hold."""

    query: str
    topic: WordingQuery
    rows: tuple[WordingRow, ...]
    clusters: tuple[WordingCluster, ...]
    unmatched: tuple[str, ...] = ()
    truncated: bool = False
    subject: str = ""

    @property
    def found(self) -> bool:
        return bool(self.rows)

    @property
    def core(self) -> tuple[WordingRow, ...]:
        return tuple(r for r in self.rows if r.match == "core")


def find_wording(
    engine,
    query: str,
    region: str | None = None,
    year: int | None = None,
    level1: str | None = None,
    level2: str | None = None,
    limit: int = 60,
) -> WordingResult:
    """Indicator rows matching an indicator phrase or question, grouped into clusters.

    Parameters
    ----------
    engine : qa.engine.Engine
    query : str
        An indicator phrase (``调解成功率``) or a question about wording.
    region, year : optional
        Only rows of this region (containment: 西青 matches 天津市西青区) or year. When not
        given, a region or year named in the question is used.
    level1, level2 : str, optional
        Only rows of these levels (``满意度指标``, ``成本``); a level word in the question
        (``满意度指标里…``) restricts the same way.
    limit : int, default 60
        At most this many rows (core rows first).

    Returns
    -------
    WordingResult

    Raises
    ------
    EmptyQuestionError
        The query is empty, or names no indicator and no level.
    InputTooLongError
        The query is longer than :data:`MAX_QUESTION_CHARS`.
    UnknownLevelError
        ``level1`` or ``level2`` names no level.
    """
    query = check_text(query, hint=EMPTY_HINT)
    ctx = QAContext.of(engine)
    u = ctx.understand(query)
    if year is None:
        known = {r.year for r in ctx.sorted_indicators if r.year}
        year = next((y for y in u.years if y in known), None)
    return search_wording(ctx, wording_query(u, region or u.region, year, level1, level2), limit)


def wording_query(
    u: Understanding,
    region: str | None = None,
    year: int | None = None,
    level1: str | None = None,
    level2: str | None = None,
) -> WordingQuery:
    """What to look for: the question's indicator phrases and levels (narrowed by ``level1``
    and ``level2``), in ``region`` and ``year``.

    Raises :class:`UnknownLevelError` when ``level1`` or ``level2`` names no level, and
    :class:`EmptyQuestionError` when the question names no indicator and no level.
    """
    for word in (level1, level2):
        if word and not kinds_of_word(word):
            raise UnknownLevelError(f"未知的指标层级 {word!r}：可用 {LEVEL_NAMES}")
    kinds = tuple(k for word in (level1, level2) for k in kinds_of_word(word))
    if level1 and level2:
        kinds = tuple(k for k in kinds_of_word(level2) if k in kinds_of_word(level1)) or kinds
    query = WordingQuery(u.question, u.indicator_phrases, kinds or u.kinds, region, year)
    if not query.phrases and not query.kinds:
        raise EmptyQuestionError(
            f"“{u.question}”里没有可查找的指标名称：请写出指标，例如“调解成功率”"
        )
    return query


def search_wording(ctx: QAContext, query: WordingQuery, limit: int = 60) -> WordingResult:
    """The rows matching a :class:`WordingQuery`, core first, and their clusters."""
    engine = ctx.engine
    candidates, bounds = _candidates(ctx, query)
    # one row past the limit tells whether more were found
    matches, unmatched, subject = _match_all(ctx, query, candidates, bounds, max(limit, 0) + 1)
    ranked = _rank(matches)
    clusters_of = corpus_clusters(engine)
    rows = tuple(
        WordingRow(row, match, score, phrase, clusters_of.get(row.id, 0))
        for row, match, score, phrase in ranked[: max(limit, 0)]
    )
    core = sum(r.match == "core" for r in rows)
    logger.debug("wording %r: %d rows (%d core)", query.question, len(rows), core)
    return WordingResult(
        query.question,
        query,
        rows,
        _clusters(rows),
        tuple(unmatched),
        len(ranked) > limit,
        subject,
    )


def _candidates(ctx: QAContext, topic: WordingQuery) -> tuple[list[IndicatorRow], RowBounds]:
    """The rows of the query's region, year and levels, in id order, and their bounds."""
    texts = ctx.kept(RowTexts)
    rows, positions = [], []
    for position, row in enumerate(texts.rows):
        if topic.region and not region_matches(row.region, topic.region):
            continue
        if topic.year and not _of_year(row, topic.year):
            continue
        if topic.kinds and level2_kind(row.level1, row.level2) not in topic.kinds:
            continue
        rows.append(row)
        positions.append(position)
    return rows, RowBounds(texts, positions)


def _of_year(row: IndicatorRow, year: int) -> bool:
    """The row's budget year, or a project named after the year (2023年…结转资金)."""
    return row.year == year or f"{year}年" in (row.project or "")


def _match_all(
    ctx: QAContext,
    topic: WordingQuery,
    rows: list[IndicatorRow],
    bounds: RowBounds,
    enough: int | None = None,
):
    """Best (match, similarity, phrase) of every row over the phrases, the unknown terms, and
    the subject as the words looked for; with ``enough``, of every row that can be among the
    first ``enough`` :func:`_rank` lists (see :func:`_match_phrase`)."""
    if not rows:
        return {}, [], ""
    if not topic.phrases:
        return {r.id: (r, "core", 0.0, None) for r in rows}, [], ""
    phrases = ready_phrases(topic.phrases, rows, bounds, ctx.lexicon)
    texts = [_embedded(p.text, topic) for p in phrases]
    queries = np.stack([ctx.searcher.query_vector(t) for t in texts])
    similarity = level3_similarity(ctx.engine, rows, queries)
    best: dict[str, tuple] = {}
    unmatched: list[str] = []
    for column, phrase in enumerate(phrases):
        unmatched.extend(phrase.unknown)
        found = _match_phrase(
            phrase, topic, rows, bounds, similarity[:, column], ctx.lexicon, enough
        )
        for index, (match, score) in found.items():
            row = rows[index]
            entry = (row, match, score, phrase.phrase.text)
            if row.id not in best or _better(entry, best[row.id]):
                best[row.id] = entry
    subject = "、".join(dict.fromkeys(p.text for p in phrases))
    return best, list(dict.fromkeys(unmatched)), subject


def phrase_query(phrase: Phrase, topic: WordingQuery) -> str:
    """The text embedded for a phrase: the phrase plus the level word it is restricted to."""
    return _embedded(phrase.text, topic)


def _embedded(text: str, topic: WordingQuery) -> str:
    words = [_KIND_WORDS[k] for k in topic.kinds[:1] if k in _KIND_WORDS]
    return text + "".join(w for w in words if w not in text)


def _match_phrase(
    phrase: ReadyPhrase,
    topic: WordingQuery,
    rows: list[IndicatorRow],
    bounds: RowBounds,
    similarity: np.ndarray,
    lexicon,
    enough: int | None = None,
) -> dict[int, tuple[str, float]]:
    """Core rows, near rows (all words but one) and capped weak rows of one phrase.

    Only rows that can match are tested (:func:`_possible`); the others can only be near
    in meaning. Rows are tested most similar first; with ``enough``, testing stops once that
    many core rows are found and the next row is less similar than the last of them: every
    row left would be listed after ``enough`` rows at least (:func:`_rank` lists core rows by
    similarity; a row's best match over the phrases is no worse than this one).
    """
    core: dict[int, float] = {}
    near: dict[int, float] = {}
    weak: dict[int, float] = {}
    possible = _possible(phrase, bounds)
    close = np.flatnonzero(similarity >= SYNONYM_SIMILARITY)
    tested = np.union1d(np.fromiter(possible, np.int64, len(possible)), close)
    order = tested[np.argsort(-similarity[tested], kind="stable")]  # rounding keeps this order
    last = None  # the rounded similarity of the enough-th core row
    for index in order.tolist():
        row = rows[index]
        score = float(similarity[index])
        if last is not None and round(score, 6) < last:
            break
        kind = None
        if index in possible:
            kind = _lexical_match(phrase, row, bool(topic.kinds), lexicon)
        if kind == "core":
            core[index] = score
            if len(core) == enough:
                last = round(score, 6)
        elif kind == "near":
            near[index] = score
        elif kind == "related" or score >= SYNONYM_SIMILARITY:
            weak[index] = score
    floor = max(core.values()) - RELATED_MARGIN if core else SYNONYM_SIMILARITY
    out = {i: ("related", s) for i, s in weak.items() if s >= floor}
    out.update((i, ("near", s)) for i, s in near.items())
    out.update((i, ("core", s)) for i, s in core.items())
    return out


def _possible(phrase: ReadyPhrase, bounds: RowBounds) -> set[int]:
    """The rows :func:`_lexical_match` can match, from the words each row can hold and the
    words its project's name can hold (``bounds``): ``core`` needs every word in one or the
    other; ``near`` all words but one, at least two, held; ``related`` half the words held,
    the key word among them and one word not the measure. Every other row matches no way
    (a row holding only 满意度 of 工作人员满意度 is tested by its similarity alone)."""
    groups = phrase.groups
    if not groups:
        return set()
    holding = [set(bounds.holding(g)) for g in groups]
    naming = [set(bounds.naming(g)) for g in groups]
    found = set.intersection(*(h | n for h, n in zip(holding, naming, strict=True)))
    if len(groups) < 2:
        return found
    hits = Counter(i for held in holding for i in held)
    pairs = list(zip(groups, holding, strict=True))
    keyed = None if phrase.key is None else set().union(*(h for g, h in pairs if g == phrase.key))
    specific = set().union(*(h for g, h in pairs if g != phrase.measure))
    for index, count in hits.items():
        if len(groups) >= 3 and count >= len(groups) - 1:
            found.add(index)
        elif count * 2 >= len(groups) and (keyed is None or index in keyed) and index in specific:
            found.add(index)
    return found


def _lexical_match(phrase: ReadyPhrase, row: IndicatorRow, by_kind: bool, lexicon) -> str | None:
    """How a row matches a phrase.

    ``core``: every word is in its level3 (or its value's unit, for a measure); or the words
    not there are topic words (not kinds of a category: 工作人员, 群众 …) in its project's name,
    with one at least in the level3 (法律援助的受援人满意度 → 服务对象满意度 of 法律援助经费);
    or, when the question names a level (质量指标), every word is in its project's name
    (政府法律顾问项目的质量指标). ``near``: all words but one, at
    least two, in its level3. ``related``: half the words in its level3, not only the measure
    (满意度 alone does not make a row about 群众满意度), its most specific word among them.
    """
    groups = phrase.groups
    if not groups:
        return None
    tokenizer = lexicon.tokenizer
    in_level3 = [row_holds(g, row, lexicon) for g in groups]
    hits = sum(in_level3)
    worded = any(g is not RATE and group_occurs(row.level3, g, tokenizer) for g in groups)
    if hits == len(groups) and worded:
        return "core"
    in_name = [
        group_occurs(row.project or "", g, tokenizer) and not _kind_of_something(g, lexicon)
        for g in groups
    ]
    in_context = [a or b for a, b in zip(in_level3, in_name, strict=True)]
    if all(in_context) and (worded or by_kind):
        return "core"
    if len(groups) >= 3 and hits >= len(groups) - 1:
        return "near"
    held = [g for g, hit in zip(groups, in_level3, strict=True) if hit]
    if phrase.key is not None and phrase.key not in held:
        return None
    if len(groups) >= 2 and hits * 2 >= len(groups) and held != [phrase.measure]:
        return "related"
    return None


def _kind_of_something(group, lexicon) -> bool:
    """The group's word belongs to a category (工作人员, 群众, 培训 …): a project named with it
    (社区矫正社会工作者工作经费) does not make its rows about it (its 服务对象满意度 is not the
    staff's)."""
    return any(c.category for c in lexicon.concepts_of(group.label))


def _better(new: tuple, old: tuple) -> bool:
    rank = {"core": 0, "near": 1, "related": 2}
    return (rank[new[1]], -new[2]) < (rank[old[1]], -old[2])


def _rank(matches: dict[str, tuple]) -> list[tuple]:
    """Core rows by similarity, then near rows, then related rows, capped (module docstring).

    Near rows are listed as related.
    """
    order = sorted(
        matches.values(),
        key=lambda e: (_ORDER[e[1]], -round(e[2], 6), e[0].id),
    )
    core = [e for e in order if e[1] == "core"]
    near = [(r, "related", s, p) for r, m, s, p in order if m == "near"]
    related = [e for e in order if e[1] == "related"]
    cap = max(2, math.ceil(len(core) / 2)) if core else RELATED_WITHOUT_CORE
    return core + near + related[:cap]


def _clusters(rows: tuple[WordingRow, ...]) -> tuple[WordingCluster, ...]:
    members: dict[int, list[WordingRow]] = {}
    for item in rows:
        members.setdefault(item.cluster, []).append(item)
    out = []
    for number, items in members.items():
        plain = [i.row for i in items]
        out.append(
            WordingCluster(
                number=number,
                representative=representative(plain).level3,
                rows=tuple(items),
                wordings=tuple(dict.fromkeys(r.level3 for r in plain)),
                spread=value_spread(plain),
            )
        )
    return tuple(out)


def nearest_wordings(engine, topic: WordingQuery, k: int = 3) -> list[str]:
    """The k level3 wordings of the index closest in meaning to the topic."""
    if not topic.phrases or not engine.store.indicators:
        return []
    rows = QAContext.of(engine).sorted_indicators  # in id order
    scores = level3_similarity(engine, rows, engine.searcher.query_vector(topic.text))
    out: list[str] = []
    for index in np.argsort(-scores, kind="stable"):
        if rows[index].level3 not in out:
            out.append(rows[index].level3)
        if len(out) == k:
            break
    return out
