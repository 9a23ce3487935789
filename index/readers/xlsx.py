"""Read Excel workbooks: .xlsx with openpyxl, legacy .xls with xlrd.

Each visible sheet's rows are read in order; ``Row.sheet`` is the sheet name and
``Row.source_row`` the sheet's row number. Merged cells are resolved with the one
rule of :mod:`index.readers.grid` (horizontal merges collapsed into the anchor,
vertical merges filled down). Numbers are rendered as the sheet displays them
(:mod:`index.readers.numfmt`); formulas give their cached values.
"""

from __future__ import annotations

import datetime as dt
import logging
import zipfile
from dataclasses import dataclass, field
from io import BytesIO

import openpyxl
import xlrd
from openpyxl.utils.exceptions import InvalidFileException

from ..errors import UnreadableDocumentError
from ..tablemodel import Row
from .grid import RowSink, Slot, resolve_merges
from .numfmt import format_date, format_general, format_number

logger = logging.getLogger(__name__)

_ENCRYPTED_OLE = "EncryptionInfo".encode("utf-16-le")
_PASSWORD = (
    "password-protected workbook: remove the password (Excel: 文件 > 信息 > 保护工作簿) "
    "and add it again"
)


@dataclass
class _Sheet:
    """One sheet as printed texts by (row, col), 1-based, and merged ranges."""

    name: str
    texts: dict[tuple[int, int], str] = field(default_factory=dict)
    # (first_row, first_col, last_row, last_col), inclusive, 1-based
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


def read_xlsx(data: bytes, path: str) -> tuple[list[Row], list[str]]:
    """Read an .xlsx workbook into rows.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    path : str
        The file's name, for messages.

    Returns
    -------
    rows : list of Row
        Every visible sheet's rows in order.
    warnings : list of str
        Hidden sheets skipped, formulas without a cached value.

    Raises
    ------
    UnreadableDocumentError
        The workbook is corrupt or holds no non-empty cell.
    """
    try:
        book = openpyxl.load_workbook(BytesIO(data), read_only=False, data_only=True)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        ValueError,
        SyntaxError,
    ) as exc:
        raise UnreadableDocumentError(path, f"corrupt or damaged Excel workbook ({exc})") from exc
    warnings: list[str] = []
    sheets = []
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            warnings.append(f"hidden sheet {sheet.title!r} skipped")
            continue
        sheets.append(_openpyxl_sheet(sheet, warnings))
    return _emit(sheets, path), warnings


def read_xls(data: bytes, path: str) -> tuple[list[Row], list[str]]:
    """Read a legacy .xls (BIFF) workbook into rows; see :func:`read_xlsx`."""
    if _ENCRYPTED_OLE in data:
        raise UnreadableDocumentError(path, _PASSWORD)
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise UnreadableDocumentError(path, _PASSWORD) from exc
        raise UnreadableDocumentError(path, f"corrupt or damaged .xls workbook ({exc})") from exc
    except (xlrd.compdoc.CompDocError, ValueError, IndexError, KeyError, AssertionError) as exc:
        raise UnreadableDocumentError(path, f"corrupt or damaged .xls workbook ({exc})") from exc
    warnings: list[str] = []
    sheets = []
    for sheet in book.sheets():
        if sheet.visibility:
            warnings.append(f"hidden sheet {sheet.name!r} skipped")
            continue
        sheets.append(_xlrd_sheet(book, sheet))
    return _emit(sheets, path), warnings


def _openpyxl_sheet(sheet, warnings: list[str]) -> _Sheet:
    result = _Sheet(name=sheet.title)
    # sheet._cells holds only the cells present in the file; iter_rows would create every
    # cell of the (style-inflated) used range
    for (row, col), cell in sheet._cells.items():
        text = _openpyxl_text(cell)
        if text:
            result.texts[(row, col)] = text
        elif cell.data_type == "f":
            warnings.append(f"sheet {sheet.title!r} cell {cell.coordinate}: formula without value")
    for rng in sheet.merged_cells.ranges:
        result.merges.append((rng.min_row, rng.min_col, rng.max_row, rng.max_col))
    return result


def _openpyxl_text(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return format_number(value, cell.number_format)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return format_date(value, cell.number_format)
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value).strip()


def _xlrd_sheet(book, sheet) -> _Sheet:
    result = _Sheet(name=sheet.name)
    for row in range(sheet.nrows):
        for col in range(sheet.ncols):
            text = _xlrd_text(book, sheet.cell(row, col))
            if text:
                result.texts[(row + 1, col + 1)] = text
    for first_row, end_row, first_col, end_col in sheet.merged_cells:
        result.merges.append((first_row + 1, first_col + 1, end_row, end_col))
    return result


def _xlrd_text(book, cell) -> str:
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    number_format = None
    if cell.xf_index is not None and book.xf_list:
        fmt = book.format_map.get(book.xf_list[cell.xf_index].format_key)
        number_format = fmt.format_str if fmt else None
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        return format_number(cell.value, number_format)
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return format_date(xlrd.xldate_as_datetime(cell.value, book.datemode), number_format)
        except (xlrd.xldate.XLDateError, OverflowError):
            return format_general(cell.value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERR")
    return str(cell.value).strip()


def _emit(sheets: list[_Sheet], path: str) -> list[Row]:
    sink = RowSink()
    for sheet in sheets:
        if not sheet.texts:
            continue
        sink.blank()
        sink.sheet = sheet.name
        grid, first_row = _grid(sheet)
        source_rows = list(range(first_row, first_row + len(grid)))
        sink.table(resolve_merges(grid), source_rows)
    rows = sink.finish()
    if not rows:
        raise UnreadableDocumentError(
            path, "no tables found in this workbook (every sheet is empty)"
        )
    return rows


def _grid(sheet: _Sheet) -> tuple[list[list[Slot]], int]:
    """The sheet's used area as a grid; returns the grid and its first sheet row.

    The area is the extent of the non-empty cells; a merged range reaching past it
    (a title merged over 26 columns of a 5-column table) is cut at its edge.
    """
    first_row = min(r for r, _ in sheet.texts)
    first_col = min(c for _, c in sheet.texts)
    last_row = max(r for r, _ in sheet.texts)
    last_col = max(c for _, c in sheet.texts)
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    for r0, c0, r1, c1 in sheet.merges:
        if (r0, c0) not in sheet.texts:
            continue  # an empty merged range is just empty cells
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    covered[(r, c)] = (r0 - first_row, c0 - first_col)
    grid: list[list[Slot]] = []
    for r in range(first_row, last_row + 1):
        grid.append(
            [covered.get((r, c)) or sheet.texts.get((r, c)) for c in range(first_col, last_col + 1)]
        )
    return grid, first_row
