"""Export drafts and wording results as Excel (.xlsx) and CSV (UTF-8 with BOM).

A draft's workbook is laid out like a 项目支出绩效目标表: a title row, 项目名称 and 年度资金
rows, the comparable projects, then the 一级指标 / 二级指标 / 三级指标 / 指标值 table with
merged 一级 and 二级 cells and a 来源 column citing ``doc:line``. The CSV holds the same table
flat (one row per indicator, every level filled) and reads back to the same rows.

Cells that start with ``=``, ``+``, ``-`` or ``@`` (``=100%``) are text, not formulas: the
workbook stores them as strings and the CSV prefixes them with ``'``, which
:func:`read_csv_table` removes again.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from .errors import ExportFormatError
from .propose import Draft
from .wording import WordingResult

logger = logging.getLogger(__name__)

DRAFT_COLUMNS = ("一级指标", "二级指标", "三级指标", "指标值", "来源", "来源项目", "说明")
WORDING_COLUMNS = (
    "组",
    "代表写法",
    "匹配",
    "地区",
    "项目",
    "一级指标",
    "二级指标",
    "三级指标",
    "指标值",
    "来源",
)
FORMATS = (".xlsx", ".csv")
_FORMULA_START = ("=", "+", "-", "@")
_WIDTHS = {
    "一级指标": 12,
    "二级指标": 16,
    "三级指标": 36,
    "指标值": 18,
    "来源": 30,
    "来源项目": 34,
    "说明": 48,
    "代表写法": 30,
    "项目": 34,
    "地区": 16,
}
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_MATCH_WORDS = {"core": "核心", "related": "相关"}


def draft_table(draft: Draft) -> list[dict[str, str]]:
    """The draft's rows as dicts keyed by :data:`DRAFT_COLUMNS` (all values text)."""
    out = []
    for row in draft.rows:
        source = row.source
        project = ""
        if source:
            project = f"{source.region or ''} {source.project or '部门整体支出'}".strip()
        values = (row.level1, row.level2, row.level3, row.value, row.cited, project, row.note)
        out.append(dict(zip(DRAFT_COLUMNS, values, strict=True)))
    return out


def wording_table(result: WordingResult) -> list[dict[str, str]]:
    """The wording rows, cluster by cluster, as dicts keyed by :data:`WORDING_COLUMNS`."""
    out = []
    for cluster in result.clusters:
        for item in cluster.rows:
            row = item.row
            values = (
                str(cluster.number),
                cluster.representative,
                _MATCH_WORDS.get(item.match, item.match),
                row.region or "",
                row.project or "部门整体支出",
                row.level1 or "",
                row.level2 or "",
                row.level3,
                row.value,
                f"{row.doc}:{row.line}",
            )
            out.append(dict(zip(WORDING_COLUMNS, values, strict=True)))
    return out


def export_draft(draft: Draft, path: str | Path) -> Path:
    """Write a draft to ``path`` (.xlsx or .csv, by extension)."""
    path = _checked(path)
    if path.suffix.lower() == ".csv":
        return write_csv_table(draft_table(draft), DRAFT_COLUMNS, path)
    return write_draft_xlsx(draft, path)


def export_wording(result: WordingResult, path: str | Path) -> Path:
    """Write a wording result to ``path`` (.xlsx or .csv, by extension)."""
    path = _checked(path)
    table = wording_table(result)
    if path.suffix.lower() == ".csv":
        return write_csv_table(table, WORDING_COLUMNS, path)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "指标写法"
    _title(sheet, f"指标写法：{result.topic.text or result.query}", len(WORDING_COLUMNS))
    _table(sheet, 2, WORDING_COLUMNS, table)
    return _save(workbook, path)


def _checked(path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ExportFormatError(f"cannot write {path}: use a name ending in .xlsx or .csv")
    return path


def write_draft_xlsx(draft: Draft, path: str | Path) -> Path:
    """The draft as a 项目支出绩效目标表 workbook (see the module docstring)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "绩效目标表"
    width = len(DRAFT_COLUMNS)
    _title(sheet, "项目支出绩效目标表（草稿）", width)
    amount = f"{draft.amount_wan.normalize():f}" if draft.amount_wan is not None else ""
    comparables = "；".join(f"{c.project.region or ''} {c.project.name}" for c in draft.comparables)
    for number, (label, value) in enumerate(
        (
            ("项目名称", draft.name),
            ("年度资金（万元）", amount),
            ("参照项目", comparables or "无可比项目"),
        ),
        start=2,
    ):
        _labelled(sheet, number, label, value, width)
    table = draft_table(draft)
    first = _table(sheet, 5, DRAFT_COLUMNS, table)
    merge_level_runs(sheet, first, 1, [(row["一级指标"], row["二级指标"]) for row in table])
    return _save(workbook, path)


def _title(sheet, text: str, width: int) -> None:
    sheet.cell(1, 1, text).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)


def _labelled(sheet, row: int, label: str, value: str, width: int) -> None:
    sheet.cell(row, 1, label).font = Font(bold=True)
    _text(sheet.cell(row, 2), value)
    sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=width)
    for column in range(1, width + 1):
        sheet.cell(row, column).border = _BORDER


def _table(sheet, header_row: int, columns: tuple[str, ...], table: list[dict]) -> int:
    """Write a header and the rows; returns the first data row."""
    for column, name in enumerate(columns, start=1):
        cell = sheet.cell(header_row, column, name)
        cell.font = Font(bold=True)
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(column)].width = _WIDTHS.get(name, 12)
    for offset, row in enumerate(table, start=1):
        for column, name in enumerate(columns, start=1):
            cell = sheet.cell(header_row + offset, column)
            _text(cell, row[name])
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    return header_row + 1


def _text(cell, value: str) -> None:
    """Store a value as text (never a formula)."""
    cell.value = value
    if value:
        cell.data_type = "s"


def merge_level_runs(sheet, first_row: int, first_column: int, keys: list[tuple[str, str]]) -> None:
    """Merge runs of equal 一级指标 and, within them, of equal 二级指标, as printed tables do.

    ``keys`` holds each body row's (一级, 二级); the 一级 column is ``first_column`` and the
    二级 column the one after it. Blank cells are never merged.
    """
    for column, width in ((first_column, 1), (first_column + 1, 2)):
        start = 0
        for index in range(1, len(keys) + 1):
            if (
                index < len(keys)
                and keys[index][:width] == keys[start][:width]
                and keys[index][width - 1]
            ):
                continue
            if index - start > 1:
                sheet.merge_cells(
                    start_row=first_row + start,
                    start_column=column,
                    end_row=first_row + index - 1,
                    end_column=column,
                )
                sheet.cell(first_row + start, column).alignment = Alignment(
                    horizontal="center", vertical="center", wrap_text=True
                )
            start = index


def _save(workbook: Workbook, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    logger.info("wrote %s", path)
    return path


def write_csv_table(table: list[dict], columns: tuple[str, ...], path: str | Path) -> Path:
    """Write rows as CSV in UTF-8 with a BOM (so Excel reads the Chinese correctly)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in table:
            writer.writerow(_escape(row[name]) for name in columns)
    logger.info("wrote %s", path)
    return path


def _escape(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def read_csv_table(path: str | Path) -> list[dict[str, str]]:
    """Rows of a CSV written by :func:`write_csv_table` (BOM and ``'`` escapes removed)."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [{k: _unescape(v or "") for k, v in row.items()} for row in rows]


def _unescape(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def read_draft_xlsx(path: str | Path) -> list[dict[str, str]]:
    """The indicator table of a workbook written by :func:`write_draft_xlsx`.

    Merged 一级/二级 cells are read as if every row had them, so the result equals
    :func:`draft_table` of the draft written.
    """
    sheet = load_workbook(path).active
    header = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "一级指标")
    columns = [sheet.cell(header, c).value for c in range(1, sheet.max_column + 1)]
    out: list[dict[str, str]] = []
    for number in range(header + 1, sheet.max_row + 1):
        values = [sheet.cell(number, c).value for c in range(1, len(columns) + 1)]
        pairs = zip(columns, values, strict=True)
        row = {name: "" if value is None else str(value) for name, value in pairs}
        for key in ("一级指标", "二级指标"):
            if not row[key] and out:
                row[key] = out[-1][key]
        out.append(row)
    return out
