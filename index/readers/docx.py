"""Read Word .docx documents (python-docx): paragraphs and tables in document order.

The body XML is walked child by child, so text and tables come out in the order they
are printed. Paragraphs are text lines (tabs and space runs still cut cells, as in
the text reader); tables are rows of cells with merges resolved by the one rule of
:mod:`index.readers.grid`: a ``gridSpan`` cell is printed once in its first grid
column, a ``vMerge`` continuation repeats the text of the cell it continues.
"""

from __future__ import annotations

import logging
import zipfile
from io import BytesIO

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml.etree import XMLSyntaxError

from ..errors import UnreadableDocumentError
from ..tablemodel import Row
from .grid import RowSink, Slot, resolve_merges
from .limits import ReadBudget, ReadLimits, count_xml_elements, open_zip

logger = logging.getLogger(__name__)

_CONTAINERS = (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"))


def read_docx(
    data: bytes, path: str, limits: ReadLimits | None = None
) -> tuple[list[Row], list[str]]:
    """Read a .docx document into rows.

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
        Paragraph lines and table rows in document order.
    warnings : list of str
        Always empty for now (kept for the reader interface).

    Raises
    ------
    DocumentTooLargeError
        Reading would pass a limit (zip bomb, too many XML elements, a huge table).
    UnreadableDocumentError
        The file is not a readable Word document.
    """
    budget = ReadBudget(path, limits or ReadLimits.from_environ(), "docx")
    archive = open_zip(data, budget)
    for name in archive.namelist():
        if name.endswith((".xml", ".rels")):
            count_xml_elements(archive, name, budget)
    try:
        document = docx.Document(BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError) as exc:
        raise UnreadableDocumentError(path, f"corrupt or damaged Word document ({exc})") from exc
    sink = RowSink()
    for element in _blocks(document.element.body):
        if element.tag == qn("w:p"):
            for line in Paragraph(element, None).text.split("\n"):
                sink.text(line)
        else:
            sink.table(resolve_merges(_table_grid(element, budget)))
    return sink.finish(), []


def _blocks(parent):
    """Paragraphs and tables under ``parent`` in order, looking inside content controls."""
    for child in parent.iterchildren():
        if child.tag in (qn("w:p"), qn("w:tbl")):
            yield child
        elif child.tag in _CONTAINERS:
            yield from _blocks(child)


def _table_grid(tbl, budget: ReadBudget) -> list[list[Slot]]:
    """The table as a grid whose merged positions point at their anchor cell.

    Its size (rows × the widest row's grid columns) is counted before it is built.
    """
    rows = [tr for tr in tbl.iter(qn("w:tr")) if _owner_table(tr) is tbl]  # not nested ones
    widest = max((tr.grid_before + sum(tc.grid_span for tc in tr.tc_lst) for tr in rows), default=0)
    budget.add_table(len(rows), widest, "Word 表格")
    grid: list[list[Slot]] = []
    for tr in rows:
        r = len(grid)
        row: list[Slot] = [None] * tr.grid_before
        for tc in tr.tc_lst:
            c = len(row)
            if tc.vMerge == "continue" and grid:
                above = grid[-1][c] if c < len(grid[-1]) else None
                anchor = above if isinstance(above, tuple) else (r - 1, c)
                row.append(anchor)
            else:
                anchor = (r, c)
                row.append(_cell_text(tc) or None)
            row.extend([anchor] * (tc.grid_span - 1))
        grid.append(row)
    return grid


def _owner_table(tr):
    parent = tr.getparent()
    while parent is not None and parent.tag != qn("w:tbl"):
        parent = parent.getparent()
    return parent


def _cell_text(tc) -> str:
    return "\n".join(Paragraph(p, None).text for p in tc.iter(qn("w:p")))
