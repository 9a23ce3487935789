"""Limits on the work of reading one document, checked before the work is done.

A small file can ask a reader for unbounded memory or time: an .xlsx whose sheet
inflates to gigabytes (a zip bomb), a cell at the far corner of a sheet, a merged
range over a million rows, a PDF content stream that inflates to gigabytes, a page
tree of a million pages. Every reader counts what it reads against one
:class:`ReadLimits` through a :class:`ReadBudget` and raises
:class:`~index.errors.DocumentTooLargeError` — a Chinese message naming the file, the
limit and what to do — before it would pass one. Nothing is indexed from such a file.

The zip checks read the central directory only (member count, declared sizes,
compression ratios); the declared sizes also bound the inflating itself, because
:mod:`zipfile` never returns more than a member's declared size (a member that
inflates past it fails its CRC check), and the readers stream-count the bytes
they inflate on top of that (:class:`CappedReader`).
"""

from __future__ import annotations

import logging
import os
import struct
import time
import zipfile
from dataclasses import dataclass, fields
from io import BytesIO
from pathlib import Path

from lxml import etree

from ..errors import DocumentTooLargeError, UnreadableDocumentError

logger = logging.getLogger(__name__)

MB = 1024 * 1024
# members smaller than this are never called bombs, whatever their ratio
RATIO_GRACE_BYTES = 1 * MB
# elements held in memory at once while streaming a sheet: one row (16,384 cells,
# each with a value and a formula) or one block such as <mergeCells>
MAX_PART_ELEMENTS = 16_384 * 8

_APPS = {"xlsx": "Excel 或 WPS", "docx": "Word 或 WPS", "pdf": "PDF 软件", "xls": "Excel 或 WPS"}


@dataclass(frozen=True)
class ReadLimits:
    """How much reading one document may unpack, build and take.

    Every field can be set by an environment variable named ``BUDGETQA_`` + the
    upper-cased field name (``BUDGETQA_MAX_UNPACKED_MB=500``); see
    :meth:`from_environ`.

    Attributes
    ----------
    max_unpacked_mb : int
        Bytes one document may unpack: for .xlsx/.docx the sum of the zip members'
        sizes, for PDFs the decoded size of any one stream and of all non-image
        streams together.
    max_zip_ratio : int
        Largest inflated/compressed ratio of one zip member over 1 MB
        (Apache POI's default zip-bomb ratio, 100:1; sheet XML compresses ~10:1).
    max_zip_members : int
        Entries in a zip container (an .xlsx has ~20, a .docx with pictures ~100).
    max_xml_elements : int
        XML elements in the parts loaded whole: a .docx body, styles, shared strings,
        workbook parts (about 15 per formatted paragraph or table cell; at the limit
        python-docx and the reader hold ~550 MB).
    max_rows, max_cells : int
        Spreadsheet rows and cells read, all sheets together (cells include empty
        formatted ones; a million cells read in ~20 s and ~300 MB).
    max_table_cells : int
        Positions (rows × columns, merged ranges included) of the tables built from
        a document's sheets, Word tables or HTML tables.
    max_pages : int
        PDF pages (the 8 real budget disclosures have 12–33).
    max_page_objects : int
        Characters, lines, rectangles, curves and images on one PDF page, forms
        included (the densest real budget page has ~2,000).
    max_table_points : int
        Crossings of ruling lines on one PDF page above which table detection is
        skipped and the page read as text (its cost grows with their square: 9,000
        take ~2.5 s; a real table page has ~1,000).
    max_pdf_seconds : int
        Wall-clock seconds for reading one PDF (real ones take ~60 ms a page).
    """

    max_unpacked_mb: int = 200
    max_zip_ratio: int = 100
    max_zip_members: int = 10_000
    max_xml_elements: int = 2_000_000
    max_rows: int = 1_000_000
    max_cells: int = 1_000_000
    max_table_cells: int = 4_000_000
    max_pages: int = 2_000
    max_page_objects: int = 50_000
    max_table_points: int = 10_000
    max_pdf_seconds: int = 600

    @classmethod
    def from_environ(cls, environ: dict[str, str] | None = None) -> ReadLimits:
        """Defaults overridden by ``BUDGETQA_<FIELD>`` variables (positive integers)."""
        environ = os.environ if environ is None else environ
        values = {}
        for spec in fields(cls):
            name = f"BUDGETQA_{spec.name.upper()}"
            raw = environ.get(name, "").strip()
            if not raw:
                continue
            if not raw.isdigit() or int(raw) <= 0:
                raise ValueError(f"{name}={raw!r}: expected a positive whole number")
            values[spec.name] = int(raw)
        return cls(**values)


def _mb(nbytes: int) -> str:
    return f"{nbytes / MB:,.0f}"


class ReadBudget:
    """What one document read has used so far, checked against its :class:`ReadLimits`.

    Parameters
    ----------
    path : str
        The document, named in every message.
    limits : ReadLimits
        The limits to enforce.
    kind : str
        The format ("xlsx", "docx", "pdf", …), for the advice in messages.
    """

    def __init__(self, path: str, limits: ReadLimits, kind: str):
        self.path = str(path)
        self.name = Path(path).name
        self.limits = limits
        self.kind = kind
        self.unpacked = 0
        self.rows = 0
        self.cells = 0
        self.elements = 0
        self.table_cells = 0
        self.started = time.monotonic()

    def refuse(self, limit: str, reason: str) -> DocumentTooLargeError:
        """The error to raise for ``limit``; ``reason`` is the Chinese message."""
        logger.warning("%s: refused, %s exceeded", self.path, limit)
        return DocumentTooLargeError(self.path, reason, limit)

    @property
    def _resave(self) -> str:
        return f"请用 {_APPS.get(self.kind, '原软件')} 打开后另存为普通 {self.kind} 文件再添加"

    def add_unpacked(self, nbytes: int, what: str = "") -> None:
        """Count ``nbytes`` inflated or decoded; refuse past ``max_unpacked_mb``."""
        self.unpacked += nbytes
        limit = self.limits.max_unpacked_mb
        if self.unpacked > limit * MB:
            where = f"（{what}）" if what else ""
            raise self.refuse(
                "max_unpacked_mb",
                f"文件 {self.name} 解压后超过 {limit} MB 上限{where}，可能是压缩炸弹；"
                f"{self._resave}",
            )

    def add_rows(self, count: int, sheet: str) -> None:
        """Count spreadsheet rows read; refuse past ``max_rows``."""
        self.rows += count
        if self.rows > self.limits.max_rows:
            raise self.refuse(
                "max_rows",
                f"文件 {self.name} 的行数超过 {self.limits.max_rows:,} 行上限"
                f"（读到工作表“{sheet}”）；请删除多余的行或拆分为几个文件后再添加",
            )

    def add_cells(self, count: int, sheet: str, row: int | None = None) -> None:
        """Count spreadsheet cells read; refuse past ``max_cells``."""
        self.cells += count
        if self.cells > self.limits.max_cells:
            at = f"第 {row} 行" if row else ""
            raise self.refuse(
                "max_cells",
                f"文件 {self.name} 的单元格超过 {self.limits.max_cells:,} 个上限"
                f"（读到工作表“{sheet}”{at}）；请删除多余的行列（含空白格式）或拆分为几个文件后再添加",
            )

    def add_elements(self, count: int, part: str) -> None:
        """Count XML elements of parts loaded whole; refuse past ``max_xml_elements``."""
        self.elements += count
        if self.elements > self.limits.max_xml_elements:
            raise self.refuse(
                "max_xml_elements",
                f"文件 {self.name} 的 XML 内容超过 {self.limits.max_xml_elements:,} 个元素上限"
                f"（读到 {part}）；{self._resave}，或拆分为几个文件",
            )

    def part_too_big(self, part: str) -> DocumentTooLargeError:
        """The error for one sheet row or block holding more elements than a sheet allows."""
        return self.refuse(
            "max_cells",
            f"文件 {self.name} 的 {part} 中一行（或一段）超过 {MAX_PART_ELEMENTS:,} 个 XML 元素，"
            f"超出 Excel 的列数上限，文件可能已损坏或是恶意构造；{self._resave}",
        )

    def add_table(self, rows: int, columns: int, where: str) -> None:
        """Count the positions of a table about to be built; refuse past ``max_table_cells``."""
        self.table_cells += rows * columns
        limit = self.limits.max_table_cells
        if self.table_cells > limit:
            size = f"：{rows:,} 行 × {columns:,} 列" if rows > 1 else ""
            raise self.refuse(
                "max_table_cells",
                f"文件 {self.name} 的表格范围过大（{where}{size}），"
                f"超过 {limit:,} 个单元格上限；"
                "请删除远处的单元格、空白格式或过大的合并单元格后再添加",
            )

    def check_time(self, where: str) -> None:
        """Refuse when the read has run past ``max_pdf_seconds``."""
        limit = self.limits.max_pdf_seconds
        if time.monotonic() - self.started > limit:
            raise self.refuse(
                "max_pdf_seconds",
                f"文件 {self.name} 读取超过 {limit} 秒上限（读到{where}）；"
                "请拆分为几个较小的文件后再添加",
            )


class CappedReader:
    """A read-only file object that counts the bytes read from ``raw`` into a budget.

    Used between a zip member and an XML parser, so inflating stops at the budget
    even if a member's declared size were wrong.
    """

    def __init__(self, raw, budget: ReadBudget, what: str):
        self.raw = raw
        self.budget = budget
        self.what = what

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.budget.add_unpacked(len(data), self.what)
        return data


def zip_member_count(data: bytes) -> int:
    """Entries in the zip's central directory, counted without building :mod:`zipfile` objects.

    ``zipfile.ZipFile`` builds one object per entry (about 0.5 KB each), so a
    50 MB file of empty entries costs hundreds of MB before any check could run.
    Returns 0 when there is no end-of-central-directory record (not a zip).
    """
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if end < 0 or end + 22 > len(data):
        return 0
    size = struct.unpack_from("<L", data, end + 12)[0]
    cd_end = end
    zip64 = end - 76
    locator = data[end - 20 : end - 16] == b"PK\x06\x07"
    if zip64 >= 0 and locator and data[zip64 : zip64 + 4] == b"PK\x06\x06":
        size = struct.unpack_from("<Q", data, zip64 + 40)[0]
        cd_end = zip64
    return data.count(b"PK\x01\x02", max(0, cd_end - size), cd_end)


def open_zip(data: bytes, budget: ReadBudget) -> zipfile.ZipFile:
    """Open an .xlsx/.docx container after checking its central directory against the limits.

    Checks the member count, the total declared inflated size
    (``max_unpacked_mb``) and each large member's compression ratio
    (``max_zip_ratio``) before anything is inflated.

    Raises
    ------
    DocumentTooLargeError
        A limit is exceeded.
    UnreadableDocumentError
        The container is corrupt.
    """
    limits = budget.limits
    members = zip_member_count(data)
    if members > limits.max_zip_members:
        raise budget.refuse(
            "max_zip_members",
            f"文件 {budget.name} 含 {members:,} 个压缩成员，"
            f"超过 {limits.max_zip_members:,} 个上限，"
            f"可能是恶意构造的文件；{budget._resave}",
        )
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableDocumentError(budget.path, f"corrupt ZIP container: {exc}") from exc
    infos = archive.infolist()
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos)
    if total > limits.max_unpacked_mb * MB:
        ratio = total / max(packed, 1)
        raise budget.refuse(
            "max_unpacked_mb",
            f"文件 {budget.name} 解压后 {_mb(total)} MB，超过 {limits.max_unpacked_mb} MB 上限"
            f"（压缩比 {ratio:,.0f}:1），可能是压缩炸弹；{budget._resave}",
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_GRACE_BYTES and ratio > limits.max_zip_ratio:
            raise budget.refuse(
                "max_zip_ratio",
                f"文件 {budget.name} 中的 {info.filename} 压缩比 {ratio:,.0f}:1，"
                f"超过 {limits.max_zip_ratio}:1 上限（解压后 {_mb(info.file_size)} MB），"
                f"可能是压缩炸弹；{budget._resave}",
            )
    return archive


def count_xml_elements(archive: zipfile.ZipFile, name: str, budget: ReadBudget, stop=None) -> None:
    """Stream-parse one XML member, counting its elements into ``budget``.

    Memory stays constant (each element is freed when it ends) and inflating is
    counted by :class:`CappedReader`. With ``stop`` (an element tag), counting ends
    at the start of that element (the rest is counted by whoever streams it).
    Malformed XML is left for the reader to report.
    """
    with archive.open(name) as raw:
        source = CappedReader(raw, budget, name)
        events = ("start", "end") if stop else ("end",)
        parser = etree.iterparse(
            source, events=events, resolve_entities=False, no_network=True, huge_tree=False
        )
        count = 0
        try:
            for event, element in parser:
                if event == "start":
                    if element.tag == stop:
                        break
                    continue
                count += 1
                if count >= 10_000:
                    budget.add_elements(count, name)
                    count = 0
                element.clear(keep_tail=False)
                while element.getprevious() is not None:
                    del element.getparent()[0]
        except etree.XMLSyntaxError as exc:
            logger.debug("%s: %s is not well-formed XML: %s", budget.path, name, exc)
        budget.add_elements(count, name)
