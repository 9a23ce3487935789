"""Records: the one source of truth for what the parser produces.

Money is :class:`~decimal.Decimal` in 万元 (``amount_wan``) with the printed text
and printed unit kept beside it. Every record carries its provenance (document,
line, and page or sheet when the source has them). IDs derive from the source,
so rebuilding gives the same IDs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record was printed."""

    doc: str
    line: int
    page: int | None = None
    sheet: str | None = None


@dataclass(frozen=True)
class ParseWarning:
    """Something the parser could not read as a careful person would."""

    doc: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.doc}:{self.line}" if self.line else self.doc
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Funding:
    """One line of a project's funding breakdown (财政拨款, 中央补助, 区级资金 …)."""

    label: str
    amount_wan: Decimal | None
    amount_printed: str
    unit_printed: str
    line: int


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """One row of a 绩效指标 table (一级 → 二级 → 三级 → 指标值).

    ``value`` is the value as a reader sees it: the operator joined to the printed
    cell when the operator has its own column (``≥`` + ``800件`` → ``≥800件``).
    ``value_cell`` is the printed value cell alone. ``value_number`` and
    ``value_unit`` are set when the value is a single number. Self-evaluation
    tables (自评表) add ``actual`` (全年实际完成值, as printed) and ``score`` (得分);
    ``weight`` is the 权重/分值 column; ``description`` the 指标描述/指标说明 column;
    ``extra`` keeps any other printed column as (role, text): 绩效标准, 备注,
    偏差原因, 实施进度, 指标值类型 …
    """

    id: str
    doc: str
    line: int
    level1: str | None
    level2: str | None
    level3: str
    value: str
    value_cell: str
    operator: str | None = None
    value_number: Decimal | None = None
    value_unit: str | None = None
    value_annual: str | None = None
    weight: Decimal | None = None
    unit_cell: str | None = None
    actual: str | None = None
    score: Decimal | None = None
    description: str | None = None
    extra: tuple[tuple[str, str], ...] = ()
    project_id: str | None = None
    project: str | None = None
    region: str | None = None
    year: int | None = None
    scope: str = "project"
    page: int | None = None
    sheet: str | None = None


@dataclass(frozen=True, slots=True)
class FormField:
    """One label → value pair printed in a form row (联系电话, 项目类型, 实施周期 …).

    Every pair of every table is kept, whether or not the parser knows the label,
    with the table it was printed in and the project it belongs to (if any).
    """

    id: str
    doc: str
    line: int
    label: str
    value: str
    table: str | None = None
    project_id: str | None = None
    project: str | None = None
    region: str | None = None
    year: int | None = None
    page: int | None = None
    sheet: str | None = None


@dataclass(frozen=True, slots=True)
class Project:
    """One project-level performance-target table (项目支出绩效目标表)."""

    id: str
    doc: str
    name: str
    name_line: int
    region: str | None
    year: int | None
    department: str | None = None
    department_code: str | None = None
    implementing_unit: str | None = None
    attribute: str | None = None
    period: str | None = None
    amount_wan: Decimal | None = None
    amount_printed: str | None = None
    unit_printed: str | None = None
    amount_line: int | None = None
    funding: tuple[Funding, ...] = ()
    goal: str | None = None
    goal_line: int | None = None
    details: tuple[tuple[str, str], ...] = ()
    indicators: tuple[IndicatorRow, ...] = ()
    page: int | None = None
    sheet: str | None = None
    parent: str | None = None
    code: str | None = None
    table: str | None = None
    fields: tuple[FormField, ...] = ()


@dataclass(frozen=True, slots=True)
class Task:
    """A 年度重点工作任务 of a department-wide table: its name and the money planned for it."""

    name: str
    line: int
    amount_wan: Decimal | None = None
    amount_printed: str | None = None
    unit_printed: str | None = None
    content: str | None = None


@dataclass(frozen=True, slots=True)
class DepartmentPlan:
    """A department-wide performance-target table (部门/单位整体支出绩效目标表).

    Its own kind of record: the department's total money, its tasks, its goal and
    its indicator rows (``scope == "department"``).
    """

    id: str
    doc: str
    line: int
    title: str
    name: str
    region: str | None
    year: int | None
    department: str | None = None
    amount_wan: Decimal | None = None
    amount_printed: str | None = None
    unit_printed: str | None = None
    goal: str | None = None
    tasks: tuple[Task, ...] = ()
    indicators: tuple[IndicatorRow, ...] = ()
    page: int | None = None
    sheet: str | None = None


@dataclass(frozen=True, slots=True)
class DepartmentFact:
    """A number printed in a department-level table or sentence.

    ``label`` is the row's label (收入总计, 公务接待费, a project name in a
    项目支出预算表 …), ``column`` the column header it sits under when known.
    """

    id: str
    doc: str
    line: int
    label: str
    value: Decimal
    value_printed: str
    unit: str | None
    column: str | None = None
    table: str | None = None
    kind: str = "table"
    quote: str = ""
    region: str | None = None
    department: str | None = None
    year: int | None = None
    page: int | None = None
    sheet: str | None = None


@dataclass(frozen=True, slots=True)
class TextBlock:
    """Text the parser did not turn into records, kept so it stays searchable."""

    id: str
    doc: str
    line: int
    line_end: int
    text: str
    page: int | None = None
    sheet: str | None = None


@dataclass(frozen=True)
class Document:
    """One source document and what the parser learned about it."""

    doc: str
    region: str | None
    department: str | None
    year: int | None
    table_kinds: tuple[str, ...] = ()
    format: str = "text"
    encoding: str | None = None
    sha256: str | None = None
    level: str | None = None


@dataclass(frozen=True)
class ParsedDocument:
    """Everything read from one document. Nothing read is dropped."""

    document: Document
    projects: tuple[Project, ...] = ()
    plans: tuple[DepartmentPlan, ...] = ()
    facts: tuple[DepartmentFact, ...] = ()
    form_fields: tuple[FormField, ...] = ()
    text_blocks: tuple[TextBlock, ...] = ()
    warnings: tuple[ParseWarning, ...] = ()
    line_count: int = 0

    @property
    def department_indicators(self) -> tuple[IndicatorRow, ...]:
        """Indicator rows of the department-wide tables, in document order."""
        return tuple(row for plan in self.plans for row in plan.indicators)

    @property
    def all_form_fields(self) -> tuple[FormField, ...]:
        """Form fields of the projects and of the document outside them."""
        return tuple(f for p in self.projects for f in p.fields) + self.form_fields

    @property
    def indicator_rows(self) -> list[IndicatorRow]:
        """All project indicator rows in document order."""
        return [row for project in self.projects for row in project.indicators]

    @property
    def unparsed_lines(self) -> int:
        """Lines kept only as raw text."""
        return sum(block.line_end - block.line + 1 for block in self.text_blocks)


def to_jsonable(value: Any) -> Any:
    """Convert records (and Decimals) into plain JSON-ready Python values."""
    if isinstance(value, Decimal):
        return _decimal_number(value)
    if hasattr(value, "__dataclass_fields__"):
        return {k: to_jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def _decimal_number(value: Decimal) -> int | float:
    if value == value.to_integral_value() and abs(value) < 10**15:
        return int(value)
    return float(value)


__all__ = [
    "DepartmentFact",
    "DepartmentPlan",
    "Document",
    "FormField",
    "Funding",
    "IndicatorRow",
    "ParseWarning",
    "ParsedDocument",
    "Project",
    "Source",
    "Task",
    "TextBlock",
    "field",
    "to_jsonable",
]
