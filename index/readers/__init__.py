"""Readers: turn a file of any supported format into the shared table model.

Every reader returns :class:`ReadResult` (rows of cells with provenance). The
format is detected from the file's bytes, not trusted from its name. Reading is
bounded by :class:`~index.readers.limits.ReadLimits`: a file that would take more
is refused with :class:`~index.errors.DocumentTooLargeError` before the work is done.
"""

from __future__ import annotations

import importlib
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from ..errors import UnreadableDocumentError, UnsupportedFormatError
from ..tablemodel import Row
from .limits import ReadLimits, zip_member_count

MAX_BYTES = 200 * 1024 * 1024

# format name -> "module:function"; each function takes (data: bytes, path: str,
# limits: ReadLimits) and returns (rows, warnings) where warnings is a list of str.
READERS = {
    "pdf": "index.readers.pdf:read_pdf",
    "xlsx": "index.readers.xlsx:read_xlsx",
    "xls": "index.readers.xlsx:read_xls",
    "docx": "index.readers.docx:read_docx",
    "html": "index.readers.html:read_html",
}

SUPPORTED_SUFFIXES = (".txt", ".tsv", ".csv", ".pdf", ".xlsx", ".xls", ".docx", ".html", ".htm")


@dataclass
class ReadResult:
    """Rows read from one file, with what was learned on the way."""

    rows: list[Row]
    format: str
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)


def detect_format(data: bytes, path: str) -> str:
    """Name the file's format from its leading bytes (and, for OLE files, its name)."""
    head = data[:2048]
    suffix = Path(path).suffix.lower()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_format(data, path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        if "EncryptionInfo".encode("utf-16-le") in data[: 1 << 20]:
            return "encrypted"
        if suffix == ".doc":
            return "doc"
        return "xls" if suffix in (".xls", ".xlsx", "") else "ole"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")) or (
        stripped.startswith(b"<") and b"<table" in data[:65536].lower()
    ):
        return "html"
    return "text"


def _zip_format(data: bytes, path: str) -> str:
    if zip_member_count(data) > ReadLimits.from_environ().max_zip_members:
        # too many entries to list them safely: name the kind from the bytes and let
        # the reader refuse the file with the limit it passes
        return "docx" if b"word/document.xml" in data else "xlsx"
    try:
        names = set(zipfile.ZipFile(BytesIO(data)).namelist())
    except zipfile.BadZipFile as exc:
        raise UnreadableDocumentError(path, f"corrupt ZIP container: {exc}") from exc
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    raise UnreadableDocumentError(path, "a ZIP archive that is neither .docx nor .xlsx")


def read_document(
    path: str | Path, data: bytes | None = None, limits: ReadLimits | None = None
) -> ReadResult:
    """Read one file into rows, whatever its format.

    ``limits`` bound the work (default: :meth:`ReadLimits.from_environ`). Raises
    :class:`UnreadableDocumentError` naming the file when it cannot be read, and its
    subclass :class:`~index.errors.DocumentTooLargeError` when reading it would pass
    a limit.
    """
    path = str(path)
    limits = limits or ReadLimits.from_environ()
    if data is None:
        try:
            size = Path(path).stat().st_size
        except OSError as exc:
            raise UnreadableDocumentError(path, f"cannot open: {exc.strerror}") from exc
        if size > MAX_BYTES:
            raise UnreadableDocumentError(
                path,
                f"file is {size // (1024 * 1024)} MB, "
                f"over the {MAX_BYTES // (1024 * 1024)} MB limit",
            )
        data = Path(path).read_bytes()
    if not data:
        raise UnreadableDocumentError(path, "empty file (0 bytes)")
    fmt = detect_format(data, path)
    if fmt == "doc":
        raise UnsupportedFormatError(
            path,
            "legacy Word .doc is not supported: "
            "save it as .docx (Word: 另存为 .docx) and add it again",
        )
    if fmt == "encrypted":
        raise UnreadableDocumentError(
            path,
            "password-protected Office document: "
            "remove the password (save a copy without it) and add it again",
        )
    if fmt == "ole":
        raise UnsupportedFormatError(path, "an OLE (old Office) file of unknown kind")
    if fmt == "text":
        from .text import read_text

        rows, encoding = read_text(data, path)
        return ReadResult(rows=rows, format="text", encoding=encoding)
    module_name, func_name = READERS[fmt].split(":")
    reader = getattr(importlib.import_module(module_name), func_name)
    rows, warnings = reader(data, path, limits)
    if not any(not row.is_blank for row in rows):
        raise UnreadableDocumentError(path, f"no text or tables found in this {fmt} file")
    return ReadResult(rows=rows, format=fmt, warnings=list(warnings))
