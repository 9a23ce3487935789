"""Read Excel workbooks: .xlsx with openpyxl, legacy .xls with xlrd.

Each visible sheet's filled cells are read (``Row.sheet`` is the sheet name and
``Row.source_row`` the sheet's row number) and turned into tables by
:mod:`index.readers.sheets`, with merged cells resolved by the one rule of
:mod:`index.readers.grid`. Numbers are rendered as the sheet displays them
(:mod:`index.readers.numfmt`); formulas give their cached values.

Reading is bounded (:mod:`index.readers.limits`): the zip container is checked
from its central directory, the parts openpyxl loads whole are counted before it
loads them, and each sheet is streamed row by row in openpyxl's read-only mode
with its rows and cells counted as they are read, so neither a zip bomb nor a cell
at XFD1048576 costs more than the limits allow. Only filled cells are kept: the
empty cells between them are never made.
"""

from __future__ import annotations

import datetime as dt
import logging
import zipfile
from io import BytesIO
from xml.etree.ElementTree import ParseError, iterparse

import openpyxl
import xlrd
from openpyxl.cell.read_only import ReadOnlyCell
from openpyxl.utils import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

from ..errors import UnreadableDocumentError
from .limits import (
    MAX_PART_ELEMENTS,
    CappedReader,
    ReadBudget,
    ReadLimits,
    count_xml_elements,
    open_zip,
)
from .numfmt import format_date, format_general, format_number
from .sheets import SheetCells, emit_sheets

logger = logging.getLogger(__name__)

_ENCRYPTED_OLE = "EncryptionInfo".encode("utf-16-le")
_PASSWORD = (
    "password-protected workbook: remove the password (Excel: 文件 > 信息 > 保护工作簿) "
    "and add it again"
)
_ROW = f"{{{SHEET_MAIN_NS}}}row"
_SHEET_DATA = f"{{{SHEET_MAIN_NS}}}sheetData"
_MERGE_CELL = f"{{{SHEET_MAIN_NS}}}mergeCell"
_CORRUPT = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    OSError,
    ValueError,
    SyntaxError,
    ParseError,
    IndexError,
    TypeError,
)


def read_xlsx(data: bytes, path: str, limits: ReadLimits | None = None):
    """Read an .xlsx workbook into rows.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    path : str
        The file's name, for messages.
    limits : ReadLimits, optional
        Limits on the work (default: :meth:`ReadLimits.from_environ`).

    Returns
    -------
    rows : list of Row
        Every visible sheet's rows in order.
    warnings : list of str
        Hidden sheets skipped.

    Raises
    ------
    DocumentTooLargeError
        Reading would pass a limit (zip bomb, too many rows/cells, a huge table).
    UnreadableDocumentError
        The workbook is corrupt or holds no non-empty cell.
    """
    budget = ReadBudget(path, limits or ReadLimits.from_environ(), "xlsx")
    archive = open_zip(data, budget)
    try:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels", ".vml")):
                # sheets are streamed below; only what precedes their cells is loaded whole
                stop = _SHEET_DATA if name.startswith("xl/worksheets/") else None
                count_xml_elements(archive, name, budget, stop=stop)
        book = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except _CORRUPT as exc:
        raise UnreadableDocumentError(path, f"corrupt or damaged Excel workbook ({exc})") from exc
    warnings: list[str] = []
    sheets = []
    try:
        for sheet in book.worksheets:
            if sheet.sheet_state != "visible":
                warnings.append(f"hidden sheet {sheet.title!r} skipped")
                continue
            sheets.append(_openpyxl_sheet(book, sheet, budget))
    except _CORRUPT as exc:
        raise UnreadableDocumentError(path, f"corrupt or damaged Excel workbook ({exc})") from exc
    finally:
        book.close()
    return emit_sheets(sheets, budget), warnings


def read_xls(data: bytes, path: str, limits: ReadLimits | None = None):
    """Read a legacy .xls (BIFF) workbook into rows; see :func:`read_xlsx`.

    Sheets are loaded one at a time with ragged rows (a row is as long as its last
    cell, not the sheet's widest row) and unloaded when read.
    """
    budget = ReadBudget(path, limits or ReadLimits.from_environ(), "xls")
    if _ENCRYPTED_OLE in data:
        raise UnreadableDocumentError(path, _PASSWORD)
    try:
        book = xlrd.open_workbook(
            file_contents=data, formatting_info=True, ragged_rows=True, on_demand=True
        )
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise UnreadableDocumentError(path, _PASSWORD) from exc
        raise UnreadableDocumentError(path, f"corrupt or damaged .xls workbook ({exc})") from exc
    except (xlrd.compdoc.CompDocError, ValueError, IndexError, KeyError, AssertionError) as exc:
        raise UnreadableDocumentError(path, f"corrupt or damaged .xls workbook ({exc})") from exc
    warnings: list[str] = []
    sheets = []
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.visibility:
                warnings.append(f"hidden sheet {sheet.name!r} skipped")
            else:
                sheets.append(_xlrd_sheet(book, sheet, budget))
            book.unload_sheet(index)
    except (xlrd.XLRDError, ValueError, IndexError, KeyError, AssertionError) as exc:
        raise UnreadableDocumentError(path, f"corrupt or damaged .xls workbook ({exc})") from exc
    finally:
        book.release_resources()
    return emit_sheets(sheets, budget), warnings


def _openpyxl_sheet(book, sheet, budget: ReadBudget) -> SheetCells:
    """Stream one read-only sheet: filled cells and merged ranges, counted as they come."""
    result = SheetCells(name=sheet.title)
    # the parser openpyxl's own read-only rows use; its rows come from our loop below,
    # which frees each row once read (openpyxl's keeps an empty element per row)
    parser = WorkSheetParser(
        None,
        sheet._shared_strings,
        data_only=True,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )
    with book._archive.open(sheet._worksheet_path) as raw:
        source = CappedReader(raw, budget, sheet._worksheet_path)
        for element in _sheet_elements(source, budget, sheet.title):
            if element.tag == _MERGE_CELL:
                _add_merge(result, element.get("ref", ""))
                continue
            row, cells = parser.parse_row(element)
            budget.add_rows(1, sheet.title)
            budget.add_cells(len(cells), sheet.title, row)
            for cell in cells:
                if cell["value"] is None:
                    continue
                text = _openpyxl_text(ReadOnlyCell(sheet, **cell))
                if text:
                    result.texts[(cell["row"], cell["column"])] = text
    return result


def _sheet_elements(source, budget: ReadBudget, title: str):
    """Yield each <row> and <mergeCell> of a sheet's XML as it ends, freeing what was read.

    At most :data:`MAX_PART_ELEMENTS` elements are held at once (one row, or one
    block such as <cols>); more is refused.
    """
    stack = []
    pending = 0
    for event, element in iterparse(source, events=("start", "end")):
        if event == "start":
            stack.append(element)
            if len(stack) > MAX_PART_ELEMENTS:
                raise budget.part_too_big(f"工作表“{title}”")
            continue
        stack.pop()
        pending += 1
        if pending > MAX_PART_ELEMENTS:
            raise budget.part_too_big(f"工作表“{title}”")
        if element.tag in (_ROW, _MERGE_CELL):
            yield element
        elif len(stack) > 1 and stack[-1].tag != _SHEET_DATA:
            continue  # part of an element still being read
        element.clear()
        if stack:
            stack[-1].remove(element)
        pending = 0


def _add_merge(sheet: SheetCells, ref: str) -> None:
    try:
        c0, r0, c1, r1 = range_boundaries(ref)
    except (ValueError, TypeError):
        logger.debug("sheet %r: merged range %r ignored", sheet.name, ref)
        return
    if None in (c0, r0, c1, r1):
        return  # whole rows or columns: not a merge Excel can make
    sheet.merges.append((min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)))


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


def _xlrd_sheet(book, sheet, budget: ReadBudget) -> SheetCells:
    result = SheetCells(name=sheet.name)
    for row in range(sheet.nrows):
        length = sheet.row_len(row)
        if not length:
            continue
        budget.add_rows(1, sheet.name)
        budget.add_cells(length, sheet.name, row + 1)
        for col in range(length):
            text = _xlrd_text(book, sheet.cell(row, col))
            if text:
                result.texts[(row + 1, col + 1)] = text
    for first_row, end_row, first_col, end_col in sheet.merged_cells:
        if end_row > first_row and end_col > first_col:
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
