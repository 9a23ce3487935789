"""The original table a cited ``doc:line`` belongs to, as HTML with that line marked."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..sources import Sources
from . import source_html
from .errors import BadRequestError

MAX_LINE_DIGITS = 9  # no document has a billion lines
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class SourceView:
    """The original table a cited line belongs to, as HTML with the line marked."""

    doc: str
    line: int
    label: str
    html: str


def source(engine, reference: str | None) -> SourceView:
    """Show where ``doc:line`` was printed: its project table, department table or text."""
    doc, line = _parse_ref(reference)
    parsed = engine.store.documents.get(doc)
    if parsed is None:
        raise BadRequestError(f"unknown document {doc!r}", f"索引中没有文档 {doc}。")
    label = Sources.of(engine.store).label(doc, line)
    for finder in (_project_source, _department_source, _fact_source, _text_source):
        html = finder(parsed, line, label)
        if html:
            return SourceView(doc=doc, line=line, label=label, html=html)
    raise BadRequestError(
        f"{doc}:{line} is not in any table", f"{doc} 第 {line} 行不在任何表格中。"
    )


def _parse_ref(reference: str | None) -> tuple[str, int]:
    """``doc:line`` → (doc, line); ASCII digits only, at most :data:`MAX_LINE_DIGITS` of them."""
    if reference is not None and not isinstance(reference, str):
        raise BadRequestError(f"bad source reference {reference!r:.80}", "来源格式应为 文档:行号。")
    doc, _, line = (reference or "").strip().rpartition(":")
    if not doc or not _DIGITS.fullmatch(line):
        raise BadRequestError(f"bad source reference {reference!r:.80}", "来源格式应为 文档:行号。")
    if len(line) > MAX_LINE_DIGITS:
        raise BadRequestError(
            f"line number of {len(line)} digits in a source reference",
            f"行号有 {len(line)} 位数字，不是文档中的行："
            f"来源格式应为 文档:行号，例如 {doc[:60]}:125。",
        )
    return doc, int(line)


def _project_source(parsed, line: int, label: str) -> str | None:
    for project in parsed.projects:
        lines = {project.name_line, project.amount_line, project.goal_line}
        lines.update(row.line for row in project.indicators)
        lines.update(funding.line for funding in project.funding)
        if line in lines:
            return source_html.project_html(project, line, label)
    return None


def _department_source(parsed, line: int, label: str) -> str | None:
    rows = parsed.department_indicators
    if any(row.line == line for row in rows):
        return source_html.indicators_html(label, parsed.document.doc, rows, line)
    return None


def _fact_source(parsed, line: int, label: str) -> str | None:
    cited = next((f for f in parsed.facts if f.line == line), None)
    if cited is None:
        return None
    table = [f for f in parsed.facts if f.table == cited.table and f.kind == cited.kind]
    return source_html.facts_html(label, parsed.document.doc, table, line)


def _text_source(parsed, line: int, label: str) -> str | None:
    block = next((b for b in parsed.text_blocks if b.line <= line <= b.line_end), None)
    return source_html.text_html(label, parsed.document.doc, block, line) if block else None
