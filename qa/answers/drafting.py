"""Answer drafting questions: a proposed indicator table as text and records.

``answer_drafting`` reads the project name (and an amount such as ``50万元``) from the
question, drafts the table with :func:`qa.drafting.draft_targets` and writes it as an
:class:`~qa.answers.Answer`: the comparable projects in ``projects``, the proposed rows in
``indicators`` (each citing the row it was drawn from) and a text a person can read.
"""

from __future__ import annotations

from ..context import QAContext
from ..drafting import INPUT_NOTE, NO_SOURCE_NOTE, Draft, DraftRow, draft_targets, parse_request
from ..question import LEVEL1_ORDER, Understanding
from ..sources import Sources
from .schema import Answer, IndicatorItem, ProjectItem

STRUCTURE = (
    "产出指标（数量、质量、时效、成本）、效益指标（经济、社会、生态、可持续影响）、满意度指标"
)


def answer_drafting(ctx: QAContext, u: Understanding) -> Answer:
    """Answer a drafting question (intent ``drafting``) with a proposed indicator table."""
    name, description, amount = parse_request(u.question)
    draft = draft_targets(ctx.engine, name, description, amount)
    return draft_answer(draft, Sources.of(ctx.store), u.question)


def draft_answer(draft: Draft, sources: Sources, question: str | None = None) -> Answer:
    """A draft as an :class:`~qa.answers.Answer` (the JSON contract of drafting answers)."""
    projects = tuple(
        ProjectItem.of(c.project, match="primary", note=c.note) for c in draft.comparables
    )
    indicators = tuple(_indicator_item(r) for r in draft.rows)
    extra = {
        "topics": list(draft.topics),
        "comparables": [
            {
                "project": c.project.name,
                "region": c.project.region,
                "coverage": c.coverage,
                "similarity": c.similarity,
                "terms": list(c.terms),
            }
            for c in draft.comparables
        ],
    }
    return Answer(
        question=question or draft.name,
        intent="drafting",
        text=draft_text(draft, sources),
        projects=projects,
        indicators=indicators,
        found=draft.found,
        extra=extra,
    )


def _indicator_item(row: DraftRow) -> IndicatorItem:
    source = row.source
    return IndicatorItem(
        region=source.region if source else None,
        project=source.project if source else None,
        level1=row.level1,
        level2=row.level2,
        level3=row.level3,
        value=row.value,
        weight=None,
        doc=row.doc,
        line=row.line,
        project_id=source.project_id if source else None,
        cluster=row.cluster,
        note=row.note,
    )


def draft_text(draft: Draft, sources: Sources | None = None) -> str:
    """The draft as a person would write it (Chinese)."""
    if not draft.found:
        unknown = "、".join(f"“{w}”" for w in draft.unknown_terms)
        missing = f"{unknown}在已有表格中都未出现，" if unknown else ""
        return (
            f"没有找到与“{draft.name}”可比的已有项目（{missing}已有的绩效目标表里没有同类项目），"
            f"因此不提供参照指标，以免编造来源。可按项目支出绩效目标表的通用结构自行拟定：{STRUCTURE}。"
        )
    lines = [_opening(draft)]
    for level1 in LEVEL1_ORDER:
        rows = [r for r in draft.rows if r.level1 == level1]
        if rows:
            lines.append(f"{level1}：")
            lines.extend(f"  {_row_text(r, sources)}" for r in rows)
    lines.append(
        "指标值取自已有表格，请按本项目的实际任务和资金调整；"
        f"标注“{NO_SOURCE_NOTE}”的行没有可参照的来源。"
    )
    return "\n".join(lines)


def _opening(draft: Draft) -> str:
    first = draft.comparables[:3]
    names = "、".join(f"{c.project.region or ''}“{c.project.name}”" for c in first)
    more = "等" if len(draft.comparables) > len(first) else ""
    amount = ""
    if draft.amount_wan is not None:
        amount = f"（年度资金 {draft.amount_wan.normalize():f} 万元）"
    return (
        f"为“{draft.name}”{amount}起草绩效指标 {len(draft.rows)} 条，覆盖 {len(draft.kinds)} 类"
        f"二级指标，参照 {len(draft.comparables)} 个可比项目：{names}{more}。"
    )


def _row_text(row: DraftRow, sources: Sources | None) -> str:
    head = f"{row.level2}：{row.level3} {row.value}"
    if row.derived_from_input:
        return f"{head}（{INPUT_NOTE}）"
    if row.source is None:
        return f"{head}（{row.note}）"
    if sources is not None:
        where = sources.cite_record(row.source)
    else:
        where = f"{row.source.region or ''}“{row.source.project or '部门整体'}”，{row.cited}"
    return f"{head}（来源：{where}；{row.note}）"
