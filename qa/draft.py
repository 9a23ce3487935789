"""Drafting assistant: ``draft_targets`` and the answer to a drafting question.

``drafting_answer(engine, "起草一个'枫桥式'司法所创建经费的绩效指标")`` reads the project
name (and an amount such as ``50万元`` if given) from the question, drafts the table with
:func:`qa.propose.draft_targets` and writes it as an :class:`~qa.schema.Answer`: the
comparable projects in ``projects``, the proposed rows in ``indicators`` (each citing the
document and line of the row it was drawn from) and a text a person can read.
"""

from __future__ import annotations

import re
from decimal import Decimal

from index.text import compact

from .levels import LEVEL1_ORDER
from .propose import (
    INPUT_NOTE,
    NO_SOURCE_NOTE,
    Draft,
    DraftRow,
    comparable_note,
    draft_targets,
)
from .schema import Answer, IndicatorItem, ProjectItem
from .wording import check_text

__all__ = [
    "Draft",
    "DraftRow",
    "draft_answer",
    "draft_targets",
    "draft_text",
    "drafting_answer",
    "parse_request",
]

_AMOUNT = re.compile(
    r"(?:年度资金|资金|预算|金额)?(?:为|是|约)?\s*([0-9]+(?:\.[0-9]+)?)\s*(万元|万|元)"
)
_REQUEST_WORDS = re.compile(
    r"^(?:请|帮我|麻烦)?(?:起草|草拟|拟定|编制|制定|设计|写)(?:一下|一个|一份|个|份)?"
    r"|^(?:我要|我想|想|要|请)?(?:给|为)|^新(?:增)?项目[:：]?|写$|参考一下|参考"
    r"|(?:怎么|如何|怎样)设(?:置|定)?"
    r"|的?绩效(?:指标|目标)(?:表)?|(?:指标|目标)表|应该|(?:怎么|如何|怎样)(?:写|定|设置|设定|填)"
    r"|[?？!！。]"
)
_DESCRIPTION = re.compile(r"^(?:主要)?(?:用于|包括|内容|目标|用途)")
STRUCTURE = (
    "产出指标（数量、质量、时效、成本）、效益指标（经济、社会、生态、可持续影响）、满意度指标"
)


def parse_request(question: str) -> tuple[str, str | None, Decimal | None]:
    """The project name, description and amount (万元) of a drafting question.

    Examples
    --------
    >>> parse_request("起草一个'枫桥式'司法所创建经费的绩效指标，资金50万元")
    ('枫桥式司法所创建经费', None, Decimal('50'))
    >>> parse_request("帮我写法律援助经费的绩效目标，主要用于案件补贴")
    ('法律援助经费', '主要用于案件补贴', None)
    """
    text = compact(check_text(question))
    amount = None
    match = _AMOUNT.search(text)
    if match:
        amount = Decimal(match.group(1))
        amount = amount / 10000 if match.group(2) == "元" else amount
        text = text[: match.start()] + text[match.end() :]
    head, _, rest = re.sub(r"[,;；]", "，", text).partition("，")
    description = None
    rest = _REQUEST_WORDS.sub("", rest).strip(",，;；、 ")
    if rest and _DESCRIPTION.match(rest):
        description = rest
    elif rest:
        head = f"{head}，{rest}"
    name = head.replace("'", "").replace('"', "")
    for _ in range(3):  # stripping one request word can expose another (给…写绩效指标)
        name = _REQUEST_WORDS.sub("", name).strip(",，;；、 ")
    return name or text, description, amount


def drafting_answer(engine, question: str) -> Answer:
    """Answer a drafting question (intent ``drafting``) with a proposed indicator table."""
    name, description, amount = parse_request(question)
    return draft_answer(draft_targets(engine, name, description, amount), question)


def draft_answer(draft: Draft, question: str | None = None) -> Answer:
    """A draft as an :class:`~qa.schema.Answer` (the JSON contract of drafting answers)."""
    projects = tuple(
        ProjectItem.of(c.project, match="primary", note=comparable_note(c))
        for c in draft.comparables
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
        text=draft_text(draft),
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


def draft_text(draft: Draft) -> str:
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
            lines.extend(f"  {_row_text(r)}" for r in rows)
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


def _row_text(row: DraftRow) -> str:
    head = f"{row.level2}：{row.level3} {row.value}"
    if row.derived_from_input:
        return f"{head}（{INPUT_NOTE}）"
    if row.source is None:
        return f"{head}（{row.note}）"
    where = f"{row.source.region or ''}“{row.source.project or '部门整体'}”，{row.cited}"
    return f"{head}（来源：{where}；{row.note}）"
