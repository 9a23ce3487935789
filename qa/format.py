"""How figures and sources are written in answers."""

from __future__ import annotations

from decimal import Decimal

from index.schema import DepartmentFact, IndicatorRow, Project


def wan(value: Decimal | None) -> str:
    """``Decimal('9.87939')`` → ``9.87939万元``; exact, no float rounding."""
    if value is None:
        return "金额未列"
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}万元"


def source(doc: str, line: int | None, page: int | None = None, sheet: str | None = None) -> str:
    """Where a figure is printed: ``003_….txt 第135行`` (with page or sheet when known)."""
    where = []
    if sheet:
        where.append(f"工作表{sheet}")
    if page:
        where.append(f"第{page}页")
    if line:
        where.append(f"第{line}行")
    return f"{doc} {' '.join(where)}".strip()


def project_amount(project: Project) -> str:
    """The amount as computed and as printed: ``9.87939万元（原表：98,793.9元）``."""
    if project.amount_wan is None:
        return "金额未列"
    printed = f"{project.amount_printed}{project.unit_printed or ''}"
    computed = wan(project.amount_wan)
    if project.unit_printed == "万元" or printed == computed:
        return computed
    return f"{computed}（原表：{printed}）"


def project_source(project: Project) -> str:
    return source(
        project.doc, project.amount_line or project.name_line, project.page, project.sheet
    )


def indicator_source(row: IndicatorRow) -> str:
    return source(row.doc, row.line, row.page, row.sheet)


def fact_source(fact: DepartmentFact) -> str:
    return source(fact.doc, fact.line, fact.page, fact.sheet)


def region_short(region: str | None) -> str:
    return region or "未注明地区"
