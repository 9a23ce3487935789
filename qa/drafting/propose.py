"""Proposed indicator tables: a complete table for a new project, drawn from comparable ones.

``draft_targets(engine, "枫桥式司法所创建经费")`` finds the comparable projects (see
:mod:`qa.drafting.comparables`), groups their indicator rows into clusters of equivalent
indicators (see :mod:`qa.wording.cluster`) and proposes, for each level2 kind the comparable
projects use, the clusters that name the new project's topic (up to :data:`MAX_PER_KIND`),
or else the one closest to it in meaning among the rows of projects named after the topic or
holding rows that name it (within :data:`RELEVANCE_MARGIN`; a kind with nothing close enough
is left out). Each proposed row keeps the wording and value of an existing row and cites it
(document and line); the note gives how many rows share the wording and their range of values.

Nothing is invented: a generic 满意度 row added because no comparable project has one has no
source and says so (:data:`NO_SOURCE_NOTE`); a 成本 row built from the amount the user gave is
marked as derived from that input. With no comparable project the draft has no rows and says so.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal

from index.numbers import parse_amount
from index.schema import IndicatorRow
from index.text import compact

from ..context import QAContext
from ..question import (
    GENERIC_WORDS,
    LEVEL1_OF,
    LEVEL2_KINDS,
    SATISFACTION_KIND,
    EmptyQuestionError,
    Lexicon,
    TermGroup,
    check_text,
    group_occurs,
    level2_kind,
    occurs,
    term_groups,
    wider_variants,
)
from ..wording import (
    clean_level3,
    cluster_members,
    corpus_clusters,
    level3_similarity,
    level3_vectors,
    value_spread,
)
from .comparables import Comparable, find_comparables, is_generic, topic_query
from .errors import InvalidAmountError
from .request import draft_topics
from .topup import top_up

logger = logging.getLogger(__name__)

MAX_NAME_CHARS = 200
MAX_DESCRIPTION_CHARS = 2000
MAX_PER_KIND = 3
# Measured on the seed drafts: rows that do not name the topic but belong in the table score
# within 0.08 of the closest row that does; unrelated rows of multi-purpose projects fall below.
RELEVANCE_MARGIN = 0.08
NEAR_DUPLICATE = 0.97
NO_SOURCE_NOTE = "未见于已有表格，需自行确定"
INPUT_NOTE = "依据用户输入的年度资金测算，非已有表格"
NEIGHBOUR_NOTE = "取自相近项目（可比项目没有这类指标），请核对是否适用"
_NAME_NOISE = re.compile(
    r"\(第[一二三四五六七八九十0-9]+批\)|20[0-9]{2}年?度?|[0-9.]+万?元|[()（）、,，\"“”]"
)
GENERIC_SATISFACTION = ("服务对象满意度", "≥90%")
NAME_HINT = "请写出项目名称，例如“枫桥式司法所创建经费”"


@dataclass(frozen=True)
class DraftRow:
    """One proposed indicator row and the existing row it was drawn from.

    ``source`` is None only for a row no comparable project has (see ``note``) or one
    derived from the user's input (``derived_from_input``).
    """

    level1: str
    level2: str
    level3: str
    value: str
    source: IndicatorRow | None
    note: str = ""
    observed: tuple[IndicatorRow, ...] = ()
    derived_from_input: bool = False
    cluster: int | None = None

    @property
    def doc(self) -> str | None:
        return self.source.doc if self.source else None

    @property
    def line(self) -> int | None:
        return self.source.line if self.source else None

    @property
    def cited(self) -> str:
        """``doc:line`` of the source row, or an empty string."""
        return f"{self.source.doc}:{self.source.line}" if self.source else ""


@dataclass(frozen=True)
class Draft:
    """A proposed performance-target table for a new project."""

    name: str
    description: str | None
    amount_wan: Decimal | None
    topics: tuple[str, ...]
    comparables: tuple[Comparable, ...]
    rows: tuple[DraftRow, ...]
    unknown_terms: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return bool(self.comparables)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.level2 for r in self.rows))


def draft_targets(
    engine, name: str, description: str | None = None, amount_wan: Decimal | None = None
) -> Draft:
    """Propose an indicator table for a new project from comparable existing projects.

    Parameters
    ----------
    engine : qa.engine.Engine
    name : str
        The new project's name or topic (``枫桥式司法所创建经费``; several topics may be
        listed: ``抚恤金、职工医保这类人员保障性支出``).
    description : str, optional
        What the money is for (helps rank comparable projects).
    amount_wan : Decimal, optional
        The annual amount in 万元; adds a 成本 row marked as derived from this input.

    Returns
    -------
    Draft
        No rows (and ``found`` False) when no existing project is comparable.

    Raises
    ------
    EmptyQuestionError
        The name is empty or names nothing.
    InputTooLongError
        The name or description is too long.
    InvalidAmountError
        The amount is negative or not a number.
    """
    name = check_text(name, "项目名称", MAX_NAME_CHARS, NAME_HINT)
    description = (
        check_text(description, "项目说明", MAX_DESCRIPTION_CHARS)
        if (description and description.strip())
        else None
    )
    amount_wan = check_amount(amount_wan)
    ctx = QAContext.of(engine)
    topics, context = draft_topics(name, ctx.lexicon, ctx.regions)
    if not topics:
        raise EmptyQuestionError(f"“{name}”里没有项目名称：请写出项目，例如“枫桥式司法所创建经费”")
    context = "、".join(x for x in (context, description) if x)
    comparables = tuple(find_comparables(engine, topics, context or None))
    rows = _propose(ctx, comparables, topics, context or None) if comparables else []
    if comparables:
        taken = [r.source for r in rows if r.source is not None]
        extra, neighbours = top_up(
            ctx, topics, context or None, comparables, taken, _row_maker(engine)
        )
        rows.extend(extra)
        comparables = (*comparables, *neighbours)
    if comparables and not any(r.level2 == SATISFACTION_KIND for r in rows):
        rows.append(generic_satisfaction_row())
    if comparables and amount_wan:  # no amount, or 0: no 成本 row (never "≤0万元")
        rows.append(_amount_row(amount_wan))
    rows.sort(key=lambda r: LEVEL2_KINDS.index(r.level2))
    unknown = _unknown_terms(ctx, topics) if not comparables else ()
    logger.debug("draft %r: %d comparables, %d rows", name, len(comparables), len(rows))
    return Draft(name, description, amount_wan, tuple(topics), comparables, tuple(rows), unknown)


MAX_AMOUNT_WAN = Decimal(100_000_000)  # 1 万亿元: more than any one project
AMOUNT_PLACES = 6  # 万元 to the 分


def _shown(value) -> str:
    """A bad amount as the message names it (a number too long to print is described)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
        return f"（约 {int(value.bit_length() * 0.30103) + 1} 位的整数）"  # str() may refuse it
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}…"


def check_amount(amount_wan) -> Decimal | None:
    """The amount in 万元 as a Decimal (None when not given).

    A number is 万元; a printed amount with its unit (``30万元``, ``300,000元``) is converted.
    Refuses what is not a number (text that reads as none, a list, true or false), negatives
    (-0 too), amounts over :data:`MAX_AMOUNT_WAN` and more than :data:`AMOUNT_PLACES` decimal
    places, naming the value and what to write instead.

    >>> check_amount("300,000元"), check_amount(" "), check_amount(30)
    (Decimal('30.0000'), None, Decimal('30'))
    """
    if amount_wan is None or (isinstance(amount_wan, str) and not amount_wan.strip()):
        return None
    shown = _shown(amount_wan)
    if isinstance(amount_wan, bool) or not isinstance(amount_wan, str | int | float | Decimal):
        raise InvalidAmountError(f"年度资金 {shown} 不是数字：请写万元数，例如 50，或不填")
    if isinstance(amount_wan, int) and abs(amount_wan) > MAX_AMOUNT_WAN:
        raise InvalidAmountError(
            f"年度资金 {shown} 超过上限 1 亿万元（1 万亿元）：请检查单位，写万元数，例如 50"
        )
    text = str(amount_wan).strip()
    printed = parse_amount(text) if isinstance(amount_wan, str) else None
    try:
        amount = printed.in_wan() if printed else Decimal(text.replace(",", ""))
    except ArithmeticError as exc:
        raise InvalidAmountError(f"年度资金 {shown} 不是数字：请写万元数，例如 50") from exc
    if not amount.is_finite() or amount.is_signed():
        raise InvalidAmountError(f"年度资金 {shown} 无效：请写不小于 0 的万元数，例如 50")
    if amount > MAX_AMOUNT_WAN:
        raise InvalidAmountError(
            f"年度资金 {shown} 超过上限 1 亿万元（1 万亿元）：请检查单位，写万元数，例如 50"
        )
    if -amount.normalize().as_tuple().exponent > AMOUNT_PLACES:
        raise InvalidAmountError(
            f"年度资金 {shown} 小数位过多：万元数最多 {AMOUNT_PLACES} 位小数（到分），例如 18.47"
        )
    return amount


@dataclass
class _Candidate:
    """The rows of one cluster within one topic's comparable projects.

    ``tier`` is 0 when a row names the topic, 1 when a row comes from a project named after
    the topic, 2 otherwise.
    """

    cluster: int
    kind: str
    rows: list[IndicatorRow]
    tier: int
    similarity: float
    best_project: int


def _propose(
    ctx: QAContext, comparables: tuple[Comparable, ...], topics: list[str], context: str | None
) -> list[DraftRow]:
    engine, lexicon = ctx.engine, ctx.lexicon
    clusters_of = corpus_clusters(engine)
    rank = {c.project.id: i for i, c in enumerate(comparables)}
    chosen: dict[int, _Candidate] = {}
    for topic in topics:
        projects = [c.project for c in comparables if topic in c.topics]
        pool = [
            r
            for p in projects
            for r in p.indicators
            if r.level3.strip() and level2_kind(r.level1, r.level2)
        ]
        if not pool:
            continue
        query = ctx.searcher.query_vector(topic_query(topic, context))
        similarity = level3_similarity(engine, pool, query)
        groups = [g for g in term_groups(topic, lexicon) if not is_generic(g.label)]
        named = {p.id for p in projects if _named_after(p.name, groups, lexicon)}
        tiers = [
            0 if _names_topic(r.level3, groups, lexicon) else 1 if r.project_id in named else 2
            for r in pool
        ]
        candidates = _candidates(pool, similarity, tiers, clusters_of, rank)
        topical = _topical_projects(pool, tiers, comparables, topic, groups, lexicon)
        for candidate in _select(candidates, tiers, topical):
            chosen.setdefault(candidate.cluster, candidate)
    selected = _drop_near_duplicates(engine, list(chosen.values()))
    members = cluster_members(engine)
    return [_row(c, members.get(c.cluster, c.rows), rank) for c in selected]


def _candidates(pool, similarity, tiers, clusters_of, rank) -> list[_Candidate]:
    by_cluster: dict[int, _Candidate] = {}
    for row, score, tier in zip(pool, similarity, tiers, strict=True):
        number = clusters_of.get(row.id, 0)
        item = by_cluster.get(number)
        if item is None:
            kind = level2_kind(row.level1, row.level2)
            item = by_cluster[number] = _Candidate(number, kind, [], tier, -1.0, len(rank))
        item.rows.append(row)
        item.tier = min(item.tier, tier)
        item.similarity = max(item.similarity, float(score))
        item.best_project = min(item.best_project, rank.get(row.project_id, len(rank)))
    return sorted(
        by_cluster.values(),
        key=lambda c: (c.tier, -round(c.similarity, 4), c.best_project, c.cluster),
    )


def _names_topic(text: str, groups: list[TermGroup], lexicon: Lexicon) -> bool:
    """True when the text holds one of the topic's (non-generic) terms or their wider concept."""
    for group in groups:
        if group_occurs(text, group, lexicon.tokenizer):
            return True
        if any(occurs(text, v, lexicon.tokenizer) for v in wider_variants(group, lexicon)):
            return True
    return False


def _named_after(name: str, groups: list[TermGroup], lexicon: Lexicon) -> bool:
    """True when the topic's terms cover at least half of a project name (generic words aside)."""
    key = _NAME_NOISE.sub("", compact(name).lower())
    for word in sorted(GENERIC_WORDS, key=len, reverse=True):
        key = key.replace(word, "")
    if not key:
        return False
    covered = [False] * len(key)
    for group in groups:
        for variant in (*group.variants, *wider_variants(group, lexicon)):
            start = key.find(variant)
            while start != -1:
                covered[start : start + len(variant)] = [True] * len(variant)
                start = key.find(variant, start + 1)
    return sum(covered) * 2 >= len(key)


def _topical_projects(
    pool: list[IndicatorRow],
    tiers: list[int],
    comparables: tuple[Comparable, ...],
    topic: str,
    groups: list[TermGroup],
    lexicon: Lexicon,
) -> set[str]:
    """The comparable projects whose rows may stand for the topic.

    Those with a row naming the topic; when no row names it (公共法律服务体系建设 is named
    in the goals of the projects it is comparable to, never in a row), those whose name,
    goal or overview does.
    """
    topical = {r.project_id for r, t in zip(pool, tiers, strict=True) if t == 0}
    if topical:
        return topical
    return {
        c.project.id
        for c in comparables
        if topic in c.topics
        and any(_names_topic(text, groups, lexicon) for text in _described(c.project))
    }


def _described(project) -> list[str]:
    """What a project says of itself: its name, goal and overview."""
    texts = [project.name, project.goal or ""]
    texts.extend(text for kind, text in project.details if kind == "detail")
    return [compact(t) for t in texts if t]


def _select(candidates: list[_Candidate], tiers: list[int], topical: set[str]) -> list:
    """Per kind: the clusters naming the topic (at most MAX_PER_KIND), else the closest one.

    A cluster that does not name the topic must come from a project named after the topic,
    or from a ``topical`` project (see :func:`_topical_projects`) and be within
    RELEVANCE_MARGIN of the closest row naming the topic (of the closest row, when none does).
    """
    best = max((c.similarity for c in candidates if c.tier == 0), default=None)
    floor = (best if best is not None else max(c.similarity for c in candidates)) - RELEVANCE_MARGIN
    out = []
    for kind in LEVEL2_KINDS:
        of_kind = [c for c in candidates if c.kind == kind]
        naming = [c for c in of_kind if c.tier == 0][:MAX_PER_KIND]
        others = [
            c
            for c in of_kind
            if c.tier == 1
            or (c.similarity >= floor and any(r.project_id in topical for r in c.rows))
        ]
        out.extend(naming or others[:1])
    return out


def _drop_near_duplicates(engine, selected: list[_Candidate]) -> list[_Candidate]:
    """Keep one of two rows of a kind whose wordings are nearly identical (≥ NEAR_DUPLICATE)."""
    if not selected:
        return []
    heads = [c.rows[0] for c in selected]
    vectors = level3_vectors(engine, heads)
    keep: list[int] = []
    for i, candidate in enumerate(selected):
        twins = [
            j
            for j in keep
            if selected[j].kind == candidate.kind
            and float(vectors[i] @ vectors[j]) >= NEAR_DUPLICATE
        ]
        if not twins:
            keep.append(i)
    return [selected[i] for i in keep]


def _row(candidate: _Candidate, observed: list[IndicatorRow], rank: dict[str, int]) -> DraftRow:
    counts = Counter(clean_level3(r.level3) for r in candidate.rows)
    source = min(
        candidate.rows,
        key=lambda r: (
            -counts[clean_level3(r.level3)],
            rank.get(r.project_id, len(rank)),
            len(r.level3),
            r.id,
        ),
    )
    spread = value_spread(observed)
    regions = "、".join(dict.fromkeys(r.region or "" for r in observed if r.region))
    # tables that print no region (a county's own unsigned tables) are said to be so, not "（）"
    note = f"已有 {len(observed)} 处同类指标（{regions or '均未注明地区'}），目标值 {spread.text}"
    return DraftRow(
        level1=LEVEL1_OF[candidate.kind],
        level2=candidate.kind,
        level3=source.level3,
        value=source.value,
        source=source,
        note=note,
        observed=tuple(observed),
        cluster=candidate.cluster,
    )


def _row_maker(engine):
    """A function turning one existing row into a draft row (for :func:`top_up`)."""
    clusters_of = corpus_clusters(engine)

    def make(row: IndicatorRow, kind: str, rank: dict[str, int], neighbour: bool) -> DraftRow:
        number = clusters_of.get(row.id, 0)
        candidate = _Candidate(number, kind, [row], 1, 0.0, rank.get(row.project_id, len(rank)))
        drafted = _row(candidate, cluster_members(engine).get(number, [row]), rank)
        if neighbour:
            drafted = replace(drafted, note=f"{NEIGHBOUR_NOTE}；{drafted.note}")
        return drafted

    return make


def generic_satisfaction_row() -> DraftRow:
    level3, value = GENERIC_SATISFACTION
    return DraftRow(
        LEVEL1_OF[SATISFACTION_KIND], SATISFACTION_KIND, level3, value, None, note=NO_SOURCE_NOTE
    )


def _amount_row(amount_wan: Decimal) -> DraftRow:
    printed = f"≤{amount_wan.normalize():f}万元"
    return DraftRow(
        LEVEL1_OF["成本指标"],
        "成本指标",
        "项目年度资金总额",
        printed,
        None,
        note=INPUT_NOTE,
        derived_from_input=True,
    )


def _unknown_terms(ctx: QAContext, topics: list[str]) -> tuple[str, ...]:
    """The topic words no indicator row, project name or goal of the index uses."""
    lexicon = ctx.lexicon
    texts = [p.name + (p.goal or "") for p in ctx.sorted_projects]
    texts.extend(r.level3 for r in ctx.sorted_indicators)
    unknown = []
    for topic in topics:
        for group in term_groups(topic, lexicon):
            if not is_generic(group.label) and not any(
                group_occurs(t, group, lexicon.tokenizer) for t in texts
            ):
                unknown.append(group.label)
    return tuple(dict.fromkeys(unknown))
