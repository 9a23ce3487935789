"""Every file a person downloads: the 绩效目标表 workbook, wording tables, CSV (UTF-8 with BOM).

One writer for the command line and the app. A draft — proposed by :mod:`qa.drafting` or
edited in the app — is a :class:`TargetTable` laid out like a 项目支出绩效目标表: a title row,
项目名称, 年度资金, 绩效目标 and 参照项目 rows, then the 一级指标 / 二级指标 / 三级指标 /
指标值 table with merged 一级 and 二级 cells, each row citing where it was drawn from. Wording
results are a titled table. Tables are lists of dicts keyed by their column names
(:data:`DRAFT_COLUMNS`, :data:`WORDING_COLUMNS`), the same columns the app shows.

Cells are safe to open: text that starts like a formula (``=100%``, ``+86``, ``@x``) is
stored as text in a workbook and prefixed with ``'`` in a CSV (:func:`read_csv_table` removes
it again), while a cell that is a plain number (``30``, ``-5``, ``12.5``) stays a number.

CLI exports go to the path the user names (:func:`export_draft`, :func:`export_wording`);
app downloads are named after their content (:func:`save_download`), so exporting the same
table twice gives the same file and nothing is overwritten with other content.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from .drafting import Draft
from .errors import ExportFormatError
from .sources import Sources, source_ref
from .wording import MATCH_NAMES, WordingResult

logger = logging.getLogger(__name__)

DRAFT_COLUMNS = ("一级指标", "二级指标", "三级指标", "指标值", "来源", "出处", "说明")
WORDING_COLUMNS = (
    "组",
    "代表写法",
    "三级指标",
    "指标值",
    "本组取值",
    "匹配",
    "地区",
    "项目",
    "一级指标",
    "二级指标",
    "出处",
    "来源",
)
FORMATS = (".xlsx", ".csv")
TARGET_TITLE = "项目支出绩效目标表（草稿）"
TARGET_SHEET = "绩效目标表"
NO_COMPARABLES = "无可比项目"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"(?!-0$)-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{0,14}[1-9])?")
_WIDTHS = {
    "一级指标": 12,
    "二级指标": 16,
    "三级指标": 36,
    "指标值": 18,
    "来源": 30,
    "出处": 40,
    "说明": 48,
    "代表写法": 30,
    "项目": 34,
    "地区": 16,
    "本组取值": 18,
}
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class TargetTable:
    """A performance-target table to write: the project, and rows keyed by DRAFT_COLUMNS."""

    name: str
    description: str
    amount_wan: Decimal | None
    comparables: str
    rows: tuple[dict[str, str], ...]


def draft_table(draft: Draft, sources: Sources) -> list[dict[str, str]]:
    """The draft's rows as dicts keyed by :data:`DRAFT_COLUMNS` (all values text)."""
    out = []
    for row in draft.rows:
        where = sources.label(row.source.doc, row.source.line) if row.source else ""
        values = (row.level1, row.level2, row.level3, row.value, row.cited, where, row.note)
        out.append(dict(zip(DRAFT_COLUMNS, values, strict=True)))
    return out


def target_table(draft: Draft, sources: Sources) -> TargetTable:
    """A draft as the table :func:`write_target_workbook` lays out."""
    comparables = "；".join(f"{c.project.region or ''} {c.project.name}" for c in draft.comparables)
    return TargetTable(
        draft.name,
        draft.description or "",
        draft.amount_wan,
        comparables or NO_COMPARABLES,
        tuple(draft_table(draft, sources)),
    )


def wording_table(result: WordingResult, sources: Sources) -> list[dict[str, str]]:
    """The wording rows, cluster by cluster (numbered from 1), keyed by :data:`WORDING_COLUMNS`."""
    out = []
    for number, cluster in enumerate(result.clusters, start=1):
        for item in cluster.rows:
            row = item.row
            values = (
                str(number),
                cluster.representative,
                row.level3,
                row.value,
                cluster.spread.text,
                MATCH_NAMES.get(item.match, item.match),
                row.region or "",
                row.project or "部门整体支出",
                row.level1 or "",
                row.level2 or "",
                sources.label(row.doc, row.line),
                source_ref(row.doc, row.line),
            )
            out.append(dict(zip(WORDING_COLUMNS, values, strict=True)))
    return out


# --- workbooks ---------------------------------------------------------------------------------


def write_target_workbook(table: TargetTable) -> Workbook:
    """The 项目支出绩效目标表 workbook of a table (see the module docstring)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = TARGET_SHEET
    width = len(DRAFT_COLUMNS)
    _title(sheet, TARGET_TITLE, width)
    labelled = (
        ("项目名称", table.name),
        ("年度资金（万元）", table.amount_wan),
        ("绩效目标", table.description),
        ("参照项目", table.comparables),
    )
    for number, (label, value) in enumerate(labelled, start=2):
        _labelled(sheet, number, label, value, width)
    first = _table(sheet, len(labelled) + 2, DRAFT_COLUMNS, table.rows)
    keys = [(row.get("一级指标", ""), row.get("二级指标", "")) for row in table.rows]
    merge_level_runs(sheet, first, 1, keys)
    return workbook


def write_wording_workbook(title: str, rows: Sequence[dict[str, str]]) -> Workbook:
    """A titled wording table (``指标写法：调解成功率``), header on row 2."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "指标写法"
    _title(sheet, title, len(WORDING_COLUMNS))
    _table(sheet, 2, WORDING_COLUMNS, rows)
    return workbook


def _title(sheet, text: str, width: int) -> None:
    sheet.cell(1, 1, text).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)


def _labelled(sheet, row: int, label: str, value, width: int) -> None:
    sheet.cell(row, 1, label).font = Font(bold=True)
    set_cell(sheet.cell(row, 2), value)
    sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=width)
    for column in range(1, width + 1):
        sheet.cell(row, column).border = _BORDER


def _table(sheet, header_row: int, columns: Sequence[str], rows: Iterable[dict]) -> int:
    """Write a header and the rows; returns the first data row."""
    for column, name in enumerate(columns, start=1):
        cell = sheet.cell(header_row, column, name)
        cell.font = Font(bold=True)
        cell.border = _BORDER
        cell.alignment = _CENTER
        sheet.column_dimensions[get_column_letter(column)].width = _WIDTHS.get(name, 12)
    for offset, row in enumerate(rows, start=1):
        for column, name in enumerate(columns, start=1):
            cell = sheet.cell(header_row + offset, column)
            set_cell(cell, row.get(name, ""))
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    return header_row + 1


def set_cell(cell, value) -> None:
    """Store a value so that it opens as printed: numbers as numbers, all else as text.

    A Decimal or a plain number (``30``, ``-5``, ``12.5``) is a number; anything else — a
    value printed ``=100%`` included — is text, never a formula. Text that starts like a
    formula is also quote-prefixed, as Excel marks a cell typed ``'=1+1``: editing it there
    keeps it text.
    """
    if value is None or value == "":
        cell.value = None
    elif isinstance(value, Decimal):
        cell.value = value
    elif _PLAIN_NUMBER.fullmatch(str(value)):
        cell.value = float(value) if "." in str(value) else int(value)
    else:
        cell.value = str(value)
        cell.data_type = "s"
        if formula_like(cell.value):
            cell.quotePrefix = True


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
                sheet.cell(first_row + start, column).alignment = _CENTER
            start = index


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- CSV ---------------------------------------------------------------------------------------


def csv_bytes(columns: Sequence[str], rows: Iterable[dict]) -> bytes:
    """A CSV in UTF-8 with a BOM (so Excel reads the Chinese), formula-like text escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(_escape(str(row.get(name, "") or "")) for name in columns)
    return buffer.getvalue().encode("utf-8-sig")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula: it starts with ``= + - @``, a
    tab or a carriage return (OWASP's CSV-injection list) and is not a plain number (``-5``)."""
    return text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text)


def _escape(value: str) -> str:
    return f"'{value}" if formula_like(value) else value


def read_csv_table(path: str | Path) -> list[dict[str, str]]:
    """Rows of a CSV written here (BOM and ``'`` escapes removed)."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [{k: _unescape(v or "") for k, v in row.items()} for row in rows]


def _unescape(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def read_draft_xlsx(path: str | Path) -> list[dict[str, str]]:
    """The indicator table of a 绩效目标表 workbook written here, as text.

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


# --- files -------------------------------------------------------------------------------------


def export_draft(draft: Draft, path: str | Path, sources: Sources) -> Path:
    """Write a draft to ``path`` (.xlsx in the 绩效目标表 layout, or .csv, by extension)."""
    path = check_export_path(path)
    table = target_table(draft, sources)
    if path.suffix.lower() == ".csv":
        return _write(path, csv_bytes(DRAFT_COLUMNS, table.rows))
    return _write(path, workbook_bytes(write_target_workbook(table)))


def export_wording(result: WordingResult, path: str | Path, sources: Sources) -> Path:
    """Write a wording result to ``path`` (.xlsx or .csv, by extension)."""
    path = check_export_path(path)
    rows = wording_table(result, sources)
    if path.suffix.lower() == ".csv":
        return _write(path, csv_bytes(WORDING_COLUMNS, rows))
    title = f"指标写法：{result.topic.text or result.query}"
    return _write(path, workbook_bytes(write_wording_workbook(title, rows)))


def check_export_path(path: str | Path) -> Path:
    """The path as a Path, or :class:`ExportFormatError` when it is not .xlsx or .csv."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ExportFormatError(
            f"无法写入 {path}：导出文件名须以 .xlsx 或 .csv 结尾（例如 draft.xlsx）"
        )
    return path


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    logger.info("wrote %s", path)
    return path


def safe_stem(text: str, limit: int = 40, default: str = "export") -> str:
    """A file-name stem from any text: CJK, letters, digits, ``-`` and ``_`` only (never a path)."""
    stem = re.sub(r"[^0-9A-Za-z\u4e00-\u9fff_-]+", "_", text or "").strip("._-")
    return stem[:limit] or default


def save_download(directory: Path, stem: str, suffix: str, data: bytes) -> Path:
    """Store a download as ``<safe stem>-<content hash><suffix>`` in ``directory`` (never over
    other content; the same content gives the same file)."""
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()[:10]
    path = directory / f"{safe_stem(stem)}-{digest}{suffix}"
    if not path.exists():  # each writer its own temporary file: requests run in parallel
        tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return path
