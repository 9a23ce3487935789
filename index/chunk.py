"""Records → chunks: one per project, indicator row, department fact and text block.

Each chunk's text stands on its own (it names its region and project), so a hit
is understandable without its neighbours. The chunk id is the record id.
"""

from __future__ import annotations

from dataclasses import dataclass

from .schema import (
    DepartmentFact,
    DepartmentPlan,
    FormField,
    IndicatorRow,
    ParsedDocument,
    Project,
    TextBlock,
)

KINDS = ("project", "indicator", "department", "field", "plan", "text")
_TEXT_WINDOW = 300
_GOAL_LIMIT = 400


@dataclass(frozen=True, slots=True)
class Chunk:
    """A unit of retrieval: the text that is embedded and indexed, and its source."""

    id: str
    kind: str
    doc: str
    line: int
    text: str
    region: str | None = None
    year: int | None = None
    project_id: str | None = None
    project: str | None = None
    level1: str | None = None
    level2: str | None = None
    page: int | None = None
    sheet: str | None = None


def _amount(project: Project) -> str:
    if project.amount_wan is None:
        return ""
    return f"年度资金{project.amount_wan.normalize():f}万元。"


def project_chunk(project: Project) -> Chunk:
    goal = (project.goal or "")[:_GOAL_LIMIT]
    overview = " ".join(text for kind, text in project.details if kind == "detail")[:_GOAL_LIMIT]
    text = (
        f"{project.region or ''} {project.year or ''}年 {project.department or ''} "
        f"项目：{project.name}。{_amount(project)}{goal} {overview}"
    ).strip()
    return Chunk(
        id=project.id,
        kind="project",
        doc=project.doc,
        line=project.name_line,
        text=text,
        region=project.region,
        year=project.year,
        project_id=project.id,
        project=project.name,
        page=project.page,
        sheet=project.sheet,
    )


def indicator_chunk(row: IndicatorRow, department: str | None = None) -> Chunk:
    owner = row.project or f"{department or ''}部门整体支出"
    levels = "/".join(x for x in (row.level1, row.level2) if x)
    text = f"{row.region or ''} {owner}：{row.level3}（{levels}）{row.value}"
    return Chunk(
        id=row.id,
        kind="indicator",
        doc=row.doc,
        line=row.line,
        text=text,
        region=row.region,
        year=row.year,
        project_id=row.project_id,
        project=row.project,
        level1=row.level1,
        level2=row.level2,
        page=row.page,
        sheet=row.sheet,
    )


def _unit_after(fact: DepartmentFact) -> str:
    return "" if fact.value_printed.endswith(fact.unit or "~") else fact.unit or ""


def fact_chunk(fact: DepartmentFact) -> Chunk:
    column = f" {fact.column}" if fact.column and fact.column != fact.label else ""
    text = (
        f"{fact.region or ''} {fact.year or ''}年 {fact.department or ''} {fact.table or ''}："
        f"{fact.label}{column} {fact.value_printed}{_unit_after(fact)}"
    )
    return Chunk(
        id=fact.id,
        kind="department",
        doc=fact.doc,
        line=fact.line,
        text=text.strip(),
        region=fact.region,
        year=fact.year,
        page=fact.page,
        sheet=fact.sheet,
    )


def field_chunk(field: FormField, department: str | None = None) -> Chunk:
    """A form row (联系电话, 项目类型 …) named by its project or table."""
    owner = field.project or field.table or department or ""
    text = f"{field.region or ''} {field.year or ''}年 {owner}：{field.label} {field.value}"
    return Chunk(
        id=field.id,
        kind="field",
        doc=field.doc,
        line=field.line,
        text=text.strip(),
        region=field.region,
        year=field.year,
        project_id=field.project_id,
        project=field.project,
        page=field.page,
        sheet=field.sheet,
    )


def plan_chunk(plan: DepartmentPlan) -> Chunk:
    """A department-wide table: its money, goal and tasks."""
    amount = f"预算{plan.amount_wan.normalize():f}万元。" if plan.amount_wan is not None else ""
    tasks = "；".join(t.name for t in plan.tasks)
    text = (
        f"{plan.region or ''} {plan.year or ''}年 {plan.name} 部门整体支出绩效目标：{amount}"
        f"{(plan.goal or '')[:_GOAL_LIMIT]} {tasks}"
    )
    return Chunk(
        id=plan.id,
        kind="plan",
        doc=plan.doc,
        line=plan.line,
        text=text.strip(),
        region=plan.region,
        year=plan.year,
        page=plan.page,
        sheet=plan.sheet,
    )


def text_chunks(block: TextBlock, region: str | None, year: int | None) -> list[Chunk]:
    """A text block, cut into windows of about 300 characters."""
    chunks = []
    text = block.text
    for number, start in enumerate(range(0, max(len(text), 1), _TEXT_WINDOW)):
        piece = text[start : start + _TEXT_WINDOW]
        if not piece.strip():
            continue
        chunks.append(
            Chunk(
                id=f"{block.id}.{number}",
                kind="text",
                doc=block.doc,
                line=block.line,
                text=f"{region or ''} {piece}".strip(),
                region=region,
                year=year,
                page=block.page,
                sheet=block.sheet,
            )
        )
    return chunks


def chunks_for(parsed: ParsedDocument) -> list[Chunk]:
    """Every chunk of one parsed document, in document order within each kind."""
    document = parsed.document
    chunks: list[Chunk] = []
    for project in parsed.projects:
        chunks.append(project_chunk(project))
        chunks.extend(indicator_chunk(row) for row in project.indicators)
    chunks.extend(plan_chunk(plan) for plan in parsed.plans)
    chunks.extend(indicator_chunk(row, document.department) for row in parsed.department_indicators)
    chunks.extend(fact_chunk(fact) for fact in parsed.facts)
    chunks.extend(field_chunk(field, document.department) for field in parsed.all_form_fields)
    for block in parsed.text_blocks:
        chunks.extend(text_chunks(block, document.region, document.year))
    return chunks
