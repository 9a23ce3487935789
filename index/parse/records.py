"""Turn what the walker found into records (Project, IndicatorRow, Document …)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from ..numbers import MONEY_UNITS, parse_value, to_decimal
from ..schema import Document, IndicatorRow, ParseWarning, Project, TextBlock
from ..tablemodel import Row
from .indicators import ParsedIndicator
from .meta import most_common_year, pick_region, region_of
from .project import split_code
from .walker import DepartmentDraft, ProjectDraft, WalkResult

DEFAULT_UNIT = "万元"
_DETAIL_FIELDS = ("attribute", "period", "office", "contact", "detail")


def build_document(doc: str, walk: WalkResult, fmt: str, encoding: str | None) -> Document:
    """The document's region, department and year, from what its own text says."""
    project_names = [d.header.first("name")[0] for d in walk.projects if d.header.first("name")]
    department_names = [
        split_code(d.header.first("department")[0])[0]
        for d in walk.projects
        if d.header.first("department")
    ]
    regions = list(walk.regions) + [r for r in (region_of(n) for n in department_names) if r]
    departments = (
        walk.departments or [n for n in department_names if region_of(n)] or department_names
    )
    year = Counter(walk.title_years).most_common(1)[0][0] if walk.title_years else None
    if year is None:
        periods = [d.header.first("period")[0] for d in walk.projects if d.header.first("period")]
        year = most_common_year(project_names + periods)
    department = Counter(departments).most_common(1)[0][0] if departments else None
    return Document(
        doc=doc,
        region=pick_region(regions),
        department=department,
        year=year,
        table_kinds=_table_kinds(walk.titles, bool(walk.projects)),
        format=fmt,
        encoding=encoding,
    )


def _table_kinds(titles: list[str], has_projects: bool) -> tuple[str, ...]:
    kinds = []
    for title in titles:
        if "整体支出" in title:
            kind = "部门整体支出绩效目标表"
        elif "绩效目标" in title:
            kind = "项目支出绩效目标表"
        elif "预算" in title or "经费" in title:
            kind = "部门预算表"
        else:
            continue
        if kind not in kinds:
            kinds.append(kind)
    if has_projects and "项目支出绩效目标表" not in kinds:
        kinds.insert(0, "项目支出绩效目标表")
    return tuple(kinds)


def build_project(
    draft: ProjectDraft, document: Document, warnings: list[ParseWarning]
) -> Project | None:
    """A Project record from a draft, or None (with a warning) when it has no name."""
    doc = document.doc
    header = draft.header
    name = header.first("name")
    if name is None:
        warnings.append(
            ParseWarning(doc, draft.start.line, "project table without a 项目名称 value; skipped")
        )
        return None
    department, code = (
        split_code(header.first("department")[0]) if header.first("department") else (None, None)
    )
    unit_name = (
        split_code(header.first("implementing_unit")[0])[0]
        if header.first("implementing_unit")
        else None
    )
    region = region_of(department or "") or region_of(unit_name or "") or document.region
    project_id = f"{doc}#p{name[1]}"
    amount = header.annual_amount()
    unit = (amount.unit if amount else None) or header.unit_hint or draft.unit
    if amount is None:
        warnings.append(ParseWarning(doc, name[1], f"project {name[0]!r}: no annual amount found"))
    elif unit is None:
        unit = DEFAULT_UNIT
        warnings.append(
            ParseWarning(doc, amount.line, f"project {name[0]!r}: no unit printed; read as 万元")
        )
    if not draft.indicators:
        warnings.append(ParseWarning(doc, name[1], f"project {name[0]!r}: no indicator rows found"))
    project = Project(
        id=project_id,
        doc=doc,
        name=name[0],
        name_line=name[1],
        region=region,
        year=draft.year or document.year,
        department=department,
        department_code=code,
        implementing_unit=unit_name,
        attribute=_first(header, "attribute"),
        period=_first(header, "period"),
        amount_wan=amount.value * MONEY_UNITS[unit] if amount else None,
        amount_printed=amount.printed if amount else None,
        unit_printed=unit if amount else None,
        amount_line=amount.line if amount else None,
        funding=header.funding_lines(unit or DEFAULT_UNIT),
        goal="\n".join(header.texts("goal")) or None,
        goal_line=header.first("goal")[1] if header.first("goal") else None,
        details=tuple((kind, text) for kind in _DETAIL_FIELDS for text in header.texts(kind)),
        page=draft.start.page,
        sheet=draft.start.sheet,
    )
    rows = tuple(indicator_record(p, project, "project") for p in draft.indicators)
    return replace(project, indicators=rows)


def _first(header, kind: str) -> str | None:
    value = header.first(kind)
    return value[0] if value else None


def indicator_record(
    parsed: ParsedIndicator,
    project: Project | None,
    scope: str,
    doc: str = "",
    region: str | None = None,
    year: int | None = None,
) -> IndicatorRow:
    """An IndicatorRow record for one parsed row."""
    value = parse_value(parsed.value)
    return IndicatorRow(
        id=f"{project.doc if project else doc}#i{parsed.line}",
        doc=project.doc if project else doc,
        line=parsed.line,
        level1=parsed.level1,
        level2=parsed.level2,
        level3=parsed.level3,
        value=parsed.value,
        value_cell=parsed.value_cell,
        operator=parsed.operator,
        value_number=value.number,
        value_unit=value.unit,
        value_annual=parsed.value_annual,
        weight=to_decimal(parsed.weight) if parsed.weight else None,
        unit_cell=parsed.unit_cell,
        project_id=project.id if project else None,
        project=project.name if project else None,
        region=project.region if project else region,
        year=project.year if project else year,
        scope=scope,
        page=parsed.page,
        sheet=parsed.sheet,
    )


def department_indicators(
    drafts: list[DepartmentDraft], document: Document
) -> tuple[IndicatorRow, ...]:
    return tuple(
        indicator_record(p, None, "department", document.doc, document.region, document.year)
        for draft in drafts
        for p in draft.indicators
    )


def text_blocks(rows: list[Row], doc: str) -> tuple[TextBlock, ...]:
    """Group consecutive kept rows into blocks (a blank line or a gap ends a block)."""
    blocks: list[TextBlock] = []
    current: list[Row] = []
    for row in sorted(rows, key=lambda r: r.line):
        if current and row.line != current[-1].line + 1:
            blocks.append(_block(current, doc))
            current = []
        current.append(row)
    if current:
        blocks.append(_block(current, doc))
    return tuple(blocks)


def _block(rows: list[Row], doc: str) -> TextBlock:
    return TextBlock(
        id=f"{doc}#t{rows[0].line}",
        doc=doc,
        line=rows[0].line,
        line_end=rows[-1].line,
        text="\n".join(" ".join(r.filled) for r in rows),
        page=rows[0].page,
        sheet=rows[0].sheet,
    )
