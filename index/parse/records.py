"""Turn what the walker found into records (Project, IndicatorRow, Document …)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from ..numbers import MONEY_UNITS, parse_amount, parse_value, to_decimal
from ..regions import gazetteer
from ..schema import (
    DepartmentPlan,
    Document,
    FormField,
    IndicatorRow,
    ParseWarning,
    Project,
    TextBlock,
)
from ..tablemodel import Row
from .indicators import ParsedIndicator
from .meta import government_level, most_common_year, pick_region, region_of
from .naming import goal_from_context, name_from_context
from .project import PrintedPair, split_code
from .walker import PlanDraft, ProjectDraft, WalkResult

DEFAULT_UNIT = "万元"
_DETAIL_FIELDS = ("attribute", "period", "office", "contact", "phone", "detail", "parent")


def build_document(doc: str, walk: WalkResult, fmt: str, encoding: str | None) -> Document:
    """The document's region, department and year, from what its own text says."""
    project_names = [d.header.first("name")[0] for d in walk.projects if d.header.first("name")]
    department_names = [
        split_code(d.header.first("department")[0])[0]
        for d in walk.projects
        if d.header.first("department")
    ]
    unit_names = [
        split_code(d.header.first("implementing_unit")[0])[0]
        for d in walk.projects
        if d.header.first("implementing_unit")
    ]
    regions = list(walk.regions) + [
        r for r in (region_of(n) for n in department_names + unit_names) if r
    ]
    departments = (
        walk.departments or [n for n in department_names if region_of(n)] or department_names
    )
    year = Counter(walk.title_years).most_common(1)[0][0] if walk.title_years else None
    if year is None:
        periods = [d.header.first("period")[0] for d in walk.projects if d.header.first("period")]
        year = most_common_year(project_names + periods + [r.text for r in walk.prose[:5]])
    if year is None:
        year = most_common_year([r.text for r in walk.prose])
    department = Counter(departments).most_common(1)[0][0] if departments else None
    region = pick_region(regions) or _region_in_text(walk)
    region = gazetteer().canonical(region)
    return Document(
        doc=doc,
        region=region,
        department=department,
        year=year,
        table_kinds=_table_kinds(walk.titles, bool(walk.projects)),
        format=fmt,
        encoding=encoding,
        level=government_level(region),
    )


def _region_in_text(walk: WalkResult) -> str | None:
    """The county-level region the document's text names most often (prose-only reposts)."""
    counts: Counter[str] = Counter()
    for row in walk.prose + walk.text_rows:
        for _, _, region in gazetteer().find(row.text):
            if region.rank == 2:
                counts[region.name] += 1
    return counts.most_common(1)[0][0] if counts else None


def _table_kinds(titles: list[str], has_projects: bool) -> tuple[str, ...]:
    kinds = []
    for title in titles:
        if "整体" in title:
            kind = "部门整体支出绩效目标表"
        elif "自评" in title:
            kind = "项目支出绩效自评表"
        elif "绩效" in title:
            kind = "项目支出绩效目标表"
        elif "预算" in title or "经费" in title:
            kind = "部门预算表"
        else:
            continue
        if kind not in kinds:
            kinds.append(kind)
    if has_projects and not {"项目支出绩效目标表", "项目支出绩效自评表"} & set(kinds):
        kinds.insert(0, "项目支出绩效目标表")
    return tuple(kinds)


def build_project(
    draft: ProjectDraft, document: Document, walk: WalkResult, warnings: list[ParseWarning]
) -> Project | None:
    """A Project record from a draft, or None (with a warning) when it has no name at all."""
    doc = document.doc
    header = draft.header
    name = _name(draft, walk)
    if name is None:
        warnings.append(ParseWarning(doc, draft.start.line, "项目表没有项目名称，已跳过"))
        return None
    department, code = (
        split_code(header.first("department")[0]) if header.first("department") else (None, None)
    )
    unit_name = (
        split_code(header.first("implementing_unit")[0])[0]
        if header.first("implementing_unit")
        else draft.parent_unit
    )
    region = region_of(department or "") or region_of(unit_name or "") or document.region
    region = gazetteer().canonical(region, within=document.region)
    amount_printed, amount_value, unit, amount_line = _amount(draft, walk)
    if amount_printed is None and not draft.headless:
        warnings.append(ParseWarning(doc, name[1], f"项目“{name[0]}”：未找到年度金额"))
    elif amount_printed is not None and unit is None:
        unit = DEFAULT_UNIT
        warnings.append(
            ParseWarning(doc, amount_line, f"项目“{name[0]}”：金额未印单位，按万元读取")
        )
    if not draft.indicators:
        warnings.append(ParseWarning(doc, name[1], f"项目“{name[0]}”：未找到绩效指标行"))
    goal = _goal(draft, walk)
    project = Project(
        id=f"{doc}#p{name[1]}",
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
        amount_wan=amount_value * MONEY_UNITS[unit] if amount_value is not None else None,
        amount_printed=amount_printed,
        unit_printed=unit if amount_printed is not None else None,
        amount_line=amount_line,
        funding=header.funding_lines(unit or DEFAULT_UNIT),
        goal=goal[0] if goal else None,
        goal_line=goal[1] if goal else None,
        details=tuple((kind, text) for kind in _DETAIL_FIELDS for text in header.texts(kind)),
        page=draft.start.page,
        sheet=draft.start.sheet,
        parent=_first(header, "parent") or draft.parent_unit,
        code=draft.record.code if draft.record else None,
        table=draft.table,
    )
    rows = tuple(indicator_record(p, project, "project") for p in draft.indicators)
    fields = form_fields(header.pairs, doc, project.table, project)
    return replace(project, indicators=rows, fields=fields)


def _goal(draft: ProjectDraft, walk: WalkResult) -> tuple[str, int] | None:
    """The goal as its form prints it, or — for a table printing no form rows — the
    sentences just above it."""
    if draft.header.first("goal"):
        return "\n".join(draft.header.texts("goal")), draft.header.first("goal")[1]
    if draft.headless and draft.indicators:
        return goal_from_context(walk.prose, draft.indicators[0].line)
    return None


def _name(draft: ProjectDraft, walk: WalkResult) -> tuple[str, int] | None:
    if draft.record is not None:
        return draft.record.name, draft.record.line
    named = draft.header.first("name")
    if named:
        return named
    if draft.header.first("parent"):
        return draft.header.first("parent")
    if draft.headless and draft.indicators:
        line = draft.indicators[0].line
        found = name_from_context(walk.prose, line)
        return (found, line) if found else None
    return None


def _amount(draft: ProjectDraft, walk: WalkResult):
    """(printed, value, unit, line) of the annual amount, the unit from the nearest source."""
    if draft.record is not None and draft.record.amount_printed:
        amount = parse_amount(draft.record.amount_printed)
        unit = amount.unit or draft.header.unit_hint or draft.unit
        return amount.printed, amount.value, unit, draft.record.line
    amount = draft.header.annual_amount()
    if amount is None:
        return None, None, None, None
    unit = amount.unit or draft.header.unit_hint or draft.unit or _unit_in_prose(walk, amount)
    return amount.printed, amount.value, unit, amount.line


def _unit_in_prose(walk: WalkResult, amount) -> str | None:
    """The unit the document's prose prints beside the same number (``预算安排5万元``)."""
    for row in walk.prose:
        text = row.text.replace(",", "")
        for unit in ("万元", "元", "亿元", "千元"):
            for number in {f"{amount.value}", f"{amount.value.normalize():f}"}:
                if f"{number}{unit}" in text:
                    return unit
    return None


def _column_rank(column: str | None) -> int:
    """Budget columns first (全年预算数 before 年初预算数), executed amounts and scores last."""
    key = (column or "").replace(" ", "")
    if any(w in key for w in ("执行", "分值", "得分", "率")):
        return 9
    for rank, words in enumerate((("全年预算",), ("调整后预算",), ("预算",))):
        if all(w in key for w in words) and (rank < 2 or "年初" not in key):
            return rank
    return 5 if "年初" in key else 4


def _first(header, kind: str) -> str | None:
    value = header.first(kind)
    return value[0] if value else None


def form_fields(
    pairs: list[PrintedPair],
    doc: str,
    table: str | None,
    project: Project | None = None,
    region: str | None = None,
    year: int | None = None,
) -> tuple[FormField, ...]:
    """Every printed label → value pair as a record (the same label on one line once)."""
    seen: set[tuple[int, str]] = set()
    fields = []
    for pair in pairs:
        key = (pair.line, pair.label)
        if not pair.value or key in seen:
            continue
        seen.add(key)
        fields.append(
            FormField(
                id=f"{doc}#k{pair.line}.{len(fields)}",
                doc=doc,
                line=pair.line,
                label=pair.label,
                value=pair.value,
                table=table,
                project_id=project.id if project else None,
                project=project.name if project else None,
                region=project.region if project else region,
                year=project.year if project else year,
                page=pair.row.page,
                sheet=pair.row.sheet,
            )
        )
    return tuple(fields)


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
        weight=to_decimal(parsed.weight.rstrip("分%")) if parsed.weight else None,
        unit_cell=parsed.unit_cell,
        actual=parsed.actual,
        score=to_decimal(parsed.score.rstrip("分")) if parsed.score else None,
        description=parsed.description,
        extra=parsed.extra,
        project_id=project.id if project else None,
        project=project.name if project else None,
        region=project.region if project else region,
        year=project.year if project else year,
        scope=scope,
        page=parsed.page,
        sheet=parsed.sheet,
    )


def build_plan(
    draft: PlanDraft, document: Document, walk: WalkResult, index: int
) -> DepartmentPlan:
    """A department-wide table record: total money, tasks, goal and indicator rows."""
    doc = document.doc
    facts = [f for f in walk.facts[draft.first_fact :] if f.line <= max(draft.last_line, f.line)]
    totals = [
        f for f in facts if any(w in (f.label + (f.column or "")) for w in ("总额", "总计", "合计"))
    ]
    total = min(totals, key=lambda f: _column_rank(f.column), default=None)
    goal = draft.header.texts("goal")
    named = draft.header.first("department")
    department = split_code(named[0])[0] if named else document.department
    rows = tuple(
        indicator_record(p, None, "department", doc, document.region, document.year)
        for p in draft.indicators
    )
    return DepartmentPlan(
        id=f"{doc}#d{draft.start.line}",
        doc=doc,
        line=draft.start.line,
        title=draft.title,
        name=department or draft.title,
        region=document.region,
        year=document.year,
        department=department,
        amount_wan=total.value * MONEY_UNITS.get(total.unit or DEFAULT_UNIT, 1) if total else None,
        amount_printed=total.value_printed if total else None,
        unit_printed=(total.unit or DEFAULT_UNIT) if total else None,
        goal="\n".join(goal) or None,
        tasks=tuple(draft.tasks),
        indicators=rows,
        page=draft.start.page,
        sheet=draft.start.sheet,
    )


def text_blocks(rows: list[Row], doc: str) -> tuple[TextBlock, ...]:
    """Group consecutive kept rows into blocks (a blank line or a gap ends a block)."""
    blocks: list[TextBlock] = []
    current: list[Row] = []
    for row in sorted(rows, key=lambda r: r.line):
        if current and row.line not in (current[-1].line, current[-1].line + 1):
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
