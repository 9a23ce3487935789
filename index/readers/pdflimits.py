"""Bounds on reading a PDF: decoded stream sizes, pages, objects per page, ruling lines, time.

pdfminer (under pdfplumber) inflates a stream whole when it first needs it, walks
every page of the page tree, and builds a layout object for every character and
line a page draws, including those repeated through nested forms. So before
pdfminer sees the file, :func:`check_streams` decodes every stream with pypdf's
capped decoders (pypdf stops a decoder at its configured output length); then
:func:`count_pages` walks at most ``max_pages`` + 1 pages, and :func:`bounded_layout`
builds each page's layout with a device that stops at ``max_page_objects``. Table
detection, whose cost grows with the square of the ruling-line crossings, is
skipped on a page with more than ``max_table_points`` of them
(:func:`ruling_points`).
"""

from __future__ import annotations

import logging
import zlib
from io import BytesIO
from itertools import islice

import pypdf
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdfpage import PDFPage
from pdfplumber.page import PDFPageAggregatorWithMarkedContent
from pypdf.errors import LimitReachedError
from pypdf.filters import decode_stream_data
from pypdf.generic import IndirectObject, StreamObject

from ..errors import UnreadableDocumentError
from .limits import MB, ReadBudget

logger = logging.getLogger(__name__)

_FLATE = ("/FlateDecode", "/Fl")
# pdfminer recovers a damaged Flate stream byte by byte, in time quadratic in its
# size (3 s at 4 MB, 45 s at 16 MB): a damaged stream larger than this is refused
DAMAGED_STREAM_BYTES = 4 * MB


class _StreamTooLarge(Exception):
    """A stream decodes past the cap (raised by the counting inflater)."""


class _DamagedStream(Exception):
    """A damaged Flate stream too large for pdfminer to recover in reasonable time."""


def check_streams(data: bytes, budget: ReadBudget) -> None:
    """Decode every stream of the PDF with capped decoders, counting what they give.

    Each stream may decode to at most ``max_unpacked_mb``; the streams other than
    images (content, fonts, forms, object and cross-reference streams — what pdfminer
    decodes) count together against it too. Images are decoded only to check the
    cap: pdfminer never decodes their pixels. A file pypdf cannot parse is left to
    pdfminer, which reports it.

    Raises
    ------
    DocumentTooLargeError
        A stream (or all of them) decodes past the limit, or the check runs past
        ``max_pdf_seconds``.
    """
    cap = budget.limits.max_unpacked_mb * MB
    with pypdf.apply_configuration(
        zlib_maximum_output_length=cap,
        lzw_maximum_output_length=cap,
        run_length_maximum_output_length=cap,
        array_based_stream_maximum_output_length=cap,
        brotli_maximum_output_length=cap,
    ):
        try:
            reader = pypdf.PdfReader(BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                return  # pdfminer says it is password-protected
        except LimitReachedError as exc:
            raise _stream_too_large(budget, "交叉引用表", exc) from exc
        except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on bad input
            logger.debug("%s: pypdf cannot parse it (%s); streams not checked", budget.path, exc)
            return
        for generation, numbers in list(reader.xref.items()):
            for number in list(numbers):
                budget.check_time("数据流检查")
                _check_stream(reader, IndirectObject(number, generation, reader), budget)
                reader.resolved_objects.pop((generation, number), None)  # keep memory flat


def _check_stream(reader, ref: IndirectObject, budget: ReadBudget) -> None:
    what = f"数据流 {ref.idnum}"
    try:
        obj = reader.get_object(ref)
        if not isinstance(obj, StreamObject):
            return
        size = _decoded_size(obj, budget.limits.max_unpacked_mb * MB)
    except (LimitReachedError, _StreamTooLarge) as exc:
        raise _stream_too_large(budget, what, exc) from exc
    except _DamagedStream as exc:
        raise budget.refuse(
            "max_unpacked_mb",
            f"文件 {budget.name} 的{what} 已损坏，且解压后超过 {DAMAGED_STREAM_BYTES // MB} MB，"
            f"读取它要很长时间；{budget._resave}",
        ) from exc
    except Exception as exc:  # noqa: BLE001 - an undecodable stream is pdfminer's to report
        logger.debug("%s: %s not decoded: %s", budget.path, what, exc)
        return
    if obj.get("/Subtype") != "/Image":
        budget.add_unpacked(size, what)


def _decoded_size(obj: StreamObject, cap: int) -> int:
    """The stream's decoded size. A plain Flate stream (the usual kind, and the usual
    bomb) is inflated in 1 MB pieces that are counted and dropped; other filter chains
    are decoded by pypdf under its configured caps."""
    filters = obj.get("/Filter")
    if isinstance(filters, list) and len(filters) == 1:
        filters = filters[0]
    if filters not in _FLATE:
        return len(decode_stream_data(obj))
    inflater = zlib.decompressobj()
    pending, size = obj._data, 0  # the raw (decrypted) bytes, as pypdf's decoders take them
    try:
        while pending:
            size += len(inflater.decompress(pending, MB))
            if size > cap:
                raise _StreamTooLarge(f"inflates past {cap} bytes")
            pending = inflater.unconsumed_tail
        size += len(inflater.flush())
        damaged = not inflater.eof
    except zlib.error:
        damaged = True
    if damaged and size > DAMAGED_STREAM_BYTES:
        raise _DamagedStream(f"damaged, {size} bytes inflated")
    return size


def _stream_too_large(budget: ReadBudget, what: str, exc: Exception):
    logger.info("%s: %s: %s", budget.path, what, exc)
    limit = budget.limits.max_unpacked_mb
    return budget.refuse(
        "max_unpacked_mb",
        f"文件 {budget.name} 的{what} 解压后超过 {limit} MB 上限，可能是压缩炸弹；{budget._resave}",
    )


def count_pages(document, budget: ReadBudget) -> int:
    """The number of pages, walking at most ``max_pages`` + 1 of them; refuse past the limit.

    Raises :class:`UnreadableDocumentError` when the page tree cannot be walked.
    """
    limit = budget.limits.max_pages
    try:
        count = sum(1 for _ in islice(PDFPage.create_pages(document), limit + 1))
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds on a bad page tree
        raise UnreadableDocumentError(
            budget.path, f"damaged PDF: page tree unreadable ({exc})"
        ) from exc
    if count > limit:
        raise budget.refuse(
            "max_pages",
            f"文件 {budget.name} 超过 {limit:,} 页上限；请拆分为几个较小的 PDF 后再添加",
        )
    return count


class _BoundedAggregator(PDFPageAggregatorWithMarkedContent):
    """pdfplumber's layout device, refusing the page past ``max_page_objects`` objects."""

    def __init__(self, *args, budget: ReadBudget, page_number: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget = budget
        self.page_number = page_number
        self.left = budget.limits.max_page_objects

    def _count(self) -> None:
        self.left -= 1
        if self.left < 0:
            limit = self.budget.limits.max_page_objects
            raise self.budget.refuse(
                "max_page_objects",
                f"文件 {self.budget.name} 第 {self.page_number} 页的文字和图形"
                f"超过 {limit:,} 个上限，"
                "可能是恶意构造的文件；请用 PDF 软件另存为或打印成新的 PDF 后再添加",
            )

    def render_char(self, *args, **kwargs):
        self._count()
        return super().render_char(*args, **kwargs)

    def render_image(self, *args, **kwargs) -> None:
        self._count()
        super().render_image(*args, **kwargs)

    def paint_path(self, *args, **kwargs) -> None:
        self._count()
        super().paint_path(*args, **kwargs)


def bounded_layout(page, budget: ReadBudget) -> None:
    """Build a pdfplumber page's layout with the bounded device.

    What ``Page.layout`` does (pdfplumber 0.11), with :class:`_BoundedAggregator`;
    the result goes where ``Page.layout`` caches it, so the page's objects, words
    and tables are drawn from it.
    """
    device = _BoundedAggregator(
        page.pdf.rsrcmgr,
        pageno=page.page_number,
        laparams=page.pdf.laparams,
        budget=budget,
        page_number=page.page_number,
    )
    PDFPageInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    page._layout = device.get_result()


def ruling_points(page) -> int:
    """An upper bound of the crossings of the page's vertical and horizontal ruling lines."""
    xs, ys = set(), set()
    for edge in page.edges:
        if edge["orientation"] == "v":
            xs.add(round(edge["x0"]))
        elif edge["orientation"] == "h":
            ys.add(round(edge["top"]))
    return len(xs) * len(ys)
