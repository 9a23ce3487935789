"""Answer wording questions (各地是怎么写的): the matching rows, grouped, as text and records."""

from __future__ import annotations

import re

from index.text import compact, in_order

from ..context import QAContext
from ..question import Understanding
from ..question.errors import EmptyQuestionError
from ..question.lists import asks_where_used, used_indicator
from ..sources import Sources
from ..wording import MATCH_NAMES, WordingResult, nearest_wordings, search_wording, wording_query
from .format import NO_REGION
from .schema import Answer, IndicatorItem

SHOWN_CLUSTERS = 8
SHOWN_TABLES = 12
SHOWN_NEAR = 6
WHERE_USED_ROWS = 400  # rows read for a where-used question (its tables, not its wordings)
# a row's numbering (指标1学生满意度, 1、, （二）) is not part of its name
_NUMBERING = re.compile(
    r"^(?:指标)?[0-9一二三四五六七八九十]+[、.．:：)）]?|^[(（][0-9一二三四五六七八九十]+[)）]"
)
_BRACKETED = re.compile(r"[(（][^()（）]*[)）]")
# 资金执行率、支付率、支出率; 项目总成本或者控制在预算内 (not the 及 of 及时率, the 与 of 参与率)
_ALTERNATIVES = re.compile(r"、|，|,|或者|或是|以及")


def answer_wording(ctx: QAContext, u: Understanding) -> Answer:
    """Answer a wording question (intent ``indicator_wording``) in its region and year; one
    that asks where a named indicator is used (哪些项目把X列成了指标) lists its tables."""
    named = used_indicator(u.question) if asks_where_used(u.question) else None
    if named is not None:
        answer = answer_where_used(ctx, u, named)
        if answer is not None:
            return answer
    result = search_wording(ctx, wording_query(u, u.region, u.year))
    return wording_answer(ctx.engine, result)


def wording_answer(engine, result: WordingResult) -> Answer:
    """A wording result as an :class:`~qa.answers.Answer` (rows ranked core first)."""
    indicators = tuple(
        IndicatorItem.of(w.row, match=w.match, cluster=w.cluster) for w in result.rows
    )
    clusters = [
        {
            "cluster": c.number,
            "representative": c.representative,
            "rows": len(c.rows),
            "wordings": list(c.wordings),
            "values": c.spread.text,
            "low": c.spread.low,
            "high": c.spread.high,
        }
        for c in result.clusters
    ]
    nearest = () if result.found else tuple(nearest_wordings(engine, result.topic))
    text = wording_text(result, nearest, sources=Sources.of(engine.store))
    return Answer(
        question=result.query,
        intent="indicator_wording",
        text=text,
        indicators=indicators,
        found=result.found,
        nearest=nearest,
        extra={"clusters": clusters, "unmatched_terms": list(result.unmatched)},
    )


def wording_text(
    result: WordingResult,
    nearest: tuple[str, ...] = (),
    shown: int = SHOWN_CLUSTERS,
    sources: Sources | None = None,
) -> str:
    """The wording result as a person would write it (Chinese): the count of rows and
    wordings first, then each group of wordings with the source of its first row."""
    subject = result.subject or result.topic.text or "、".join(result.topic.kinds) or result.query
    year = f"{result.topic.year}年" if result.topic.year else ""
    where = f"{result.topic.region or ''}{year}"
    unknown = "、".join(f"“{w}”" for w in result.unmatched)
    if not result.found:
        reason = f"{unknown}在已有表格中没有出现。" if unknown else ""
        near = f"最接近的写法：{'、'.join(nearest)}。" if nearest else ""
        place = f"在{where}" if where else ""
        return f"{place}没有找到与“{subject}”相关的指标写法。{reason}{near}"
    core = len(result.core)
    ignored = f"（{unknown}在已有表格中没有出现，已忽略）" if unknown else ""
    lines = [
        f"{where}与“{subject}”相关的指标{ignored}共 {len(result.rows)} 行（核心 {core} 行，"
        f"相关 {len(result.rows) - core} 行），归为 {len(result.clusters)} 组写法："
    ]
    for number, cluster in enumerate(result.clusters[:shown], start=1):
        kinds = "、".join(dict.fromkeys(MATCH_NAMES[w.match] for w in cluster.rows))
        others = [w for w in cluster.wordings if w != cluster.representative]
        variants = f"；其他写法：{'、'.join(others)}" if others else ""
        where = f"；见{sources.cite_record(cluster.rows[0].row)}" if sources else ""
        lines.append(
            f"{number}. {cluster.representative}（{len(cluster.rows)} 行，"
            f"{'、'.join(r or NO_REGION for r in cluster.regions)}；"
            f"目标值 {cluster.spread.text}{variants}{where}）[{kinds}]"
        )
    if len(result.clusters) > shown:
        lines.append(f"另有 {len(result.clusters) - shown} 组写法见明细。")
    if result.truncated:
        lines.append("行数较多，只列出前面的部分。")
    return "\n".join(lines)


def answer_where_used(ctx: QAContext, u: Understanding, named: str) -> Answer | None:
    """The tables that list a named indicator (哪几张表把政策知晓率列成了指标), table by table.

    Each indicator named (资金执行率、支付率、支出率: each of a list) is looked for on its
    own: the rows named exactly so (numbering and a bracketed aside aside: 指标1学生满意度,
    项目(工程)验收合格率), else those that print it within a longer name or apart; the rest
    are said as near wordings. 未找到 when no row prints a named indicator and some of its
    words are printed nowhere; None (the wording answer) when its words are printed, only
    not together, or when the name holds no indicator words to look for."""
    try:
        query = wording_query(ctx.understand(named), u.region, u.year)
    except EmptyQuestionError:
        return None
    result = search_wording(ctx, query, limit=WHERE_USED_ROWS)
    tables: dict[tuple, list] = {}
    near: dict[tuple, list] = {}
    exact = True
    alternatives = alternatives_of(named)
    for alternative in alternatives:
        tiers: dict[int, list] = {}
        for w in result.rows:
            tier = named_as(alternative, w.row.level3)
            if tier:
                tiers.setdefault(tier, []).append(w)
        if not tiers:
            continue
        best = max(tiers)
        exact = exact and best == EXACT
        for tier, rows in tiers.items():
            for w in rows:
                (tables if tier == best else near).setdefault(_table_key(w.row), []).append(w)
    if not tables:
        return _not_used(ctx, u, named, result) if result.unmatched or not result.found else None
    near = {key: rows for key, rows in near.items() if key not in tables}
    sources = Sources.of(ctx.engine.store)
    places = "、".join(dict.fromkeys(key[0] or NO_REGION for key in tables))
    if exact or len(alternatives) > 1:
        lines = [f"列有“{named}”这类指标的表共 {len(tables)} 张（{places}）："]
    else:
        lines = [f"没有表的指标名正好是“{named}”；写法相近的表共 {len(tables)} 张（{places}）："]
    for number, rows in enumerate(list(tables.values())[:SHOWN_TABLES], 1):
        printed = "；".join(dict.fromkeys(f"{w.row.level3} {w.row.value}".strip() for w in rows))
        lines.append(
            f"{number}. {_table(rows[0].row, sources)}：{printed}"
            f"（见{sources.cite_record(rows[0].row)}）"
        )
    if len(tables) > SHOWN_TABLES:
        lines.append(f"另有 {len(tables) - SHOWN_TABLES} 张表见明细。")
    if near:
        shown = "；".join(
            f"{_table(rows[0].row, sources)}（{rows[0].row.level3}）"
            for rows in list(near.values())[:SHOWN_NEAR]
        )
        more = f"等 {len(near)} 张" if len(near) > SHOWN_NEAR else ""
        lines.append(f"写法相近的还有：{shown}{more}。")
    listed = [(w, "core") for rows in tables.values() for w in rows]
    listed += [(w, "related") for rows in near.values() for w in rows]
    return Answer(
        question=u.question,
        intent="indicator_wording",
        text="\n".join(lines),
        indicators=tuple(IndicatorItem.of(w.row, match=m, cluster=w.cluster) for w, m in listed),
        extra={"named": named, "tables": len(tables), "near_tables": len(near)},
    )


def alternatives_of(named: str) -> list[str]:
    """The indicators a where-used question names, one per list mark (资金执行率、支付率 →
    two; 资金拨付及时率 and 群众参与率 are one each)."""
    alternatives = [a.strip("“”\"'‘’「」 ") for a in _ALTERNATIVES.split(named)]
    return [a for a in alternatives if len(a) >= 2]


def _not_used(ctx: QAContext, u: Understanding, named: str, result: WordingResult) -> Answer:
    """未找到: no table lists the named indicator, with the nearest wordings."""
    nearest = tuple(nearest_wordings(ctx.engine, result.topic))
    near = f"最接近的写法：{'、'.join(nearest)}。" if nearest else ""
    return Answer(
        question=u.question,
        intent="indicator_wording",
        text=f"未找到：没有表列有“{named}”这个指标。{near}",
        found=False,
        nearest=nearest,
    )


def _table_key(row) -> tuple:
    return (row.region, row.project, row.doc)


def _table(row, sources: Sources) -> str:
    """A row's table as a reader names it: its region and project, or, for a table of no
    project (部门整体支出绩效目标表), its title."""
    if row.project:
        return f"{row.region or NO_REGION}“{row.project}”"
    title = sources.label(row.doc, row.line).split(" · ")[-1]
    return f"{row.region or NO_REGION}{title or row.doc}"


EXACT, WITHIN, APART = 3, 2, 1


def named_as(named: str, level3: str) -> int:
    """How a row's name prints a named indicator: :data:`EXACT` (the same name, its numbering
    and a bracketed aside left out: 指标1学生满意度, 项目(工程)验收合格率), :data:`WITHIN`
    (within a longer name: 人民群众满意度), :data:`APART` (its characters in order:
    人民群众对法治宣传工作满意度), else 0."""
    want, name = compact(named), _NUMBERING.sub("", compact(level3))
    if want in (name, _BRACKETED.sub("", name), re.sub(r"[()（）]", "", name)):
        return EXACT
    if want in name or want in _BRACKETED.sub("", name):
        return WITHIN
    return APART if in_order(want, name) else 0
