"""Answer wording questions (各地是怎么写的): the matching rows, grouped, as text and records."""

from __future__ import annotations

from ..context import QAContext
from ..question import Understanding
from ..sources import Sources
from ..wording import MATCH_NAMES, WordingResult, nearest_wordings, search_wording, wording_query
from .format import NO_REGION
from .schema import Answer, IndicatorItem

SHOWN_CLUSTERS = 8


def answer_wording(ctx: QAContext, u: Understanding) -> Answer:
    """Answer a wording question (intent ``indicator_wording``) in its region and year."""
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
    return Answer(
        question=result.query,
        intent="indicator_wording",
        text=wording_text(result, nearest, sources=Sources.of(engine.store)),
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
