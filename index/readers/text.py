"""Read plain-text renderings of published tables (tab- or space-separated cells)."""

from __future__ import annotations

import logging

from ..errors import UnreadableDocumentError
from ..tablemodel import Row, rows_from_text

logger = logging.getLogger(__name__)

_ENCODINGS = ("utf-8-sig", "gb18030", "utf-16")


def decode_text(data: bytes, path: str) -> tuple[str, str]:
    """Decode document bytes, detecting UTF-8, GBK/GB18030 and UTF-16.

    Returns the text and the encoding used. Raises
    :class:`UnreadableDocumentError` naming the file when the bytes are not text.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise UnreadableDocumentError(path, "binary content (NUL bytes): not a text document")
    for encoding in _ENCODINGS[:2]:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            if encoding == "utf-8-sig" and exc.start > len(data) - 4:
                # a multi-byte character cut at the very end: truncated file
                text = data[: exc.start].decode("utf-8-sig")
                logger.warning("%s: last bytes are a cut UTF-8 character; dropped", path)
                return text, "utf-8"
            continue
        if _looks_binary(text):
            raise UnreadableDocumentError(path, "binary content: not a text document")
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    raise UnreadableDocumentError(
        path, "not UTF-8, GBK/GB18030 or UTF-16 text; convert it to UTF-8 or give the original file"
    )


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return controls / len(sample) > 0.01


def read_text(data: bytes, path: str) -> tuple[list[Row], str]:
    """Read text bytes into rows. Returns the rows and the encoding."""
    text, encoding = decode_text(data, path)
    if not text.strip():
        raise UnreadableDocumentError(path, "the file holds no text")
    return rows_from_text(text), encoding
