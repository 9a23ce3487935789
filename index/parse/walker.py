"""Walk a document's rows once, routing each to the table it belongs to.

A project table opens at its 项目名称 row, reads label/value rows until its
indicator header (一级指标 …), then indicator rows until a footer, a title line or
the next project. Blank lines (page breaks) do not close a table. Everything
outside project tables is department material: budget tables (facts), a
department-level indicator table, or prose kept as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..labels import is_footer, label_key, level1_family, level2_family
from ..numbers import unit_in_label
from ..schema import DepartmentFact, ParseWarning
from ..tablemodel import Row
from ..text import normalize_text
from .facts import TableContext, facts_from_prose, facts_from_row, is_numbering_row, row_has_numbers
from .indicators import IndicatorState, ParsedIndicator, parse_indicator_header, read_indicator_row
from .meta import (
    department_from_line,
    department_in_title,
    is_title_like,
    looks_like_department,
    region_of,
    title_year,
)
from .project import ProjectHeader, is_project_start

_DEPARTMENT_KEYS = {"部门名称", "单位名称", "预算单位名称", "预算单位", "部门(单位)名称", "部门"}


@dataclass
class ProjectDraft:
    """A project table being read."""

    start: Row
    year: int | None
    unit: str | None
    header: ProjectHeader = field(default_factory=ProjectHeader)
    state: IndicatorState = field(default_factory=IndicatorState)
    indicators: list[ParsedIndicator] = field(default_factory=list)
    in_indicators: bool = False
    last_line: int = 0


@dataclass
class DepartmentDraft:
    """A department-level (整体支出) indicator table being read."""

    title: str | None
    state: IndicatorState = field(default_factory=IndicatorState)
    indicators: list[ParsedIndicator] = field(default_factory=list)


@dataclass
class WalkResult:
    """What one pass over the rows found, before records are built."""

    projects: list[ProjectDraft] = field(default_factory=list)
    department_tables: list[DepartmentDraft] = field(default_factory=list)
    facts: list[DepartmentFact] = field(default_factory=list)
    text_rows: list[Row] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    title_years: list[int] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)


class Walker:
    """Feed rows in order with :meth:`feed`, then call :meth:`finish`."""

    def __init__(self, doc: str):
        self.doc = doc
        self.result = WalkResult()
        self.project: ProjectDraft | None = None
        self.department: DepartmentDraft | None = None
        self.table = TableContext()
        self.unit: str | None = None
        self.year: int | None = None

    # ------------------------------------------------------------------ routing
    def feed(self, row: Row) -> None:
        if row.is_blank:
            return
        if is_project_start(row):
            self._close()
            self.project = ProjectDraft(start=row, year=self.year, unit=self.unit)
            self.project.header.add_row(row)
            return
        if self.project is not None and self._feed_project(row):
            return
        if self.department is not None and self._feed_department(row):
            return
        self._feed_outside(row)

    def finish(self) -> WalkResult:
        if self.project is not None and not self.project.in_indicators:
            self.result.warnings.append(
                ParseWarning(
                    self.doc,
                    self.project.start.line,
                    "the document ends inside this project table (truncated?)",
                )
            )
        self._close()
        return self.result

    def _close(self) -> None:
        if self.project is not None:
            self.result.projects.append(self.project)
        if self.department is not None and self.department.indicators:
            self.result.department_tables.append(self.department)
        self.project = None
        self.department = None

    def _ends_table(self, row: Row) -> bool:
        filled = row.filled
        if is_footer(filled[0]):
            return True
        if row.tabular or len(filled) != 1 or unit_in_label(filled[0]) is not None:
            return False
        return not (level1_family(filled[0]) or level2_family(filled[0]))

    # ------------------------------------------------------------------ project tables
    def _feed_project(self, row: Row) -> bool:
        draft = self.project
        header = parse_indicator_header(row)
        if header is not None:
            draft.state.header = header
            draft.in_indicators = True
            draft.last_line = row.line
            return True
        if self._ends_table(row):
            self._close()
            return False
        draft.last_line = row.line
        if draft.in_indicators:
            indicator = read_indicator_row(row, draft.state)
            if indicator is not None:
                draft.indicators.append(indicator)
            return True
        unit = unit_in_label(" ".join(row.filled))
        if unit and len(row.filled) == 1:
            draft.header.unit_hint = unit
            return True
        if not draft.header.add_row(row):
            self.result.text_rows.append(row)
        return True

    # ------------------------------------------------------------------ department tables
    def _feed_department(self, row: Row) -> bool:
        draft = self.department
        header = parse_indicator_header(row)
        if header is not None:
            draft.state.header = header
            return True
        if self._ends_table(row):
            self._close()
            return False
        indicator = read_indicator_row(row, draft.state)
        if indicator is not None:
            draft.indicators.append(indicator)
        return True

    def _feed_outside(self, row: Row) -> None:
        header = parse_indicator_header(row)
        if header is not None:
            self._close()
            self.department = DepartmentDraft(title=self.table.title)
            self.department.state.header = header
            return
        text = " ".join(row.filled)
        unit = unit_in_label(text)
        if unit and len(text) < 40:
            self.unit = self.table.unit = unit
        if not row.tabular and len(row.filled) == 1:
            self._feed_prose(row, text)
            return
        self._note_department_cells(row)
        if is_numbering_row(row):
            return
        if row_has_numbers(row):
            facts = facts_from_row(row, self.table, self.doc)
            if facts:
                self.result.facts.extend(facts)
                return
        else:
            self.table.add_header(row)
        self.result.text_rows.append(row)

    def _feed_prose(self, row: Row, text: str) -> None:
        short = len(text) <= 60
        if short:
            year = title_year(text) or (_leading_year(text) if "表" in text else None)
            if year:
                self.year = year
                self.result.title_years.append(year)
            if "表" in text and len(text) >= 4:
                self.table.start(text)
                self.result.titles.append(text)
            department = department_from_line(text) or department_in_title(text)
            if department:
                self.result.departments.append(department)
            elif looks_like_department(text):
                self.result.departments.append(normalize_text(text))
            region = region_of(department or text) if (department or is_title_like(text)) else None
            if region:
                self.result.regions.append(region)
        self.result.facts.extend(facts_from_prose(row, self.doc, self.table.title))
        self.table.seen_data = True
        self.result.text_rows.append(row)

    def _note_department_cells(self, row: Row) -> None:
        filled = row.filled
        for label, value in zip(filled, filled[1:]):
            if label_key(label) in _DEPARTMENT_KEYS:
                name = value.split("-", 1)[-1] if value[:1].isdigit() else value
                self.result.departments.append(normalize_text(name))
                region = region_of(name)
                if region:
                    self.result.regions.append(region)


def _leading_year(text: str) -> int | None:
    text = normalize_text(text)
    if len(text) >= 5 and text[:4].isdigit() and text[4] == "年" and text.startswith("20"):
        return int(text[:4])
    return None
