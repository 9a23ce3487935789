"""Parse budget performance-target documents into exact records.

>>> from index.parse import parse_file
>>> parsed = parse_file("corpus/000_fbf52db7d211f3f4.txt")  # doctest: +SKIP
>>> parsed.projects[0].name, parsed.projects[0].amount_wan  # doctest: +SKIP
('基层人员司法调解费', Decimal('90'))
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import UnreadableDocumentError
from ..readers import read_document
from ..schema import ParsedDocument, ParseWarning
from ..tablemodel import Row
from .records import build_document, build_plan, build_project, form_fields, text_blocks
from .walker import Walker

logger = logging.getLogger(__name__)


def parse_rows(
    rows: Iterable[Row], doc: str, fmt: str = "text", encoding: str | None = None
) -> ParsedDocument:
    """Parse rows of the shared table model into a :class:`ParsedDocument`."""
    walker = Walker(doc)
    count = 0
    for row in rows:
        walker.feed(row)
        count = max(count, row.line)
    walk = walker.finish()
    document = build_document(doc, walk, fmt, encoding)
    warnings = list(walk.warnings)
    projects = tuple(
        p for p in (build_project(d, document, walk, warnings) for d in walk.projects) if p
    )
    plans = tuple(build_plan(d, document, walk, i) for i, d in enumerate(walk.plans))
    facts = tuple(
        replace(f, region=document.region, department=document.department, year=document.year)
        for f in walk.facts
    )
    return ParsedDocument(
        document=document,
        projects=projects,
        plans=plans,
        facts=facts,
        form_fields=form_fields(walk.pairs, doc, None, None, document.region, document.year),
        text_blocks=text_blocks(walk.text_rows, doc),
        warnings=tuple(sorted(warnings, key=lambda w: w.line or 0)),
        line_count=count,
    )


def parse_file(path: str | Path, doc: str | None = None) -> ParsedDocument:
    """Read and parse one file of any supported format.

    Raises :class:`UnreadableDocumentError` naming the file when it cannot be read.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableDocumentError(str(path), f"cannot open: {exc.strerror}") from exc
    result = read_document(path, data)
    parsed = parse_rows(result.rows, doc or path.name, result.format, result.encoding)
    extra = tuple(ParseWarning(parsed.document.doc, None, w) for w in result.warnings)
    document = replace(parsed.document, sha256=hashlib.sha256(data).hexdigest())
    return replace(parsed, document=document, warnings=extra + parsed.warnings)


@dataclass(frozen=True)
class FileFailure:
    """A file that could not be read, and why."""

    path: str
    error: UnreadableDocumentError


def parse_files(paths: Iterable[str | Path]) -> Iterator[ParsedDocument | FileFailure]:
    """Parse files one by one; a file that cannot be read is reported, the rest go on."""
    for path in paths:
        try:
            yield parse_file(path)
        except UnreadableDocumentError as exc:
            logger.info("%s", exc)
            yield FileFailure(str(path), exc)


__all__ = ["FileFailure", "parse_file", "parse_files", "parse_rows"]
