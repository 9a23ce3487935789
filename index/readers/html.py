"""Read HTML pages (BeautifulSoup + lxml): tables as table rows, the rest as text lines.

The page is walked in document order. Block elements (p, div, h1 … li, br) end a
line; each line goes through :func:`index.tablemodel.split_text_line`, so a page
without tables (or a ``<pre>`` dump) still yields cells from tabs and space runs.
A ``<table>`` holding no other table is a data table: its rows come out as cells
with ``rowspan`` filled down and ``colspan`` collapsed into the first column
(:mod:`index.readers.grid`). A table that holds tables is page layout, and its cells
are read as blocks. The charset comes from the BOM or ``<meta charset>``, else
UTF-8, else GB18030. Each table's positions are counted against
``max_table_cells`` (:mod:`index.readers.limits`) as its grid is built.
"""

from __future__ import annotations

import logging
import re

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction

from ..tablemodel import Row
from .grid import RowSink, Slot, resolve_merges
from .limits import ReadBudget, ReadLimits

logger = logging.getLogger(__name__)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_:.\-]+)""", re.I)
_GB = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "cp936", "gb18030", "euc-cn", "hz-gb-2312"}
_WESTERN = {"iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii"}
_WHITESPACE = re.compile(r"[ \t\r\n\f]+")
_SKIP = {"script", "style", "noscript", "template", "head", "iframe", "object", "svg", "select"}
_BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "tr", "td", "th", "table", "tbody", "thead", "tfoot", "caption", "section", "article",
    "header", "footer", "nav", "aside", "main", "blockquote", "pre", "address", "center",
    "form", "fieldset", "figure", "figcaption", "hr", "body", "html",
}  # fmt: skip
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)
_BREAK = "\u2028"  # marks <br> and block ends inside a table cell


def read_html(
    data: bytes, path: str, limits: ReadLimits | None = None
) -> tuple[list[Row], list[str]]:
    """Read an HTML page into rows.

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
        Text lines and table rows in document order.
    warnings : list of str
        Undecodable bytes replaced, if any.
    """
    text, encoding, warnings = decode_html(data, path)
    logger.debug("%s: decoded as %s", path, encoding)
    soup = BeautifulSoup(text, "lxml")
    walker = _Walker(ReadBudget(path, limits or ReadLimits.from_environ(), "html"))
    walker.page_title(soup)
    walker.walk(soup)
    walker.flush()
    return walker.sink.finish(), warnings


def decode_html(data: bytes, path: str) -> tuple[str, str, list[str]]:
    """Decode HTML bytes: BOM, then the declared charset, then UTF-8, then GB18030.

    Returns the text, the encoding used and warnings.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8", []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16", []
    head = data[:4096]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    declared = match.group(1).decode("ascii").lower() if match else None
    candidates = ["utf-8", "gb18030"]
    if declared in _GB:
        candidates = ["gb18030", "utf-8"]
    elif declared and declared not in _WESTERN and declared not in ("utf-8", "utf8"):
        candidates = [declared, "utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding, []
        except (UnicodeDecodeError, LookupError):
            continue
    if declared in _WESTERN:
        return data.decode("cp1252", errors="replace"), "cp1252", []
    text = data.decode("gb18030", errors="replace")
    warning = f"{path}: not valid UTF-8 or GB18030; undecodable bytes replaced"
    logger.warning(warning)
    return text, "gb18030", [warning]


class _Walker:
    """Walk the DOM in order, sending lines and tables to a :class:`RowSink`."""

    def __init__(self, budget: ReadBudget) -> None:
        self.budget = budget
        self.sink = RowSink()
        self.buffer: list[str] = []

    def flush(self) -> None:
        text = "".join(self.buffer).replace("\u00a0", " ")
        self.buffer = []
        for line in text.split("\n"):
            if line.strip():
                self.line(line.strip())

    def line(self, text: str) -> None:
        self.sink.text(text)

    def page_title(self, soup) -> None:
        """The page's ``<title>`` as its first line: it may be all that names the region and
        the year (the ``<head>`` is otherwise skipped)."""
        title = soup.find("title")
        text = _WHITESPACE.sub(" ", title.get_text()).strip() if title else ""
        if text:
            self.line(text)

    def walk(self, node, pre: bool = False) -> None:
        for child in node.children:
            if isinstance(child, _NOT_TEXT):
                continue
            if isinstance(child, NavigableString):
                self.buffer.append(str(child) if pre else _WHITESPACE.sub(" ", str(child)))
                continue
            name = child.name
            if name in _SKIP:
                continue
            if name == "br":
                self.buffer.append("\n")
                continue
            if name == "table" and child.find("table") is None:
                self.flush()
                caption = child.find("caption")
                if caption is not None and caption.get_text(strip=True):
                    self.line(_WHITESPACE.sub(" ", caption.get_text()).strip())  # its title
                self.sink.table(resolve_merges(_table_grid(child, self.budget)))
                continue
            block = name in _BLOCKS
            if block:
                self.flush()
            self.walk(child, pre or name == "pre")
            if block:
                self.flush()


def _table_grid(table, budget: ReadBudget) -> list[list[Slot]]:
    """The table as a grid: rowspan/colspan positions point at their anchor cell.

    Positions are counted against the budget row by row as they are made, and the
    padding of short rows to the widest before the grid is returned.
    """
    trs = table.find_all("tr")
    built = widest = 0
    grid: list[list[Slot]] = []
    pending: dict[int, tuple[tuple[int, int], int]] = {}  # column -> (anchor, rows left)
    for r, tr in enumerate(trs):
        row: dict[int, Slot] = {}
        for column, (anchor, left) in list(pending.items()):
            row[column] = anchor
            if left > 1:
                pending[column] = (anchor, left - 1)
            else:
                del pending[column]
        c = placed = 0
        for cell in tr.find_all(["td", "th"], recursive=False):
            while c in row:
                c += 1
            colspan = _span(cell.get("colspan"), 100)
            budget.add_table(1, colspan, "HTML 表格")
            placed += colspan
            rowspan = _span(cell.get("rowspan"), len(trs) - r) or len(trs) - r
            row[c] = _cell_text(cell) or None
            for k in range(1, colspan):
                row[c + k] = (r, c)
            if rowspan > 1:
                for k in range(colspan):
                    pending[c + k] = ((r, c), rowspan - 1)
            c += colspan
        width = max(row, default=-1) + 1
        budget.add_table(1, width - placed, "HTML 表格")  # rowspans from above, gaps
        grid.append([row.get(k) for k in range(width)])
        built += width
        widest = max(widest, width)
    budget.add_table(1, len(grid) * widest - built, "HTML 表格")
    return grid


def _span(value, limit: int) -> int:
    digits = re.match(r"\s*(\d+)", str(value or "1"))
    return min(int(digits.group(1)), limit) if digits else 1


def _cell_text(cell) -> str:
    parts = []
    for piece in cell.descendants:
        if isinstance(piece, NavigableString) and not isinstance(piece, _NOT_TEXT):
            if piece.parent is not None and piece.parent.name not in _SKIP:
                parts.append(_WHITESPACE.sub(" ", str(piece)))
        elif getattr(piece, "name", None) == "br":
            parts.append(_BREAK)
        elif getattr(piece, "name", None) in _BLOCKS and parts:
            parts.append(_BREAK)
    return "".join(parts).replace(_BREAK, "\n").replace("\u00a0", " ").strip()
