"""Rank every record of the index by how well it answers a question.

The records of the question's regions and years (all of them on a corpus of ordinary size;
the records of the best search hits' projects, and the documents' own records, on a large one,
found without a pass over the rest) are scored by
:func:`~qa.evidence.match.fit` plus their embedding similarity to the question.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from functools import lru_cache

import numpy as np

from index.search import Filters

from ..context import QAContext, region_matches
from ..question import Understanding
from .match import Fit, Key, fit, question_key, score_bounds
from .records import HEADLINE_KINDS, Record, RecordGroups, grouped_records

FULL_SCAN = 6000
# past this many records of the question's regions and kinds, candidates come from search hits
SCAN_LIMIT = 30_000
MONEY_BONUS = 0.5
WORDY_PENALTY = 1.0
MEASURE_PENALTY = 1.0
CHANGE_BONUS = 1.0
# a question asking how a figure changed (降了多少, 比上年多了多少), and a record saying it
_CHANGE_ASKED = re.compile(
    r"(?:[降减少增涨多升]|减少|增加|下降|增长)了?多少|比上年|比去年|同比|增减|变化"
)
_CHANGE_PRINTED = re.compile(r"增加|减少|下降|增长|上升|降低|持平|增减|压减")
_QUANTITY = re.compile(r"多少|几|多大|多长|多高|比例|百分")
_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:万元|元|%|人|个|件|次|场|户|名|天|公里|亩)")
_MONEY = re.compile(
    r"多少钱|多少万|几万|花了?多少|给了?多少|拨了?多少|安排了?多少|预算(?:是|有)?多少|"
    r"(?:资金|经费|金额|预算)(?:是|有)?多少|多少(?:资金|经费|预算)|批了?多少|"
    # 一年给多少, 一年花多少钱 — but not a count over a year (一年接待多少观众, 一年办多少件)
    r"一年.{0,3}多少(?=[钱万元块亿算呢啊呀吧]|个亿|资金|经费|预算|$|[^\u4e00-\u9fff])"
)
_OTHER_UNIT = re.compile(r"\d\s*(?:%|％|人|个|件|次|场|户|名|天|公里|亩|分钟|小时)|满意|提高|提升")
_NAME_ASKED = re.compile(r"谁|什么|啥|哪|名称|名字|类型|方式|单位")
_INDICATOR = re.compile(r"标准|单价|率|目标|指标|人数|次数|场次|上限|下限|每人|每月|每次|每件|成本")
SEARCH_HITS = 200
RANKED = 40  # the best fits a ranking keeps (an answer reads its best record's siblings there)
SIMILAR_BATCH = 512
TIGHT_BATCH = 64  # the first records bounded again at once (by the runs they print whole)
TIGHT_AFTER = 2  # × top: records fitted before the rest are bounded again (most stop sooner)
# the stored vectors are unit vectors (every encoder's output is L2-normalized), so a record's
# similarity to the question is at most 1 (and a little for float rounding)
MOST_SIMILAR = 1.0 + 1e-4
_BOUND_SLACK = 1e-6  # a bound summed in another order may round below the score it bounds
# the rankings made while one question is answered (answerers that pass and the 未找到 that
# follows rank the same records for the same key): per thread, dropped with the question
_RANKINGS: ContextVar[dict | None] = ContextVar("rankings", default=None)


@contextmanager
def one_question() -> Iterator[None]:
    """Within the block, :func:`rank` ranks the records for one understanding and key once."""
    token = _RANKINGS.set({})
    try:
        yield
    finally:
        _RANKINGS.reset(token)


def in_scope(record: Record, u: Understanding) -> bool:
    """The record is of a region and year the question names (any when it names none)."""
    if u.regions and not any(region_matches(record.region, r) for r in u.regions):
        return False
    return _in_years(record, u)


def _in_years(record: Record, u: Understanding) -> bool:
    """The record is of the named department (when one is named) and years."""
    if u.departments and record.department and not _of_departments(record, u.departments):
        return False  # 江苏高院…政府采购 is not the 检察院's
    # a document that prints no region answers only questions naming no corpus region
    if u.years and record.year and record.year not in u.years:
        return any(f"{y}年" in record.owner for y in u.years)
    return True


def _of_departments(record: Record, departments: tuple[str, ...]) -> bool:
    """The record's department or implementing unit is one of them, by either name
    (永德县明朗中学 and 临沧市永德县明朗中学 are one school)."""
    names = [n for n in (record.department, record.unit_name) if n]
    return any(n in d or d in n for n in names for d in departments)


def candidates(
    ctx: QAContext, u: Understanding, kinds: tuple[str, ...] = (), where=None
) -> list[Record]:
    """The records a question may be about: those of its regions, years and kinds (and
    ``where``); past :data:`FULL_SCAN` of them, only the records of the best search hits'
    projects and the records of no project of their documents. Past :data:`SCAN_LIMIT`
    records of its regions and kinds, those are read from the hits' owners directly, so the
    work is bounded by the hits, not by the corpus."""
    groups = grouped_records(ctx.store)
    regions = groups.regions(
        lambda region: not u.regions or any(region_matches(region, w) for w in u.regions)
    )
    if groups.count(regions, kinds) <= SCAN_LIMIT:
        records = groups.narrowed(
            groups.select(regions, kinds),
            lambda r: _in_years(r, u) and (where is None or where(r)),
        )
        if len(records) <= FULL_SCAN:
            return records
        projects, docs = _hit_owners(ctx, u)
        return groups.narrowed(records, lambda r: _owned(r, projects, docs))
    projects, docs = _hit_owners(ctx, u)
    wanted = set(regions)
    tests = [
        test
        for needed, test in (
            (bool(u.regions), lambda r: (r.region or "") in wanted),  # else every region
            (bool(kinds), lambda r: r.kind in kinds),
            (bool(u.years or u.departments), lambda r: _in_years(r, u)),
            (where is not None, where),
        )
        if needed
    ]
    owned = groups.owned(projects, docs)
    if not tests:
        return owned
    if len(tests) == 1:
        return groups.narrowed(owned, tests[0])
    return groups.narrowed(owned, lambda r: all(test(r) for test in tests))


def _hit_owners(ctx: QAContext, u: Understanding) -> tuple[set[str], set[str]]:
    """The projects and documents of the question's best :data:`SEARCH_HITS` search hits."""
    region = u.regions[0] if len(u.regions) == 1 else None
    rows = ctx.searcher.rows(u.question, k=SEARCH_HITS, filters=Filters(region=region))
    columns = ctx.store.columns
    return {p for p in columns.at("project_id", rows) if p}, set(columns.at("doc", rows))


def _owned(record: Record, projects: set[str], docs: set[str]) -> bool:
    return record.project_id in projects if record.project_id else record.doc in docs


def rank(
    ctx: QAContext,
    u: Understanding,
    kinds: tuple[str, ...] = (),
    key: Key | None = None,
    where=None,
) -> list[Fit]:
    """The :data:`RANKED` best records, best first (ties broken by id, so answers are
    repeatable); once per understanding and key within :func:`one_question` (when no
    ``where`` narrows them)."""
    key = key or question_key(u, ctx.lexicon)
    rankings = _RANKINGS.get() if where is None else None
    cached = (id(u), id(ctx), kinds, key)
    if rankings is not None and cached in rankings:
        return list(rankings[cached][1])
    found = candidates(ctx, u, kinds, where)
    fits = []
    if found:
        vector = ctx.searcher.query_vector(u.question)

        def similar(records: list[Record]) -> np.ndarray:
            return ctx.similarities(vector, [r.chunk or r.id for r in records])

        fits = best_fits(u, key, found, similar, RANKED, grouped_records(ctx.store))
    if rankings is not None:
        rankings[cached] = ((u, ctx), fits)  # held, so the ids stay theirs
    return list(fits)


def best_fits(
    u: Understanding,
    key: Key,
    records: list[Record],
    similar: Callable[[list[Record]], np.ndarray],
    top: int,
    groups: RecordGroups | None = None,
) -> list[Fit]:
    """The ``top`` best fits of the records, best first (``similar``: their dense
    similarities to the question, read for a list of them; ``groups``: of the records'
    index, whose kept facets the bound reads).

    Records are fitted in the order of a bound of their score (:func:`~.match.score_bounds`
    plus the most :func:`adjustment` can add, then plus their similarity); fitting stops when
    the next bound is below the ``top``-th score found. Similarities are read in batches of
    :data:`SIMILAR_BATCH`, in the order of the bound without them, and stop when that bound
    plus the most a similarity can be (:data:`MOST_SIMILAR`) is below the ``top``-th score.
    Once :data:`TIGHT_AFTER` × ``top`` records are fitted, the next are bounded again by the
    runs of the key and the lexicon terms they print whole before fitting
    (``score_bounds(pairs=True)``; :data:`TIGHT_BATCH` at first, twice as many each time
    after), and those that cannot reach the ``top``-th score are passed over.
    The result is the head of the ranking of every record, for the cost of fitting the few
    that can reach it.
    """
    memo: dict = {}  # the records of one project share their scope and about texts
    fits: list[Fit] = []
    best: list[float] = []  # the top scores so far, least first

    def fit_one(i: int, dense: float) -> None:
        found = fit(key, records[i], dense, memo, adjustment(u, records[i]))
        fits.append(found)
        if len(best) < top:
            heapq.heappush(best, found.score)
        elif found.score > best[0]:
            heapq.heapreplace(best, found.score)

    def reached(bound: float) -> bool:  # a bound below the top-th score found cannot enter
        return len(best) < top or bound >= best[0] - _BOUND_SLACK

    if len(records) <= 2 * top:
        for i, dense in enumerate(similar(records)):
            fit_one(i, float(dense))
    else:
        facets = groups.facets(records) if groups is not None else None
        added = most_added_each(u, records)
        unread = score_bounds(key, records, memo, facets) + added
        order = np.argsort(-unread, kind="stable")
        most = MOST_SIMILAR
        size = TIGHT_BATCH  # doubled after each: few calls for a question that fits many
        for start in range(0, len(order), SIMILAR_BATCH):
            if not reached(float(unread[order[start]]) + most):
                break
            batch = order[start : start + SIMILAR_BATCH]
            batch_records = [records[i] for i in batch]
            dense = similar(batch_records)
            if len(dense) and dense.max() > most:
                most = float("inf")  # not unit vectors: read every similarity
            bounds = unread[batch] + dense
            ordered = np.argsort(-bounds, kind="stable")
            # a few at a time, the records are bounded again by the runs of the key they
            # print whole: one that cannot reach the top is passed over without fitting it
            first = 0
            while first < len(ordered) and reached(float(bounds[ordered[first]])):
                chunk = ordered[first : first + size]
                first += len(chunk)
                if len(fits) < TIGHT_AFTER * top:  # the top may soon be settled: fit them
                    tight = None
                else:
                    size = min(2 * size, SIMILAR_BATCH)
                    chunk_records = [batch_records[at] for at in chunk]
                    facets = (
                        groups.facets(chunk_records, _positions_of(records, batch[chunk]))
                        if groups is not None
                        else None
                    )
                    tight = score_bounds(key, chunk_records, memo, facets, pairs=True)
                    tight += added[batch[chunk]]
                    tight += dense[chunk]
                for k, at in enumerate(chunk.tolist()):
                    if not reached(float(bounds[at])):
                        break
                    if tight is None or reached(float(tight[k])):
                        fit_one(int(batch[at]), float(dense[at]))
    fits.sort(key=lambda f: (-f.score, f.record.id))
    return fits[:top]


def adjusted(u: Understanding, f: Fit) -> Fit:
    """A fit scored for the form the question asks (:func:`adjustment`)."""
    score = f.score
    for change in adjustment(u, f.record):
        score += change
    return f if score == f.score else replace(f, score=score)


def most_added(u: Understanding, record: Record) -> float:
    """The most :func:`adjustment` can add to the record's fit (its bonuses, no penalty)."""
    return float(most_added_each(u, [record])[0])


def most_added_each(u: Understanding, records: list[Record]) -> np.ndarray:
    """:func:`most_added` of each record (what the question asks is read once)."""
    money, _, change = _asks(u.question)
    added = np.full(len(records), CHANGE_BONUS if change else 0.0)
    if money:
        headline = np.fromiter((r.kind in HEADLINE_KINDS for r in records), bool, len(records))
        added += np.where(headline, MONEY_BONUS, 0.0)
    return added


def adjustment(u: Understanding, record: Record) -> tuple[float, ...]:
    """What the form the question asks adds to a record's fit, in the order added: money
    questions favour the money records (and pass over figures in other units), quantity
    questions pass over descriptions."""
    out = []
    money, quantity, change = _asks(u.question)
    if money:
        if record.kind in HEADLINE_KINDS:
            out.append(MONEY_BONUS)
        elif _OTHER_UNIT.search(record.value) and "元" not in record.value:
            out.append(-MONEY_BONUS)
    if quantity and wordy(record, u.question):
        out.append(-WORDY_PENALTY)
    if not (record.value or "").strip():
        out.append(-MEASURE_PENALTY)  # prints no value (金额未列): it cannot be the answer
    if not measure_fits(u, record.value, record.unit):
        out.append(-MEASURE_PENALTY)  # 多少人 is not answered by 1374.63万元
    if change and _CHANGE_PRINTED.search(record.text):
        out.append(CHANGE_BONUS)  # 降了多少 is answered by 与上年相比减少191万元
    return tuple(out)


@lru_cache(maxsize=1024)
def _asks(question: str) -> tuple[bool, bool, bool]:
    """Whether the question asks for money, a quantity, a change (read once per question,
    not once per record ranked)."""
    return (
        money_asked(question),
        bool(_QUANTITY.search(question)),
        bool(_CHANGE_ASKED.search(question)),
    )


_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?P<unit>[^\d\s,.，。；;、)）]{0,4})")


def measure_fits(u: Understanding, value: str, unit: str | None = None) -> bool:
    """A count or size question (多少个村, 多大面积) is answered by a value that prints a
    figure in one of its units, or a bare figure not in money (``unit``: the record's own, 万元
    of a project amount); True when the question asks no measure."""
    if u.measure is None:
        return True
    if unit and not any(unit.startswith(m) for m in u.measure.units):
        return False  # 间数 answers 几间
    for match in _NUMBER.finditer(value or ""):
        unit = match.group("unit")
        if not unit or any(unit.startswith(m) for m in u.measure.units):
            return True
    return False


def wordy(record: Record, question: str = "") -> bool:
    """A description (项目概况, 年度目标 …) rather than a figure: a long form row printing no
    figure, or — when the question asks no name (谁, 什么, 哪) — a form row printing no digit
    (其他资金: 事业收入)."""
    if record.kind != "field":
        return False
    if not re.search(r"\d", record.value) and not _NAME_ASKED.search(question):
        return True
    return len(record.value) > 30 and not _FIGURE.search(record.value)


def money_asked(question: str) -> bool:
    """The question asks for money (多少钱, 预算多少, 安排了多少资金) and names no indicator."""
    return bool(_MONEY.search(question)) and not _INDICATOR.search(question)


def _positions_of(records: list[Record], picked: np.ndarray) -> np.ndarray | None:
    """Where the picked records (by their place in ``records``) are in the index's records,
    when ``records`` is a :class:`~qa.evidence.records.Selection` that knows it."""
    positions = getattr(records, "positions", None)
    return None if positions is None else positions[picked]


__all__ = [
    "adjusted",
    "adjustment",
    "best_fits",
    "candidates",
    "in_scope",
    "measure_fits",
    "money_asked",
    "one_question",
    "rank",
]
