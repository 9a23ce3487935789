"""Hostile documents for the tests — small on disk, huge or slow when read naively — and a
way to measure a read's peak memory in a fresh process.

The bombs are written without ever holding their inflated content: a repeated chunk is
deflated once after a full flush (which resets the compressor, so every repetition
deflates to the same bytes), the block is repeated, and the CRC is chained over the
repetitions. The zip itself is written by hand, which also lets a member declare a
size other than its real one.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
XLSX_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@dataclass(frozen=True)
class Deflated:
    """A zip member's raw deflate data with the CRC-32 and size of what it inflates to."""

    data: bytes
    crc: int
    size: int


def deflate_repeated(head: bytes, chunk: bytes, times: int, tail: bytes) -> Deflated:
    """``head + chunk * times + tail`` deflated, without building it."""

    def piece(data: bytes, final: bool) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return compressor.compress(data) + compressor.flush(
            zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH
        )

    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    data = piece(head, False) + piece(chunk, False) * times + piece(tail, True)
    return Deflated(data, crc, len(head) + len(chunk) * times + len(tail))


def write_zip(path: Path, members: dict[str, bytes | Deflated], declare: dict | None = None):
    """Write a zip of ``members`` (plain bytes are deflated here); ``declare`` maps a
    member name to the inflated size to declare instead of its real one."""
    declare = declare or {}
    out = BytesIO()
    central = []
    for name, member in members.items():
        if not isinstance(member, Deflated):
            member = deflate_repeated(member, b"", 0, b"")
        encoded = name.encode()
        size = declare.get(name, member.size)
        fields = (20, 0, 8, 0, 0x21, member.crc, len(member.data), size, len(encoded))
        central.append((fields, encoded, out.tell()))
        out.write(struct.pack("<4s5H3LHH", b"PK\x03\x04", *fields, 0) + encoded + member.data)
    start = out.tell()
    for fields, encoded, offset in central:
        out.write(
            struct.pack("<4sH5H3L5H2L", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset) + encoded
        )
    size = out.tell() - start
    out.write(
        struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0)
    )
    path.write_bytes(out.getvalue())
    return path


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def small_xlsx() -> bytes:
    """A valid one-sheet workbook with a few cells."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["项目名称", "法律援助经费"])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def small_docx() -> bytes:
    """A valid Word document with one paragraph."""
    import docx

    document = docx.Document()
    document.add_paragraph("项目名称：法律援助经费")
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bomb(path: Path, inflated_mb: int = 1100, declared_mb: int | None = None) -> Path:
    """An .xlsx whose one sheet inflates to ``inflated_mb`` of rows (~1 MB on disk)."""
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    chunk = row * (MB // len(row))
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{XLSX_NS}"><sheetData>'
    sheet = deflate_repeated(head.encode(), chunk, inflated_mb, b"</sheetData></worksheet>")
    members: dict[str, bytes | Deflated] = dict(_members(small_xlsx()))
    members["xl/worksheets/sheet1.xml"] = sheet
    declare = {"xl/worksheets/sheet1.xml": declared_mb * MB} if declared_mb else None
    return write_zip(path, members, declare)


def docx_bomb(path: Path, inflated_mb: int = 1100) -> Path:
    """A .docx whose body inflates to ``inflated_mb`` of paragraphs (~1 MB on disk)."""
    paragraph = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>"
    chunk = paragraph * (MB // len(paragraph))
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{WORD_NS}"><w:body>'
    body = deflate_repeated(head.encode(), chunk, inflated_mb, b"</w:body></w:document>")
    members: dict[str, bytes | Deflated] = dict(_members(small_docx()))
    members["word/document.xml"] = body
    return write_zip(path, members)


def docx_wide_table(path: Path, span: int = 50_000_000) -> Path:
    """A .docx with a two-row table whose cells claim ``span`` grid columns each."""
    members = _members(small_docx())
    cell = (
        f'<w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>'
        "<w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc>"
    )
    table = f"<w:tbl><w:tr>{cell}</w:tr><w:tr>{cell}</w:tr></w:tbl>".encode()
    body = members["word/document.xml"]
    members["word/document.xml"] = body.replace(b"<w:sectPr", table + b"<w:sectPr", 1)
    return write_zip(path, members)


def many_members(path: Path, count: int = 12_000) -> Path:
    """An .xlsx container with ``count`` extra empty members."""
    members: dict[str, bytes | Deflated] = dict(_members(small_xlsx()))
    for index in range(count):
        members[f"customXml/item{index}.xml"] = b""
    return write_zip(path, members)


def far_cell_xlsx(source: Path, path: Path, coordinate: str, text: str = "x") -> Path:
    """``source`` with one more filled cell at ``coordinate`` (XFD1048576: the last one)."""
    from openpyxl import load_workbook

    book = load_workbook(source)
    book.worksheets[0][coordinate] = text
    book.save(path)
    return path


def far_cell_xls(source: Path, path: Path) -> Path:
    """``source`` (.xls) with its first MULBLANK record (a run of empty formatted cells)
    moved to the end of the last row, ending at IV65536, the last cell."""
    from xlrd import compdoc

    data = bytearray(source.read_bytes())
    with open(os.devnull, "w") as quiet:
        mem, base, length = compdoc.CompDoc(bytes(data), logfile=quiet).locate_named_stream(
            "Workbook"
        )
    if mem != bytes(data):
        raise ValueError(f"{source}: the Workbook stream is not contiguous")
    pos = base
    while pos < base + length:
        kind, size = struct.unpack_from("<HH", data, pos)
        if kind == 0x00BE:  # MULBLANK: row, first col, one xf per cell, last col
            cells = (size - 6) // 2
            struct.pack_into("<HH", data, pos + 4, 65535, 256 - cells)
            struct.pack_into("<H", data, pos + 4 + size - 2, 255)
            path.write_bytes(bytes(data))
            return path
        pos += 4 + size
    raise ValueError(f"{source}: no MULBLANK record")


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of the given object bodies (object i+1 = objects[i]; 1 is the catalog)."""
    out = BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _stream(attrs: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (attrs, len(data)) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _one_page_pdf(
    content: bytes, extra: list[bytes] | None = None, resources: bytes = b""
) -> bytes:
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> %s >> >>" % resources,
            content,
            _FONT,
            *(extra or []),
        ]
    )


def pdf_stream_bomb(path: Path, inflated_mb: int = 1100) -> Path:
    """A one-page PDF whose content stream inflates to ``inflated_mb`` (~1 MB on disk)."""
    text = b"BT /F1 12 Tf 72 720 Td (budget) Tj ET\n"
    chunk = b"% " + b"x" * (MB - 3) + b"\n"  # comments: nothing drawn
    deflated = deflate_repeated(text, chunk, inflated_mb, b"")
    adler = zlib.adler32(text)
    for _ in range(inflated_mb):
        adler = zlib.adler32(chunk, adler)
    data = b"\x78\xda" + deflated.data + struct.pack(">L", adler)
    path.write_bytes(_one_page_pdf(_stream(b"/Filter /FlateDecode", data)))
    return path


def pdf_form_bomb(path: Path, depth: int = 4, fanout: int = 100) -> Path:
    """A one-page PDF drawing nested forms: fanout ** depth characters from a few KB."""
    objects = []
    first = 6  # form objects start after catalog, pages, page, content, font
    for level in range(depth):
        number = first + level
        if level == depth - 1:
            body = b"BT /F1 1 Tf (x) Tj ET\n" * fanout
            resources = b"<< /Font << /F1 5 0 R >> >>"
        else:
            body = b"/X Do\n" * fanout
            resources = b"<< /XObject << /X %d 0 R >> >>" % (number + 1)
        attrs = b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources %s" % resources
        objects.append(_stream(attrs, body))
    content = _stream(b"", b"/X Do\n")
    path.write_bytes(_one_page_pdf(content, objects, b"/XObject << /X %d 0 R >>" % first))
    return path


CHILD = r"""
import json, resource, sys, time

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024

from index.readers import read_document
read_document(sys.argv[2])  # load the format's libraries, as a running server has
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak (VmHWM) to the current RSS
idle = status("VmRSS")
cap = status("VmSize") + int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))  # old code must not take the machine down
started = time.monotonic()
try:
    outcome = {"rows": len(read_document(sys.argv[1]).rows)}
except BaseException as exc:
    outcome = {"error": type(exc).__name__, "limit": getattr(exc, "limit", None),
               "message": str(exc)[:500]}
outcome.update(idle=idle, peak=status("VmHWM"), seconds=time.monotonic() - started)
print(json.dumps(outcome, ensure_ascii=False))
"""


def measure_read(path: Path, warmup: Path, headroom_mb: int = 2048, timeout: int = 300) -> dict:
    """Read ``path`` in a fresh process after reading ``warmup``; returns what happened
    (rows or error, limit, message) with the process's idle RSS before the read and its
    peak RSS during it, in bytes, and the seconds the read took. The child may map at
    most ``headroom_mb`` more memory, so a reader without limits fails instead of
    exhausting the machine."""
    env = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", str(ROOT))}
    args = [sys.executable, "-c", CHILD, str(path), str(warmup), str(headroom_mb * MB)]
    try:
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=timeout, env=env, cwd=path.parent
        )
    except subprocess.TimeoutExpired:
        return {"error": "timeout", "seconds": timeout}
    if done.returncode != 0 or not done.stdout.strip():
        return {"error": f"exit {done.returncode}", "stderr": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])
