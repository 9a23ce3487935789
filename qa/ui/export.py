"""Write what the app shows to files a person downloads: CSV, XLSX, and the 绩效目标表 layout.

Files are named after their content (a hash), so exporting the same table twice
gives the same file and nothing is overwritten with other content.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from qa.export import merge_level_runs

Rows = Sequence[Sequence[str]]
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
TARGET_COLUMNS = ("一级指标", "二级指标", "三级指标", "指标值")


def safe_stem(text: str, limit: int = 40, default: str = "export") -> str:
    """A file-name stem from any text: CJK, letters, digits, ``-`` and ``_`` only (never a path)."""
    stem = re.sub(r"[^0-9A-Za-z\u4e00-\u9fff_-]+", "_", text or "").strip("._-")
    return stem[:limit] or default


def _write(directory: Path, stem: str, suffix: str, data: bytes) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()[:10]
    path = directory / f"{safe_stem(stem)}-{digest}{suffix}"
    if not path.exists():
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return path


def _clean(rows: Rows, width: int) -> list[list[str]]:
    out = []
    for row in rows:
        cells = ["" if cell is None else str(cell) for cell in list(row)[:width]]
        cells += [""] * (width - len(cells))
        if any(cell.strip() for cell in cells):
            out.append(cells)
    return out


def write_csv(directory: Path, stem: str, columns: Sequence[str], rows: Rows) -> Path:
    """A CSV (UTF-8 with BOM, so Excel reads the Chinese) of a table."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(_clean(rows, len(columns)))
    return _write(directory, stem, ".csv", buffer.getvalue().encode("utf-8-sig"))


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xlsx(
    directory: Path, stem: str, columns: Sequence[str], rows: Rows, title: str = "Sheet1"
) -> Path:
    """An XLSX of a table: a bold header row, then the rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = safe_stem(title, 31)
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _clean(rows, len(columns)):
        sheet.append(row)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(
            10, 2 * len(column) + 4
        )
    return _write(directory, stem, ".xlsx", _save(workbook))


def write_target_sheet(
    directory: Path,
    name: str,
    description: str,
    amount_wan: Decimal | None,
    rows: Rows,
    sources: Rows = (),
) -> Path:
    """An XLSX in the 项目支出绩效目标表 layout; ``rows`` are (一级, 二级, 三级, 指标值).

    Consecutive equal 一级/二级 cells are merged as in the printed tables. ``sources``
    (三级指标, 依据) go to a second sheet.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "绩效目标表"
    for letter, width in zip("ABCDE", (14, 16, 18, 34, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.merge_cells("A1:E1")
    sheet["A1"] = "项目支出绩效目标表"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = _CENTER
    header = [
        ("项目名称", name),
        ("项目资金（万元）", "" if amount_wan is None else f"{amount_wan.normalize():f}"),
        ("绩效目标", description),
    ]
    for offset, (label, value) in enumerate(header, start=2):
        sheet.cell(offset, 1, label).font = Font(bold=True)
        sheet.merge_cells(start_row=offset, start_column=2, end_row=offset, end_column=5)
        sheet.cell(offset, 2, value)
    first = len(header) + 2
    sheet.cell(first, 1, "绩效指标").font = Font(bold=True)
    for column, label in enumerate(TARGET_COLUMNS, start=2):
        sheet.cell(first, column, label).font = Font(bold=True)
    body = _clean(rows, len(TARGET_COLUMNS))
    for offset, row in enumerate(body, start=first + 1):
        for column, value in enumerate(row, start=2):
            sheet.cell(offset, column, value)
    merge_level_runs(sheet, first + 1, 2, [(row[0], row[1]) for row in body])
    last = first + len(body)
    sheet.merge_cells(start_row=first, start_column=1, end_row=max(first, last), end_column=1)
    for line in sheet.iter_rows(min_row=2, max_row=max(first, last), max_col=5):
        for cell in line:
            cell.border = _BORDER
            cell.alignment = _WRAP
    if sources:
        extra = workbook.create_sheet("依据")
        extra.append(["三级指标", "依据（地区 项目 文档:行）"])
        for row in _clean(sources, 2):
            extra.append(row)
    return _write(directory, name, ".xlsx", _save(workbook))
