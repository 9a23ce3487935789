"""Walk a document's rows once, routing each to the table it belongs to.

A project block runs from its form header (项目名称 …) or from a project row of a
long table to the next one; an indicator block (from its header row to a footer,
a title or the next project) belongs to the nearest project above it, or to a
project named by the text around it when the table printed no form header.
Department-wide tables (部门整体 …) are their own kind. Everything else is
department material: budget tables (facts), form rows, or prose kept as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..labels import field_for, is_footer, is_level_label, is_placeholder
from ..numbers import unit_in_label
from ..schema import DepartmentFact, ParseWarning, Task
from ..tablemodel import Row
from ..text import compact, normalize_text
from .columns import (
    Header,
    is_group_header,
    merge_headers,
    read_header,
    split_header_run,
)
from .facts import TableContext, facts_from_prose, facts_from_row, is_numbering_row, row_has_numbers
from .indicators import SEPARATOR, ParsedIndicator, ProjectRow, read_block
from .meta import (
    department_from_line,
    department_in_title,
    is_title_like,
    looks_like_department,
    region_of,
    title_year,
)
from .naming import project_in_sentence
from .project import PrintedPair, ProjectHeader, is_project_start, project_start_kind, split_code
from .tasks import TaskTable

_DEPARTMENT_KEYS = {
    "部门名称",
    "单位名称",
    "预算单位名称",
    "预算单位",
    "部门(单位)名称",
    "部门",
    "编制单位",
}
_PAGE_MARKER = re.compile(r"^\d{1,3}、")
_PAGE_NUMBER = re.compile(r"^(?:[-—–第]*\d{1,3}[-—–页]*|第\d+页共\d+页|共\d+页第\d+页)$")
_LABEL_IN_CELL = re.compile(r"^[\u4e00-\u9fff]{2,8}:\S")
_PAGE_JUNK = re.compile(r"[【】]|阅读|打印|关闭|下载|点击|浏览|收藏|分享|\d+页")
_FORM_CHOICE = re.compile(r"[□■☑☐✓√]")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十\d]+[部章节])")


@dataclass
class ProjectDraft:
    """A project being read: its form rows, indicators and where it came from."""

    start: Row
    year: int | None
    unit: str | None
    header: ProjectHeader = field(default_factory=ProjectHeader)
    indicators: list[ParsedIndicator] = field(default_factory=list)
    in_indicators: bool = False
    record: ProjectRow | None = None
    parent_unit: str | None = None
    headless: bool = False
    table: str | None = None


@dataclass
class PlanDraft:
    """A department-wide (部门整体) table being read."""

    start: Row
    title: str
    header: ProjectHeader = field(default_factory=ProjectHeader)
    indicators: list[ParsedIndicator] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    task_table: TaskTable | None = None
    first_fact: int = 0
    last_line: int = 0


@dataclass
class BlockDraft:
    """An indicator block being collected: its header and rows."""

    header: Header
    rows: list[Row] = field(default_factory=list)
    owner: ProjectDraft | PlanDraft | None = None


@dataclass
class WalkResult:
    """What one pass over the rows found, before records are built."""

    projects: list[ProjectDraft] = field(default_factory=list)
    plans: list[PlanDraft] = field(default_factory=list)
    facts: list[DepartmentFact] = field(default_factory=list)
    pairs: list[PrintedPair] = field(default_factory=list)
    text_rows: list[Row] = field(default_factory=list)
    prose: list[Row] = field(default_factory=list)
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
        self.plan: PlanDraft | None = None
        self.block: BlockDraft | None = None
        self.table = TableContext()
        self.unit: str | None = None
        self.year: int | None = None
        self.previous: Row | None = None
        self.recent: list[Row] = []
        self.after_blank = False
        self.loose = ProjectHeader()

    # ------------------------------------------------------------------ routing
    def feed(self, row: Row) -> None:
        if row.is_blank:
            self.after_blank = True
            return
        pieces = split_header_run(row) if len(row.filled) > 6 else None
        for piece in pieces or [row]:
            self._route(piece)
            self.previous = piece
            self.recent = (self.recent + [piece])[-3:]
        self.after_blank = False

    def finish(self) -> WalkResult:
        self._close_block()
        if self.project is not None and not self.project.indicators and not self.project.record:
            self.result.warnings.append(
                ParseWarning(
                    self.doc,
                    self.project.start.line,
                    "文档在该项目表中途结束（可能被截断）",
                )
            )
        self._close_project()
        self._close_plan()
        return self.result

    def _route(self, row: Row) -> None:
        if self.block is not None:
            if self._continues_block(row):
                self.block.rows.append(row)
                return
            self._close_block(row)
        header = self._stitched_header(row) or read_header(row)
        if header is not None:
            self._open_block(header)
            return
        start = project_start_kind(row)
        if start and not self._continues_header(start):
            self._close_project()
            self._close_plan()
            self.project = ProjectDraft(
                start=row, year=self.year, unit=self.unit, table=self.table.title
            )
            self.project.header.add_row(row)
            return
        if self.project is not None and self._feed_project(row):
            return
        if self.plan is not None and self._feed_plan(row):
            return
        self._feed_outside(row)

    def _stitched_header(self, row: Row) -> Header | None:
        """A header whose cells were broken over lines.

        ``绩效`` / ``指标 ⇥ 一级`` / ``指标 ⇥ 二级指标 …`` is one header row.

        The longest clean stitch wins: every cell a known column, no column twice.
        """
        chains: list[list[str]] = []
        cells = list(row.filled)
        for earlier in reversed(self.recent[-2:]):
            part = earlier.filled
            if not part or len(part) > 3 or any(len(compact(c)) > 6 for c in part):
                break
            if len(compact(cells[0])) > 6:
                break
            cells = part[:-1] + [part[-1] + cells[0]] + cells[1:]
            chains.append(cells)
        for cells in reversed(chains):
            header = read_header(Row(tuple(cells), row.line, row.page, row.sheet, True))
            roles = header.roles if header else ()
            if header and "other" not in roles and not any(r.endswith("_b") for r in roles):
                return header
        return None

    # ------------------------------------------------------------------ indicator blocks
    def _open_block(self, header: Header) -> None:
        previous = self.previous
        if previous is not None and is_group_header(previous):
            header = merge_headers(previous, header)
        owner: ProjectDraft | PlanDraft | None
        if self.project is not None:
            owner = self.project
        elif self.plan is not None:
            owner = self.plan
        else:
            start = Row(("",), header.line)
            owner = self.project = ProjectDraft(
                start=start,
                year=self.year,
                unit=self.unit,
                header=self.loose,
                headless=True,
                table=self.table.title,
            )
            self.loose = ProjectHeader()
        if isinstance(owner, ProjectDraft):
            owner.in_indicators = True
        self.block = BlockDraft(header=header, owner=owner)

    def _continues_block(self, row: Row) -> bool:
        filled = row.filled
        if is_project_start(row):
            return False
        header = self._stitched_header(row) or read_header(row)
        if header is not None:
            return header.roles == self.block.header.roles  # repeated after a page break
        if is_footer(filled[0]) or any(_FORM_CHOICE.search(c) or "盖章" in c for c in filled):
            return False
        if len(filled) == 1:
            if self.after_blank and not row.tabular and self.block.rows and self.block.rows[-1].tabular:
                return False  # a loose line after the table and a blank line (a note, a stray cell)
            return self._single_cell_continues(filled[0])
        if _LABEL_IN_CELL.match(normalize_text(filled[0])) and not is_level_label(filled[0]):
            return False  # 主办单位:… ⇥ 技术支持:… (a form row under the table)
        kind = field_for(filled[0], guess=False)
        return kind not in ("name", "parent", "department", "implementing_unit") and not (
            kind and kind.startswith("amount")
        )

    def _single_cell_continues(self, cell: str) -> bool:
        """A lone cell inside a table: a level, a placeholder, a page marker, or a cut cell."""
        text = compact(cell)
        block = self.block
        if block.header.tree:
            return not (text.endswith(":") or _is_title(text) or len(text) > 60)
        if is_level_label(cell) or is_placeholder(cell) or _PAGE_MARKER.match(text):
            return True
        if SEPARATOR.match(normalize_text(cell)) or _PAGE_NUMBER.match(text):
            return True
        last = block.rows[-1].filled if block.rows else []
        if last and compact(last[-1])[-1:] in ",，、;；":
            return True  # the rest of a cell cut after a comma
        if _PAGE_JUNK.search(text) or _HEADING.match(text) or text.endswith(":"):
            return False
        if _LABEL_IN_CELL.match(text.strip("()")):
            return False  # (来源:市妇联办公室)
        return len(text) <= 20 and not _is_title(text)

    def _close_block(self, ending: Row | None = None) -> None:
        block, self.block = self.block, None
        if block is None:
            return
        events = read_block(block.header, block.rows)
        owner = block.owner
        for event in events:
            if isinstance(event, ProjectRow):
                owner = self._project_from_row(event, owner)
            elif owner is not None:
                owner.indicators.append(event)
        if ending is not None and is_footer(ending.filled[0]) and owner is not None:
            owner.header.add_row(ending)

    def _project_from_row(
        self, record: ProjectRow, owner: ProjectDraft | PlanDraft | None
    ) -> ProjectDraft:
        """A project printed as a row opens its own project; an empty one above was its unit."""
        parent = None
        if isinstance(owner, ProjectDraft) and not owner.indicators:
            if owner.record is not None:
                parent = owner.record.name
                self._unit_fact(owner.record)
                if owner in self.result.projects:
                    self.result.projects.remove(owner)
            elif not owner.headless and owner is self.project:
                self._close_project()
            if owner is self.project:
                self.project = None
        elif isinstance(owner, ProjectDraft) and owner is self.project:
            self._close_project()
        draft = ProjectDraft(
            start=record.row,
            year=self.year,
            unit=self.unit,
            record=record,
            parent_unit=parent,
            table=self.table.title,
            in_indicators=True,
        )
        self.result.projects.append(draft)
        self.project = draft
        return draft

    def _unit_fact(self, record: ProjectRow) -> None:
        facts = facts_from_row(record.row, self.table, self.doc)
        self.result.facts.extend(facts)

    def _continues_header(self, kind: str) -> bool:
        """一级项目名称 then 二级项目名称 (or 对应一级项目 after 项目名称) name one project."""
        draft = self.project
        if draft is None or draft.indicators or draft.in_indicators or draft.record:
            return False
        header = draft.header
        if kind == "parent":
            return header.first("parent") is None
        return header.first("name") is None and header.first("parent") is not None

    # ------------------------------------------------------------------ project form rows
    def _feed_project(self, row: Row) -> bool:
        draft = self.project
        if draft.indicators or draft.record or draft.in_indicators:
            return False
        filled = row.filled
        if len(filled) == 1 and _is_title(compact(filled[0])) and not draft.header.pending:
            return False
        unit = unit_in_label(" ".join(filled))
        if unit and len(filled) == 1:
            draft.header.unit_hint = unit
            return True
        if not draft.header.add_row(row):
            self.result.text_rows.append(row)
        return True

    def _close_project(self) -> None:
        project, self.project = self.project, None
        if project is None or project in self.result.projects:
            return
        if project.headless and not project.indicators:
            return
        self.result.projects.append(project)

    # ------------------------------------------------------------------ department-wide tables
    def _feed_plan(self, row: Row) -> bool:
        plan = self.plan
        plan.last_line = row.line
        table = TaskTable.read_header(row)
        if table is not None:
            plan.task_table = table
            return True
        if plan.task_table is not None:
            task = plan.task_table.read_row(row, self.table.unit or self.unit)
            if task is not None:
                plan.tasks.append(task)
                self.result.facts.extend(plan.task_table.facts(task, row, self.doc, plan.title))
                return True
        if not row_has_numbers(row):
            plan.header.add_row(row)
        return False

    def _close_plan(self) -> None:
        plan, self.plan = self.plan, None
        if plan is not None:
            self.result.plans.append(plan)

    def _open_plan(self, row: Row, title: str) -> None:
        self._close_project()
        self._close_plan()
        self.plan = PlanDraft(start=row, title=title, first_fact=len(self.result.facts))

    # ------------------------------------------------------------------ outside tables
    def _feed_outside(self, row: Row) -> None:
        text = " ".join(row.filled)
        unit = unit_in_label(text)
        if unit and len(text) < 40:
            self.unit = self.table.unit = unit
        if not row.tabular and len(row.filled) == 1:
            self._feed_prose(row, text)
            return
        self._note_department_cells(row)
        if self.project is not None and (self.project.indicators or self.project.record):
            self._close_project()
        if is_numbering_row(row):
            return
        if row_has_numbers(row):
            facts = facts_from_row(row, self.table, self.doc)
            if facts:
                self.result.facts.extend(facts)
                self.loose.add_row(row)
                return
        else:
            self.table.add_header(row)
            self._keep_pairs(row)
        self.loose.add_row(row)
        self.result.text_rows.append(row)

    def _keep_pairs(self, row: Row) -> None:
        header = ProjectHeader()
        header.add_row(row)
        self.result.pairs.extend(header.pairs)

    def _feed_prose(self, row: Row, text: str) -> None:
        if self.project is not None and (self.project.indicators or self.project.record):
            self._close_project()
        introduced = project_in_sentence(text)
        if introduced is not None:
            self._close_project()
            self._close_plan()
            name, amount = introduced
            record = ProjectRow(row.line, name, amount, None, row)
            self.project = ProjectDraft(
                start=row, year=self.year, unit=self.unit, record=record, table=self.table.title
            )
        short = len(text) <= 60
        if short:
            self._note_title(row, text)
        self.result.facts.extend(facts_from_prose(row, self.doc, self.table.title))
        self.table.seen_data = True
        self.result.text_rows.append(row)
        self.result.prose.append(row)

    def _note_title(self, row: Row, text: str) -> None:
        year = title_year(text) or (_leading_year(text) if "表" in text else None)
        if year:
            self.year = year
            self.result.title_years.append(year)
        if "表" in text and len(text) >= 4:
            self.table.start(text)
            self.result.titles.append(text)
            self.loose = ProjectHeader()
            if "整体" in text and ("绩效" in text or "支出" in text):
                self._open_plan(row, normalize_text(text))
            elif self.plan is not None:
                self._close_plan()
        department = department_from_line(text) or department_in_title(text)
        if department:
            self.result.departments.append(department)
        elif looks_like_department(text):
            self.result.departments.append(normalize_text(text))
        region = region_of(department or text) if (department or is_title_like(text)) else None
        if region:
            self.result.regions.append(region)

    def _note_department_cells(self, row: Row) -> None:
        filled = row.filled
        if len(filled) <= 3 and "表" in filled[0] and len(compact(filled[0])) <= 40:
            self._note_title(row, normalize_text(filled[0]))
        elif len(filled) == 1 and len(compact(filled[0])) <= 20 and title_year(filled[0]):
            self._note_title(row, normalize_text(filled[0]))  # a sheet's "(2025年度)" row
        for cell in filled:
            named = department_from_line(cell)
            if named and ":" in normalize_text(cell):
                name = split_code(named)[0]
                self.result.departments.append(normalize_text(name))
                region = region_of(name)
                if region:
                    self.result.regions.append(region)
        for label, value in zip(filled, filled[1:], strict=False):
            if department_from_line(label):
                continue
            key = compact(label).rstrip(":")
            if key in _DEPARTMENT_KEYS or normalize_text(label).startswith("部门:"):
                name = split_code(value)[0]
                self.result.departments.append(normalize_text(name))
                region = region_of(name)
                if region:
                    self.result.regions.append(region)


def _is_title(text: str) -> bool:
    """A table title or heading line (…表, (2024年度), 第…部分)."""
    if re.fullmatch(r"\(?20\d{2}年度?\)?", text):
        return True
    return ("表" in text and len(text) <= 40) or text.startswith(("第", "表"))


def _leading_year(text: str) -> int | None:
    text = normalize_text(text)
    if len(text) >= 5 and text[:4].isdigit() and text[4] == "年" and text.startswith("20"):
        return int(text[:4])
    return None
