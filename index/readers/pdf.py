"""Read PDF documents (pdfplumber): ruled tables as table rows, the rest as text lines.

Each page is read top to bottom. Ruled tables (``page.find_tables``) become table
rows with merged cells resolved (see :mod:`index.readers.grid`); everything else is
read from word positions (:mod:`index.readers.pdftext`): cells cut at wide gaps, so an
unruled table still comes out as rows of cells, and wrapped paragraphs joined. A
table continued on the next page is simply more rows. Page numbers and running
headers/footers are dropped. ``Row.page`` is the 1-based page number.

Reading is bounded (:mod:`index.readers.pdflimits`): streams are decoded with caps
before pdfminer sees them, pages are counted before they are read, each page's
layout stops at a number of objects, and the whole read at a time limit. Each page
is released once read.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from ..errors import DocumentTooLargeError, UnreadableDocumentError
from ..tablemodel import Row
from .grid import ResolvedRow, RowSink, Slot, resolve_merges
from .limits import ReadBudget, ReadLimits
from .pdflimits import bounded_layout, check_streams, count_pages, ruling_points
from .pdftext import Line, page_lines

logger = logging.getLogger(__name__)

# lines that are nothing but a page number: 第 3 页, 第3页 共12页, - 3 -, ─ 7 ─, 3/12, Page 3
_PAGE_NUMBER = re.compile(
    r"^(第\s*[0-9一二三四五六七八九十百]+\s*页([,，、/\s]*共\s*\d+\s*页)?"
    r"|共\s*\d+\s*页[,，、\s]*第\s*\d+\s*页"
    r"|[-—–－─━]+\s*\d+\s*[-—–－─━]+"
    r"|\d+\s*/\s*\d+"
    r"|[Pp]age\s*\d+(\s*of\s*\d+)?)$"
)
_DIGITS = re.compile(r"\d+")
# share of the page height at the top and bottom where bare numbers are page numbers
MARGIN = 0.12
# running headers and footers sit in this outer share of the page
EDGE = 0.07


@dataclass
class _Page:
    number: int
    height: float
    items: list[tuple[float, Line | list[ResolvedRow]]] = field(default_factory=list)
    has_text: bool = True
    has_images: bool = False


def read_pdf(
    data: bytes, path: str, limits: ReadLimits | None = None
) -> tuple[list[Row], list[str]]:
    """Read a PDF into rows.

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
        Table rows and text lines in reading order; ``line`` counts rows from 1,
        ``page`` is the page number.
    warnings : list of str
        Pages that could not be read or have no text layer.

    Raises
    ------
    DocumentTooLargeError
        Reading would pass a limit (a stream decoding past its cap, too many pages,
        a page with too many objects, too long).
    UnreadableDocumentError
        The PDF is corrupt, password-protected, or has no text layer at all.
    """
    budget = ReadBudget(path, limits or ReadLimits.from_environ(), "pdf")
    check_streams(data, budget)
    warnings: list[str] = []
    with _open(data, path) as pdf:
        try:
            count_pages(pdf.doc, budget)
            page_list = pdf.pages
        except PdfminerException as exc:
            raise UnreadableDocumentError(
                path, f"damaged PDF: page tree unreadable ({exc})"
            ) from exc
        pages = []
        for number, page in enumerate(page_list, start=1):
            budget.check_time(f"第 {number} 页")
            try:
                pages.append(_read_page(page, number, budget, warnings))
            except DocumentTooLargeError:
                raise
            except Exception as exc:  # noqa: BLE001 - one broken page must not lose the rest
                logger.warning("%s: page %d unreadable: %s", path, number, exc)
                warnings.append(f"page {number} could not be read ({exc}); skipped")
            finally:
                page.close()
    if not pages:
        reason = warnings[0] if warnings else "no pages found"
        raise UnreadableDocumentError(path, f"damaged or truncated PDF: {reason}")
    if not any(page.has_text for page in pages):
        raise UnreadableDocumentError(path, _no_text_reason(pages))
    scanned = [str(page.number) for page in pages if not page.has_text and page.has_images]
    if scanned:
        warnings.append(
            f"pages {', '.join(scanned)} have no text layer (scanned images?): "
            "skipped, OCR is not supported"
        )
    _drop_furniture(pages)
    logger.info("%s: read %d pages", path, len(pages))
    return _emit(pages), warnings


def _no_text_reason(pages: list[_Page]) -> str:
    reason = (
        "scanned PDF without a text layer: OCR is not supported; "
        "use the text PDF the department published, or run OCR first and add the result"
    )
    if not any(page.has_images for page in pages):
        reason += " (no page has text or images either: the file may be damaged)"
    return reason


def _open(data: bytes, path: str) -> pdfplumber.PDF:
    try:
        return pdfplumber.open(BytesIO(data))
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise UnreadableDocumentError(
                path, "password-protected PDF: remove the password and add it again"
            ) from exc
        raise UnreadableDocumentError(
            path, f"corrupt or damaged PDF ({str(cause) or type(cause).__name__}): cannot be read"
        ) from exc
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds on bad input
        raise UnreadableDocumentError(path, f"corrupt or damaged PDF ({exc})") from exc


def _read_page(page, number: int, budget: ReadBudget, warnings: list[str]) -> _Page:
    bounded_layout(page, budget)
    page = page.dedupe_chars().filter(_visible)
    result = _Page(number=number, height=float(page.height))
    if not page.chars:
        result.has_text = False
        result.has_images = bool(page.images)
        return result
    points = ruling_points(page)
    if points > budget.limits.max_table_points:
        warnings.append(
            f"page {number}: {points:,} ruling-line crossings (limit "
            f"{budget.limits.max_table_points:,}); tables not detected, read as text"
        )
        tables = []
    else:
        tables = page.find_tables()
    for table in tables:
        result.items.append((table.bbox[1], resolve_merges(_table_grid(table))))
    for line in page_lines(page, tables):
        result.items.append((line.top, line))
    result.items.sort(key=lambda item: item[0])
    return result


def _visible(obj: dict) -> bool:
    """False for white rectangles and lines (cell backgrounds), which are not rulings."""
    if obj.get("object_type") not in ("rect", "line", "curve"):
        return True
    filled = obj.get("fill") and not _is_white(obj.get("non_stroking_color"))
    stroked = obj.get("stroke", True) and not _is_white(obj.get("stroking_color"))
    return bool(filled or stroked)


def _is_white(color) -> bool:
    if color is None or isinstance(color, str):
        return False
    values = tuple(color) if isinstance(color, (list, tuple)) else (color,)
    if not values or not all(isinstance(v, (int, float)) for v in values):
        return False
    if len(values) == 4:  # CMYK
        return all(v <= 0.05 for v in values)
    return all(v >= 0.95 for v in values)


def _table_grid(table) -> list[list[Slot]]:
    """The table's cells as a grid whose covered positions point at their anchor."""
    rows = table.rows
    texts = table.extract()
    xs = sorted({cell[0] for cell in table.cells})
    tops = [next(cell[1] for cell in row.cells if cell is not None) for row in rows]
    grid: list[list[Slot]] = []
    for r, row in enumerate(rows):
        line: list[Slot] = []
        for c, cell in enumerate(row.cells):
            if cell is not None:
                line.append(texts[r][c] or None)
                continue
            line.append(_anchor(table.cells, xs, tops, xs[c], tops[r]))
        grid.append(line)
    return grid


def _anchor(cells, xs, tops, x: float, top: float) -> tuple[int, int] | None:
    for x0, y0, x1, y1 in cells:
        if x0 <= x < x1 and y0 <= top < y1 and x0 in xs and y0 in tops:
            return tops.index(y0), xs.index(x0)
    return None


def _drop_furniture(pages: list[_Page]) -> None:
    """Remove page numbers and running headers/footers (text lines only)."""
    repeated = _repeated_edge_lines(pages)
    for page in pages:
        kept = []
        for top, item in page.items:
            if isinstance(item, Line) and _is_furniture(item, page.height, repeated):
                logger.debug("page %d: dropped header/footer %r", page.number, item.joined)
                continue
            kept.append((top, item))
        page.items = kept


def _is_furniture(line: Line, height: float, repeated: set[str]) -> bool:
    text = line.joined.replace(" ", "")
    if _PAGE_NUMBER.match(text):
        return True
    in_margin = line.bottom < MARGIN * height or line.top > (1 - MARGIN) * height
    if in_margin and text.isdigit() and len(text) <= 4:
        return True
    return _at_edge(line, height) and _DIGITS.sub("#", text) in repeated


def _at_edge(line: Line, height: float) -> bool:
    return line.bottom < EDGE * height or line.top > (1 - EDGE) * height


def _repeated_edge_lines(pages: list[_Page]) -> set[str]:
    """Texts (digits masked) printed at the page edge on at least half of the pages."""
    counts: Counter[str] = Counter()
    for page in pages:
        seen = {
            _DIGITS.sub("#", item.joined.replace(" ", ""))
            for _, item in page.items
            if isinstance(item, Line) and _at_edge(item, page.height)
        }
        counts.update(seen)
    need = max(3, (len(pages) + 1) // 2)
    return {text for text, count in counts.items() if count >= need}


def _emit(pages: list[_Page]) -> list[Row]:
    sink = RowSink()
    for page in pages:
        sink.page = page.number
        for _, item in page.items:
            if isinstance(item, Line):
                sink.add(item.texts, tabular=len(item.cells) > 1)
            else:
                sink.table(item)
    return sink.finish()
